//! `faults` on an x86_64 PC: reads and writes the first 2 MiB block above
//! RAM (below 4 GiB; no device is there), then reads and writes an MSR no
//! CPU has ([`NO_SUCH_MSR`]), then an x2APIC MSR while the local APIC is
//! in xAPIC mode ([`X2APIC_ID`], [`X2APIC_TPR`]), which raises #GP (SDM
//! Vol. 3A 11.12.1.2). Each probe runs inside `catch` with a fixup, so an
//! exception it raises is reported and the guest goes on. For each it
//! prints first what it is about to do, then one of:
//!
//! - `exception: ...` with the vector's name and error code (the #GP of
//!   RDMSR and WRMSR; under `qvm`, an injected exception);
//! - `all ones (0xffffffff): ignored` for a read, `no exception: ignored`
//!   for a write;
//! - `value ...` for a read that returned something else;
//! - nothing more: the VM was ended (the `abort` policy).
//!
//! Console lines on bare QEMU `pc` with 1 GiB of RAM (TCG): QEMU reads
//! unassigned memory as 0 and, unlike hardware, takes RDMSR and WRMSR of
//! MSRs it does not know without a #GP (reading 0); the x2APIC MSRs do
//! raise it:
//! ```text
//! faults: reading 0x40000000 (outside RAM and devices)
//! faults: read 0x40000000: value 0x0
//! faults: writing 0x40000000
//! faults: write 0x40000000: no exception: ignored
//! faults: reading MSR 0x1234 (no such MSR)
//! faults: rdmsr 0x1234: value 0x0
//! faults: writing MSR 0x1234
//! faults: wrmsr 0x1234: no exception: ignored
//! faults: reading MSR 0x802 (x2APIC ID, in xAPIC mode)
//! faults: rdmsr 0x802: exception: general protection (#GP), error code 0x0
//! faults: writing MSR 0x808 (x2APIC TPR, in xAPIC mode)
//! faults: wrmsr 0x808: exception: general protection (#GP), error code 0x0
//! faults: done, powering off
//! ```

use core::fmt::Arguments;
use gsupport::exceptions::{Fault, catch};
use gsupport::{Platform, mmio, msr, power, println};

/// An MSR that neither Intel nor AMD defines.
const NO_SUCH_MSR: u32 = 0x1234;
/// IA32_X2APIC_APICID and IA32_X2APIC_TPR (SDM Vol. 4, table 2-2): only
/// in x2APIC mode.
const X2APIC_ID: u32 = 0x802;
/// See [`X2APIC_ID`].
const X2APIC_TPR: u32 = 0x808;

/// What a probe read gave.
fn report_read(what: Arguments<'_>, result: Result<u64, Fault>, all_ones: u64) {
    match result {
        Err(fault) => println!("faults: {what}: exception: {fault}"),
        Ok(v) if v == all_ones => println!("faults: {what}: all ones ({v:#x}): ignored"),
        Ok(v) => println!("faults: {what}: value {v:#x}"),
    }
}

/// What a probe write gave.
fn report_write(what: Arguments<'_>, result: Result<(), Fault>) {
    match result {
        Err(fault) => println!("faults: {what}: exception: {fault}"),
        Ok(()) => println!("faults: {what}: no exception: ignored"),
    }
}

/// Reads MSR `read` and writes 0 to MSR `write`, each under `catch`.
fn probe_msrs(read: u32, read_what: &str, write: u32, write_what: &str) {
    println!("faults: reading MSR {read:#x} ({read_what})");
    // SAFETY: the MSR does not exist in this mode: #GP (caught) or some
    // value.
    let value = catch(|| unsafe { msr::probe_rdmsr(read) });
    report_read(format_args!("rdmsr {read:#x}"), value, u64::MAX);

    println!("faults: writing MSR {write:#x}{write_what}");
    // SAFETY: as above; writing 0 to the x2APIC TPR (had the APIC been in
    // x2APIC mode) only lets every interrupt in.
    let result = catch(|| unsafe { msr::probe_wrmsr(write, 0) });
    report_write(format_args!("wrmsr {write:#x}"), result);
}

pub fn main(platform: &'static Platform) -> ! {
    let Some(addr) = platform.unused_address() else {
        println!("faults: FAIL: no address above RAM below 3 GiB");
        power::system_off()
    };

    println!("faults: reading {addr:#x} (outside RAM and devices)");
    // SAFETY: the address is mapped (uncached) and belongs to nothing: the
    // read either faults (caught) or returns a value.
    let read = catch(|| u64::from(unsafe { mmio::read32(addr) }));
    report_read(format_args!("read {addr:#x}"), read, u64::from(u32::MAX));

    println!("faults: writing {addr:#x}");
    // SAFETY: as above; nothing is there to change.
    let write = catch(|| unsafe { mmio::write32(addr, 0x5a5a_5a5a) });
    report_write(format_args!("write {addr:#x}"), write);

    probe_msrs(NO_SUCH_MSR, "no such MSR", NO_SUCH_MSR, "");
    probe_msrs(
        X2APIC_ID,
        "x2APIC ID, in xAPIC mode",
        X2APIC_TPR,
        " (x2APIC TPR, in xAPIC mode)",
    );

    println!("faults: done, powering off");
    power::system_off()
}
