//! Malformed virtqueues for every virtio-mmio device of the device tree:
//! descriptor loops, buffers outside RAM, lengths near 2^32, huge and
//! nested indirect tables, heads out of range, the available index far
//! ahead, rings outside RAM, bad queue sizes; then a notify. The rings
//! live in a scratch area of this image; device-writable buffers are only
//! small ones there, or ones that reach past the end of RAM (which the
//! device must refuse), so a device that honours a chain cannot overwrite
//! the guest. The console device gets no long readable buffer in RAM (it
//! would print the guest's memory).

use crate::rng::Rng;
use core::cell::UnsafeCell;
use gsupport::exceptions::catch;
use gsupport::{Platform, mmio};

/// virtio-mmio registers (virtio 1.2 §4.2.2).
const DEVICE_ID: usize = 0x008;
const DEVICE_FEATURES: usize = 0x010;
const DEVICE_FEATURES_SEL: usize = 0x014;
const DRIVER_FEATURES: usize = 0x020;
const DRIVER_FEATURES_SEL: usize = 0x024;
const QUEUE_SEL: usize = 0x030;
const QUEUE_NUM_MAX: usize = 0x034;
const QUEUE_NUM: usize = 0x038;
const QUEUE_READY: usize = 0x044;
const QUEUE_NOTIFY: usize = 0x050;
const INTERRUPT_ACK: usize = 0x064;
const STATUS: usize = 0x070;
const QUEUE_DESC: usize = 0x080;
const QUEUE_DRIVER: usize = 0x090;
const QUEUE_DEVICE: usize = 0x0a0;
/// The queue address registers: random MMIO writes leave them alone.
pub const QUEUE_ADDRESS_REGS: core::ops::Range<usize> = 0x080..0x0a8;
/// Device status bits.
const STATUS_ACK_DRIVER: u32 = 1 | 2;
const STATUS_DRIVER_OK: u32 = 4;
const STATUS_FEATURES_OK: u32 = 8;
/// DeviceID of a console.
const ID_CONSOLE: u32 = 3;
/// Descriptor flags.
const F_NEXT: u16 = 1;
const F_WRITE: u16 = 2;
const F_INDIRECT: u16 = 4;

/// Scratch layout: descriptors, available ring, used ring, an indirect
/// table, then buffers.
const DESC: usize = 0x0000;
const AVAIL: usize = 0x1000;
const USED: usize = 0x2000;
const INDIRECT: usize = 0x3000;
const BUFS: usize = 0x4000;
const SCRATCH: usize = 0x8000;

#[repr(C, align(4096))]
struct Scratch(UnsafeCell<[u8; SCRATCH]>);

// SAFETY: only the boot CPU drives the queues; devices write it through
// the hypervisor.
unsafe impl Sync for Scratch {}

static AREA: Scratch = Scratch(UnsafeCell::new([0; SCRATCH]));

fn base() -> usize {
    AREA.0.get() as usize
}

fn poke<T>(offset: usize, value: T) {
    // SAFETY: inside the scratch area (callers keep offsets below SCRATCH).
    unsafe { core::ptr::write_volatile((base() + offset % SCRATCH) as *mut T, value) };
}

fn reg_write(dev: usize, reg: usize, value: u32) {
    // SAFETY: a register of a virtio-mmio device of the tree; a fault is caught.
    let _ = catch(|| unsafe { mmio::write32(dev + reg, value) });
}

fn reg_read(dev: usize, reg: usize) -> u32 {
    // SAFETY: as above.
    catch(|| unsafe { mmio::read32(dev + reg) }).unwrap_or(0)
}

fn write_desc(table: usize, i: usize, addr: u64, len: u32, flags: u16, next: u16) {
    let at = table + 16 * i;
    poke(at, addr);
    poke(at + 8, len);
    poke(at + 12, flags);
    poke(at + 14, next);
}

/// A buffer address and length: outside RAM, small in the scratch
/// buffers, or reaching past the end of RAM.
fn buffer(rng: &mut Rng, platform: &Platform, writable: bool, console: bool) -> (u64, u32) {
    let ram_end = platform.ram()[0].end as u64;
    let huge = u32::MAX - rng.below(64) as u32;
    match rng.below(5) {
        0 => (rng.pick(&[0, ram_end, u64::MAX - 0xfff, 1 << 45]), huge),
        1 if writable || !console => (ram_end - 0x800 + rng.below(0x800), huge),
        2 if !writable && !console => ((base() + BUFS) as u64, huge),
        _ => (
            (base() + BUFS) as u64 + rng.below(0x3000),
            rng.below(64) as u32 + 1,
        ),
    }
}

