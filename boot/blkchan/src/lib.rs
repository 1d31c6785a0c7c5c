//! The block channel: one shared memory object (`shm_open`) through which
//! a host block driver (`boot/vblk`) serves block requests to its clients
//! (`qvm`'s virtio-blk disks), one request at a time. The layout, the
//! request checks both sides make, and the two ends over a mapping of the
//! object. `docs/vdevs.md` ("virtio-blk on a host driver") describes it.
//!
//! The object is [`CHANNEL_SIZE`] bytes: a control page ([`layout`]) and a
//! data area of [`DATA_MAX`] bytes. The driver fills in the disk's facts
//! and then sets `magic` (a futex word clients wait on). A client takes
//! the `lock` word (a futex mutex), writes `op`, `sector` and `len` (and,
//! for a write, the data), bumps `req_seq` and wakes it; the driver reads
//! each field once, checks the request against the disk ([`check`]),
//! carries it out, writes `status` (and, for a read, the data), sets
//! `done_seq` to the request's sequence number and wakes it. A `FLUSH`
//! answered [`Status::Ok`] is on the disk.
#![no_std]

pub mod layout;
mod request;
mod shared;

pub use request::{Checked, Op, Status, check};
pub use shared::{Channel, Facts, Futex};

/// Bytes per sector.
pub const SECTOR: u64 = 512;
/// The data area's size: the most one request moves.
pub const DATA_MAX: usize = 64 << 10;
/// The control page.
pub const CONTROL: usize = 4096;
/// The whole shared memory object.
pub const CHANNEL_SIZE: usize = CONTROL + DATA_MAX;
/// `magic` once the driver serves the channel: "VBLK".
pub const MAGIC: u32 = u32::from_le_bytes(*b"VBLK");
/// The protocol version in `version`.
pub const VERSION: u32 = 1;
/// `flags` bit: the disk is read-only.
pub const FLAG_READ_ONLY: u32 = 1;
/// Length of the disk's ID string (virtio 1.2 §5.2.6: `GET_ID`'s 20 bytes).
pub const ID_BYTES: usize = 20;

#[cfg(test)]
mod tests;
