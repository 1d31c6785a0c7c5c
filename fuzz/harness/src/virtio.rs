//! The virtio targets: `virtio_blk`, `virtio_net`, `virtio_console` and
//! `virtio_rng`. Each builds its device behind the virtio-mmio transport
//! over 64 KiB of guest RAM, lets the input play a hostile driver
//! (descriptor tables with loops, addresses outside RAM, huge indirect
//! tables, rings rewritten while requests are in flight, any register
//! written with any width, resets) and notifies.
//!
//! Besides not panicking, a device may write guest memory only where the
//! driver let it: its queues' used rings and the buffers of descriptors
//! marked device-writable (in a descriptor table or an indirect table).
//! [`Watched`] checks every device write against those, as the driver's
//! tables say at the start of some operation of the run or at the write.

use std::string::String;
use std::vec::Vec;

use vdev::Vdev;
use vdev::virtio::blk::Blk;
use vdev::virtio::console::Console;
use vdev::virtio::mmio::regs::*;
use vdev::virtio::net::{MAX_FRAME, Net, QueueLink};
use vdev::virtio::queue::{
    MAX_INDIRECT, QUEUE_SIZE_MAX, VIRTQ_DESC_F_INDIRECT, VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE,
};
use vdev::virtio::rng::{Rng, XorShift};
use vdev::virtio::{
    Backend, GuestMemory, MemError, VIRTIO_CONFIG_S_ACKNOWLEDGE, VIRTIO_CONFIG_S_DRIVER,
    VIRTIO_CONFIG_S_DRIVER_OK, VIRTIO_CONFIG_S_FEATURES_OK, VIRTIO_F_VERSION_1, VecMemory,
    VirtioMmio, bit,
};

use crate::input::Input;

/// Guest RAM base.
pub const RAM: u64 = 0x4000_0000;
/// Guest RAM size.
pub const RAM_SIZE: usize = 0x1_0000;
/// Most operations one input runs.
const MAX_OPS: usize = 400;
/// Sectors of the fuzzed disk.
const DISK_SECTORS: usize = 64;

/// Where the harness puts queue `qi`'s rings: descriptor table, available
/// ring, used ring (each big enough for 256 entries).
fn rings(qi: u16) -> (u64, u64, u64) {
    let q = u64::from(qi);
    (
        RAM + q * 0x1000,
        RAM + 0x4000 + q * 0x400,
        RAM + 0x8000 + q * 0x1000,
    )
}

/// Guest RAM that checks each device write against what the driver's
/// tables allow.
pub struct Watched {
    mem: VecMemory,
    /// `(num, desc, used)` of each queue, as the transport's registers say.
    queues: Vec<(u16, u64, u64)>,
    /// Ranges `[start, end)` the device may write, from every scan so far.
    allowed: Vec<(u64, u64)>,
    /// Descriptor and indirect tables read by the scans: a device write
    /// there changes what is allowed.
    tables: Vec<(u64, u64)>,
    /// Writes are the driver's (the harness), not the device's.
    driver: bool,
    /// The first write the device had no right to make.
    violation: Option<String>,
    /// Memory changed since the last scan.
    dirty: bool,
}

fn inside(list: &[(u64, u64)], start: u64, end: u64) -> bool {
    list.iter().any(|&(s, e)| s <= start && end <= e)
}

fn overlaps(list: &[(u64, u64)], start: u64, end: u64) -> bool {
    list.iter().any(|&(s, e)| s < end && start < e)
}

impl Watched {
    fn new() -> Self {
        Watched {
            mem: VecMemory::new(RAM, RAM_SIZE),
            queues: Vec::new(),
            allowed: Vec::new(),
            tables: Vec::new(),
            driver: false,
            violation: None,
            dirty: true,
        }
    }

    fn allow(&mut self, start: u64, len: u64) {
        let end = start.saturating_add(len);
        if len > 0 && !inside(&self.allowed, start, end) {
            self.allowed.push((start, end));
        }
    }

    fn desc(&self, gpa: u64) -> Option<(u64, u32, u16)> {
        let mut d = [0u8; 16];
        self.mem.read(gpa, &mut d).ok()?;
        let addr = u64::from_le_bytes(d[0..8].try_into().ok()?);
        let len = u32::from_le_bytes(d[8..12].try_into().ok()?);
        let flags = u16::from_le_bytes(d[12..14].try_into().ok()?);
        Some((addr, len, flags))
    }

