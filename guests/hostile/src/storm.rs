//! Random MMIO: accesses of every kind ([`crate::access`]) across the
//! guest-physical address space, weighted towards the device regions of
//! the device tree (PL011, virtio-mmio, GIC distributor, redistributors or
//! CPU interface), the holes between them and past RAM. RAM is only read
//! (it is the guest's own); the console's data and control registers and
//! the virtqueue address registers are only read, so the guest keeps its
//! console and its rings stay where [`crate::virtq`] puts them.

use crate::access::{self, KINDS, Kind};
use crate::rng::Rng;
use crate::virtq::QUEUE_ADDRESS_REGS;
use gsupport::dt::{ADDRESS_LIMIT, GicInfo, Region};
use gsupport::{Platform, exceptions};

/// PL011 registers never written: UARTDR, UARTLCR_H, UARTCR.
const UART_KEEP: [usize; 3] = [0x00, 0x2c, 0x30];
/// A GICv3 redistributor's size (RD and SGI frames).
const GICR_STRIDE: usize = 0x2_0000;

/// The regions to aim at, found once.
pub struct Targets {
    regions: [Region; 24],
    count: usize,
    uart: usize,
    virtio: [usize; 8],
    virtio_count: usize,
}

impl Targets {
    /// The device tree's devices (`virtio` the virtio-mmio bases).
    pub fn new(platform: &Platform, virtio: &[usize]) -> Targets {
        let mut t = Targets {
            regions: [Region::default(); 24],
            count: 0,
            uart: platform.uart.unwrap_or(usize::MAX),
            virtio: [0; 8],
            virtio_count: 0,
        };
        let add = |t: &mut Targets, start: usize, len: usize| {
            if t.count < t.regions.len() {
                t.regions[t.count] = Region {
                    start,
                    end: start + len,
                };
                t.count += 1;
            }
        };
        if let Some(uart) = platform.uart {
            add(&mut t, uart, 0x1000);
        }
        match platform.gic {
            GicInfo::V2 { gicd, gicc } => {
                add(&mut t, gicd, 0x1_0000);
                add(&mut t, gicc, 0x2000);
            }
            GicInfo::V3 { gicd, gicr } => {
                add(&mut t, gicd, 0x1_0000);
                add(&mut t, gicr, GICR_STRIDE * platform.cpus().len());
            }
            GicInfo::None => {}
        }
        for &v in virtio.iter().take(8) {
            add(&mut t, v, 0x1000);
            t.virtio[t.virtio_count] = v;
            t.virtio_count += 1;
        }
        if let Some(hole) = platform.unused_address() {
            add(&mut t, hole, 0x20_0000);
        }
        t
    }

    fn address(&self, rng: &mut Rng, platform: &Platform) -> usize {
        let ram = platform.ram()[0];
        match rng.below(10) {
            0 => rng.below(ADDRESS_LIMIT as u64 * 2) as usize,
            1 => ram.start + rng.below((ram.end - ram.start) as u64) as usize,
            2 => ram.end + rng.below(0x100_0000) as usize,
            _ => {
                let r = self.regions[rng.below(self.count as u64) as usize];
                // Just below, inside, or just past the region.
                let span = (r.end - r.start) as u64 + 0x2000;
                (r.start + rng.below(span) as usize).wrapping_sub(0x1000)
            }
        }
    }

    /// Whether a write of `len` bytes at `addr` must become a read.
    fn keep(&self, platform: &Platform, addr: usize) -> bool {
        let ram = platform
            .ram()
            .iter()
            .any(|r| r.contains(addr) || r.contains(addr + 31));
        let uart = UART_KEEP.iter().any(|&o| (addr & !3) == self.uart + o);
        let queues = self.virtio[..self.virtio_count].iter().any(|&v| {
            addr >= v && QUEUE_ADDRESS_REGS.contains(&(addr - v))
                || addr + 16 > v && addr < v + QUEUE_ADDRESS_REGS.end
        });
        ram || uart || queues
    }
}

/// Makes `count` random accesses. Returns (accesses, exceptions taken).
pub fn storm(rng: &mut Rng, platform: &Platform, t: &Targets, count: u64) -> (u64, u64) {
    let mut faults = 0;
    for _ in 0..count {
        let mut addr = t.address(rng, platform);
        let mut kind = rng.pick(&KINDS);
        // Mostly naturally aligned; sometimes not (an alignment fault).
        if !rng.one_in(8) {
            addr &= !7;
        }
        if kind.writes() && t.keep(platform, addr) {
            kind = Kind::Load(4);
        }
        let value = rng.next();
        // SAFETY: addresses below 512 GiB are mapped (RAM Normal, the rest
        // Device), those above fault; writes never reach RAM, the
        // console's data or control registers or the queue addresses; any
        // fault is caught and the access skipped.
        if exceptions::catch(|| unsafe { access::access(kind, addr, value) }).is_err() {
            faults += 1;
        }
    }
    (count, faults)
}
