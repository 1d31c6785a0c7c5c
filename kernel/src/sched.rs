//! Scheduling: placing runnable threads on CPUs, blocking and waking, the
//! time slice, and the switch done on the way back to user mode. Every
//! CPU has its own run queue; a thread is placed on the least-loaded CPU
//! its affinity allows, idle CPUs take work from busy ones, and a wake-up
//! that should preempt another CPU sends it a software interrupt.

use crate::hw::{Arch, Frame};
use crate::state::{Block, Guard, KERNEL, Kernel, Object, ThreadState};
use arch::{Cpu, HostTimer, IrqChip, Translation};
use kernel::slab::Id;

/// The software interrupt asking a CPU to look at its run queue.
pub const SGI_RESCHEDULE: u32 = 0;

/// The CPU we run on.
#[inline]
pub fn this_cpu() -> usize {
    Arch::index()
}

fn allows(affinity: u64, cpu: usize) -> bool {
    affinity == 0 || affinity & (1 << cpu) != 0
}

/// The CPU a runnable thread should wait on.
fn choose_cpu(k: &Kernel, tid: Id) -> usize {
    let Some(t) = k.threads.get(tid) else {
        return 0;
    };
    let mut best = (usize::MAX, t.cpu);
    for (i, c) in k.cpus.iter().enumerate() {
        if !c.online || !allows(t.affinity, i) {
            continue;
        }
        let load = c.queue.len() + usize::from(c.current.is_some() && !c.idle);
        if load < best.0 || (load == best.0 && i == t.cpu) {
            best = (load, i);
        }
    }
    best.1
}

/// Puts a thread in a run queue and tells its CPU if it should switch.
pub fn make_ready(k: &mut Kernel, tid: Id) {
    let target = choose_cpu(k, tid);
    let Some(t) = k.threads.get_mut(tid) else {
        return;
    };
    t.state = ThreadState::Ready;
    t.cpu = target;
    let priority = t.priority;
    k.cpus[target].queue.push(tid, priority);
    let c = &k.cpus[target];
    let preempts = c.idle
        || c.current
            .and_then(|cur| k.threads.get(cur))
            .is_none_or(|cur| priority > cur.priority);
    if preempts {
        if target == this_cpu() {
            k.cpus[target].need_resched = true;
        } else {
            k.irq_chip.send_ipi(target, SGI_RESCHEDULE);
        }
    } else {
        nudge_idle(k, tid, target);
    }
}

/// A thread waits on `busy`'s queue: wake an idle CPU its affinity allows,
/// which takes it over (see `steal`), so no thread waits while a CPU idles.
fn nudge_idle(k: &mut Kernel, tid: Id, busy: usize) {
    let Some(affinity) = k.threads.get(tid).map(|t| t.affinity) else {
        return;
    };
    let me = this_cpu();
    let idle = k
        .cpus
        .iter()
        .enumerate()
        .find(|&(i, c)| i != busy && i != me && c.online && c.idle && allows(affinity, i));
    if let Some((i, _)) = idle {
        k.irq_chip.send_ipi(i, SGI_RESCHEDULE);
    }
}

/// Blocks the current thread of `cpu`; the switch happens on the way out.
pub fn block_current(k: &mut Kernel, cpu: usize, why: Block) {
    if let Some(t) = k.cpus[cpu].current.and_then(|cur| k.threads.get_mut(cur)) {
        t.state = ThreadState::Blocked(why);
    }
}

/// Takes a blocked thread off every wait list.
fn unlink_waiter(k: &mut Kernel, tid: Id) {
    k.sleepers.remove(tid);
    k.futex_waiters.retain(|&(_, t)| t != tid);
    k.object_waiters.retain(|&(_, t)| t != tid);
    k.console_waiters.retain(|&t| t != tid);
}

/// How a woken thread's system call completes.
#[derive(Clone, Copy, Debug)]
pub enum Wake {
    /// It returns this raw value.
    Return(usize),
    /// It runs the call again (the condition may have changed).
    Restart,
    /// It goes on where it stopped (a vCPU leaving WFI).
    Resume,
}

/// Wakes a blocked thread.
pub fn wake(k: &mut Kernel, tid: Id, how: Wake) {
    match k.threads.get(tid).map(|t| t.state) {
        Some(ThreadState::Blocked(_)) => {}
        _ => return,
    }
    unlink_waiter(k, tid);
    if let Some(t) = k.threads.get_mut(tid) {
        match how {
            Wake::Return(v) => t.ctx.x[0] = v as u64,
            Wake::Restart => t.ctx.elr -= 4,
            Wake::Resume => {}
        }
    }
    make_ready(k, tid);
}

/// Wakes every thread waiting for `object` to end.
pub fn wake_object_waiters(k: &mut Kernel, object: Object) {
    // One at a time, taken off the list first: ending a process must not
    // allocate, and a waiter that is somehow not blocked still leaves.
    while let Some(i) = k.object_waiters.iter().position(|(o, _)| *o == object) {
        let (_, t) = k.object_waiters.remove(i);
        wake(k, t, Wake::Restart);
    }
}

/// Takes a thread off every queue and wait list (it is ending).
pub fn unlink(k: &mut Kernel, tid: Id) {
    unlink_waiter(k, tid);
    if let Some(t) = k.threads.get(tid)
        && t.state == ThreadState::Ready
    {
        let cpu = t.cpu;
        k.cpus[cpu].queue.remove(tid);
    }
}