    /// Adds what the tables in memory now allow.
    fn scan(&mut self) {
        self.dirty = false;
        let mut indirect: Vec<(u64, u32)> = Vec::new();
        for (num, desc, used) in self.queues.clone() {
            let num = num.min(QUEUE_SIZE_MAX);
            self.allow(used, 6 + 8 * u64::from(num));
            let table = (desc, desc.saturating_add(16 * u64::from(num)));
            if !self.tables.contains(&table) {
                self.tables.push(table);
            }
            for i in 0..u64::from(num) {
                let Some((addr, len, flags)) = self.desc(desc.wrapping_add(16 * i)) else {
                    continue;
                };
                if flags & VIRTQ_DESC_F_WRITE != 0 {
                    self.allow(addr, len.into());
                }
                if flags & VIRTQ_DESC_F_INDIRECT != 0 && !indirect.contains(&(addr, len)) {
                    indirect.push((addr, len));
                }
            }
        }
        for (addr, len) in indirect {
            let n = (len / 16).min(MAX_INDIRECT);
            let table = (addr, addr.saturating_add(16 * u64::from(n)));
            if !self.tables.contains(&table) {
                self.tables.push(table);
            }
            for i in 0..u64::from(n) {
                let Some((a, l, flags)) = self.desc(addr.wrapping_add(16 * i)) else {
                    break;
                };
                if flags & VIRTQ_DESC_F_WRITE != 0 {
                    self.allow(a, l.into());
                }
            }
        }
    }

    fn in_ram(gpa: u64, len: usize) -> Option<u64> {
        let end = gpa.checked_add(len as u64)?;
        (gpa >= RAM && end <= RAM + RAM_SIZE as u64).then_some(end)
    }
}

impl GuestMemory for Watched {
    fn read(&self, gpa: u64, buf: &mut [u8]) -> Result<(), MemError> {
        self.mem.read(gpa, buf)
    }

    fn write(&mut self, gpa: u64, data: &[u8]) -> Result<(), MemError> {
        if self.driver || data.is_empty() {
            self.dirty = true;
            return self.mem.write(gpa, data);
        }
        let Some(end) = Self::in_ram(gpa, data.len()) else {
            // Refused below; nothing is written.
            return self.mem.write(gpa, data);
        };
        if !inside(&self.allowed, gpa, end) {
            self.scan();
            if !inside(&self.allowed, gpa, end) && self.violation.is_none() {
                self.violation = Some(std::format!(
                    "the device wrote {} bytes at {gpa:#x}, outside the used rings and \
                     device-writable buffers",
                    data.len()
                ));
            }
        }
        let r = self.mem.write(gpa, data);
        if overlaps(&self.tables, gpa, end) {
            self.dirty = true;
        }
        r
    }
}

/// A hostile driver of one device.
struct Driver<B: Backend> {
    dev: VirtioMmio<Watched, B>,
    nq: u16,
    sizes: Vec<u16>,
    avail_idx: Vec<u16>,
}

impl<B: Backend> Driver<B> {
    fn w(&mut self, off: u64, v: u32) {
        let _ = self.dev.write(off, 4, u64::from(v));
    }

    /// Writes guest memory as the driver.
    fn put(&mut self, gpa: u64, data: &[u8]) {
        let m = self.dev.memory_mut();
        m.driver = true;
        let _ = m.write(gpa, data);
        m.driver = false;
    }

    fn put_desc(&mut self, gpa: u64, addr: u64, len: u32, flags: u16, next: u16) {
        let mut d = [0u8; 16];
        d[0..8].copy_from_slice(&addr.to_le_bytes());
        d[8..12].copy_from_slice(&len.to_le_bytes());
        d[12..14].copy_from_slice(&flags.to_le_bytes());
        d[14..16].copy_from_slice(&next.to_le_bytes());
        self.put(gpa, &d);
    }

