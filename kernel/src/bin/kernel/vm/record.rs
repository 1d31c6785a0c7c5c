//! The runner's exit record (`abi::VcpuExit`) in its own memory: the
//! answer `vcpu_run` reads and the record an exit to `qvm` writes. The
//! frame behind the record is looked up once and kept in the vCPU
//! (`RecordSlot`) for as long as the runner's space keeps its
//! generation (`Space::generation`: no mapping gone or changed since), so
//! that the round trip through `qvm` walks no page table. A record that
//! is not 8-byte aligned, crosses a page or is not writable goes through
//! `copy_in`/`copy_out` as before.

use super::RecordSlot;
use crate::state::Kernel;
use abi::{Error, VcpuExit};
use kernel::slab::Id;

const RECORD_SIZE: usize = core::mem::size_of::<VcpuExit>();

/// The identity-mapped address of the record at `va` in `process`'s space
/// for `vcpu`, from the vCPU's slot if it is still good, else looked up
/// (and kept); `Ok(None)` if it must be copied page by page.
fn frame_of(k: &mut Kernel, process: Id, vcpu: Id, va: usize) -> Result<Option<usize>, Error> {
    let space = k
        .processes
        .get(process)
        .and_then(|p| p.space.as_ref())
        .ok_or(Error::Fault)?;
    let generation = space.generation();
    let v = k.vcpus.get_mut(vcpu).ok_or(Error::BadHandle)?;
    if let Some(slot) = v.record
        && slot.va == va
        && slot.generation == generation
    {
        return Ok(Some(slot.pa));
    }
    let pa = space.record_frame(&mut k.frames, va, RECORD_SIZE);
    v.record = pa.map(|pa| RecordSlot { va, generation, pa });
    Ok(pa)
}

/// Reads the record at `va` in `process`'s space (the answer to `vcpu`'s
/// last exit).
pub fn read(k: &mut Kernel, process: Id, vcpu: Id, va: usize) -> Result<VcpuExit, Error> {
    if let Some(pa) = frame_of(k, process, vcpu, va)? {
        // SAFETY: `pa` is 8-byte aligned and the record's bytes lie in one
        // frame mapped readable and writable in the runner's space with no
        // mapping changed since (`frame_of`): RAM behind the identity map.
        // `VcpuExit` is `repr(C)` integers, valid for any bits; volatile
        // because the runner's other threads may write it meanwhile.
        return Ok(unsafe { core::ptr::read_volatile(pa as *const VcpuExit) });
    }
    let mut record = VcpuExit::default();
    // SAFETY: `VcpuExit` is `repr(C)` integers: any bytes are a valid one.
    let bytes = unsafe {
        core::slice::from_raw_parts_mut(&mut record as *mut VcpuExit as *mut u8, RECORD_SIZE)
    };
    let space = k
        .processes
        .get(process)
        .and_then(|p| p.space.as_ref())
        .ok_or(Error::Fault)?;
    space.copy_in(&mut k.frames, va, bytes)?;
    Ok(record)
}

/// Writes `record` at `va` in `process`'s space (an exit of `vcpu`).
pub fn write(
    k: &mut Kernel,
    process: Id,
    vcpu: Id,
    va: usize,
    record: &VcpuExit,
) -> Result<(), Error> {
    if let Some(pa) = frame_of(k, process, vcpu, va)? {
        let to = pa as *mut VcpuExit;
        // SAFETY: as in `read`; the page is writable by the runner. Field
        // by field: a whole-record volatile write is a `memcpy` call of all
        // 120 bytes on every exit to `qvm`.
        unsafe {
            (&raw mut (*to).kind).write_volatile(record.kind);
            (&raw mut (*to).address).write_volatile(record.address);
            (&raw mut (*to).size).write_volatile(record.size);
            (&raw mut (*to).write).write_volatile(record.write);
            (&raw mut (*to).value).write_volatile(record.value);
            (&raw mut (*to).pc).write_volatile(record.pc);
            (&raw mut (*to).args).write_volatile(record.args);
            (&raw mut (*to).response).write_volatile(record.response);
            (&raw mut (*to).arch).write_volatile(record.arch);
            (&raw mut (*to).lines).write_volatile(record.lines);
        }
        return Ok(());
    }
    // SAFETY: `VcpuExit` is `repr(C)` and made only of integers.
    let bytes =
        unsafe { core::slice::from_raw_parts(record as *const VcpuExit as *const u8, RECORD_SIZE) };
    let space = k
        .processes
        .get(process)
        .and_then(|p| p.space.as_ref())
        .ok_or(Error::Fault)?;
    space.copy_out(&mut k.frames, va, bytes)
}
