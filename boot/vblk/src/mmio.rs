//! The virtio-mmio transport's registers (virtio 1.2 §4.2.2, version 2:
//! the modern interface) and the device status bits (§2.1).

/// "virt" in little-endian (§4.2.2).
pub const MAGIC_VALUE: u32 = 0x7472_6976;
/// Register: `MagicValue`.
pub const MAGIC: usize = 0x000;
/// Register: `Version` (2 for the modern interface; 1 is legacy).
pub const VERSION: usize = 0x004;
/// Register: `DeviceID` (0: an empty slot).
pub const DEVICE_ID: usize = 0x008;
/// Register: `DeviceFeatures`, 32 bits of them picked by `DeviceFeaturesSel`.
pub const DEVICE_FEATURES: usize = 0x010;
/// Register: `DeviceFeaturesSel`.
pub const DEVICE_FEATURES_SEL: usize = 0x014;
/// Register: `DriverFeatures`.
pub const DRIVER_FEATURES: usize = 0x020;
/// Register: `DriverFeaturesSel`.
pub const DRIVER_FEATURES_SEL: usize = 0x024;
/// Register: `QueueSel`.
pub const QUEUE_SEL: usize = 0x030;
/// Register: `QueueNumMax`.
pub const QUEUE_NUM_MAX: usize = 0x034;
/// Register: `QueueNum`.
pub const QUEUE_NUM: usize = 0x038;
/// Register: `QueueReady`.
pub const QUEUE_READY: usize = 0x044;
/// Register: `QueueNotify`.
pub const QUEUE_NOTIFY: usize = 0x050;
/// Register: `InterruptStatus`.
pub const INTERRUPT_STATUS: usize = 0x060;
/// Register: `InterruptACK`.
pub const INTERRUPT_ACK: usize = 0x064;
/// Register: `Status`.
pub const STATUS: usize = 0x070;
/// Register: `QueueDescLow` (`High` at +4).
pub const QUEUE_DESC: usize = 0x080;
/// Register: `QueueDriverLow`, the available ring (`High` at +4).
pub const QUEUE_DRIVER: usize = 0x090;
/// Register: `QueueDeviceLow`, the used ring (`High` at +4).
pub const QUEUE_DEVICE: usize = 0x0a0;
/// Register: `ConfigGeneration`.
pub const CONFIG_GENERATION: usize = 0x0fc;
/// The device-specific configuration space.
pub const CONFIG: usize = 0x100;

/// Device ID of a block device (§5.2.1).
pub const ID_BLOCK: u32 = 2;

/// Status (§2.1): the guest found the device.
pub const S_ACKNOWLEDGE: u32 = 1;
/// Status: the guest knows how to drive it.
pub const S_DRIVER: u32 = 2;
/// Status: the driver is ready.
pub const S_DRIVER_OK: u32 = 4;
/// Status: feature negotiation is done.
pub const S_FEATURES_OK: u32 = 8;
/// Status: the device needs a reset.
pub const S_NEEDS_RESET: u32 = 64;
/// Status: the driver gave up.
pub const S_FAILED: u32 = 128;

/// A mapped virtio-mmio register window.
pub struct Regs {
    base: usize,
}

impl Regs {
    /// The window mapped at `base`.
    ///
    /// # Safety
    /// `base` is a virtio-mmio slot's registers, mapped as device memory
    /// and used by nothing else.
    pub unsafe fn new(base: usize) -> Regs {
        Regs { base }
    }

    /// Reads 32-bit register `offset`.
    pub fn read(&self, offset: usize) -> u32 {
        // SAFETY: a register of the window (`new`), aligned.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u32) }
    }

    /// Writes 32-bit register `offset`.
    pub fn write(&self, offset: usize, value: u32) {
        // SAFETY: as for `read`.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }

    /// Writes a 64-bit address to a `Low`/`High` register pair.
    pub fn write64(&self, offset: usize, value: u64) {
        self.write(offset, value as u32);
        self.write(offset + 4, (value >> 32) as u32);
    }

    /// The device's 64 feature bits.
    pub fn device_features(&self) -> u64 {
        self.write(DEVICE_FEATURES_SEL, 0);
        let low = self.read(DEVICE_FEATURES);
        self.write(DEVICE_FEATURES_SEL, 1);
        let high = self.read(DEVICE_FEATURES);
        u64::from(high) << 32 | u64::from(low)
    }

    /// Tells the device which features the driver takes.
    pub fn set_driver_features(&self, features: u64) {
        self.write(DRIVER_FEATURES_SEL, 0);
        self.write(DRIVER_FEATURES, features as u32);
        self.write(DRIVER_FEATURES_SEL, 1);
        self.write(DRIVER_FEATURES, (features >> 32) as u32);
    }

    /// A 64-bit configuration field at `offset` in the config space, read
    /// until `ConfigGeneration` shows it was not torn (§4.2.2.2).
    pub fn config_u64(&self, offset: usize) -> u64 {
        loop {
            let before = self.read(CONFIG_GENERATION);
            let low = self.read(CONFIG + offset);
            let high = self.read(CONFIG + offset + 4);
            if self.read(CONFIG_GENERATION) == before {
                return u64::from(high) << 32 | u64::from(low);
            }
        }
    }
}