/// Sets up queue `q` of `dev` with `num` entries on the scratch rings.
fn setup(dev: usize, q: u32, num: u32) {
    reg_write(dev, STATUS, 0);
    reg_write(dev, STATUS, STATUS_ACK_DRIVER);
    for sel in 0..2 {
        reg_write(dev, DEVICE_FEATURES_SEL, sel);
        let f = reg_read(dev, DEVICE_FEATURES);
        reg_write(dev, DRIVER_FEATURES_SEL, sel);
        reg_write(dev, DRIVER_FEATURES, f);
    }
    reg_write(dev, STATUS, STATUS_ACK_DRIVER | STATUS_FEATURES_OK);
    reg_write(dev, QUEUE_SEL, q);
    reg_write(dev, QUEUE_NUM, num);
    for (reg, off) in [
        (QUEUE_DESC, DESC),
        (QUEUE_DRIVER, AVAIL),
        (QUEUE_DEVICE, USED),
    ] {
        let addr = (base() + off) as u64;
        reg_write(dev, reg, addr as u32);
        reg_write(dev, reg + 4, (addr >> 32) as u32);
    }
    reg_write(dev, QUEUE_READY, 1);
    reg_write(
        dev,
        STATUS,
        STATUS_ACK_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK,
    );
}

/// One malformed chain (or ring) for `dev`, then a notify. Returns the
/// MMIO accesses made.
fn one(rng: &mut Rng, platform: &Platform, dev: usize) -> u64 {
    let console = reg_read(dev, DEVICE_ID) == ID_CONSOLE;
    let q = rng.below(3) as u32;
    reg_write(dev, QUEUE_SEL, q);
    let num_max = reg_read(dev, QUEUE_NUM_MAX).clamp(1, 256);
    let num = rng.pick(&[num_max, 8.min(num_max), 0, 0xffff, 3]);
    setup(dev, q, num);
    let n = num.clamp(1, 256) as usize;
    for i in 0..n {
        let w = rng.one_in(2);
        let (addr, len) = buffer(rng, platform, w, console);
        let flags = if w { F_WRITE } else { 0 };
        write_desc(DESC, i, addr, len, flags, ((i + 1) % n) as u16);
    }
    let head: u16 = rng.below(n as u64) as u16;
    match rng.below(8) {
        0 => {
            // A loop: every descriptor continues to the next, the last to the first.
            for i in 0..n {
                poke(DESC + 16 * i + 12, F_NEXT);
            }
        }
        1 => write_desc(
            DESC,
            head as usize,
            (base() + INDIRECT) as u64,
            !15,
            F_INDIRECT,
            0,
        ),
        2 => {
            // An indirect table whose entries are indirect again.
            for i in 0..16 {
                write_desc(
                    INDIRECT,
                    i,
                    (base() + INDIRECT) as u64,
                    256,
                    F_INDIRECT | F_NEXT,
                    i as u16,
                );
            }
            write_desc(
                DESC,
                head as usize,
                (base() + INDIRECT) as u64,
                256,
                F_INDIRECT,
                0,
            );
        }
        3 => write_desc(
            DESC,
            head as usize,
            (base() + INDIRECT) as u64,
            16 * 1025,
            F_INDIRECT | F_NEXT,
            0,
        ),
        4 => {
            // A writable buffer, then a readable one.
            write_desc(
                DESC,
                0,
                (base() + BUFS) as u64,
                16,
                F_WRITE | F_NEXT,
                1 % n as u16,
            );
            write_desc(DESC, 1 % n, (base() + BUFS) as u64, 16, 0, 0);
        }
        5 => {
            let bad = rng.pick(&[u64::MAX - 0xfff, platform.ram()[0].end as u64, 0]);
            reg_write(dev, QUEUE_DESC, bad as u32);
            reg_write(dev, QUEUE_DESC + 4, (bad >> 32) as u32);
            reg_write(dev, QUEUE_READY, 1);
        }
        _ => {}
    }
    let last: u16 = 0;
    for i in 0..n {
        poke(
            AVAIL + 4 + 2 * i,
            if rng.one_in(8) { u16::MAX } else { head },
        );
    }
    let ahead = rng.pick(&[1u16, n as u16, 1000, 0x8000, u16::MAX]);
    poke(AVAIL + 2, last.wrapping_add(ahead));
    // SAFETY: a barrier: the rings are written before the notify.
    unsafe { core::arch::asm!("dsb sy", options(nostack)) };
    let notify = if rng.one_in(4) { rng.next() as u32 } else { q };
    reg_write(dev, QUEUE_NOTIFY, notify);
    reg_write(dev, INTERRUPT_ACK, u32::MAX);
    reg_write(dev, STATUS, 0);
    20 + 2 * n as u64
}

/// `rounds` malformed queues for each device in `devices`. Returns the
/// MMIO accesses made.
pub fn attack(rng: &mut Rng, platform: &Platform, devices: &[usize], rounds: u32) -> u64 {
    let mut accesses = 0;
    for &dev in devices {
        for _ in 0..rounds {
            accesses += one(rng, platform, dev);
        }
    }
    accesses
}
