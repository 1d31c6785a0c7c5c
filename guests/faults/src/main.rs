//! `faults`: does what a hypervisor cannot emulate and prints what came of
//! it. It reads and writes an address above RAM that no device of the
//! device tree covers, then reads an implementation-defined system register
//! no CPU model has (`S3_0_C15_C7_7`). For each it prints first what it is
//! about to do, then one of:
//!
//! - `exception: ...` with ESR and FAR: an exception was injected (the
//!   `unsupported ... fail` policy; bare QEMU raises a synchronous external
//!   abort and an undefined-instruction exception itself);
//! - `all ones (...): ignored` for a read, `no exception: ignored` for a
//!   write (the `ignore` policy);
//! - nothing more: the VM was ended (the `abort` policy).
//!
//! Console lines on bare QEMU `virt` with 1 GiB of RAM:
//! ```text
//! faults: reading 0x80000000 (outside RAM and devices)
//! faults: read 0x80000000: exception: data abort: synchronous external abort (ESR 0x96000010, FAR 0x80000000)
//! faults: writing 0x80000000
//! faults: write 0x80000000: exception: data abort: synchronous external abort (ESR 0x96000050, FAR 0x80000000)
//! faults: reading system register S3_0_C15_C7_7
//! faults: mrs S3_0_C15_C7_7: exception: undefined instruction (ESR 0x2000000)
//! faults: done, powering off
//! ```
//!
//! On an x86_64 PC, see `x86_64.rs`.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(all(target_os = "none", target_arch = "aarch64"))]
gsupport::entry!(guest::main);

#[cfg(all(target_os = "none", target_arch = "x86_64"))]
mod x86_64;
#[cfg(all(target_os = "none", target_arch = "x86_64"))]
gsupport::entry!(x86_64::main);

#[cfg(all(target_os = "none", target_arch = "aarch64"))]
mod guest {
    use core::fmt::Arguments;
    use gsupport::exceptions::{Fault, catch};
    use gsupport::{Platform, mmio, println, psci};

    /// What a probe read gave.
    fn report_read(what: Arguments<'_>, result: Result<u64, Fault>, all_ones: u64) {
        match result {
            Err(fault) => report_fault(what, fault),
            Ok(v) if v == all_ones => println!("faults: {what}: all ones ({v:#x}): ignored"),
            Ok(v) => println!("faults: {what}: value {v:#x}"),
        }
    }

    fn report_fault(what: Arguments<'_>, fault: Fault) {
        println!("faults: {what}: exception: {fault}");
    }

    pub fn main(platform: &'static Platform) -> ! {
        let Some(addr) = platform.unused_address() else {
            println!("faults: FAIL: no address outside RAM and devices below 512 GiB");
            psci::system_off()
        };

        println!("faults: reading {addr:#x} (outside RAM and devices)");
        // SAFETY: the address is mapped (as Device memory) and belongs to
        // nothing: the read either faults (caught) or returns a value.
        let read = catch(|| u64::from(unsafe { mmio::read32(addr) }));
        report_read(format_args!("read {addr:#x}"), read, u64::from(u32::MAX));

        println!("faults: writing {addr:#x}");
        // SAFETY: as above; nothing is there to change.
        match catch(|| unsafe { mmio::write32(addr, 0x5a5a_5a5a) }) {
            Err(fault) => report_fault(format_args!("write {addr:#x}"), fault),
            Ok(()) => println!("faults: write {addr:#x}: no exception: ignored"),
        }

        println!("faults: reading system register S3_0_C15_C7_7");
        let sysreg = catch(|| {
            let mut v: u64 = 0;
            // SAFETY: reading an implementation-defined register nobody
            // implements: it traps (caught) or reads as some value.
            unsafe { core::arch::asm!("mrs {0}, s3_0_c15_c7_7", inout(reg) v, options(nostack)) };
            v
        });
        report_read(format_args!("mrs S3_0_C15_C7_7"), sysreg, u64::MAX);

        println!("faults: done, powering off");
        psci::system_off()
    }
}

/// On the build host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("faults is a guest: `cargo xtask run --guest faults --bare` boots it");
}
