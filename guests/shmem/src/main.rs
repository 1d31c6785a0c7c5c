//! `shmem`: two VMs talk over a `vdev shmem` region (`docs/vdevs.md`
//! "shmem"). The guest finds the device (on ARM its `qhv,shmem` device
//! tree node, `aarch64.rs`; on an x86_64 PC its `QHSM0001` device in the
//! DSDT, `x86_64.rs`), reads the register block and plays the part its
//! command line names:
//!
//! - `shmem=a`: waits until another VM has connected, writes a message
//!   into the region, rings that VM's doorbell, waits for the doorbell
//!   interrupt back and prints the reply;
//! - `shmem=b`: waits for the doorbell interrupt, prints the message,
//!   writes a reply and rings back.
//!
//! Both power off at the end (and on a failure, after a `shmem: FAIL`
//! line). Console lines (VM b; on x86 the interrupt is `GSI N`):
//! ```text
//! shmem: b: index 1, region 0x4000000000 (65536 bytes), intid 46
//! shmem: b: doorbell from 0: 'hello from a'
//! shmem: b: replied
//! ```
//!
//! The exchange is [`common`]'s; each architecture's file finds the
//! device, maps the region if it must, and routes the interrupt.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(all(target_os = "none", target_arch = "aarch64"))]
mod aarch64;
#[cfg(all(target_os = "none", target_arch = "aarch64"))]
gsupport::entry!(aarch64::main);

#[cfg(all(target_os = "none", target_arch = "x86_64"))]
mod x86_64;
#[cfg(all(target_os = "none", target_arch = "x86_64"))]
gsupport::entry!(x86_64::main);

