//! `device_list`, `device_map`, `irq_attach`, `irq_wait`, `irq_unmask`, and
//! the grants `process_spawn` hands a child. A process takes only what its
//! grants name (`init` holds everything the kernel does not use and gives
//! it out as the startup script says); the kernel's own devices and
//! interrupts are never handed out (`kernel::devices`).

use super::call::{Caller, Outcome, check_writable, copy_in, copy_out_rows, copy_str};
use crate::sched;
use crate::state::{Block, Kernel, Object};
use abi::SysResult;
use abi::{DEVICE_SELECTOR_MAX, DeviceInfo, Error, Grants, MAX_DEVICES, Rights};
use kernel::devices::{Holder, Selector, check_irq};

/// The caller's grants.
pub fn grants_of(k: &Kernel, c: &Caller) -> Result<Grants, Error> {
    Ok(k.processes.get(c.process).ok_or(Error::Fault)?.grants)
}

/// The [`Grants`] at `ptr` in the caller's memory for a child (0: none;
/// [`abi::GRANTS_SAME`]: all the caller's): `AccessDenied` unless the
/// caller holds all of them itself.
pub fn spawn_grants(k: &mut Kernel, c: &Caller, ptr: usize) -> Result<Grants, Error> {
    if ptr == 0 {
        return Ok(Grants::NONE);
    }
    if ptr == abi::GRANTS_SAME {
        return grants_of(k, c);
    }
    let size = core::mem::size_of::<Grants>();
    let bytes = copy_in(k, c, ptr, size, size)?;
    let mut words = bytes
        .chunks_exact(8)
        .map(|w| u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]));
    let mut g = Grants::NONE;
    let slots = g.devices.iter_mut().chain(g.irqs.iter_mut());
    for slot in slots.chain(core::iter::once(&mut g.powers)) {
        *slot = words.next().unwrap_or(0);
    }
    if !g.within(&grants_of(k, c)?) {
        return Err(Error::AccessDenied);
    }
    Ok(g)
}

pub fn list(
    k: &mut Kernel,
    c: &Caller,
    selector: usize,
    selector_len: usize,
    out: usize,
    max_rows: usize,
) -> SysResult {
    if max_rows > MAX_DEVICES {
        return Err(Error::InvalidArgument);
    }
    let text = copy_str(k, c, selector, selector_len, DEVICE_SELECTOR_MAX)?;
    let selector = Selector::parse(&text)?;
    let grants = grants_of(k, c)?;
    let row_size = core::mem::size_of::<DeviceInfo>();
    // The whole buffer, whether or not rows fill it: a bad pointer is an
    // error on every board, with many devices or none.
    check_writable(k, c, out, max_rows * row_size)?;
    let mut matched = 0;
    for index in 0..k.devices.list.len() {
        if !selector.matches(&k.devices.list[index]) {
            continue;
        }
        if matched < max_rows
            && let Some(row) = k.devices.info(index, &grants)
        {
            copy_out_rows(k, c, out.wrapping_add(matched * row_size), &[row])?;
        }
        matched += 1;
    }
    Ok(matched)
}

pub fn map(k: &mut Kernel, c: &Caller, index: usize, va: usize) -> SysResult {
    let region = k.devices.list.get(index).ok_or(Error::InvalidArgument)?;
    let memory = crate::device::Memory::of(region, false);
    let (start, end) = region.pages();
    let len = crate::space::Space::check_range(va, end - start)?;
    let grants = grants_of(k, c)?;
    let who = Holder::Process(c.process);
    let held = k.devices.holder(index) == Some(who);
    let p = k.processes.get_mut(c.process).ok_or(Error::Fault)?;
    let space = p.space.as_mut().ok_or(Error::Fault)?;
    if space.any_mapped(&mut k.frames, va, len) {
        return Err(Error::AlreadyMapped);
    }
    k.devices.take(index, who, &grants)?;
    // The caller's space is this CPU's current one: a failed mapping's
    // pages are flushed everywhere as they go.
    let mapped = crate::device::map_pages(space, &mut k.frames, (start, end), va, true, memory);
    if mapped.is_err() && !held {
        k.devices.untake(index, who);
    }
    mapped.map(|()| len)
}

pub fn irq_attach(k: &mut Kernel, c: &Caller, intid: usize) -> SysResult {
    let intid = u32::try_from(intid).map_err(|_| Error::InvalidArgument)?;
    let grants = grants_of(k, c)?;
    check_irq(intid, &k.devices.kernel_irqs, &grants)?;
    k.devices.lines.attach(intid, c.process, c.cpu)?;
    let inserted = match k.processes.get_mut(c.process) {
        Some(p) => p.handles.insert(Object::Irq(intid), Rights::ALL),
        None => Err(Error::BadHandle),
    };
    match inserted {
        Ok(h) => {
            crate::device::unmask(k, intid, c.cpu);
            Ok(h)
        }
        Err(e) => {
            k.devices.lines.detach(intid);
            Err(e)
        }
    }
}

/// The INTID behind the caller's `handle`, with `rights`, if its process
/// attached it.
fn irq_of(k: &mut Kernel, c: &Caller, handle: usize, rights: Rights) -> Result<u32, Error> {
    let Object::Irq(intid) = k.handle(c.process, handle, rights)? else {
        return Err(Error::BadHandle);
    };
    match k.devices.lines.owned(intid, c.process) {
        Some(_) => Ok(intid),
        None => Err(Error::BadHandle),
    }
}

pub fn irq_wait(k: &mut Kernel, c: &Caller, handle: usize) -> Outcome {
    let intid = match irq_of(k, c, handle, Rights::WAIT) {
        Ok(i) => i,
        Err(e) => return Err(e).into(),
    };
    if let Some(count) = k.devices.lines.take_pending(intid, c.process) {
        return Ok(count as usize).into();
    }
    if k.object_waiters.try_reserve(1).is_err() {
        return Err(Error::NoMemory).into();
    }
    k.object_waiters.push((Object::Irq(intid), c.thread));
    sched::block_current(k, c.cpu, Block::Object(Object::Irq(intid)));
    Outcome::Blocked
}

pub fn irq_unmask(k: &mut Kernel, c: &Caller, handle: usize) -> SysResult {
    let intid = irq_of(k, c, handle, Rights::KILL)?;
    let line = k
        .devices
        .lines
        .owned(intid, c.process)
        .ok_or(Error::BadHandle)?;
    if line.masked {
        line.masked = false;
        let cpu = line.cpu;
        crate::device::unmask(k, intid, cpu);
    }
    Ok(0)
}
