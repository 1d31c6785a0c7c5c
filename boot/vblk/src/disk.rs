//! The virtio-blk device behind one virtio-mmio slot: initialization
//! (virtio 1.2 §3.1.1, the modern interface only) and requests (§5.2.6),
//! each waited for on the device's interrupt.

use crate::mmio::{self, Regs};
use crate::queue::{QUEUE_SIZE, Queue};
use blkchan::Status;
use ulib::device;

/// Feature bit 5: the device is read-only (§5.2.3).
const VIRTIO_BLK_F_RO: u64 = 1 << 5;
/// Feature bit 9: the device takes `VIRTIO_BLK_T_FLUSH` (its write cache
/// is volatile: written data is durable only after a flush).
const VIRTIO_BLK_F_FLUSH: u64 = 1 << 9;
/// Feature bit 32: the device is modern (§6).
const VIRTIO_F_VERSION_1: u64 = 1 << 32;
/// Request type: read (§5.2.6).
pub const VIRTIO_BLK_T_IN: u32 = 0;
/// Request type: write.
pub const VIRTIO_BLK_T_OUT: u32 = 1;
/// Request type: flush the write cache.
pub const VIRTIO_BLK_T_FLUSH: u32 = 4;
/// Request type: the device's ID string.
pub const VIRTIO_BLK_T_GET_ID: u32 = 8;
/// `capacity`'s offset in the configuration space (§5.2.4), in sectors.
const CONFIG_CAPACITY: usize = 0;

/// An initialized virtio-blk device.
pub struct Disk {
    regs: Regs,
    queue: Queue,
    irq: usize,
    /// Size in 512-byte sectors.
    pub capacity: u64,
    /// Whether the device refuses writes.
    pub read_only: bool,
    /// Whether the device has a write cache that `FLUSH` empties.
    pub flush: bool,
}

impl Disk {
    /// Resets and initializes the device (§3.1.1), its one queue on
    /// `queue`'s memory; `irq` is its attached interrupt's handle.
    pub fn init(regs: Regs, queue: Queue, irq: usize) -> Result<Disk, &'static str> {
        if regs.read(mmio::MAGIC) != mmio::MAGIC_VALUE {
            return Err("no virtio-mmio magic");
        }
        if regs.read(mmio::VERSION) != 2 {
            return Err("a legacy (version 1) virtio-mmio device; QEMU needs \
                        -global virtio-mmio.force-legacy=false");
        }
        if regs.read(mmio::DEVICE_ID) != mmio::ID_BLOCK {
            return Err("not a block device");
        }
        regs.write(mmio::STATUS, 0);
        while regs.read(mmio::STATUS) != 0 {
            core::hint::spin_loop();
        }
        let mut status = mmio::S_ACKNOWLEDGE | mmio::S_DRIVER;
        regs.write(mmio::STATUS, status);
        let offered = regs.device_features();
        if offered & VIRTIO_F_VERSION_1 == 0 {
            regs.write(mmio::STATUS, status | mmio::S_FAILED);
            return Err("the device does not offer VIRTIO_F_VERSION_1");
        }
        let taken = offered & (VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_RO);
        regs.set_driver_features(taken);
        status |= mmio::S_FEATURES_OK;
        regs.write(mmio::STATUS, status);
        if regs.read(mmio::STATUS) & mmio::S_FEATURES_OK == 0 {
            regs.write(mmio::STATUS, status | mmio::S_FAILED);
            return Err("the device refused the features");
        }
        regs.write(mmio::QUEUE_SEL, 0);
        if regs.read(mmio::QUEUE_READY) != 0
            || regs.read(mmio::QUEUE_NUM_MAX) < u32::from(QUEUE_SIZE)
        {
            regs.write(mmio::STATUS, status | mmio::S_FAILED);
            return Err("queue 0 is in use or too small");
        }
        regs.write(mmio::QUEUE_NUM, u32::from(QUEUE_SIZE));
        let (desc, driver, device) = queue.rings();
        regs.write64(mmio::QUEUE_DESC, desc);
        regs.write64(mmio::QUEUE_DRIVER, driver);
        regs.write64(mmio::QUEUE_DEVICE, device);
        regs.write(mmio::QUEUE_READY, 1);
        regs.write(mmio::STATUS, status | mmio::S_DRIVER_OK);
        let capacity = regs.config_u64(CONFIG_CAPACITY);
        Ok(Disk {
            regs,
            queue,
            irq,
            capacity,
            read_only: taken & VIRTIO_BLK_F_RO != 0,
            flush: taken & VIRTIO_BLK_F_FLUSH != 0,
        })
    }

    /// The data buffer requests move.
    pub fn data(&mut self) -> &mut [u8] {
        self.queue.data()
    }

    /// Runs one request and waits for its interrupt: `Ok` if the device
    /// answered `VIRTIO_BLK_S_OK`.
    pub fn run(&mut self, kind: u32, sector: u64, len: usize, device_writes: bool) -> Status {
        if self.regs.read(mmio::STATUS) & mmio::S_NEEDS_RESET != 0 {
            return Status::IoError;
        }
        self.queue.submit(kind, sector, len, device_writes);
        self.regs.write(mmio::QUEUE_NOTIFY, 0);
        loop {
            if let Some(status) = self.queue.take_used() {
                return if status == 0 {
                    Status::Ok
                } else {
                    Status::IoError
                };
            }
            if device::irq_wait(self.irq).is_err() {
                return Status::IoError;
            }
            let cause = self.regs.read(mmio::INTERRUPT_STATUS);
            self.regs.write(mmio::INTERRUPT_ACK, cause);
            if device::irq_unmask(self.irq).is_err() {
                return Status::IoError;
            }
        }
    }

    /// Makes every completed write durable: a `FLUSH` if the device has a
    /// write cache; without `VIRTIO_BLK_F_FLUSH` its writes are durable
    /// when they complete (§5.2.5).
    pub fn flush(&mut self) -> Status {
        if !self.flush {
            return Status::Ok;
        }
        self.run(VIRTIO_BLK_T_FLUSH, 0, 0, false)
    }
}
