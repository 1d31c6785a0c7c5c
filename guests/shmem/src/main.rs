//! `shmem`: two VMs talk over a `vdev shmem` region (`docs/vdevs.md`
//! "shmem"). The guest finds the `qhv,shmem` node, reads the register
//! block and plays the part its command line names:
//!
//! - `shmem=a`: waits until another VM has connected, writes a message
//!   into the region, rings that VM's doorbell, waits for the doorbell
//!   interrupt back and prints the reply;
//! - `shmem=b`: waits for the doorbell interrupt, prints the message,
//!   writes a reply and rings back.
//!
//! Both power off at the end (and on a failure, after a `shmem: FAIL`
//! line). Console lines (VM b):
//! ```text
//! shmem: b: index 1, region 0x4000000000 (65536 bytes), intid 46
//! shmem: b: doorbell from 0: 'hello from a'
//! shmem: b: replied
//! ```
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(all(target_os = "none", target_arch = "aarch64"))]
gsupport::entry!(guest::main);

#[cfg(all(target_os = "none", target_arch = "aarch64"))]
mod guest {
    use core::sync::atomic::{AtomicU32, Ordering::SeqCst};
    use gsupport::dt::{self, DeviceNode};
    use gsupport::gic::Trigger;
    use gsupport::{Platform, cpu, exceptions, gic, mmio, println, psci, timer};

    // The register block (`vdev::shmem`).
    const ID: usize = 0x00;
    const REGION_LO: usize = 0x08;
    const REGION_HI: usize = 0x0C;
    const SIZE_LO: usize = 0x10;
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

    static BASE: AtomicU32 = AtomicU32::new(0);
    static INTID: AtomicU32 = AtomicU32::new(0);
    /// The doorbells taken by the interrupt handler (`STATUS` bits).
    static RUNG: AtomicU32 = AtomicU32::new(0);

    fn reg(offset: usize) -> u32 {
        // SAFETY: the device tree gives this page to the shmem register
        // block, mapped as Device memory; reads have no side effects
        // beyond gathering doorbells.
        unsafe { mmio::read32(BASE.load(SeqCst) as usize + offset) }
    }

    fn set_reg(offset: usize, value: u32) {
        // SAFETY: as in `reg`; the writable registers are DOORBELL and
        // STATUS.
        unsafe { mmio::write32(BASE.load(SeqCst) as usize + offset, value) }
    }

    fn on_irq(intid: u32) {
        if intid != INTID.load(SeqCst) {
            return;
        }
        let status = reg(STATUS);
        set_reg(STATUS, status);
        RUNG.fetch_or(status, SeqCst);
    }

    fn fail(what: &str) -> ! {
        println!("shmem: FAIL: {what}");
        psci::system_off()
    }

    /// Writes `text` at `at` in the region at `region`.
    fn put(region: usize, at: usize, text: &[u8]) {
        let len = text.len().min(TEXT_MAX);
        for (i, chunk) in text[..len].chunks(4).enumerate() {
            let mut word = [0u8; 4];
            word[..chunk.len()].copy_from_slice(chunk);
            // SAFETY: the region is guest-physical memory the device
            // tree names, mapped (Device) by the identity map; the
            // offsets stay below MESSAGE/REPLY + 4 + TEXT_MAX, inside it.
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
    fn wait_bell(me: char) -> u32 {
        let limit = timer::counter() + timer::us_to_ticks(WAIT_US);
        loop {
            let rung = RUNG.swap(0, SeqCst);
            if rung != 0 {
                return rung;
            }
            if timer::counter() > limit {
                println!("shmem: {me}: no doorbell");
                fail("no doorbell interrupt");
            }
            timer::delay_us(1_000);
        }
    }

    pub fn main(platform: &'static Platform) -> ! {
        // SAFETY: the boot code mapped the device tree and nothing writes
        // it.
        let tree = unsafe {
            core::slice::from_raw_parts(
                platform.dtb.start as *const u8,
                platform.dtb.end - platform.dtb.start,
            )
        };
        let mut nodes = [DeviceNode::default(); 1];
        if dt::compatible_devices(tree, "qhv,shmem", &mut nodes) != Ok(1) {
            fail("no single qhv,shmem node in the device tree");
        }
        let me = if platform.bootargs().contains("shmem=b") {
            'b'
        } else {
            'a'
        };
        let node = nodes[0];
        BASE.store(node.reg.start as u32, SeqCst);
        let intid = node.intid.unwrap_or_else(|| fail("no interrupt"));
        INTID.store(intid, SeqCst);
        if reg(ID) != ID_VALUE {
            fail("not a shmem register block");
        }
        let region = ((u64::from(reg(REGION_HI)) << 32) | u64::from(reg(REGION_LO))) as usize;
        let index = reg(INDEX);
        println!(
            "shmem: {me}: index {index}, region {region:#x} ({} bytes), intid {intid}",
            reg(SIZE_LO)
        );
        if gic::init().is_none() {
            fail("no GIC");
        }
        exceptions::set_irq_handler(on_irq);
        gic::enable(intid, Trigger::Level);
        cpu::enable_irqs();
        let mut buf = [0u8; TEXT_MAX];
        if me == 'a' {
            let limit = timer::counter() + timer::us_to_ticks(WAIT_US);
            let others = loop {
                let others = reg(CONNECTED) & !(1 << index);
                if others != 0 {
                    break others;
                }
                if timer::counter() > limit {
                    fail("no other VM connected");
                }
                timer::delay_us(10_000);
            };
            put(region, MESSAGE_AT, b"hello from a");
            set_reg(DOORBELL, others);
            println!("shmem: a: rang {others:#x}");
            let from = wait_bell(me);
            println!(
                "shmem: a: doorbell from {}: '{}'",
                from.trailing_zeros(),
                get(region, REPLY_AT, &mut buf)
            );
        } else {
            let from = wait_bell(me);
            println!(
                "shmem: b: doorbell from {}: '{}'",
                from.trailing_zeros(),
                get(region, MESSAGE_AT, &mut buf)
            );
            put(region, REPLY_AT, b"reply from b");
            set_reg(DOORBELL, from);
            println!("shmem: b: replied");
        }
        psci::system_off()
    }
}

/// On the build host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!(
        "shmem is a guest: it runs in a VM with a `vdev shmem` (cargo xtask test --filter shmem)"
    );
}
