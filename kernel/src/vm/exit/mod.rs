//! Traps from a running guest: handled in the kernel when they are hot or
//! privileged (the virtual GIC's registers, SGIs, WFI, PSCI, interrupts),
//! otherwise turned into an exit record for `qvm`.

mod gic;
pub mod pending;

use super::psci::Outcome;
use super::{Pending, switch};
use crate::sched;
use crate::state::{Block, Kernel};
use abi::{ExitKind, VcpuExit};
use arch::aarch64::el1::{self, CNTV_ENABLE, CNTV_IMASK};
use arch::aarch64::esr;
use arch::aarch64::trap_frame::TrapFrame;
use kernel::slab::Id;

/// ISS of an MSR/MRS trap: the ICC_SGI1R_EL1 write (op0 3, op1 0, CRn 12,
/// CRm 11, op2 5), without Rt and direction.
const SYSREG_ICC_SGI1R: u64 = (3 << 20) | (5 << 17) | (12 << 10) | (11 << 1); // op1 = 0
/// ISS of the ID group 3 registers: op0 3, op1 0, CRn 0 (CRm 1..7 and op2
/// vary).
const SYSREG_ID_GROUP: u64 = 3 << 20;
/// The fields that select the ID group: op0, op1, CRn.
const SYSREG_ID_GROUP_MASK: u64 = (3 << 20) | (7 << 14) | (0xf << 10);
/// The fields of a system-register ISS that name the register.
const SYSREG_ID_MASK: u64 = (3 << 20) | (7 << 17) | (7 << 14) | (0xf << 10) | (0xf << 1);

/// Whether a trapped MSR/MRS names a debug or Performance Monitors register.
fn is_debug_or_pmu(iss: u64) -> bool {
    let access = arch::aarch64::sysreg::decode(iss);
    access.is_debug() || access.is_pmu()
}

/// The bytes of an exit record.
pub fn record_bytes(record: &VcpuExit) -> &[u8] {
    // SAFETY: `VcpuExit` is `repr(C)` and made only of `u64`s.
    unsafe {
        core::slice::from_raw_parts(
            record as *const VcpuExit as *const u8,
            core::mem::size_of::<VcpuExit>(),
        )
    }
}

fn reg(frame: &TrapFrame, n: usize) -> u64 {
    if n == 31 { 0 } else { frame.x[n] }
}

/// Handles a trap from the guest running on `cpu` as vCPU `vcpu`.
pub fn handle(k: &mut Kernel, cpu: usize, vcpu: Id, frame: &mut TrapFrame, kind: u64) {
    match kind {
        1 => {
            // An interrupt: maybe the guest's EOI (maintenance), a kick, or
            // its timer. The maintenance interrupt is a level that stays
            // asserted while its condition holds: the list registers are
            // taken back and the underflow condition turned off first (the
            // refill before the next entry turns it on again if needed), or
            // taking pending interrupts would take it forever.
            switch::sync_live(k, cpu);
            switch::quiesce_maintenance(k);
            switch::mark_stale(k, vcpu);
            crate::irq::handle_pending(k, cpu);
        }
        0 => {
            let (esr_value, far, hpfar) = arch::aarch64::cpu::fault_registers();
            synchronous(k, cpu, vcpu, frame, esr_value, far, hpfar);
        }
        _ => {
            let record = VcpuExit {
                kind: ExitKind::Unhandled as u64,
                esr: kind,
                pc: frame.elr,
                ..Default::default()
            };
            stop(k, vcpu, Pending::Stuck);
            switch::exit_to_host(k, cpu, frame, record);
        }
    }
}

fn stop(k: &mut Kernel, vcpu: Id, pending: Pending) {
    if let Some(v) = k.vcpus.get_mut(vcpu) {
        v.pending = pending;
    }
}

