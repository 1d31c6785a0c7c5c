//! A small virtio driver for the tests: sets up split queues in a
//! `VecMemory` through the MMIO registers and plays the guest's side of the
//! rings, so tests can also build chains a real driver never would.
#![allow(dead_code)]

use vdev::Vdev;
use vdev::virtio::mmio::regs::*;
use vdev::virtio::queue::*;
use vdev::virtio::*;

/// Guest RAM base and size.
pub const RAM: u64 = 0x4000_0000;
pub const RAM_SIZE: usize = 1 << 20;
/// Queue size the tests use.
pub const QSIZE: u16 = 16;

pub struct Drv<B: Backend> {
    pub dev: VirtioMmio<VecMemory, B>,
    next: u64,
    free_desc: Vec<u16>,
    avail_idx: Vec<u16>,
    last_used: Vec<u16>,
}

/// Ring addresses of queue `qi`.
pub fn desc(qi: u16) -> u64 {
    RAM + u64::from(qi) * 0x4000
}
pub fn avail(qi: u16) -> u64 {
    desc(qi) + 0x1000
}
pub fn used(qi: u16) -> u64 {
    desc(qi) + 0x2000
}

impl<B: Backend> Drv<B> {
    /// A device, not yet initialized.
    pub fn raw(backend: B) -> Self {
        let n = usize::from(backend.num_queues());
        Drv {
            dev: VirtioMmio::new(VecMemory::new(RAM, RAM_SIZE), backend),
            next: RAM + 0x10000,
            free_desc: Vec::new(),
            avail_idx: vec![0; n],
            last_used: vec![0; n],
        }
    }

    /// Initialized as §3.1.1 says, accepting `accept` of the offered
    /// device-type and ring features (VERSION_1 always).
    pub fn new(backend: B, accept: u64) -> Self {
        let mut d = Self::raw(backend);
        d.init(accept);
        d
    }

    /// Resets the device and initializes it again from scratch.
    pub fn init(&mut self, accept: u64) {
        let d = self;
        let n = d.dev.backend().num_queues();
        d.avail_idx.iter_mut().for_each(|i| *i = 0);
        d.last_used.iter_mut().for_each(|i| *i = 0);
        for qi in 0..n {
            d.put(avail(qi), &[0; 0x1000]);
            d.put(used(qi), &[0; 0x1000]);
        }
        d.w(VIRTIO_MMIO_STATUS, 0);
        d.w(
            VIRTIO_MMIO_STATUS,
            VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER,
        );
        let offered = d.features();
        d.set_features((offered & accept) | bit(VIRTIO_F_VERSION_1));
        let st = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK;
        d.w(VIRTIO_MMIO_STATUS, st);
        assert_eq!(d.r(VIRTIO_MMIO_STATUS), st);
        for qi in 0..n {
            d.setup_queue(qi, QSIZE);
        }
        d.w(VIRTIO_MMIO_STATUS, st | VIRTIO_CONFIG_S_DRIVER_OK);
    }

    pub fn r(&mut self, off: u64) -> u32 {
        self.dev.read(off, 4).unwrap() as u32
    }
    pub fn w(&mut self, off: u64, v: u32) {
        self.dev.write(off, 4, u64::from(v)).unwrap()
    }

