//! The register map of virtio-mmio version 2 (virtio 1.2 §4.2.2, table
//! "MMIO Device Register Layout"), names as in Linux's `virtio_mmio.h`.

/// `MagicValue`: "virt" in little-endian.
pub const VIRTIO_MMIO_MAGIC_VALUE: u64 = 0x000;
/// `Version`: 2.
pub const VIRTIO_MMIO_VERSION: u64 = 0x004;
/// `DeviceID`.
pub const VIRTIO_MMIO_DEVICE_ID: u64 = 0x008;
/// `VendorID`.
pub const VIRTIO_MMIO_VENDOR_ID: u64 = 0x00c;
/// `DeviceFeatures`.
pub const VIRTIO_MMIO_DEVICE_FEATURES: u64 = 0x010;
/// `DeviceFeaturesSel`.
pub const VIRTIO_MMIO_DEVICE_FEATURES_SEL: u64 = 0x014;
/// `DriverFeatures`.
pub const VIRTIO_MMIO_DRIVER_FEATURES: u64 = 0x020;
/// `DriverFeaturesSel`.
pub const VIRTIO_MMIO_DRIVER_FEATURES_SEL: u64 = 0x024;
/// `QueueSel`.
pub const VIRTIO_MMIO_QUEUE_SEL: u64 = 0x030;
/// `QueueNumMax`.
pub const VIRTIO_MMIO_QUEUE_NUM_MAX: u64 = 0x034;
/// `QueueNum`.
pub const VIRTIO_MMIO_QUEUE_NUM: u64 = 0x038;
/// `QueueReady`.
pub const VIRTIO_MMIO_QUEUE_READY: u64 = 0x044;
/// `QueueNotify`.
pub const VIRTIO_MMIO_QUEUE_NOTIFY: u64 = 0x050;
/// `InterruptStatus`.
pub const VIRTIO_MMIO_INTERRUPT_STATUS: u64 = 0x060;
/// `InterruptACK`.
pub const VIRTIO_MMIO_INTERRUPT_ACK: u64 = 0x064;
/// `Status`.
pub const VIRTIO_MMIO_STATUS: u64 = 0x070;
/// `QueueDescLow` (`QueueDescHigh` at +4).
pub const VIRTIO_MMIO_QUEUE_DESC_LOW: u64 = 0x080;
/// `QueueDescHigh`.
pub const VIRTIO_MMIO_QUEUE_DESC_HIGH: u64 = 0x084;
/// `QueueDriverLow` (the available ring).
pub const VIRTIO_MMIO_QUEUE_AVAIL_LOW: u64 = 0x090;
/// `QueueDriverHigh`.
pub const VIRTIO_MMIO_QUEUE_AVAIL_HIGH: u64 = 0x094;
/// `QueueDeviceLow` (the used ring).
pub const VIRTIO_MMIO_QUEUE_USED_LOW: u64 = 0x0a0;
/// `QueueDeviceHigh`.
pub const VIRTIO_MMIO_QUEUE_USED_HIGH: u64 = 0x0a4;
/// `ConfigGeneration`.
pub const VIRTIO_MMIO_CONFIG_GENERATION: u64 = 0x0fc;
/// Start of the device config space.
pub const VIRTIO_MMIO_CONFIG: u64 = 0x100;
/// `InterruptStatus` bit: a used buffer notification.
pub const VIRTIO_MMIO_INT_VRING: u32 = 1;
/// `InterruptStatus` bit: the configuration (or status) changed.
pub const VIRTIO_MMIO_INT_CONFIG: u32 = 2;
/// The magic value ("virt").
pub const MAGIC: u32 = 0x7472_6976;
/// `VendorID` reported: "qvm" in little-endian ASCII (drivers only print
/// it; no vendor is registered for it).
pub const VENDOR: u32 = 0x006d_7671;
/// Bytes of the register window (registers and config space).
pub const WINDOW: u64 = 0x200;
