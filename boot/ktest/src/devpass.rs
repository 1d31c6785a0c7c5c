//! `ktest devpass SELECTOR`: a device region this process was granted
//! (`dev=SELECTOR ktest devpass SELECTOR` in the startup script) goes into
//! one VM's stage 2 (`vm_map_device`), and then nowhere else: not into
//! ktest's own space, not into a second VM. The kernel's UART and a region
//! not granted are refused too. Each outcome is a line; a wrong one is a
//! `FAIL` line. The region goes back when the process (and its VMs) end,
//! so a second run gets it again.

use abi::{Error, PAGE_SIZE, SysResult};
use ulib::{device, println, sys};

/// Where the region goes in the VM.
const GPA: usize = 0x1000_0000;
/// Where ktest would map it in its own space.
const VA: usize = abi::USER_BASE + 0x60_0000_0000;

fn expect(what: &str, got: SysResult, want: Error) -> bool {
    match got {
        Err(e) if e == want => {
            println!("ktest devpass: refused: {what}: {}", e.name());
            true
        }
        other => {
            println!(
                "FAIL ktest devpass: {what}: {other:?}, expected {}",
                want.name()
            );
            false
        }
    }
}

fn index_of(selector: &str) -> Option<u32> {
    device::list(selector).ok()?.first().map(|r| r.index)
}

/// Runs the checks on the region `selector` names; the exit status.
pub fn run(selector: &str) -> usize {
    let Some(row) = device::list(selector).ok().and_then(|r| r.first().copied()) else {
        println!("FAIL ktest devpass: no device '{selector}'");
        return 1;
    };
    let vm = sys::call(abi::Sys::VmCreate, [0; 6]);
    let other = sys::call(abi::Sys::VmCreate, [0; 6]);
    let (Ok(vm), Ok(other)) = (vm, other) else {
        println!("FAIL ktest devpass: vm_create: {vm:?} {other:?}");
        return 1;
    };
    match device::vm_map(vm, row.index, GPA) {
        Ok(size) => println!(
            "ktest devpass: {} into a VM at {GPA:#x} ({size} bytes)",
            row.path()
        ),
        Err(e) => {
            println!(
                "FAIL ktest devpass: vm_map_device {}: {}",
                row.path(),
                e.name()
            );
            return 1;
        }
    }
    let size = (row.size as usize).next_multiple_of(PAGE_SIZE);
    let mut ok = true;
    ok &= expect(
        "into ktest's own space too",
        device::map(row.index, VA),
        Error::Busy,
    );
    ok &= expect(
        "into a second VM",
        device::vm_map(other, row.index, GPA),
        Error::Busy,
    );
    ok &= expect(
        "over itself in the same VM",
        device::vm_map(vm, row.index, GPA),
        Error::AlreadyMapped,
    );
    ok &= expect(
        "at an unaligned address",
        device::vm_map(vm, row.index, GPA + size + 8),
        Error::InvalidArgument,
    );
    ok &= expect(
        "with a bad VM handle",
        device::vm_map(4321, row.index, GPA),
        Error::BadHandle,
    );
    if let Some(uart) = index_of("arm,pl011") {
        ok &= expect(
            "the kernel's UART",
            device::vm_map(vm, uart, GPA + size),
            Error::Reserved,
        );
    }
    if let Some(rtc) = index_of("arm,pl031") {
        ok &= expect(
            "the clock (not granted)",
            device::vm_map(vm, rtc, GPA + size),
            Error::AccessDenied,
        );
    }
    match device::vm_map(vm, row.index, GPA + size) {
        Ok(_) => println!("ktest devpass: the same VM may map it twice"),
        Err(e) => {
            println!(
                "FAIL ktest devpass: a second mapping in the same VM: {}",
                e.name()
            );
            ok = false;
        }
    }
    println!("ktest devpass: done");
    usize::from(!ok)
}
