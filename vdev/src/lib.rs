//! Device models ("vdevs") as the `qvm` process sees them.
//!
//! When a guest touches guest-physical memory that is not RAM, the kernel
//! decodes the data abort into {address, size, write, value} and hands it to
//! `qvm`, which looks the address up on its [`Bus`] and calls the
//! [`Vdev`] found there. After each access (and after host input arrives),
//! `qvm` polls [`Vdev::irq_level`] and drives the device's interrupt line
//! with `vm_irq_line` when it changed.
//!
//! - [`bus`]: guest-physical ranges → boxed vdevs (sorted, binary search).
//! - [`chardev`]: the output sink and receive FIFO of character devices.
//! - [`mmio`]: helpers for devices built of 32-bit registers.
//! - [`pl011`]: the ARM PL011 UART.
//! - [`clock`]: [`Clock`], the time the counting models ask for.
//! - The PC's devices, for x86 VMs (on the I/O port bus, offsets from the
//!   base port): [`ser8250`] (the 16550A COM port), [`pit8254`] (the
//!   interval timer and port 0x61), [`pc`] (the MC146818 RTC and CMOS, the
//!   i8042 keyboard controller with its reset line, the 8259A).
//! - [`virtio`]: the virtio-mmio transport, split virtqueues and the
//!   virtio-blk, -console, -entropy and -net devices.
//! - [`shmem`]: the shared memory region between VMs and its doorbells
//!   (qhv's own register block).
//! - [`wdt`]: watchdogs, the ARM SP805 and the IB700 (x86), which tell
//!   their owner when they bite.
//!
//! The crate is `no_std` with `alloc` (it runs inside `qvm`, which has a
//! heap but no std) and is tested on the build host with `cargo test -p vdev`.
//! `docs/vdevs.md` says how to add a device.
//!
//! ```
//! use vdev::{Bus, Pl011};
//!
//! let mut bus = Bus::new();
//! let uart = Box::new(Pl011::new(Vec::new())); // output collects in a Vec
//! let id = bus.add(0x1c09_0000, 0x1000, uart).unwrap();
//! // The guest's `strb w0, [x1]` to UARTDR, as the kernel decoded it:
//! bus.write(0x1c09_0000, 1, u64::from(b'!')).unwrap();
//! let uart = bus.downcast_ref::<Pl011<Vec<u8>>>(id).unwrap();
//! assert_eq!(uart.sink().as_slice(), b"!");
//! assert_eq!(bus.irq_change(id), None); // no interrupt enabled
//! ```
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod bus;
pub mod chardev;
pub mod clock;
pub mod mmio;
pub mod pc;
pub mod pit8254;
pub mod pl011;
pub mod ser8250;
pub mod shmem;
pub mod virtio;
pub mod wdt;

use core::any::Any;

pub use bus::{AccessError, Bus, DeviceId, OverlapError};
pub use chardev::CharSink;
pub use clock::Clock;
pub use pc::{I8042, Mc146818, Pic8259};
pub use pit8254::Pit8254;
pub use pl011::Pl011;
pub use ser8250::Ser8250;
pub use shmem::Shmem;
pub use virtio::VirtioMmio;
pub use wdt::{Ib700, Sp805};

/// One MMIO device model, as `qvm` sees it after the kernel decoded a guest
/// data abort.
///
/// `Any` lets the owner of a [`Bus`] get the concrete type back
/// ([`Bus::downcast_mut`]), e.g. to push console input into a [`Pl011`];
/// `Send` lets the bus move between `qvm`'s vCPU threads behind a lock.
pub trait Vdev: Any + Send {
    /// Short type name for logs (`"pl011"`).
    fn kind(&self) -> &'static str;

    /// A read of `size` bytes (1, 2, 4 or 8) at `offset` from the device
    /// base. The value is zero-extended into the `u64`.
    fn read(&mut self, offset: u64, size: usize) -> Result<u64, Fault>;

    /// A write of the low `size` bytes of `value` at `offset`.
    fn write(&mut self, offset: u64, size: usize, value: u64) -> Result<(), Fault>;

    /// Whether its interrupt line is asserted now (level). `qvm` polls it
    /// after each access and after input arrives.
    fn irq_level(&self) -> bool {
        false
    }
}

/// Why a device refused an access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The access is not one the device supports (bad size, alignment or
    /// offset): `qvm` applies the config's `unsupported` policy.
    Unsupported,
}

impl core::fmt::Display for Fault {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Fault::Unsupported => f.write_str("unsupported access"),
        }
    }
}
