//! Scheduling: placing runnable threads on CPUs, blocking and waking, and
//! the timer's next deadline. Every CPU has its own run queue; a thread is
//! placed on the least-loaded CPU its affinity allows, idle CPUs take work
//! from busy ones (`steal`), and a wake-up that should preempt another CPU
//! sends it a software interrupt. The switch on the way back to user mode
//! is `resume.rs`'s; the timer interrupt is `irq.rs`'s.

use crate::hw::Arch;
use crate::state::{Block, Kernel, Object, ThreadState};
use arch::{HostTimer, IrqChip, UserContext};
use kernel::slab::Id;

use crate::percpu::{SGI_RESCHEDULE, this_cpu};

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
            k.irqs.chip.send_ipi(target, SGI_RESCHEDULE);
        }
    } else {
        nudge_idle(k, tid, target);
    }
}

/// A thread waits on `busy`'s queue: wake an idle CPU its affinity allows,
/// which takes it over (see `steal`), so no thread waits while a CPU idles.
pub fn nudge_idle(k: &mut Kernel, tid: Id, busy: usize) {
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
        k.irqs.chip.send_ipi(i, SGI_RESCHEDULE);
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
    k.input.waiters.retain(|&t| t != tid);
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
            Wake::Return(v) => t.ctx.set_return(v),
            Wake::Restart => t.ctx.restart_syscall(),
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

/// Programs this CPU's timer for the next slice end or sleeper deadline.
#[inline]
pub fn program_timer(k: &Kernel, cpu: usize) {
    let c = &k.cpus[cpu];
    let slice = c.current.map(|_| c.slice_end);
    // The earlier of the two, written out: an array iterator here cost a
    // 48-byte `memcpy` on every return to a thread or guest.
    let next = match (slice, k.sleepers.next_deadline()) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let next = match (next, c.guest_deadline) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    match next {
        Some(deadline) => Arch::set_deadline(deadline),
        None => Arch::stop(),
    }
}

/// A thread another CPU has queued that `cpu` may run, taken off its queue.
pub fn steal(k: &mut Kernel, cpu: usize) -> Option<Id> {
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
