//! Register decoding of the transport: [`Vdev`] for [`VirtioMmio`].

use super::regs::*;
use super::*;

impl<M: GuestMemory + 'static, B: Backend> VirtioMmio<M, B> {
    fn read_reg(&mut self, reg: u64) -> u32 {
        let q = self.queues.get(self.queue_sel as usize);
        let half = |v: u64, high: bool| if high { (v >> 32) as u32 } else { v as u32 };
        match reg {
            VIRTIO_MMIO_MAGIC_VALUE => MAGIC,
            VIRTIO_MMIO_VERSION => 2,
            VIRTIO_MMIO_DEVICE_ID => self.backend.device_id(),
            VIRTIO_MMIO_VENDOR_ID => VENDOR,
            VIRTIO_MMIO_DEVICE_FEATURES => match self.device_features_sel {
                0 => self.device_features() as u32,
                1 => (self.device_features() >> 32) as u32,
                _ => 0,
            },
            VIRTIO_MMIO_QUEUE_NUM_MAX => q.map_or(0, |_| u32::from(QUEUE_SIZE_MAX)),
            VIRTIO_MMIO_QUEUE_READY => q.map_or(0, |q| u32::from(q.ready)),
            VIRTIO_MMIO_INTERRUPT_STATUS => self.interrupt_status,
            VIRTIO_MMIO_STATUS => self.status,
            VIRTIO_MMIO_QUEUE_DESC_LOW | VIRTIO_MMIO_QUEUE_DESC_HIGH => {
                q.map_or(0, |q| half(q.desc, reg & 4 != 0))
            }
            VIRTIO_MMIO_QUEUE_AVAIL_LOW | VIRTIO_MMIO_QUEUE_AVAIL_HIGH => {
                q.map_or(0, |q| half(q.driver, reg & 4 != 0))
            }
            VIRTIO_MMIO_QUEUE_USED_LOW | VIRTIO_MMIO_QUEUE_USED_HIGH => {
                q.map_or(0, |q| half(q.device, reg & 4 != 0))
            }
            VIRTIO_MMIO_CONFIG_GENERATION => self.config_generation,
            _ => 0,
        }
    }

    fn write_reg(&mut self, reg: u64, v: u32) {
        let set = |old: u64, high: bool| {
            if high {
                (old & 0xffff_ffff) | (u64::from(v) << 32)
            } else {
                (old & !0xffff_ffff) | u64::from(v)
            }
        };
        let high = reg & 4 != 0;
        match reg {
            VIRTIO_MMIO_DEVICE_FEATURES_SEL => self.device_features_sel = v,
            VIRTIO_MMIO_DRIVER_FEATURES_SEL => self.driver_features_sel = v,
            VIRTIO_MMIO_DRIVER_FEATURES if self.status & VIRTIO_CONFIG_S_FEATURES_OK == 0 => {
                match self.driver_features_sel {
                    0 => self.driver_features = set(self.driver_features, false),
                    1 => self.driver_features = set(self.driver_features, true),
                    _ => {}
                }
            }
            VIRTIO_MMIO_QUEUE_SEL => self.queue_sel = v,
            VIRTIO_MMIO_QUEUE_READY => self.write_queue_ready(v),
            VIRTIO_MMIO_QUEUE_NOTIFY => self.notify(v),
            VIRTIO_MMIO_INTERRUPT_ACK => self.interrupt_status &= !v,
            VIRTIO_MMIO_STATUS => self.write_status(v),
            _ => {
                // Queue layout: only while the selected queue is not ready.
                let Some(q) = self.sel().filter(|q| !q.ready) else {
                    return;
                };
                match reg {
                    VIRTIO_MMIO_QUEUE_NUM => q.num = v as u16,
                    VIRTIO_MMIO_QUEUE_DESC_LOW | VIRTIO_MMIO_QUEUE_DESC_HIGH => {
                        q.desc = set(q.desc, high)
                    }
                    VIRTIO_MMIO_QUEUE_AVAIL_LOW | VIRTIO_MMIO_QUEUE_AVAIL_HIGH => {
                        q.driver = set(q.driver, high)
                    }
                    VIRTIO_MMIO_QUEUE_USED_LOW | VIRTIO_MMIO_QUEUE_USED_HIGH => {
                        q.device = set(q.device, high)
                    }
                    _ => {}
                }
            }
        }
    }
}

impl<M: GuestMemory + 'static, B: Backend> Vdev for VirtioMmio<M, B> {
    fn kind(&self) -> &'static str {
        self.backend.kind()
    }

    fn read(&mut self, offset: u64, size: usize) -> Result<u64, Fault> {
        if offset >= VIRTIO_MMIO_CONFIG {
            let mut b = [0u8; 8];
            let data = config_access(offset, size, &mut b)?;
            self.backend
                .read_config((offset - VIRTIO_MMIO_CONFIG) as usize, data);
            return Ok(u64::from_le_bytes(b));
        }
        if size != 4 || !offset.is_multiple_of(4) {
            return Err(Fault::Unsupported);
        }
        Ok(u64::from(self.read_reg(offset)))
    }

    fn write(&mut self, offset: u64, size: usize, value: u64) -> Result<(), Fault> {
        if offset >= VIRTIO_MMIO_CONFIG {
            let mut b = value.to_le_bytes();
            let data = config_access(offset, size, &mut b)?;
            self.backend
                .write_config((offset - VIRTIO_MMIO_CONFIG) as usize, data);
            return Ok(());
        }
        if size != 4 || !offset.is_multiple_of(4) {
            return Err(Fault::Unsupported);
        }
        self.write_reg(offset, value as u32);
        Ok(())
    }

    fn irq_level(&self) -> bool {
        self.interrupt_status != 0
    }
}

/// Checks a config-space access and gives its bytes.
fn config_access(offset: u64, size: usize, b: &mut [u8; 8]) -> Result<&mut [u8], Fault> {
    if !matches!(size, 1 | 2 | 4 | 8) || !offset.is_multiple_of(size as u64) || offset >= WINDOW {
        return Err(Fault::Unsupported);
    }
    Ok(&mut b[..size])
}
