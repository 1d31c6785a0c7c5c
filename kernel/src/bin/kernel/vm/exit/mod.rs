//! Traps from a running guest, as the backend decodes them into a
//! [`GuestExit`]: handled in the kernel when they are hot or privileged
//! (the virtual interrupt controller's registers, IPIs, waits, PSCI,
//! interrupts), otherwise turned into an exit record for `qvm` whose
//! answer `kernel::exit_record::complete` applies (the pure half of the
//! exit path: records, what stays pending, completion over any backend).

mod gic;

use super::psci::Outcome;
use super::{InitWait, Pending, switch};
use crate::hw::{Arch, Frame};
use crate::sched;
use crate::state::{Block, Kernel};
use arch::{Cpu, GuestExit, Translation, UserContext, Virtualization};
use kernel::exit_record::{self, Header};
use kernel::exit_stats::ExitCount;
use kernel::slab::Id;

/// Handles a trap from the guest running on `cpu` as vCPU `vcpu`; `kind`
/// is what the vector code passed. The exit is matched by reference and
/// the record built only on the way to `qvm`: on the in-kernel paths
/// nothing large is zeroed or copied.
#[inline]
pub fn handle(k: &mut Kernel, cpu: usize, vcpu: Id, frame: &mut Frame, kind: u64) {
    let pc = Arch::pc(frame);
    let Some(v) = k.vcpus.get_mut(vcpu) else {
        return;
    };
    let exit = Arch::decode_exit(frame, &mut v.arch, kind);
    v.exits.add(count_as(&exit));
    let apic = v.apic;
    let pm_timer_port = v.pm_timer_port;
    match &exit {
        GuestExit::Handled => {}
        GuestExit::Interrupt => {
            // Maybe the guest's EOI or an underflow (maintenance), a kick,
            // or its timer. The maintenance interrupt is a level that stays
            // asserted while its condition holds: then the list registers
            // are taken back (ending an EOI condition) and the underflow
            // condition turned off before interrupts are taken (the refill
            // before the next entry turns it on again if needed), or taking
            // them would take it forever. Other interrupts leave the list
            // registers alone: whatever they make pending marks the vCPU
            // for a refill itself (`deliver::kick_for`).
            if switch::maintenance_pending(k) {
                switch::sync_live(k, cpu);
                switch::quiesce_maintenance(k);
                switch::mark_stale(k, vcpu);
            }
            crate::irq::handle_pending(k, cpu);
            // `vcpu_stop`'s kick, or an INIT's (most likely what ended
            // this run).
            if k.vcpus.get(vcpu).is_some_and(|v| v.attention) {
                attention(k, cpu, vcpu, frame);
            }
        }
        GuestExit::Mmio(access) => {
            let emulated = if apic {
                super::apic::emulate(k, vcpu, access, frame)
            } else {
                gic::emulate(k, cpu, vcpu, access, frame)
            };
            if emulated {
                return;
            }
            let (header, pending) = exit_record::mmio(access);
            to_qvm(k, cpu, vcpu, frame, pc, &header, pending);
        }
        GuestExit::PortIo(access)
            if pm_timer_port != 0 && access.gpa == pm_timer_port && access.width == 4 =>
        {
            super::apic::pm_timer(k, vcpu, access, frame);
        }
        GuestExit::PortIo(access) => {
            let (header, pending) = exit_record::port_io(access);
            to_qvm(k, cpu, vcpu, frame, pc, &header, pending);
        }
        GuestExit::Reset => {
            let header = Header::bare(abi::ExitKind::Reset, 0);
            to_qvm(k, cpu, vcpu, frame, pc, &header, Pending::None);
        }
        GuestExit::Hypercall(call) if !Arch::FIRMWARE_CALLS => {
            let (header, pending) = exit_record::hypercall(call);
            to_qvm(k, cpu, vcpu, frame, pc, &header, pending);
        }
        GuestExit::Hypercall(call) => match super::psci::call(k, vcpu, &call.args) {
            Outcome::Return(value) => {
                let [_, a1, a2, a3] = call.args;
                Arch::complete_hypercall(frame, [value, a1, a2, a3]);
            }
            Outcome::Exit(kind) => {
                to_qvm(
                    k,
                    cpu,
                    vcpu,
                    frame,
                    pc,
                    &Header::bare(kind, 0),
                    Pending::None,
                );
            }
            Outcome::Off => power_off_self(k, cpu, vcpu, frame),
            Outcome::NotPsci => {
                let (header, pending) = exit_record::hypercall(call);
                to_qvm(k, cpu, vcpu, frame, pc, &header, pending);
            }
        },
        // `vcpu_stop`: a wait for an interrupt is where an idle guest is
        // found; the runner goes back to `qvm` instead of sleeping.
        GuestExit::Halt if k.vcpus.get(vcpu).is_some_and(|v| v.attention) => {
            attention(k, cpu, vcpu, frame);
        }
        GuestExit::Halt if apic => super::apic::halt(k, cpu, vcpu, frame),
        GuestExit::Halt => wait_for_interrupt(k, cpu, vcpu),
        GuestExit::Pause => k.cpus[cpu].need_resched = true,
        GuestExit::SendIpi(value) => super::deliver::send_sgi(k, vcpu, *value),
        GuestExit::Register(access) if apic && super::apic::emulate_msr(k, vcpu, access, frame) => {
        }
        GuestExit::Register(access) => {
            let (header, pending) = exit_record::register(access);
            to_qvm(k, cpu, vcpu, frame, pc, &header, pending);
        }
        GuestExit::UndecodedAccess(_) | GuestExit::Unhandled(_) => {
            if let Some((header, pending)) = exit_record::stuck(&exit) {
                to_qvm(k, cpu, vcpu, frame, pc, &header, pending);
            }
        }
    }
}

