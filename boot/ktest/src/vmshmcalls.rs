//! `vm_map_shm` with bad handles, protections and guest ranges returns
//! the right error code; a good call maps the object once (part of
//! `ktest badcalls`, on hosts that run VMs; AArch64 only for now).

use crate::badcalls::{ANY, Checks};
use abi::{Error, GUEST_PA_TOP, PAGE_SIZE, Sys, prot};
use ulib::sys;

/// Where the object goes in the test VM.
const GPA: u64 = 0x40_0000_0000;

/// The checks.
pub fn run(c: &mut Checks) {
    if sys::sysinfo().vm_gic_version == 0 || !cfg!(target_arch = "aarch64") {
        return;
    }
    let rw = prot::READ | prot::WRITE;
    let vm = sys::call(Sys::VmCreate, [0; 6]);
    c.expect("vm_create for vm_map_shm", vm, ANY);
    let vm = vm.unwrap_or(usize::MAX);
    let shm = sys::shm_open("ktest-vmshm", 2 * PAGE_SIZE);
    c.expect("shm_open for vm_map_shm", shm, ANY);
    let shm = shm.unwrap_or(usize::MAX);
    let cases: [(&str, usize, usize, u64, usize, Error); 8] = [
        ("vm_map_shm bad VM", 4321, shm, GPA, rw, Error::BadHandle),
        (
            "vm_map_shm a shm as the VM",
            shm,
            shm,
            GPA,
            rw,
            Error::BadHandle,
        ),
        ("vm_map_shm bad object", vm, 4321, GPA, rw, Error::BadHandle),
        (
            "vm_map_shm the VM as the object",
            vm,
            vm,
            GPA,
            rw,
            Error::BadHandle,
        ),
        (
            "vm_map_shm exec",
            vm,
            shm,
            GPA,
            prot::READ | prot::EXEC,
            Error::InvalidArgument,
        ),
        (
            "vm_map_shm write only",
            vm,
            shm,
            GPA,
            prot::WRITE,
            Error::InvalidArgument,
        ),
        (
            "vm_map_shm unaligned",
            vm,
            shm,
            GPA + 8,
            rw,
            Error::InvalidArgument,
        ),
        (
            "vm_map_shm across the top of guest memory",
            vm,
            shm,
            GUEST_PA_TOP - PAGE_SIZE as u64,
            rw,
            Error::InvalidArgument,
        ),
    ];
    for (name, vm, shm, gpa, p, want) in cases {
        c.expect(name, sys::vm_map_shm(vm, shm, gpa, p), Err(want));
    }
    c.expect("vm_map_shm", sys::vm_map_shm(vm, shm, GPA, rw), Ok(0));
    c.expect(
        "vm_map_shm over a mapped range",
        sys::vm_map_shm(vm, shm, GPA + PAGE_SIZE as u64, rw),
        Err(Error::AlreadyMapped),
    );
    c.expect(
        "vm_map_shm read-only elsewhere",
        sys::vm_map_shm(vm, shm, GPA + 0x10_0000, prot::READ),
        Ok(0),
    );
    c.expect("close the object", sys::handle_close(shm), Ok(0));
}
