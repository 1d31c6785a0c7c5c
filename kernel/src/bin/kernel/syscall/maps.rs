//! `process_regions` and `phys_map`: a process's memory as runs of
//! mappings (its own space, then its VMs' guest-physical spaces), and the
//! physical memory map with who holds what (`pidin mem`, `pidin
//! syspage=asinfo`).

use super::call::{Caller, copy_out_rows};
use super::introspect::{pid_of, require_power, row_buffer, vm_owner_pid};
use crate::physmap::area;
use crate::state::Kernel;
use abi::{Error, PhysArea, RegionInfo, SysResult};
use alloc::vec::Vec;
use arch::Run;
use kernel::devices::Holder;
use kernel::mem::frames::FRAME_SIZE;

/// The `abi::REGION_*` kind of a run, and its device region's index.
fn kind_of(k: &Kernel, run: &Run) -> (u32, u32) {
    let device = k.devices.list.iter().position(|d| {
        let (start, end) = d.pages();
        (start..end).contains(&run.pa)
    });
    match device {
        Some(index) => (abi::REGION_DEVICE, index as u32),
        None if run.borrowed => (abi::REGION_SHARED, 0),
        None => (abi::REGION_RAM, 0),
    }
}

/// The row for `run`; `vm` is the VM's number within its process, if the
/// run is guest-physical.
fn region(k: &Kernel, run: &Run, vm: Option<u32>) -> RegionInfo {
    let (kind, device) = kind_of(k, run);
    let bit = |on: bool, flag: u32| if on { flag } else { 0 };
    RegionInfo {
        address: run.va as u64,
        physical: run.pa as u64,
        size: run.len as u64,
        kind,
        flags: bit(vm.is_some(), abi::REGION_VM)
            | bit(run.perms.read, abi::REGION_READ)
            | bit(run.perms.write, abi::REGION_WRITE)
            | bit(run.perms.exec, abi::REGION_EXEC),
        vm: vm.unwrap_or(0),
        device,
    }
}

pub fn process_regions(
    k: &mut Kernel,
    c: &Caller,
    pid: usize,
    ptr: usize,
    max_rows: usize,
) -> SysResult {
    let target = k
        .processes
        .iter()
        .find(|(_, p)| p.pid == pid as u64 && p.space.is_some())
        .map(|(id, _)| id)
        .ok_or(Error::NotFound)?;
    // Physical addresses only with the power: without it a process learns
    // nothing of the physical layout (`docs/security.md`, DMA memory).
    let informed = require_power(k, c, abi::POWER_INFO).is_ok();
    if target != c.process && !informed {
        return Err(Error::AccessDenied);
    }
    if max_rows > super::introspect::MAX_ROWS {
        return Err(Error::InvalidArgument);
    }
    // Runs first (the walk borrows the frame allocator), rows after.
    let mut runs: Vec<(Run, Option<u32>)> = Vec::new();
    let p = k.processes.get(target).ok_or(Error::NotFound)?;
    let vms = p.vms.clone();
    // Past `max_rows` (or the heap's room) the rest is left out.
    let mut keep = |run: Run, vm: Option<u32>| {
        if runs.len() < max_rows && runs.try_reserve(1).is_ok() {
            runs.push((run, vm));
        }
    };
    if let Some(space) = p.space.as_ref() {
        space.runs(&mut k.frames, |run| keep(run, None));
    }
    for (n, vm) in vms.iter().enumerate() {
        if let Some(vm) = k.vms.get(*vm) {
            vm.space
                .runs(&mut k.frames, |run| keep(run, Some(n as u32)));
        }
    }
    let mut rows = row_buffer::<RegionInfo>(max_rows, runs.len())?;
    rows.extend(runs.iter().map(|(run, vm)| {
        let mut row = region(k, run, *vm);
        if !informed {
            row.physical = 0;
        }
        row
    }));
    copy_out_rows(k, c, ptr, &rows)
}

/// The holder of device region `index` as a pid and `abi::AREA_*` flags.
fn holder_of(k: &Kernel, index: usize) -> (u64, u32) {
    match k.devices.holder(index) {
        Some(Holder::Process(id)) => (pid_of(k, id), 0),
        Some(Holder::Vm(vm)) => (vm_owner_pid(k, vm), abi::AREA_IN_VM),
        None => (0, 0),
    }
}

pub fn phys_map(k: &mut Kernel, c: &Caller, ptr: usize, max_rows: usize) -> SysResult {
    require_power(k, c, abi::POWER_INFO)?;
    if max_rows > super::introspect::MAX_ROWS {
        return Err(Error::InvalidArgument);
    }
    // Every row first (they are sorted), then as many as the caller takes.
    let needed = k.memory_map.len() + k.devices.list.len() + 1;
    let mut all = row_buffer::<PhysArea>(needed, needed)?;
    all.extend_from_slice(&k.memory_map);
    for (index, d) in k.devices.list.iter().enumerate() {
        let kind = if d.ram {
            abi::AREA_RESERVED
        } else {
            abi::AREA_DEVICE
        };
        let (owner, flags) = if d.kernel {
            (abi::OWNER_KERNEL, 0)
        } else {
            holder_of(k, index)
        };
        let mut row = area(d.base, d.size, kind, owner, &d.path);
        row.flags = flags;
        all.push(row);
    }
    all.sort_by_key(|r| (r.base, core::cmp::Reverse(r.size)));
    let mut pool = area(
        0,
        k.frames.total_frames() * FRAME_SIZE,
        abi::AREA_POOL,
        0,
        "frame pool",
    );
    pool.free = (k.frames.free_frames() * FRAME_SIZE) as u64;
    all.push(pool);
    all.truncate(max_rows);
    copy_out_rows(k, c, ptr, &all)
}