/// What a kick asked of the vCPU this CPU runs: `vcpu_stop` first (the
/// INIT, if one came too, waits for the runner's next `vcpu_run`), else
/// an INIT carried out. Rare: out of the exit path's code.
#[cold]
#[inline(never)]
fn attention(k: &mut Kernel, cpu: usize, vcpu: Id, frame: &mut Frame) {
    if k.vcpus.get(vcpu).is_some_and(|v| v.stop) {
        return stopped(k, cpu, vcpu, frame);
    }
    carry_out_init(k, cpu, vcpu, frame);
}

/// An INIT that reached `vcpu` (x86), loaded on `cpu` for its runner,
/// the thread there, whose registers `frame` holds, carried out: the
/// vCPU is taken off the CPU and powered off, or reset and started at the
/// page of a start-up IPI that came meanwhile, and the runner runs its
/// `vcpu_run` again, which waits for a start-up IPI or enters the guest
/// at the page. From an exit, or instead of entering the guest.
#[cold]
#[inline(never)]
pub fn carry_out_init(k: &mut Kernel, cpu: usize, vcpu: Id, frame: &mut Frame) {
    if !runs_here(k, cpu, vcpu) {
        return;
    }
    let Some(v) = k.vcpus.get_mut(vcpu).filter(|v| v.init != InitWait::None) else {
        return;
    };
    let wait = core::mem::take(&mut v.init);
    v.attention = v.stop;
    if !leave_guest(k, cpu, vcpu, frame) {
        return;
    }
    if let (InitWait::StartAt(page), Some(v)) = (wait, k.vcpus.get_mut(vcpu)) {
        v.start_up(page);
    }
    frame.restart_syscall();
}

/// `vcpu` is the guest of the thread current on `cpu`.
fn runs_here(k: &Kernel, cpu: usize, vcpu: Id) -> bool {
    k.cpus[cpu]
        .current
        .and_then(|t| k.threads.get(t))
        .is_some_and(|t| t.guest == Some(vcpu))
}

/// Ends the runner's `vcpu_run` with [`abi::ExitKind::Stopped`] for
/// `vcpu_stop`, nothing left pending. Rare: kept out of the exit path's
/// code, which it would otherwise grow for every exit.
#[cold]
#[inline(never)]
fn stopped(k: &mut Kernel, cpu: usize, vcpu: Id, frame: &mut Frame) {
    // Only from the guest of this CPU's thread; otherwise the mark stays
    // for the runner's next `vcpu_run`.
    if !runs_here(k, cpu, vcpu) {
        return;
    }
    if let Some(v) = k.vcpus.get_mut(vcpu) {
        v.clear_stop();
    }
    let header = Header::bare(abi::ExitKind::Stopped, 0);
    to_qvm(k, cpu, vcpu, frame, Arch::pc(frame), &header, Pending::None);
}