    /// Resets and sets the device up as §3.1.1 says.
    fn init(&mut self, accept: u64) {
        self.w(VIRTIO_MMIO_STATUS, 0);
        let st = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
        self.w(VIRTIO_MMIO_STATUS, st);
        let f = (self.dev.device_features() & accept) | bit(VIRTIO_F_VERSION_1);
        self.w(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
        self.w(VIRTIO_MMIO_DRIVER_FEATURES, f as u32);
        self.w(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
        self.w(VIRTIO_MMIO_DRIVER_FEATURES, (f >> 32) as u32);
        self.w(VIRTIO_MMIO_STATUS, st | VIRTIO_CONFIG_S_FEATURES_OK);
        for qi in 0..self.nq {
            let (desc, avail, used) = rings(qi);
            self.put(avail, &[0; 0x400]);
            self.put(used, &[0; 0x1000]);
            self.avail_idx[usize::from(qi)] = 0;
            self.w(VIRTIO_MMIO_QUEUE_SEL, qi.into());
            self.w(VIRTIO_MMIO_QUEUE_NUM, self.sizes[usize::from(qi)].into());
            for (lo, a) in [
                (VIRTIO_MMIO_QUEUE_DESC_LOW, desc),
                (VIRTIO_MMIO_QUEUE_AVAIL_LOW, avail),
                (VIRTIO_MMIO_QUEUE_USED_LOW, used),
            ] {
                self.w(lo, a as u32);
                self.w(lo + 4, (a >> 32) as u32);
            }
            self.w(VIRTIO_MMIO_QUEUE_READY, 1);
        }
        self.w(
            VIRTIO_MMIO_STATUS,
            st | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK,
        );
    }

    /// The transport's queue registers, for the memory checker.
    fn refresh(&mut self) {
        let queues: Vec<(u16, u64, u64)> = (0..self.nq)
            .filter_map(|qi| self.dev.queue(qi))
            .map(|q| {
                let (num, _, desc, _, used) = q.layout();
                (num, desc, used)
            })
            .collect();
        let m = self.dev.memory_mut();
        if m.queues != queues {
            m.queues = queues;
            m.dirty = true;
        }
        // What the tables allow as the operation starts: a device that read
        // a descriptor and then overwrote it still had the right.
        if m.dirty {
            m.scan();
        }
    }

    fn check(&mut self) {
        if let Some(v) = self.dev.memory_mut().violation.take() {
            panic!("{v}");
        }
        let isr = self.dev.interrupt_status();
        assert_eq!(isr & !3, 0, "interrupt status {isr:#x}");
    }
}

/// A guest-physical address: mostly in or next to RAM, sometimes anything.
fn address(inp: &mut Input) -> u64 {
    match inp.u8() % 8 {
        0 => inp.u64(),
        1 => RAM + RAM_SIZE as u64 - u64::from(inp.u8()),
        2 => RAM - 1 - u64::from(inp.u8()),
        3..=5 => RAM + 0xc000 + u64::from(inp.u16() % 0x4000),
        _ => RAM + u64::from(inp.u16()),
    }
}

/// A buffer length: mostly small, sometimes huge.
fn length(inp: &mut Input) -> u32 {
    match inp.u8() % 4 {
        0 => inp.u32(),
        1 => u32::from(inp.u16()),
        _ => u32::from(inp.u8()) * 4,
    }
}

/// Runs the driver program in `data` against `backend`; `extra` runs the
/// device-specific operations (host input).
fn run<B: Backend>(
    data: &[u8],
    backend: B,
    mut extra: impl FnMut(&mut VirtioMmio<Watched, B>, &mut Input),
) -> VirtioMmio<Watched, B> {
    let mut inp = Input::new(data);
    let nq = backend.num_queues();
    let mut d = Driver {
        dev: VirtioMmio::new(Watched::new(), backend),
        nq,
        sizes: Vec::new(),
        avail_idx: std::vec![0; usize::from(nq)],
    };
    let accept = inp.u64();
    for _ in 0..nq {
        let s = inp.u8();
        // A power of two up to 256, or (rarely) anything.
        let size = if s >= 0xf8 {
            u16::from(s) << 2
        } else {
            1 << (s % 9)
        };
        d.sizes.push(size);
    }
    // Initial RAM contents.
    let at = u64::from(inp.u16());
    let fill = inp.bytes(usize::from(inp.clone().u8()) * 16 + 1);
    d.put(RAM + at, fill);
    if !inp.bool() {
        d.init(accept);
    }
    let mut ops = 0;
    while !inp.is_empty() && ops < MAX_OPS {
        ops += 1;
        d.refresh();
        match inp.u8() % 12 {
            0 => {
                let qi = inp.below(nq.into()) as u16;
                let size = d.sizes[usize::from(qi)].max(1);
                let idx = inp.u16() % size;
                let (addr, len, flags, next) = (
                    address(&mut inp),
                    length(&mut inp),
                    inp.u16() & 7,
                    inp.u16(),
                );
                let next = if inp.bool() { next } else { next % size };
                d.put_desc(rings(qi).0 + 16 * u64::from(idx), addr, len, flags, next);
            }
            1 | 2 => {
                let qi = inp.below(nq.into()) as u16;
                let head = inp.u16();
                let size = d.sizes[usize::from(qi)].max(1);
                let i = d.avail_idx[usize::from(qi)];
                let avail = rings(qi).1;
                d.put(avail + 4 + 2 * u64::from(i % size), &head.to_le_bytes());
                let i = i.wrapping_add(1);
                d.avail_idx[usize::from(qi)] = i;
                d.put(avail + 2, &i.to_le_bytes());
            }
            3 => {
                let qi = inp.below(nq.into()) as u16;
                let v = inp.u16();
                d.avail_idx[usize::from(qi)] = v;
                d.put(rings(qi).1 + 2, &v.to_le_bytes());
            }
            4 | 5 => {
                let q = if inp.u8() < 0xf0 {
                    u32::from(inp.below(nq.into()) as u16)
                } else {
                    inp.u32()
                };
                d.w(VIRTIO_MMIO_QUEUE_NOTIFY, q);
            }
            6 => {
                let off = u64::from(inp.u16() % 0x240);
                let size = [1, 2, 4, 8][usize::from(inp.u8() % 4)];
                let v = inp.u64();
                let _ = d.dev.write(off, size, v);
            }
            7 => {
                let off = u64::from(inp.u16() % 0x240);
                let size = [1, 2, 4, 8][usize::from(inp.u8() % 4)];
                if let Ok(v) = d.dev.read(off, size) {
                    assert!(
                        size == 8 || v >> (8 * size) == 0,
                        "{size}-byte read gave {v:#x}"
                    );
                }
            }
            8 => {
                let at = address(&mut inp);
                let n = usize::from(inp.u8());
                let bytes = inp.bytes(n);
                d.put(at, bytes);
            }
            9 => {
                // An indirect table in RAM, and a descriptor pointing at it.
                let qi = inp.below(nq.into()) as u16;
                let size = d.sizes[usize::from(qi)].max(1);
                let head = inp.u16() % size;
                let table = RAM + 0xc000 + u64::from(inp.u16() % 0x3ff0) / 16 * 16;
                let n = u16::from(inp.u8() % 32);
                for i in 0..n {
                    let (addr, len) = (address(&mut inp), length(&mut inp));
                    let flags = inp.u16() & 7;
                    let more = if i + 1 < n { VIRTQ_DESC_F_NEXT } else { 0 };
                    let next = if inp.u8() == 0 { inp.u16() } else { i + 1 };
                    d.put_desc(
                        table + 16 * u64::from(i),
                        addr,
                        len,
                        (flags & !VIRTQ_DESC_F_NEXT) | more,
                        next,
                    );
                }
                let len = if inp.u8() == 0 {
                    inp.u32()
                } else {
                    u32::from(n) * 16
                };
                let flags = VIRTQ_DESC_F_INDIRECT | (inp.u16() & 3);
                d.put_desc(rings(qi).0 + 16 * u64::from(head), table, len, flags, 0);
            }
            10 => extra(&mut d.dev, &mut inp),
            _ => {
                if inp.u8() < 0x10 {
                    d.init(inp.u64());
                } else {
                    d.w(VIRTIO_MMIO_INTERRUPT_ACK, inp.u8().into());
                }
            }
        }
        d.check();
    }
    d.dev
}

/// virtio-blk over a 32 KiB disk, writable or not.
pub fn virtio_blk(data: &[u8]) {
    let read_only = data.first().is_some_and(|b| b & 0x80 != 0);
    let disk: Vec<u8> = (0..DISK_SECTORS * 512).map(|i| (i / 512) as u8).collect();
    let dev = run(
        data,
        Blk::new(disk.clone(), read_only, b"fuzz-disk"),
        |_, _| {},
    );
    let storage = dev.backend().storage();
    assert_eq!(storage.len(), disk.len(), "the disk changed size");
    if read_only {
        assert!(storage == &disk, "a read-only disk was written");
    }
}

/// virtio-net with an in-memory link: frames arrive from the host side.
pub fn virtio_net(data: &[u8]) {
    let room = data.get(1).map_or(4, |b| usize::from(b % 8));
    let mac = [0x52, 0x54, 0, 0x12, 0x34, 0x56];
    let dev = run(
        data,
        Net::new(mac, QueueLink::new(room)),
        |dev, inp| match inp.u8() % 3 {
            0 => {
                let len = match inp.u8() % 4 {
                    0 => MAX_FRAME + usize::from(inp.u8()) - 128,
                    _ => usize::from(inp.u16() % 2048),
                };
                let frame: Vec<u8> = (0..len).map(|i| i as u8).collect();
                dev.push_packet(&frame);
            }
            1 => {
                let len = usize::from(inp.u16() % 1600);
                dev.backend_mut()
                    .link_mut()
                    .incoming
                    .push_back(std::vec![0xab; len]);
                dev.poll_link();
            }
            _ => {
                dev.backend_mut().link_mut().sent.clear();
                dev.poll_link();
            }
        },
    );
    for f in &dev.backend().link().sent {
        assert!(f.len() <= MAX_FRAME, "sent a {}-byte frame", f.len());
    }
}

/// virtio-console with host input.
pub fn virtio_console(data: &[u8]) {
    run(data, Console::new(Vec::new()), |dev, inp| {
        let n = usize::from(inp.u8()) * 4;
        let bytes = inp.bytes(n);
        let took = dev.push_input(bytes);
        assert!(took <= bytes.len(), "took {took} of {} bytes", bytes.len());
    });
}

/// virtio-entropy.
pub fn virtio_rng(data: &[u8]) {
    run(data, Rng::new(XorShift::new(7)), |_, _| {});
}