/// The register block, the region's layout and the exchange, the same on
/// either architecture given its [`common::Machine`].
#[cfg(target_os = "none")]
mod common {
    use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering::SeqCst};
    use gsupport::{mmio, println};

    // The register block (`vdev::shmem`).
    const ID: usize = 0x00;
    const REGION_LO: usize = 0x08;
    const REGION_HI: usize = 0x0C;
    const SIZE_LO: usize = 0x10;
    const SIZE_HI: usize = 0x14;
    const INDEX: usize = 0x18;
    const CONNECTED: usize = 0x1C;
    const DOORBELL: usize = 0x20;
    const STATUS: usize = 0x24;
    const ID_VALUE: u32 = 0x5148_534D;

    /// Where each side's text goes in the region: a length word, then
    /// the bytes, four to a word.
    const MESSAGE_AT: usize = 0x100;
    const REPLY_AT: usize = 0x800;
    const TEXT_MAX: usize = 256;
    /// How long to wait for the other VM.
    const WAIT_US: u64 = 20_000_000;

    static BASE: AtomicUsize = AtomicUsize::new(0);
    /// What the interrupt handler is called with for the device's
    /// interrupt (its INTID on ARM, its vector on x86).
    static TOKEN: AtomicU32 = AtomicU32::new(u32::MAX);
    /// The doorbells taken by the interrupt handler (`STATUS` bits).
    static RUNG: AtomicU32 = AtomicU32::new(0);

    /// The architecture's clock and power-off.
    pub struct Machine {
        /// Microseconds from a fixed start.
        pub now_us: fn() -> u64,
        /// Busy-waits this many microseconds.
        pub delay_us: fn(u64),
        /// Powers the machine off.
        pub off: fn() -> !,
    }

    /// The region as the register block gives it.
    #[derive(Clone, Copy)]
    pub struct Region {
        /// Its guest-physical address.
        pub base: usize,
        /// Its size in bytes.
        pub size: u64,
        /// This VM's index on it.
        pub index: u32,
    }

    fn reg(offset: usize) -> u32 {
        // SAFETY: the firmware gives this page to the shmem register
        // block, mapped uncached (Device on ARM); reads have no side
        // effects beyond gathering doorbells.
        unsafe { mmio::read32(BASE.load(SeqCst) + offset) }
    }

    fn set_reg(offset: usize, value: u32) {
        // SAFETY: as in `reg`; the writable registers are DOORBELL and
        // STATUS.
        unsafe { mmio::write32(BASE.load(SeqCst) + offset, value) }
    }

    /// The part the command line names: `b` with `shmem=b`, else `a`.
    pub fn role(bootargs: &str) -> char {
        if bootargs.contains("shmem=b") {
            'b'
        } else {
            'a'
        }
    }

    /// Prints the failure and powers off.
    pub fn fail(machine: &Machine, what: &str) -> ! {
        println!("shmem: FAIL: {what}");
        (machine.off)()
    }

    /// Takes the device at `regs` (its interrupt named `irq` on the
    /// console), checks it and prints where the region is.
    pub fn open(me: char, regs: usize, irq: (&str, u32), machine: &Machine) -> Region {
        BASE.store(regs, SeqCst);
        if reg(ID) != ID_VALUE {
            fail(machine, "not a shmem register block");
        }
        let base = ((u64::from(reg(REGION_HI)) << 32) | u64::from(reg(REGION_LO))) as usize;
        let size = (u64::from(reg(SIZE_HI)) << 32) | u64::from(reg(SIZE_LO));
        let index = reg(INDEX);
        println!(
            "shmem: {me}: index {index}, region {base:#x} ({size} bytes), {} {}",
            irq.0, irq.1
        );
        Region { base, size, index }
    }

    /// Makes [`on_irq`] take the calls with `token`.
    pub fn set_token(token: u32) {
        TOKEN.store(token, SeqCst);
    }

    /// The interrupt handler: takes this VM's doorbells into [`RUNG`].
    pub fn on_irq(token: u32) {
        if token != TOKEN.load(SeqCst) {
            return;
        }
        let status = reg(STATUS);
        set_reg(STATUS, status);
        RUNG.fetch_or(status, SeqCst);
    }

    /// Writes `text` at `at` in the region at `region`.
    fn put(region: usize, at: usize, text: &[u8]) {
        let len = text.len().min(TEXT_MAX);
        for (i, chunk) in text[..len].chunks(4).enumerate() {
            let mut word = [0u8; 4];
            word[..chunk.len()].copy_from_slice(chunk);
            // SAFETY: the region is guest-physical memory the firmware
            // names, identity-mapped; the offsets stay below
            // REPLY_AT + 4 + TEXT_MAX, inside it (`exchange` checks).
            unsafe { mmio::write32(region + at + 4 + i * 4, u32::from_le_bytes(word)) };
        }
        // SAFETY: as above; the length goes last.
        unsafe { mmio::write32(region + at, len as u32) };
    }

    /// Reads the text at `at` into `buf`.
    fn get(region: usize, at: usize, buf: &mut [u8; TEXT_MAX]) -> &str {
        // SAFETY: as in `put`.
        let len = (unsafe { mmio::read32(region + at) } as usize).min(TEXT_MAX);
        for i in 0..len.div_ceil(4) {
            // SAFETY: as in `put`.
            let word = unsafe { mmio::read32(region + at + 4 + i * 4) }.to_le_bytes();
            let n = (len - i * 4).min(4);
            buf[i * 4..i * 4 + n].copy_from_slice(&word[..n]);
        }
        core::str::from_utf8(&buf[..len]).unwrap_or("?")
    }

    /// Waits for a doorbell (the interrupt handler notes it); returns the
    /// ringing VMs' bits.
    fn wait_bell(me: char, machine: &Machine) -> u32 {
        let limit = (machine.now_us)() + WAIT_US;
        loop {
            let rung = RUNG.swap(0, SeqCst);
            if rung != 0 {
                return rung;
            }
            if (machine.now_us)() > limit {
                println!("shmem: {me}: no doorbell");
                fail(machine, "no doorbell interrupt");
            }
            (machine.delay_us)(1_000);
        }
    }

    /// Plays part `me` on `region` (its interrupt taken by [`on_irq`]),
    /// then powers off.
    pub fn exchange(me: char, region: Region, machine: &Machine) -> ! {
        if region.size < (REPLY_AT + 4 + TEXT_MAX) as u64 {
            fail(machine, "the region is too small for the message and reply");
        }
        let (base, index) = (region.base, region.index);
        let mut buf = [0u8; TEXT_MAX];
        if me == 'a' {
            let limit = (machine.now_us)() + WAIT_US;
            let others = loop {
                let others = reg(CONNECTED) & !(1 << index);
                if others != 0 {
                    break others;
                }
                if (machine.now_us)() > limit {
                    fail(machine, "no other VM connected");
                }
                (machine.delay_us)(10_000);
            };
            put(base, MESSAGE_AT, b"hello from a");
            set_reg(DOORBELL, others);
            println!("shmem: a: rang {others:#x}");
            let from = wait_bell(me, machine);
            println!(
                "shmem: a: doorbell from {}: '{}'",
                from.trailing_zeros(),
                get(base, REPLY_AT, &mut buf)
            );
        } else {
            let from = wait_bell(me, machine);
            println!(
                "shmem: b: doorbell from {}: '{}'",
                from.trailing_zeros(),
                get(base, MESSAGE_AT, &mut buf)
            );
            put(base, REPLY_AT, b"reply from b");
            set_reg(DOORBELL, from);
            println!("shmem: b: replied");
        }
        (machine.off)()
    }
}

/// On the build host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!(
        "shmem is a guest: it runs in a VM with a `vdev shmem` (cargo xtask test --filter shmem)"
    );
}