/// Handles the EL2 timer: wakes sleepers that are due and ends the time
/// slice of the current thread if another of its priority waits.
pub fn on_timer(k: &mut Kernel, cpu: usize) {
    // The timer's line stays asserted until it is reprogrammed, which
    // happens on the way out (`program_timer`): mask it until then.
    Arch::stop();
    let now = Arch::counter();
    while let Some(tid) = k.sleepers.pop_due(now) {
        if let Some(ThreadState::Blocked(Block::Wfi)) = k.threads.get(tid).map(|t| t.state) {
            // A vCPU in WFI whose virtual timer is due.
            if let Some(vcpu) = k.threads.get(tid).and_then(|t| t.guest) {
                crate::vm::deliver::raise_vtimer(k, vcpu);
            }
            wake(k, tid, Wake::Resume);
            continue;
        }
        let how = match k.threads.get(tid).map(|t| t.state) {
            Some(ThreadState::Blocked(Block::Futex(_))) => {
                Wake::Return(abi::encode_return(Err(abi::Error::TimedOut)))
            }
            _ => Wake::Return(0),
        };
        wake(k, tid, how);
    }
    let c = &mut k.cpus[cpu];
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

/// Programs this CPU's timer for the next slice end or sleeper deadline.
fn program_timer(k: &Kernel, cpu: usize) {
    let c = &k.cpus[cpu];
    let slice = c.current.map(|_| c.slice_end);
    match [slice, k.sleepers.next_deadline()]
        .into_iter()
        .flatten()
        .min()
    {
        Some(deadline) => Arch::set_deadline(deadline),
        None => Arch::stop(),
    }
}

fn load(k: &mut Kernel, cpu: usize, tid: Id, frame: &mut Frame) {
    let Some(t) = k.threads.get_mut(tid) else {
        return;
    };
    t.state = ThreadState::Running(cpu);
    t.cpu = cpu;
    frame.clone_from(&t.ctx);
    match t.guest {
        Some(vcpu) => {
            crate::vm::switch::load(k, cpu, vcpu);
            crate::vm::switch::prepare_entry(k, cpu);
        }
        None => {
            let process = t.process;
            crate::vm::switch::unload(k, cpu);
            let vttbr = k
                .processes
                .get(process)
                .and_then(|p| p.space.as_ref())
                .map_or(k.null_root, |s| s.root());
            Arch::activate(vttbr);
        }
    }
    let c = &mut k.cpus[cpu];
    c.current = Some(tid);
    c.slice_end = Arch::counter() + k.slice_ticks;
}

fn steal(k: &mut Kernel, cpu: usize) -> Option<Id> {
    let n = k.cpus.len();
    for step in 1..n {
        let other = (cpu + step) % n;
        let threads = &k.threads;
        let taken = k.cpus[other]
            .queue
            .take_first(|t| threads.get(t).is_some_and(|th| allows(th.affinity, cpu)));
        if let Some((tid, _)) = taken {
            return Some(tid);
        }
    }
    None
}

/// On the way back to user mode: reaps a killed current thread, switches if
/// the current thread blocked, ended or was preempted, and idles while
/// there is nothing to run. Leaves `frame` holding the thread to resume.
pub fn finish(mut k: Guard, cpu: usize, frame: &mut Frame) {
    loop {
        if let Some(cur) = k.cpus[cpu].current {
            let state = k.threads.get(cur).map(|t| (t.state, t.killed, t.priority));
            match state {
                Some((_, true, _)) => {
                    crate::process::end_thread(&mut k, cur);
                    k.cpus[cpu].current = None;
                }
                Some((ThreadState::Running(_), false, prio)) => {
                    let c = &mut k.cpus[cpu];
                    if !c.need_resched || c.queue.top_priority().is_none_or(|p| p < prio) {
                        c.need_resched = false;
                        crate::vm::switch::prepare_entry(&mut k, cpu);
                        program_timer(&k, cpu);
                        return;
                    }
                    let t = k.threads.get_mut(cur).expect("current thread");
                    t.ctx.clone_from(frame);
                    k.cpus[cpu].queue.push(cur, prio);
                    if let Some(t) = k.threads.get_mut(cur) {
                        t.state = ThreadState::Ready;
                    }
                    k.cpus[cpu].current = None;
                    nudge_idle(&mut k, cur, cpu);
                }
                Some((ThreadState::Blocked(_), false, _)) => {
                    let t = k.threads.get_mut(cur).expect("current thread");
                    t.ctx.clone_from(frame);
                    k.cpus[cpu].current = None;
                }
                _ => k.cpus[cpu].current = None,
            }
        }
        k.cpus[cpu].need_resched = false;
        let next = k.cpus[cpu]
            .queue
            .pop()
            .map(|(t, _)| t)
            .or_else(|| steal(&mut k, cpu));
        if let Some(next) = next {
            load(&mut k, cpu, next, frame);
            program_timer(&k, cpu);
            return;
        }
        k = idle(k, cpu);
    }
}

/// Waits for an interrupt with the lock released, then handles what came.
fn idle(mut k: Guard, cpu: usize) -> Guard {
    k.cpus[cpu].idle = true;
    crate::vm::switch::unload(&mut k, cpu);
    Arch::activate(k.null_root);
    program_timer(&k, cpu);
    drop(k);
    Arch::wait_for_interrupt();
    let mut k = KERNEL.lock();
    k.cpus[cpu].idle = false;
    crate::irq::handle_pending(&mut k, cpu);
    k
}
