//! Exceptions from host processes: system calls, WFI/WFE (a yield), and
//! faults, which end the faulting process with a one-line report.

use crate::process;
use crate::sched::{self, this_cpu};
use crate::state::KERNEL;
use arch::aarch64::esr;
use arch::aarch64::trap_frame::TrapFrame;

/// Exception from a lower level: 0 sync, 1 IRQ, 2 FIQ, 3 SError (+4 when
/// from AArch32). Called by the vector code with the saved frame.
#[unsafe(no_mangle)]
extern "C" fn __kernel_trap(frame: &mut TrapFrame, kind: u64) {
    let cpu = this_cpu();
    let mut k = KERNEL.lock();
    let current = k.cpus[cpu].current.and_then(|t| k.threads.get(t));
    let killed = current.is_none_or(|t| t.killed);
    if let Some(vcpu) = current.and_then(|t| t.guest).filter(|_| !killed) {
        crate::vm::exit::handle(&mut k, cpu, vcpu, frame, kind);
        return sched::finish(k, cpu, frame);
    }
    match kind {
        1 => crate::irq::handle_pending(&mut k, cpu),
        _ if killed => {}
        0 => {
            let (esr_value, far, _) = arch::aarch64::cpu::fault_registers();
            synchronous(&mut k, cpu, frame, esr_value, far);
        }
        2 => {}
        3 => process::fault(&mut k, cpu, format_args!("SError at pc {:#x}", frame.elr)),
        _ => process::fault(
            &mut k,
            cpu,
            format_args!("exception from AArch32 state at pc {:#x}", frame.elr),
        ),
    }
    sched::finish(k, cpu, frame);
}

fn synchronous(
    k: &mut crate::state::Kernel,
    cpu: usize,
    frame: &mut TrapFrame,
    esr_value: u64,
    far: u64,
) {
    let class = esr::class(esr_value);
    let iss = esr::iss(esr_value);
    match class {
        esr::EC_SVC64 => crate::syscall::dispatch(k, cpu, frame),
        esr::EC_WFX => {
            frame.elr += esr::instruction_length(esr_value) as u64;
            k.cpus[cpu].need_resched = true;
        }
        esr::EC_DABT_LOWER | esr::EC_IABT_LOWER => {
            let access = if class == esr::EC_IABT_LOWER {
                "execute"
            } else if iss & esr::ISS_WNR != 0 {
                "write"
            } else {
                "read"
            };
            let level = esr::fault_level(iss).map_or(0, |l| l);
            process::fault(
                k,
                cpu,
                format_args!(
                    "{} ({}, {} level {}) at {:#x}, pc {:#x}",
                    esr::class_name(class),
                    access,
                    esr::fault_status_name(iss),
                    level,
                    far,
                    frame.elr
                ),
            );
        }
        esr::EC_PC_ALIGN | esr::EC_SP_ALIGN => process::fault(
            k,
            cpu,
            format_args!(
                "{} at {:#x}, pc {:#x}",
                esr::class_name(class),
                far,
                frame.elr
            ),
        ),
        _ => process::fault(
            k,
            cpu,
            format_args!(
                "{} (ESR {:#x}) at pc {:#x}",
                esr::class_name(class),
                esr_value,
                frame.elr
            ),
        ),
    }
}
