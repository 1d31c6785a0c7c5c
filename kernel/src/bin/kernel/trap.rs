//! Exceptions from host processes: system calls, waits and spins (a
//! yield), and faults, which end the faulting process with a one-line
//! report. Traps from a guest go to `vm::exit`.

use crate::hw::{Arch, Frame};
use crate::percpu::this_cpu;
use crate::process;
use crate::resume;
use crate::state::KERNEL;
use arch::{HostTrap, Traps};

/// An exception from a lower level, with the saved frame and the vector's
/// kind. Called by the vector code.
#[unsafe(no_mangle)]
extern "C" fn __kernel_trap(frame: &mut Frame, kind: u64) {
    let cpu = this_cpu();
    let mut k = KERNEL.lock();
    let current = k.cpus[cpu].current.and_then(|t| k.threads.get(t));
    let killed = current.is_none_or(|t| t.killed);
    if let Some(vcpu) = current.and_then(|t| t.guest).filter(|_| !killed) {
        crate::vm::exit::handle(&mut k, cpu, vcpu, frame, kind);
        return resume::finish(k, cpu, frame);
    }
    match Arch::host_trap(frame, kind) {
        HostTrap::Interrupt => crate::irq::handle_pending(&mut k, cpu),
        _ if killed => {}
        HostTrap::SystemCall => crate::syscall::dispatch(&mut k, cpu, frame),
        HostTrap::Yield => k.cpus[cpu].need_resched = true,
        HostTrap::Nothing => {}
        HostTrap::Fault(fault) => process::fault(&mut k, cpu, format_args!("{fault}")),
    }
    resume::finish(k, cpu, frame);
}
