//! The VMs `ktest` builds itself with the VM calls (`vmcrash`, and on x86
//! `vmexits`, `vmirq`, `vmsmp`): created, configured with the interrupt
//! controller the host offers (the layout `qvm` gives by default), guest
//! RAM mapped into this process too, programs copied in, vCPUs made and
//! set.

use abi::{Error, Sys, SysResult, prot};
use ulib::sys;

/// Guest RAM of the test VMs: where, how much, and where this process
/// sees it.
pub const RAM_GPA: usize = 0x4000_0000;
pub const RAM_LEN: usize = 64 * 1024;
pub const RAM_VA: usize = abi::USER_BASE + 0x60_0000_0000;

/// What failed: the call's name and its error.
pub type Failure = (&'static str, Error);

fn call(n: Sys, args: [usize; 6]) -> SysResult {
    sys::call(n, args)
}

/// A configured VM with `vcpus` vCPUs (none made yet) and RAM_LEN bytes
/// of RAM at RAM_GPA, seen at RAM_VA; its handle.
pub fn create(vcpus: u64) -> Result<usize, Failure> {
    let vm = call(Sys::VmCreate, [0; 6]).map_err(|e| ("vm_create", e))?;
    let config = crate::vmcrash::vm_config(sys::sysinfo().vm_gic_version, vcpus);
    let size = core::mem::size_of_val(&config);
    call(
        Sys::VmConfigure,
        [vm, &raw const config as usize, size, 0, 0, 0],
    )
    .map_err(|e| ("vm_configure", e))?;
    map(vm, RAM_GPA, RAM_LEN, RAM_VA)?;
    Ok(vm)
}

/// Maps `len` bytes of fresh guest RAM at `gpa`, seen at `va` here.
pub fn map(vm: usize, gpa: usize, len: usize, va: usize) -> Result<(), Failure> {
    let rwx = prot::READ | prot::WRITE | prot::EXEC;
    call(Sys::VmMapRam, [vm, gpa, len, va, rwx, 0]).map_err(|e| ("vm_map_ram", e))?;
    Ok(())
}

/// Copies `bytes` to `va`, inside guest RAM [`map`] mapped here.
pub fn put(va: usize, bytes: &[u8]) {
    // SAFETY: the caller's `va` range is guest RAM that `vm_map_ram`
    // mapped read-write for this process alone (the test VMs' programs
    // and tables fit in their mappings).
    unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), va as *mut u8, bytes.len()) };
}

/// Makes vCPU `index` of `vm`; with `regs`, sets it (powering it on).
pub fn vcpu(
    vm: usize,
    index: usize,
    regs: Option<&crate::guestcode::Regs>,
) -> Result<usize, Failure> {
    let vcpu = call(Sys::VcpuCreate, [vm, index, 0, 0, 0, 0]).map_err(|e| ("vcpu_create", e))?;
    if let Some(regs) = regs {
        let len = core::mem::size_of_val(regs);
        call(
            Sys::VcpuSetRegs,
            [vcpu, regs as *const _ as usize, len, 0, 0, 0],
        )
        .map_err(|e| ("vcpu_set_regs", e))?;
    }
    Ok(vcpu)
}