    pub fn features(&mut self) -> u64 {
        self.w(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
        let lo = self.r(VIRTIO_MMIO_DEVICE_FEATURES);
        self.w(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
        u64::from(lo) | u64::from(self.r(VIRTIO_MMIO_DEVICE_FEATURES)) << 32
    }

    pub fn set_features(&mut self, f: u64) {
        self.w(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
        self.w(VIRTIO_MMIO_DRIVER_FEATURES, f as u32);
        self.w(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
        self.w(VIRTIO_MMIO_DRIVER_FEATURES, (f >> 32) as u32);
    }

    pub fn setup_queue(&mut self, qi: u16, num: u16) {
        self.w(VIRTIO_MMIO_QUEUE_SEL, qi.into());
        assert_eq!(self.r(VIRTIO_MMIO_QUEUE_READY), 0);
        assert!(self.r(VIRTIO_MMIO_QUEUE_NUM_MAX) >= num.into());
        self.w(VIRTIO_MMIO_QUEUE_NUM, num.into());
        for (lo, a) in [
            (VIRTIO_MMIO_QUEUE_DESC_LOW, desc(qi)),
            (VIRTIO_MMIO_QUEUE_AVAIL_LOW, avail(qi)),
            (VIRTIO_MMIO_QUEUE_USED_LOW, used(qi)),
        ] {
            self.w(lo, a as u32);
            self.w(lo + 4, (a >> 32) as u32);
        }
        self.w(VIRTIO_MMIO_QUEUE_READY, 1);
        assert_eq!(self.r(VIRTIO_MMIO_QUEUE_READY), 1);
    }

    pub fn mem(&mut self) -> &mut VecMemory {
        self.dev.memory_mut()
    }
    pub fn put(&mut self, gpa: u64, data: &[u8]) {
        self.mem().write(gpa, data).unwrap()
    }
    pub fn get(&mut self, gpa: u64, len: usize) -> Vec<u8> {
        let mut v = vec![0; len];
        self.dev.memory().read(gpa, &mut v).unwrap();
        v
    }
    pub fn put16(&mut self, gpa: u64, v: u16) {
        self.put(gpa, &v.to_le_bytes())
    }
    pub fn get16(&mut self, gpa: u64) -> u16 {
        u16::from_le_bytes(self.get(gpa, 2).try_into().unwrap())
    }

    /// A zeroed buffer of `len` bytes in guest RAM holding `data`.
    pub fn alloc(&mut self, len: usize, data: &[u8]) -> u64 {
        let gpa = self.next;
        self.next += (len as u64).div_ceil(16) * 16 + 16;
        self.put(gpa, &vec![0; len]);
        self.put(gpa, data);
        gpa
    }

    /// Writes descriptor `idx` of the table at `table`.
    pub fn desc_at(&mut self, table: u64, idx: u16, addr: u64, len: u32, flags: u16, next: u16) {
        let mut d = Vec::new();
        d.extend_from_slice(&addr.to_le_bytes());
        d.extend_from_slice(&len.to_le_bytes());
        d.extend_from_slice(&flags.to_le_bytes());
        d.extend_from_slice(&next.to_le_bytes());
        self.put(table + 16 * u64::from(idx), &d);
    }

    /// Makes chain `head` available on queue `qi` (no notify).
    pub fn publish(&mut self, qi: u16, head: u16) {
        let i = self.avail_idx[usize::from(qi)];
        self.put16(avail(qi) + 4 + 2 * u64::from(i % QSIZE), head);
        self.avail_idx[usize::from(qi)] = i.wrapping_add(1);
        self.put16(avail(qi) + 2, i.wrapping_add(1));
    }

    /// Direct chain of `(gpa, len, writable)` buffers from descriptor
    /// `first` on; published. Returns the head.
    pub fn chain_at(&mut self, qi: u16, first: u16, bufs: &[(u64, u32, bool)]) -> u16 {
        for (i, &(addr, len, wr)) in bufs.iter().enumerate() {
            let idx = (first + i as u16) % QSIZE;
            let more = i + 1 < bufs.len();
            let flags =
                if wr { VIRTQ_DESC_F_WRITE } else { 0 } | if more { VIRTQ_DESC_F_NEXT } else { 0 };
            self.desc_at(desc(qi), idx, addr, len, flags, (idx + 1) % QSIZE);
        }
        self.publish(qi, first);
        first
    }

    /// Chain using descriptors from `2 * avail_idx` on (tests keep few
    /// requests in flight).
    pub fn chain(&mut self, qi: u16, bufs: &[(u64, u32, bool)]) -> u16 {
        let first = (self.avail_idx[usize::from(qi)] * 4) % QSIZE;
        self.chain_at(qi, first, bufs)
    }

    /// One indirect descriptor pointing at a table of `bufs`.
    pub fn chain_indirect(&mut self, qi: u16, bufs: &[(u64, u32, bool)]) -> u16 {
        let table = self.alloc(16 * bufs.len(), &[]);
        for (i, &(addr, len, wr)) in bufs.iter().enumerate() {
            let more = i + 1 < bufs.len();
            let flags =
                if wr { VIRTQ_DESC_F_WRITE } else { 0 } | if more { VIRTQ_DESC_F_NEXT } else { 0 };
            self.desc_at(table, i as u16, addr, len, flags, i as u16 + 1);
        }
        let head = (self.avail_idx[usize::from(qi)] * 4) % QSIZE;
        self.desc_at(
            desc(qi),
            head,
            table,
            16 * bufs.len() as u32,
            VIRTQ_DESC_F_INDIRECT,
            0,
        );
        self.publish(qi, head);
        head
    }

    pub fn notify(&mut self, qi: u16) {
        self.w(VIRTIO_MMIO_QUEUE_NOTIFY, qi.into());
    }

    /// The next used element of queue `qi`: (id, len).
    pub fn used(&mut self, qi: u16) -> Option<(u32, u32)> {
        let last = self.last_used[usize::from(qi)];
        if self.get16(used(qi) + 2) == last {
            return None;
        }
        let e = self.get(used(qi) + 4 + 8 * u64::from(last % QSIZE), 8);
        self.last_used[usize::from(qi)] = last.wrapping_add(1);
        // As a driver with VIRTIO_F_EVENT_IDX does: interrupt on the next.
        self.put16(avail(qi) + 4 + 2 * u64::from(QSIZE), last.wrapping_add(1));
        Some((
            u32::from_le_bytes(e[..4].try_into().unwrap()),
            u32::from_le_bytes(e[4..].try_into().unwrap()),
        ))
    }

    /// Reads and acknowledges the interrupt status.
    pub fn ack(&mut self) -> u32 {
        let s = self.r(VIRTIO_MMIO_INTERRUPT_STATUS);
        self.w(VIRTIO_MMIO_INTERRUPT_ACK, s);
        assert!(!self.dev.irq_level());
        s
    }
}
