//! The virtio-mmio transport, version 2 (virtio 1.2 §4.2.2), as a
//! [`Vdev`]: the register window, feature negotiation, queue setup, the
//! interrupt status, and the device config space at 0x100.
//!
//! Registers are 32-bit, aligned accesses only (else `Fault::Unsupported`);
//! the config space takes 8/16/32/64-bit aligned accesses. Offsets in the
//! window that name no register read 0 and ignore writes.
//! `VIRTIO_F_VERSION_1` is offered and required: `FEATURES_OK` does not
//! stick without it (or with bits the device did not offer). A write to
//! `QueueNotify` serves that queue before it returns. The line is
//! `InterruptStatus != 0`.

mod access;
pub mod regs;

use super::queue::{Features, QUEUE_SIZE_MAX, QueueError, Queues, Virtqueue};
use super::*;
use crate::{Fault, Vdev};
use alloc::vec::Vec;
use regs::*;

/// A virtio device on the MMIO transport: backend `B`, guest memory `M`.
pub struct VirtioMmio<M: GuestMemory + 'static, B: Backend> {
    mem: M,
    backend: B,
    queues: Vec<Virtqueue>,
    device_features_sel: u32,
    driver_features_sel: u32,
    driver_features: u64,
    queue_sel: u32,
    interrupt_status: u32,
    status: u32,
    config_generation: u32,
}

impl<M: GuestMemory + 'static, B: Backend> VirtioMmio<M, B> {
    /// Size of the window to map on the bus.
    pub const SIZE: u64 = WINDOW;

    /// A device in its reset state.
    pub fn new(mem: M, backend: B) -> Self {
        let queues = (0..backend.num_queues())
            .map(|_| Virtqueue::default())
            .collect();
        VirtioMmio {
            mem,
            backend,
            queues,
            device_features_sel: 0,
            driver_features_sel: 0,
            driver_features: 0,
            queue_sel: 0,
            interrupt_status: 0,
            status: 0,
            config_generation: 0,
        }
    }

    /// All features offered: the backend's and the transport's.
    pub fn device_features(&self) -> u64 {
        self.backend.features()
            | bit(VIRTIO_F_VERSION_1)
            | bit(VIRTIO_F_INDIRECT_DESC)
            | bit(VIRTIO_F_EVENT_IDX)
    }

    /// The features the driver accepted.
    pub fn driver_features(&self) -> u64 {
        self.driver_features
    }

    /// The `Status` register.
    pub fn status(&self) -> u32 {
        self.status
    }

    /// The `InterruptStatus` register.
    pub fn interrupt_status(&self) -> u32 {
        self.interrupt_status
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The backend, mutable (no queue access: see [`Self::with_backend`]).
    pub fn backend_mut(&mut self) -> &mut B {
        &mut self.backend
    }

    /// Whether the driver is running: `DRIVER_OK` set, `DEVICE_NEEDS_RESET`
    /// clear.
    pub fn is_running(&self) -> bool {
        let running = VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_NEEDS_RESET;
        self.status & running == VIRTIO_CONFIG_S_DRIVER_OK
    }

    /// Guest memory.
    pub fn memory(&self) -> &M {
        &self.mem
    }

    /// Guest memory, mutable (tests play the driver through it).
    pub fn memory_mut(&mut self) -> &mut M {
        &mut self.mem
    }

    /// Queue `qi`'s state.
    pub fn queue(&self, qi: u16) -> Option<&Virtqueue> {
        self.queues.get(usize::from(qi))
    }

    /// Runs `f` on the backend with the queues (host input: console bytes,
    /// received packets), then raises the interrupt the used rings call
    /// for. `None` while the driver is not running (`DRIVER_OK` unset or
    /// `DEVICE_NEEDS_RESET` set): `f` is not called.
    pub fn with_backend<R>(
        &mut self,
        f: impl FnOnce(&mut B, &mut Queues<'_>) -> Result<R, QueueError>,
    ) -> Option<R> {
        if !self.is_running() {
            return None;
        }
        let features = Features {
            indirect: self.driver_features & bit(VIRTIO_F_INDIRECT_DESC) != 0,
            event_idx: self.driver_features & bit(VIRTIO_F_EVENT_IDX) != 0,
        };
        let mut q = Queues {
            mem: &mut self.mem,
            queues: &mut self.queues,
            features,
        };
        let r = f(&mut self.backend, &mut q);
        match q.interrupt_due() {
            Ok(true) => self.interrupt_status |= VIRTIO_MMIO_INT_VRING,
            Ok(false) => {}
            Err(_) => self.needs_reset(),
        }
        match r {
            Ok(r) => Some(r),
            Err(_) => {
                self.needs_reset();
                None
            }
        }
    }

    /// Sets `DEVICE_NEEDS_RESET` and tells the driver (§2.1.2).
    fn needs_reset(&mut self) {
        self.status |= VIRTIO_CONFIG_S_NEEDS_RESET;
        if self.status & VIRTIO_CONFIG_S_DRIVER_OK != 0 {
            self.interrupt_status |= VIRTIO_MMIO_INT_CONFIG;
        }
    }

    fn reset(&mut self) {
        self.backend.reset();
        self.queues
            .iter_mut()
            .for_each(|q| *q = Virtqueue::default());
        self.device_features_sel = 0;
        self.driver_features_sel = 0;
        self.driver_features = 0;
        self.queue_sel = 0;
        self.interrupt_status = 0;
        self.status = 0;
    }

    fn sel(&mut self) -> Option<&mut Virtqueue> {
        self.queues.get_mut(self.queue_sel as usize)
    }

    fn write_status(&mut self, value: u32) {
        if value == 0 {
            return self.reset();
        }
        let mut value = value & !VIRTIO_CONFIG_S_NEEDS_RESET;
        let offered = self.device_features();
        let ok = self.driver_features & !offered == 0
            && self.driver_features & bit(VIRTIO_F_VERSION_1) != 0;
        if value & VIRTIO_CONFIG_S_FEATURES_OK != 0
            && self.status & VIRTIO_CONFIG_S_FEATURES_OK == 0
            && !ok
        {
            value &= !VIRTIO_CONFIG_S_FEATURES_OK;
        }
        self.status = value | (self.status & VIRTIO_CONFIG_S_NEEDS_RESET);
    }

    fn write_queue_ready(&mut self, value: u32) {
        let Some(q) = self.sel() else { return };
        let n = q.num;
        q.set_ready(value & 1 != 0 && n.is_power_of_two() && n <= QUEUE_SIZE_MAX);
    }

    fn notify(&mut self, value: u32) {
        if let Ok(qi) = u16::try_from(value)
            && usize::from(qi) < self.queues.len()
        {
            self.with_backend(|b, q| b.notify(qi, q));
        }
    }
}