fn synchronous(
    k: &mut Kernel,
    cpu: usize,
    vcpu: Id,
    frame: &mut TrapFrame,
    esr_value: u64,
    far: u64,
    hpfar: u64,
) {
    let iss = esr::iss(esr_value);
    let mut record = VcpuExit {
        esr: esr_value,
        pc: frame.elr,
        ..Default::default()
    };
    // The instruction's length, by which an emulated access steps the PC.
    let len = esr::instruction_length(esr_value) as u64;
    if let Some(v) = k.vcpus.get_mut(vcpu) {
        v.fault_va = far;
        v.exit_len = len;
    }
    match esr::class(esr_value) {
        esr::EC_DABT_LOWER => {
            let ipa = el1::fault_ipa(hpfar, far);
            let Some(access) = esr::data_access(esr_value) else {
                record.kind = ExitKind::Unhandled as u64;
                record.address = ipa;
                stop(k, vcpu, Pending::Stuck);
                return switch::exit_to_host(k, cpu, frame, record);
            };
            if gic::emulate(k, cpu, vcpu, ipa, &access, frame) {
                frame.elr += len;
                return;
            }
            record.kind = ExitKind::Mmio as u64;
            record.address = ipa;
            record.size = access.size as u64;
            record.write = access.write as u64;
            let pending = if access.write {
                let mask = if access.size == 8 {
                    u64::MAX
                } else {
                    (1u64 << (8 * access.size)) - 1
                };
                record.value = reg(frame, access.register) & mask;
                Pending::MmioWrite
            } else {
                Pending::MmioRead {
                    reg: access.register,
                    size: access.size,
                    sign: access.sign_extend,
                    wide: access.sixty_four,
                }
            };
            stop(k, vcpu, pending);
            switch::exit_to_host(k, cpu, frame, record);
        }
        ec @ (esr::EC_HVC64 | esr::EC_SMC64) => {
            // A trapped SMC leaves the PC on the SMC; an HVC after it.
            let step = if ec == esr::EC_SMC64 { len } else { 0 };
            match super::psci::call(k, vcpu, frame) {
                Outcome::Return(value) => {
                    frame.x[0] = value;
                    frame.elr += step;
                }
                Outcome::Exit(kind) => {
                    frame.elr += step;
                    record.kind = kind as u64;
                    stop(k, vcpu, Pending::None);
                    switch::exit_to_host(k, cpu, frame, record);
                }
                Outcome::Off => power_off_self(k, cpu, vcpu, frame),
                Outcome::NotPsci => {
                    record.kind = if ec == esr::EC_HVC64 {
                        ExitKind::Hvc
                    } else {
                        ExitKind::Smc
                    } as u64;
                    record.args = [frame.x[0], frame.x[1], frame.x[2], frame.x[3]];
                    stop(k, vcpu, Pending::Call { step: step != 0 });
                    switch::exit_to_host(k, cpu, frame, record);
                }
            }
        }
        esr::EC_WFX => {
            frame.elr += len;
            if iss & 1 == 0 {
                wait_for_interrupt(k, cpu, vcpu);
            } else {
                k.cpus[cpu].need_resched = true;
            }
        }
        esr::EC_SYSREG if iss & SYSREG_ID_MASK == SYSREG_ICC_SGI1R && iss & 1 == 0 => {
            let value = reg(frame, ((iss >> 5) & 0x1f) as usize);
            super::deliver::send_sgi(k, vcpu, value);
            frame.elr += len;
        }
        esr::EC_SYSREG if iss & SYSREG_ID_GROUP_MASK == SYSREG_ID_GROUP && iss & 1 == 1 => {
            // An ID register (HCR_EL2.TID3): the CPU's, less what the guest
            // must not use.
            let (crm, op2) = ((iss >> 1) & 0xf, (iss >> 17) & 7);
            let rt = ((iss >> 5) & 0x1f) as usize;
            if (1..=7).contains(&crm) && rt != 31 {
                frame.x[rt] = arch::aarch64::id_regs::guest_value(crm, op2);
            }
            frame.elr += len;
        }
        esr::EC_SYSREG if is_debug_or_pmu(iss) => {
            // Debug and PMU registers (MDCR_EL2): read as zero, writes
            // dropped; their state is the host's, never one VM's.
            let access = arch::aarch64::sysreg::decode(iss);
            if access.read && access.rt != 31 {
                frame.x[access.rt] = 0;
            }
            frame.elr += len;
        }
        esr::EC_SYSREG => {
            record.kind = ExitKind::SysReg as u64;
            let rt = ((iss >> 5) & 0x1f) as usize;
            if iss & 1 == 0 {
                record.value = reg(frame, rt);
            }
            stop(
                k,
                vcpu,
                Pending::SysReg {
                    reg: if iss & 1 == 1 { rt } else { 31 },
                },
            );
            switch::exit_to_host(k, cpu, frame, record);
        }
        _ => {
            record.kind = ExitKind::Unhandled as u64;
            record.address = far;
            stop(k, vcpu, Pending::Stuck);
            switch::exit_to_host(k, cpu, frame, record);
        }
    }
}

/// PSCI CPU_OFF: the runner thread goes back to `vcpu_run`, which waits
/// (restarted) until a CPU_ON powers the vCPU on again.
fn power_off_self(k: &mut Kernel, cpu: usize, vcpu: Id, frame: &mut TrapFrame) {
    let Some(tid) = k.cpus[cpu].current else {
        return;
    };
    if let Some(t) = k.threads.get_mut(tid) {
        t.guest = None;
    }
    switch::unload(k, cpu);
    let Some(v) = k.vcpus.get_mut(vcpu) else {
        return;
    };
    v.on = false;
    v.pending = Pending::None;
    // The runner's `vcpu_run` is run again when CPU_ON wakes it (restart).
    frame.clone_from(&v.host_frame);
    let process = k.threads.get(tid).map(|t| t.process);
    if let Some(space) = process
        .and_then(|p| k.processes.get(p))
        .and_then(|p| p.space.as_ref())
    {
        arch::aarch64::cpu::set_vttbr(space.vttbr());
    }
    sched::block_current(k, cpu, Block::VcpuOff);
}

/// WFI: sleep until an interrupt is pending for the vCPU or its virtual
/// timer is due.
fn wait_for_interrupt(k: &mut Kernel, cpu: usize, vcpu: Id) {
    switch::sync_live(k, cpu);
    switch::mark_stale(k, vcpu);
    let Some(v) = k.vcpus.get(vcpu) else { return };
    let (vm, index) = (v.vm, v.index);
    if k.vms
        .get(vm)
        .and_then(|m| m.vgic.as_ref())
        .is_some_and(|g| g.has_pending(index))
    {
        return;
    }
    let Some(tid) = k.cpus[cpu].current else {
        return;
    };
    let (ctl, cval) = vtimer_live();
    if ctl & CNTV_ENABLE != 0 && ctl & CNTV_IMASK == 0 {
        if cval <= arch::aarch64::cpu::counter() {
            super::deliver::raise_vtimer(k, vcpu);
            return;
        }
        if k.sleepers.insert(cval, tid).is_err() {
            // No room to queue the wake-up: let the guest spin instead
            // of blocking it past its deadline.
            return;
        }
    }
    sched::block_current(k, cpu, Block::Wfi);
}

/// The live virtual timer control and compare value.
fn vtimer_live() -> (u64, u64) {
    let (ctl, cval): (u64, u64);
    // SAFETY: reading the guest's timer registers, loaded on this CPU.
    unsafe {
        core::arch::asm!("mrs {0}, cntv_ctl_el0", "mrs {1}, cntv_cval_el0", out(reg) ctl, out(reg) cval)
    };
    (ctl, cval)
}
