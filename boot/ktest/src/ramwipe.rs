//! `ktest ramwipe SELECTOR`: RAM the boot image set aside for pass-through
//! (`[reserve]`), granted to this process (`dev=SELECTOR ktest ramwipe
//! SELECTOR`), maps into its own space as Normal memory and into one of its
//! VMs, and arrives zeroed: the kernel wipes it when its previous holder
//! ends. The run fills it with a pattern, so a second run in the same boot
//! checks the wipe. Each outcome is a line; a wrong one is a `FAIL` line.

use abi::DEVICE_RAM;
use ulib::{device, println, sys};

/// Where the RAM goes in ktest's space and in the VM.
const VA: usize = abi::USER_BASE + 0x61_0000_0000;
const GPA: usize = 0x4000_0000;

/// Runs the check on the region `selector` names; the exit status.
pub fn run(selector: &str) -> usize {
    let Some(row) = device::list(selector).ok().and_then(|r| r.first().copied()) else {
        println!("FAIL ktest ramwipe: no region '{selector}'");
        return 1;
    };
    if row.flags & DEVICE_RAM == 0 {
        println!("FAIL ktest ramwipe: {} is not reserved RAM", row.path());
        return 1;
    }
    let size = match device::map(row.index, VA) {
        Ok(size) => size,
        Err(e) => {
            println!(
                "FAIL ktest ramwipe: device_map {}: {}",
                row.path(),
                e.name()
            );
            return 1;
        }
    };
    let Ok(vm) = sys::call(abi::Sys::VmCreate, [0; 6]) else {
        println!("FAIL ktest ramwipe: vm_create");
        return 1;
    };
    if let Err(e) = device::vm_map(vm, row.index, GPA) {
        println!("FAIL ktest ramwipe: into its VM too: {}", e.name());
        return 1;
    }
    let words = size / 8;
    let base = VA as *mut u64;
    // SAFETY: the kernel mapped `size` bytes of RAM read-write at `VA` for
    // the rest of this process; nothing else in it touches them.
    let nonzero = (0..words)
        .filter(|&i| unsafe { core::ptr::read_volatile(base.add(i)) } != 0)
        .count();
    for i in 0..words {
        // SAFETY: as above.
        unsafe { core::ptr::write_volatile(base.add(i), 0x5a5a_0000_0000_0000 | i as u64) };
    }
    if nonzero != 0 {
        println!(
            "FAIL ktest ramwipe: {nonzero} words of {} were not zero",
            row.path()
        );
        return 1;
    }
    println!(
        "ktest ramwipe: {} ({} KiB) mapped here and in a VM, all zero; filled",
        row.path(),
        size >> 10
    );
    0
}
