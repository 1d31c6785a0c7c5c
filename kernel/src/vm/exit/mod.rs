//! Traps from a running guest, as the backend decodes them into a
//! [`GuestExit`]: handled in the kernel when they are hot or privileged
//! (the virtual interrupt controller's registers, IPIs, waits, PSCI,
//! interrupts), otherwise turned into an exit record for `qvm` whose
//! answer [`pending::complete`] applies.

mod gic;
pub mod pending;

use super::psci::Outcome;
use super::{Pending, switch};
use crate::hw::{Arch, Frame};
use crate::sched;
use crate::state::{Block, Kernel};
use abi::{ExitKind, VcpuExit};
use arch::{Cpu, GuestExit, Translation, Virtualization};
use kernel::slab::Id;

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

/// Handles a trap from the guest running on `cpu` as vCPU `vcpu`; `kind`
/// is what the vector code passed.
pub fn handle(k: &mut Kernel, cpu: usize, vcpu: Id, frame: &mut Frame, kind: u64) {
    let pc = Arch::pc(frame);
    let Some(v) = k.vcpus.get_mut(vcpu) else {
        return;
    };
    let exit = Arch::decode_exit(frame, &mut v.arch, kind);
    // The record for `qvm` is made only on the way there.
    let mut record = VcpuExit::default();
    match exit {
        GuestExit::Handled => {}
        GuestExit::Interrupt => {
            // Maybe the guest's EOI (maintenance), a kick, or its timer.
            // The maintenance interrupt is a level that stays asserted
            // while its condition holds: the list registers are taken back
            // and the underflow condition turned off first (the refill
            // before the next entry turns it on again if needed), or taking
            // pending interrupts would take it forever.
            switch::sync_live(k, cpu);
            switch::quiesce_maintenance(k);
            switch::mark_stale(k, vcpu);
            crate::irq::handle_pending(k, cpu);
        }
        GuestExit::Mmio(access) => {
            if gic::emulate(k, cpu, vcpu, &access, frame) {
                return;
            }
            record.kind = ExitKind::Mmio as u64;
            record.address = access.gpa;
            record.size = u64::from(access.width);
            record.write = u64::from(access.write);
            record.value = access.value;
            let pending = if access.write {
                Pending::Store
            } else {
                Pending::Load(access)
            };
            to_qvm(k, cpu, vcpu, frame, pc, record, pending);
        }
        GuestExit::Hypercall(call) => match super::psci::call(k, vcpu, &call.args) {
            Outcome::Return(value) => {
                Arch::complete_hypercall(frame, [value, call.args[1], call.args[2], call.args[3]])
            }
            Outcome::Exit(kind) => {
                record.kind = kind as u64;
                to_qvm(k, cpu, vcpu, frame, pc, record, Pending::None);
            }
            Outcome::Off => power_off_self(k, cpu, vcpu, frame),
            Outcome::NotPsci => {
                record.kind = ExitKind::Hypercall as u64;
                record.args = call.args;
                to_qvm(k, cpu, vcpu, frame, pc, record, Pending::Call);
            }
        },
        GuestExit::Halt => wait_for_interrupt(k, cpu, vcpu),
        GuestExit::Pause => k.cpus[cpu].need_resched = true,
        GuestExit::SendIpi(value) => super::deliver::send_sgi(k, vcpu, value),
        GuestExit::Register(access) => {
            record.kind = ExitKind::Register as u64;
            record.address = access.id;
            record.write = u64::from(access.write);
            record.value = access.value;
            to_qvm(k, cpu, vcpu, frame, pc, record, Pending::Register(access));
        }
        GuestExit::UndecodedAccess(address) | GuestExit::Unhandled(address) => {
            record.kind = ExitKind::Unhandled as u64;
            record.address = address;
            to_qvm(k, cpu, vcpu, frame, pc, record, Pending::Stuck);
        }
    }
}

/// Ends the runner's `vcpu_run` with `record` (its PC and architecture
/// words filled in here), leaving `pending` for its next one.
fn to_qvm(
    k: &mut Kernel,
    cpu: usize,
    vcpu: Id,
    frame: &mut Frame,
    pc: u64,
    mut record: VcpuExit,
    pending: Pending,
) {
    record.pc = pc;
    if let Some(v) = k.vcpus.get_mut(vcpu) {
        v.pending = pending;
        record.arch = Arch::exit_detail(&v.arch);
    }
    switch::exit_to_host(k, cpu, frame, record);
}

/// PSCI CPU_OFF: the runner thread goes back to `vcpu_run`, which waits
/// (restarted) until a CPU_ON powers the vCPU on again.
fn power_off_self(k: &mut Kernel, cpu: usize, vcpu: Id, frame: &mut Frame) {
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
        Arch::activate(space.root());
    }
    sched::block_current(k, cpu, Block::VcpuOff);
}

/// Waiting for an interrupt: sleep until one is pending for the vCPU or
/// its virtual timer is due.
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
    if let Some(deadline) = Arch::guest_timer_deadline() {
        if deadline <= Arch::counter() {
            super::deliver::raise_vtimer(k, vcpu);
            return;
        }
        if k.sleepers.insert(deadline, tid).is_err() {
            // No room to queue the wake-up: let the guest spin instead
            // of blocking it past its deadline.
            return;
        }
    }
    sched::block_current(k, cpu, Block::Wfi);
}
