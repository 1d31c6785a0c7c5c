//! The way out of the kernel on each CPU: reap a killed current thread,
//! switch if the current thread blocked, ended or was preempted, load the
//! next thread or vCPU, program the timer, and idle while there is nothing
//! to run. It sits above the scheduler, interrupts and processes, which it
//! calls; nothing below calls it.

use crate::hw::{Arch, FRAME_SIZE, Frame};
use crate::sched::{nudge_idle, program_timer, steal};
use crate::state::{Guard, KERNEL, Kernel, ThreadState};
use arch::{Boot, Cpu, Translation};
use kernel::slab::Id;

/// Puts thread `tid` on `cpu`: its registers into `frame`, its space or
/// its vCPU loaded.
fn load(k: &mut Kernel, cpu: usize, tid: Id, frame: &mut Frame) {
    let Some(t) = k.threads.get_mut(tid) else {
        return;
    };
    t.state = ThreadState::Running(cpu);
    t.cpu = cpu;
    frame.clone_from(&t.ctx);
    let (guest, process) = (t.guest, t.process);
    // Current before the guest is prepared: an INIT carried out instead
    // of entering it (`entry::prepare_entry`) acts on this thread.
    let c = &mut k.cpus[cpu];
    c.current = Some(tid);
    c.slice_end = Arch::counter() + k.slice_ticks;
    match guest {
        Some(vcpu) => {
            crate::vm::switch::load(k, cpu, vcpu);
            crate::vm::entry::prepare_entry(k, cpu, frame);
        }
        None => {
            crate::vm::switch::unload(k, cpu);
            let vttbr = k
                .processes
                .get(process)
                .and_then(|p| p.space.as_ref())
                .map_or(k.null_root, |s| s.root());
            Arch::activate(vttbr);
        }
    }
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
                        crate::vm::entry::prepare_entry(&mut k, cpu, frame);
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

/// Leaves the boot path for the scheduler on CPU `cpu`.
pub fn run(k: crate::state::Guard, cpu_index: usize) -> ! {
    let slot = k.cpus[cpu_index].stack_top - FRAME_SIZE;
    // SAFETY: the boot code left the top FRAME_SIZE bytes of this CPU's
    // stack free for exactly this frame.
    let frame = unsafe { &mut *(slot as *mut Frame) };
    *frame = Frame::default();
    finish(k, cpu_index, frame);
    // SAFETY: `frame` is the slot at the top of this CPU's stack and holds
    // the thread to run; nothing on the stack is needed any more.
    unsafe { Arch::enter(frame) }
}
