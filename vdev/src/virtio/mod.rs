//! Virtio 1.x devices (OASIS "Virtual I/O Device (VIRTIO) Version 1.2",
//! cs01) over the "Virtio Over MMIO" transport, version 2 (§4.2), with
//! split virtqueues (§2.7).
//!
//! - `memory.rs`: [`GuestMemory`], [`MemError`], [`VecMemory`], below the
//!   queues and chains that read guest memory through them.
//! - [`mmio`]: the transport, [`VirtioMmio`], a [`Vdev`](crate::Vdev) that
//!   holds a [`Backend`] (the device type) and a [`GuestMemory`].
//! - [`queue`]: split virtqueues: descriptor chains (with `NEXT`, `WRITE`,
//!   indirect tables), the available and used rings, event-index
//!   notification suppression.
//! - [`blk`], [`console`], [`rng`], [`net`]: the backends.
//!
//! Devices see guest memory only through [`GuestMemory`]: every address and
//! length from the guest goes through it, so a bad descriptor is an error
//! for that request (or `DEVICE_NEEDS_RESET` when the rings themselves are
//! broken), never a panic. Requests are served synchronously: a write to
//! `QueueNotify` processes that queue before the write returns.
//!
//! Left out: the legacy (version 1) MMIO layout, packed virtqueues,
//! `VIRTIO_F_NOTIFICATION_DATA`, shared memory regions.

pub mod blk;
pub mod chain;
pub mod console;
mod memory;
pub mod mmio;
pub mod net;
pub mod queue;
pub mod rng;

pub use memory::{GuestMemory, MemError, VecMemory};
pub use mmio::VirtioMmio;
pub use queue::{Chain, ChainError, QueueError, Queues, Virtqueue};

/// Device status bit (§2.1): the guest found the device.
pub const VIRTIO_CONFIG_S_ACKNOWLEDGE: u32 = 1;
/// Device status bit: the guest has a driver for it.
pub const VIRTIO_CONFIG_S_DRIVER: u32 = 2;
/// Device status bit: the driver is ready.
pub const VIRTIO_CONFIG_S_DRIVER_OK: u32 = 4;
/// Device status bit: feature negotiation is complete.
pub const VIRTIO_CONFIG_S_FEATURES_OK: u32 = 8;
/// Device status bit: the device hit an error it cannot recover from.
pub const VIRTIO_CONFIG_S_NEEDS_RESET: u32 = 64;
/// Device status bit: the driver gave up on the device.
pub const VIRTIO_CONFIG_S_FAILED: u32 = 128;

/// Feature bit 28: descriptors may point to indirect tables.
pub const VIRTIO_F_INDIRECT_DESC: u32 = 28;
/// Feature bit 29: `used_event` / `avail_event` notification suppression.
pub const VIRTIO_F_EVENT_IDX: u32 = 29;
/// Feature bit 32: the device complies with virtio 1.x (required here).
pub const VIRTIO_F_VERSION_1: u32 = 32;

/// Device ID of a network card (§5).
pub const VIRTIO_ID_NET: u32 = 1;
/// Device ID of a block device.
pub const VIRTIO_ID_BLOCK: u32 = 2;
/// Device ID of a console.
pub const VIRTIO_ID_CONSOLE: u32 = 3;
/// Device ID of an entropy source.
pub const VIRTIO_ID_RNG: u32 = 4;

/// The feature mask of feature bit `n`.
pub const fn bit(n: u32) -> u64 {
    1 << n
}

/// One virtio device type, plugged into the [`VirtioMmio`] transport.
pub trait Backend: Send + 'static {
    /// Short type name for logs (`"virtio-blk"`).
    fn kind(&self) -> &'static str;
    /// The virtio device ID (`VIRTIO_ID_*`).
    fn device_id(&self) -> u32;
    /// Device-type feature bits offered; the transport adds
    /// `VIRTIO_F_VERSION_1`, `VIRTIO_F_INDIRECT_DESC`, `VIRTIO_F_EVENT_IDX`.
    fn features(&self) -> u64;
    /// Number of virtqueues.
    fn num_queues(&self) -> u16;
    /// Reads the device config space from `offset` into `data` (bytes past
    /// its end read 0).
    fn read_config(&self, offset: usize, data: &mut [u8]);
    /// A driver write to the config space (ignored unless the type has
    /// writable fields).
    fn write_config(&mut self, _offset: usize, _data: &[u8]) {}
    /// The driver notified queue `queue` (or the device may have work after
    /// a reset of its state): serve what is available.
    fn notify(&mut self, queue: u16, q: &mut Queues<'_>) -> Result<(), QueueError>;
    /// Device reset (status 0): drop in-flight state, keep configuration.
    fn reset(&mut self) {}
}

/// Bytes of config space `cfg` seen at `offset` (zero past its end).
pub(crate) fn copy_config(cfg: &[u8], offset: usize, data: &mut [u8]) {
    for (i, b) in data.iter_mut().enumerate() {
        *b = offset
            .checked_add(i)
            .and_then(|o| cfg.get(o))
            .copied()
            .unwrap_or(0);
    }
}
