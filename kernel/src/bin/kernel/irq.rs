//! Physical interrupts taken by the kernel: its timer, console input, the
//! reschedule IPI, a loaded guest's timer, and those host drivers attached
//! (`device.rs`).

use crate::hw::Arch;
use crate::percpu::SGI_RESCHEDULE;
use crate::sched::{self, Wake};
use crate::state::{Block, Kernel, ThreadState};
use arch::{Cpu, HostTimer, IrqChip};

/// Most console input kept unread.
const INPUT_LIMIT: usize = 4096;

/// Most interrupts taken in one pass: a level interrupt whose cause the
/// kernel failed to clear must not keep this CPU (and the kernel lock)
/// forever; what is left is taken at the next return to a lower level.
const MAX_PER_PASS: usize = 64;

/// Handles the interrupts pending at this CPU (at most [`MAX_PER_PASS`]).
pub fn handle_pending(k: &mut Kernel, cpu: usize) {
    for _ in 0..MAX_PER_PASS {
        let Some(raw) = k.irqs.chip.acknowledge() else {
            break;
        };
        let intid = raw & 0x3ff;
        let mut arrival = crate::device::Arrival::End;
        if intid == k.irqs.timer {
            on_timer(k, cpu);
        } else if Some(intid) == k.irqs.uart {
            console_input(k);
        } else if intid == SGI_RESCHEDULE {
            k.cpus[cpu].need_resched = true;
        } else if intid == crate::vm::VTIMER_INTID {
            virtual_timer(k, cpu);
        } else {
            // A host driver's, a VM's, or a stray one (nothing to do).
            arrival = crate::device::fired(k, intid);
        }
        match arrival {
            crate::device::Arrival::End => k.irqs.chip.end_of_interrupt(raw),
            crate::device::Arrival::KeepActive => k.irqs.chip.drop_priority(raw),
        }
    }
}

/// The loaded (or parked) guest's virtual timer fired: if it still
/// asserts its output, the PPI is masked here until the guest is done with
/// it and its interrupt's line goes high (`deliver::vtimer_fired`). A late
/// interrupt from a timer the guest has stopped or moved on since is
/// dropped.
fn virtual_timer(k: &mut Kernel, cpu: usize) {
    if let Some(vcpu) = k.cpus[cpu].loaded_vcpu
        && crate::vm::switch::vtimer_output()
    {
        crate::vm::switch::mask_vtimer(k, cpu, true);
        crate::vm::deliver::vtimer_fired(k, vcpu);
    }
}

/// The key that starts a console switch: Ctrl-T.
pub const SWITCH_KEY: u8 = 0x14;

fn console_input(k: &mut Kernel) {
    let mut got = false;
    while let Some(byte) = crate::console::read_byte() {
        if k.input.escape {
            k.input.escape = false;
            match byte {
                b'0'..=b'9' => focus(k, (byte - b'0') as usize),
                SWITCH_KEY => got |= push_input(k, byte),
                _ => list_clients(k),
            }
        } else if byte == SWITCH_KEY {
            k.input.escape = true;
        } else {
            got |= push_input(k, byte);
        }
    }
    if got {
        wake_readers(k);
    }
}

fn push_input(k: &mut Kernel, byte: u8) -> bool {
    if k.input.buffer.len() >= INPUT_LIMIT {
        return false;
    }
    k.input.buffer.push_back(byte);
    true
}

/// Wakes every reader: the one with the focus takes the input, the others
/// wait again.
pub fn wake_readers(k: &mut Kernel) {
    while let Some(tid) = k.input.waiters.pop_front() {
        sched::wake(k, tid, Wake::Restart);
    }
}

fn client_name(k: &Kernel, i: usize) -> Option<(u64, &str)> {
    let p = k.processes.get(*k.input.clients.get(i)?)?;
    Some((p.pid, p.name()))
}

/// Gives the console input to client `i`; what was typed but not read yet
/// is dropped, so it cannot reach the wrong program.
fn focus(k: &mut Kernel, i: usize) {
    match client_name(k, i) {
        Some((pid, name)) => {
            crate::kprintln!("qhv: console input goes to {i}: {name} (pid {pid})");
            k.input.focus = i;
            k.input.buffer.clear();
            wake_readers(k);
        }
        None => list_clients(k),
    }
}

fn list_clients(k: &Kernel) {
    crate::kprintln!("qhv: console: Ctrl-T then a number gives the input to:");
    for i in 0..k.input.clients.len() {
        if let Some((pid, name)) = client_name(k, i) {
            let mark = if i == k.input.focus { " (now)" } else { "" };
            crate::kprintln!("qhv:   {i}: {name} (pid {pid}){mark}");
        }
    }
}

/// Handles the kernel's timer: wakes sleepers that are due and ends the time
/// slice of the current thread if another of its priority waits.
fn on_timer(k: &mut Kernel, cpu: usize) {
    // The timer's line stays asserted until it is reprogrammed, which
    // happens on the way out (`program_timer`): mask it until then.
    Arch::stop();
    let now = Arch::counter();
    while let Some(tid) = k.sleepers.pop_due(now) {
        if let Some(ThreadState::Blocked(Block::Wfi)) = k.threads.get(tid).map(|t| t.state) {
            // A vCPU in WFI whose virtual timer is due (it cannot have
            // changed its timer since: it has not run).
            if let Some(vcpu) = k.threads.get(tid).and_then(|t| t.guest) {
                crate::vm::deliver::vtimer_fired(k, vcpu);
            }
            sched::wake(k, tid, Wake::Resume);
            continue;
        }
        let how = match k.threads.get(tid).map(|t| t.state) {
            Some(ThreadState::Blocked(Block::Futex(_) | Block::Pulse)) => {
                Wake::Return(abi::encode_return(Err(abi::Error::TimedOut)))
            }
            _ => Wake::Return(0),
        };
        sched::wake(k, tid, how);
    }
    let c = &mut k.cpus[cpu];
    // A loaded vCPU's timer deadline has passed: its next entry fires that
    // timer and sets the next one. Until then (its thread may be in qvm, or
    // another thread may run here) it must not re-arm this CPU's timer in
    // the past, which would fire again at once, over and over.
    if c.guest_deadline.is_some_and(|d| d <= now) {
        c.guest_deadline = None;
    }
    if let Some(cur) = c.current
        && now >= c.slice_end
    {
        let prio = k.threads.get(cur).map_or(0, |t| t.priority);
        if c.queue.top_priority().is_some_and(|p| p >= prio) {
            c.need_resched = true;
        } else {
            c.slice_end = now + k.slice_ticks;
        }
    }
}
