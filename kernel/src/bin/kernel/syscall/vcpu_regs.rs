//! `vcpu_get_regs` and `vcpu_stop`: reading a vCPU's registers between
//! two `vcpu_run`s of its runner, and bringing the runner back from
//! `vcpu_run` so that it can (`qvm`'s guest core dumps, `dump DIR`).

use super::call::{Caller, copy_out};
use crate::hw::{Arch, VcpuRegs};
use crate::sched::{self, Wake};
use crate::state::{Block, Kernel, Object, ThreadState};
use crate::vm::switch;
use abi::{Error, ExitKind, Rights, SysResult};
use arch::Virtualization;
use kernel::exit_record::Header;
use kernel::slab::Id;

/// The vCPU `handle` names, with `KILL` (as the other vCPU calls).
fn vcpu_of(k: &Kernel, c: &Caller, handle: usize) -> Result<Id, Error> {
    match k.handle(c.process, handle, Rights::KILL)? {
        Object::Vcpu(id) => Ok(id),
        _ => Err(Error::BadHandle),
    }
}

/// `vcpu_get_regs(vcpu, ptr, len)`: only its runner, which is in this
/// call and so not in the guest, or anyone before it first ran; while
/// another thread runs it the registers change under the call (`Busy`).
pub fn get_regs(k: &mut Kernel, c: &Caller, handle: usize, ptr: usize, len: usize) -> SysResult {
    let vcpu = vcpu_of(k, c, handle)?;
    let size = core::mem::size_of::<VcpuRegs>();
    if len != size {
        return Err(Error::InvalidArgument);
    }
    let v = k.vcpus.get(vcpu).ok_or(Error::BadHandle)?;
    if v.runner.is_some_and(|r| r != c.thread) {
        return Err(Error::Busy);
    }
    // Parked here since its last exit: part of its state is still on the
    // CPU (ARM: SP_EL1); saved into the vCPU first.
    if k.cpus[c.cpu].loaded_vcpu == Some(vcpu) {
        switch::unload(k, c.cpu);
    }
    let v = k.vcpus.get(vcpu).ok_or(Error::BadHandle)?;
    let regs = Arch::get_regs(&v.frame, &v.arch);
    // SAFETY: `VcpuRegs` is a `repr(C)` record of `u64`s without padding,
    // so all its `size` bytes are initialized; the slice lives no longer
    // than `regs`.
    let bytes = unsafe { core::slice::from_raw_parts((&raw const regs).cast::<u8>(), size) };
    copy_out(k, c, ptr, bytes)?;
    Ok(0)
}

/// `vcpu_stop(vcpu)`: marks it; a runner in the guest leaves it at once
/// (an interrupt to its CPU, a wake-up from WFI), one waiting for a
/// power-on runs `vcpu_run` again, one in `qvm` finds the mark at its
/// next `vcpu_run`; each comes back with [`ExitKind::Stopped`].
pub fn stop(k: &mut Kernel, c: &Caller, handle: usize) -> SysResult {
    let vcpu = vcpu_of(k, c, handle)?;
    let v = k.vcpus.get_mut(vcpu).ok_or(Error::BadHandle)?;
    v.mark_stop();
    let (vm, index, runner) = (v.vm, v.index, v.runner);
    let off = runner.filter(|&r| {
        k.threads
            .get(r)
            .is_some_and(|t| t.state == ThreadState::Blocked(Block::VcpuOff))
    });
    match off {
        Some(r) => sched::wake(k, r, Wake::Restart),
        None => crate::vm::deliver::kick_for(k, vm, index, None),
    }
    Ok(0)
}

/// At `vcpu_run` before the guest is entered, `vcpu_stop` having been
/// asked for since the last one: ends this one with
/// [`ExitKind::Stopped`] (its record written at `exit_ptr`), without
/// entering the guest. Rare: out of `vcpu_run`'s code.
#[cold]
#[inline(never)]
pub fn stopped_before_entry(k: &mut Kernel, c: &Caller, vcpu: Id, exit_ptr: usize) -> SysResult {
    let v = k.vcpus.get_mut(vcpu).ok_or(Error::BadHandle)?;
    v.clear_stop();
    let record =
        Header::bare(ExitKind::Stopped, 0).record(Arch::pc(&v.frame), Arch::exit_detail(&v.arch));
    crate::vm::record::write(k, c.process, vcpu, exit_ptr, &record)?;
    Ok(ExitKind::Stopped as usize)
}
