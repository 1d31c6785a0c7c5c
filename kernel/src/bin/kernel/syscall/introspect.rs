//! `thread_list`, `irq_list`, `process_open`: what the host shell's
//! `pidin` and `slay` ask. Reading needs the caller's `POWER_INFO`,
//! opening a process that is not the caller's child `POWER_SLAY`
//! (`abi::Grants::powers`, handed down from `init` by the startup line).

use super::call::{Caller, copy_out_rows};
use crate::state::{Block, Kernel, Object, ThreadState};
use abi::{Error, IrqInfo, Rights, SysResult, ThreadInfo};
use alloc::vec::Vec;
use kernel::slab::Id;

/// Most rows one listing returns.
pub const MAX_ROWS: usize = 4096;

/// `AccessDenied` unless the caller holds every power in `powers`.
pub fn require_power(k: &Kernel, c: &Caller, powers: u64) -> Result<(), Error> {
    let p = k.processes.get(c.process).ok_or(Error::BadHandle)?;
    if p.grants.has_power(powers) {
        Ok(())
    } else {
        Err(Error::AccessDenied)
    }
}

/// A row buffer for `needed` rows of which the caller takes at most
/// `max_rows` (checked): room for the smaller, reserved fallibly.
pub fn row_buffer<T>(max_rows: usize, needed: usize) -> Result<Vec<T>, Error> {
    if max_rows > MAX_ROWS {
        return Err(Error::InvalidArgument);
    }
    let mut rows = Vec::new();
    rows.try_reserve_exact(needed.min(max_rows))
        .map_err(|_| Error::NoMemory)?;
    Ok(rows)
}

/// The `abi::THREAD_*` word for a thread's state (`guest`: it is in
/// guest code now).
fn state_word(state: ThreadState, guest: bool) -> u32 {
    match state {
        ThreadState::Running(_) if guest => abi::THREAD_GUEST,
        ThreadState::Running(_) => abi::THREAD_RUNNING,
        ThreadState::Ready => abi::THREAD_READY,
        ThreadState::Blocked(Block::Sleep) => abi::THREAD_SLEEP,
        ThreadState::Blocked(Block::Futex(_)) => abi::THREAD_FUTEX,
        ThreadState::Blocked(Block::Pulse) => abi::THREAD_PULSE,
        ThreadState::Blocked(Block::ConsoleRead) => abi::THREAD_CONSOLE,
        ThreadState::Blocked(Block::Object(_)) => abi::THREAD_WAIT,
        ThreadState::Blocked(Block::Wfi) => abi::THREAD_WFI,
        ThreadState::Blocked(Block::VcpuOff) => abi::THREAD_VCPU_OFF,
        ThreadState::Dead => abi::THREAD_DEAD,
    }
}

/// The index of the vCPU `thread` runs (`vcpu_run`), if any.
fn vcpu_of(k: &Kernel, thread: Id) -> u32 {
    k.vcpus
        .iter()
        .find(|(_, v)| v.runner == Some(thread))
        .map_or(abi::NO_VCPU, |(_, v)| v.index as u32)
}

pub fn thread_list(k: &mut Kernel, c: &Caller, ptr: usize, max_rows: usize) -> SysResult {
    require_power(k, c, abi::POWER_INFO)?;
    let mut rows = row_buffer::<ThreadInfo>(max_rows, k.threads.len())?;
    let live = k.processes.iter().filter(|(_, p)| p.space.is_some());
    'all: for (_, p) in live {
        for &id in &p.threads {
            let Some(t) = k.threads.get(id) else {
                continue;
            };
            if rows.len() == max_rows {
                break 'all;
            }
            rows.push(ThreadInfo {
                pid: p.pid,
                tid: t.number,
                state: state_word(t.state, t.guest.is_some()),
                priority: t.priority as u32,
                cpu: t.cpu as u32,
                vcpu: vcpu_of(k, id),
                affinity: t.affinity as u32,
            });
        }
    }
    copy_out_rows(k, c, ptr, &rows)
}

/// The pid of the process that made `vm`.
pub fn vm_owner_pid(k: &Kernel, vm: Id) -> u64 {
    k.processes
        .iter()
        .find(|(_, p)| p.vms.contains(&vm))
        .map_or(0, |(_, p)| p.pid)
}

/// The pid of process `id` (0 if it is gone).
pub fn pid_of(k: &Kernel, id: Id) -> u64 {
    k.processes.get(id).map_or(0, |p| p.pid)
}

/// The kernel's own interrupts: the guests' and its own timer, the
/// console UART, the devices it drives; the reschedule IPI.
fn kernel_irqs(k: &Kernel) -> Vec<u32> {
    let mut intids: Vec<u32> = [crate::percpu::SGI_RESCHEDULE, crate::vm::VTIMER_INTID]
        .into_iter()
        .chain([k.irqs.timer])
        .chain(k.irqs.uart)
        .chain(k.devices.kernel_irqs.iter().copied())
        .collect();
    intids.sort_unstable();
    intids.dedup();
    intids
}

pub fn irq_list(k: &mut Kernel, c: &Caller, ptr: usize, max_rows: usize) -> SysResult {
    require_power(k, c, abi::POWER_INFO)?;
    let own = kernel_irqs(k);
    let mut rows = row_buffer::<IrqInfo>(max_rows, own.len() + k.devices.lines.iter().count())?;
    let own = own.into_iter().map(|intid| IrqInfo {
        intid,
        kind: abi::IRQ_KERNEL,
        owner: abi::OWNER_KERNEL,
        // SGIs are edge-triggered; the timers and the UART are level.
        edge: u32::from(intid < 16),
        ..IrqInfo::default()
    });
    let attached = k.devices.lines.iter().map(|line| IrqInfo {
        intid: line.intid,
        kind: if line.vm.is_some() {
            abi::IRQ_PASSED
        } else {
            abi::IRQ_DRIVER
        },
        owner: pid_of(k, line.owner),
        count: line.count,
        cpu: line.cpu as u32,
        virq: line.vm.map_or(0, |(_, virq)| virq),
        masked: u32::from(line.masked),
        edge: u32::from(k.devices.irq_is_edge(line.intid)),
    });
    rows.extend(own.chain(attached).take(max_rows));
    copy_out_rows(k, c, ptr, &rows)
}

pub fn process_open(k: &mut Kernel, c: &Caller, pid: usize, rights: usize) -> SysResult {
    let wanted = u32::try_from(rights)
        .ok()
        .and_then(Rights::from_bits)
        .filter(|r| (Rights::WAIT | Rights::KILL).contains(*r))
        .ok_or(Error::InvalidArgument)?;
    let me = pid_of(k, c.process);
    let (target, parent) = k
        .processes
        .iter()
        .find(|(_, p)| p.pid == pid as u64 && p.space.is_some())
        .map(|(id, p)| (id, p.parent))
        .ok_or(Error::NotFound)?;
    if parent != me {
        require_power(k, c, abi::POWER_SLAY)?;
    }
    let object = Object::Process(target);
    let p = k.processes.get_mut(c.process).ok_or(Error::BadHandle)?;
    let h = p.handles.insert(object, wanted)?;
    crate::process::retain(k, object);
    Ok(h)
}