/// The kind an exit is counted as.
#[inline]
fn count_as(exit: &GuestExit) -> ExitCount {
    match exit {
        GuestExit::Interrupt => ExitCount::Interrupt,
        GuestExit::Mmio(_) => ExitCount::Mmio,
        GuestExit::PortIo(_) => ExitCount::PortIo,
        GuestExit::Hypercall(_) => ExitCount::Hypercall,
        GuestExit::Halt | GuestExit::Pause => ExitCount::Wait,
        GuestExit::SendIpi(_) => ExitCount::Ipi,
        GuestExit::Register(_) => ExitCount::Register,
        GuestExit::Handled
        | GuestExit::Reset
        | GuestExit::UndecodedAccess(_)
        | GuestExit::Unhandled(_) => ExitCount::Other,
    }
}

/// Ends the runner's `vcpu_run` with the record `header` describes (its
/// PC and architecture words filled in here), leaving `pending` for its
/// next one.
fn to_qvm(
    k: &mut Kernel,
    cpu: usize,
    vcpu: Id,
    frame: &mut Frame,
    pc: u64,
    header: &Header,
    pending: Pending,
) {
    let Some(v) = k.vcpus.get_mut(vcpu) else {
        return;
    };
    v.pending = pending;
    v.exits.add_to_qvm();
    let record = header.record(pc, Arch::exit_detail(&v.arch));
    exit_to_host(k, cpu, frame, &record);
}

/// PSCI CPU_OFF: the runner thread goes back to `vcpu_run`, which waits
/// (restarted) until a CPU_ON powers the vCPU on again.
fn power_off_self(k: &mut Kernel, cpu: usize, vcpu: Id, frame: &mut Frame) {
    if leave_guest(k, cpu, vcpu, frame) {
        // The runner's `vcpu_run` is run again when CPU_ON wakes it.
        sched::block_current(k, cpu, Block::VcpuOff);
    }
}

/// Takes `vcpu`, loaded on `cpu`, off the CPU and powered off, nothing
/// pending, and puts the runner's own registers (`vcpu_run`'s call) in
/// `frame`, its space active; false if there was no runner here.
fn leave_guest(k: &mut Kernel, cpu: usize, vcpu: Id, frame: &mut Frame) -> bool {
    let Some(tid) = k.cpus[cpu].current else {
        return false;
    };
    if let Some(t) = k.threads.get_mut(tid) {
        t.guest = None;
    }
    switch::unload(k, cpu);
    let Some(v) = k.vcpus.get_mut(vcpu) else {
        return false;
    };
    v.on = false;
    v.pending = Pending::None;
    frame.clone_from(&v.host_frame);
    let process = k.threads.get(tid).map(|t| t.process);
    if let Some(space) = process
        .and_then(|p| k.processes.get(p))
        .and_then(|p| p.space.as_ref())
    {
        Arch::activate(space.root());
    }
    true
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
        if deadline > Arch::counter() {
            if k.sleepers.insert(deadline, tid).is_err() {
                // No room to queue the wake-up: let the guest spin instead
                // of blocking it past its deadline.
                return;
            }
        } else {
            switch::mask_vtimer(k, cpu, true);
            if super::deliver::vtimer_fired(k, vcpu) {
                return;
            }
        }
        // Otherwise its line was high already, and the interrupt is not
        // deliverable (disabled, say): it does not wake the vCPU.
    }
    sched::block_current(k, cpu, Block::Wfi);
}

/// Leaves the guest for `qvm`: the guest's registers are kept in the vCPU,
/// the runner's come back with `vcpu_run` returning `kind` and the exit
/// record written to the runner's memory. The vCPU stays parked on the
/// CPU for the runner's next `vcpu_run` (`switch::park`).
fn exit_to_host(k: &mut Kernel, cpu_index: usize, frame: &mut Frame, record: &abi::VcpuExit) {
    let Some(tid) = k.cpus[cpu_index].current else {
        return;
    };
    let Some(vcpu) = k.threads.get_mut(tid).and_then(|t| t.guest.take()) else {
        return;
    };
    switch::park(k, cpu_index);
    let Some(v) = k.vcpus.get_mut(vcpu) else {
        return;
    };
    v.frame.clone_from(frame);
    frame.clone_from(&v.host_frame);
    let exit_ptr = v.exit_ptr;
    let process = k.threads.get(tid).map(|t| t.process);
    let root = process
        .and_then(|p| k.processes.get(p))
        .and_then(|p| p.space.as_ref())
        .map(|space| space.root());
    let result = match (process, root) {
        (Some(process), Some(root)) => {
            Arch::activate(root);
            super::record::write(k, process, vcpu, exit_ptr, record)
        }
        _ => Err(abi::Error::Fault),
    };
    frame.set_return(abi::encode_return(result.map(|()| record.kind as usize)));
}
