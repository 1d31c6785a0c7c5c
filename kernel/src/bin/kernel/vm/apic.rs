//! Interrupts of a VM whose interrupt controllers the kernel emulates in
//! full (x86: `abi::IRQ_CHIP_APIC`, the model in `kernel::vapic`): guest
//! accesses to the local and I/O APIC windows and to the local APIC's
//! MSRs (x2APIC mode, TSC-deadline mode), device lines, the local APIC
//! timer, and injection. Before each entry [`prepare_entry`] fires a
//! due timer and injects the highest deliverable vector if the guest can
//! take it now, or asks the backend for an exit as soon as it can; HLT
//! sleeps until an interrupt is deliverable or the timer is due
//! ([`halt`]). A vCPU another source made an interrupt pending for is
//! kicked as on ARM (`deliver::kick_for`). A start-up IPI starts a vCPU
//! that is off, as PSCI CPU_ON does on ARM. An INIT resets a vCPU's local
//! APIC at once (the model) and, if it is on, marks it
//! ([`super::InitWait`]) and kicks it: at its next exit, before it
//! enters the guest again (`entry::prepare_entry`), or at its runner's
//! next `vcpu_run`, it goes off to wait for a start-up IPI, or starts at
//! the page of one that came meanwhile (`exit::carry_out_init`).

use super::{InitWait, Vcpu};
use crate::hw::{Arch, Frame};
use crate::sched;
use crate::state::{Block, Kernel, ThreadState};
use arch::{Cpu, MmioAccess, RegisterAccess, Virtualization};
use kernel::slab::Id;
use kernel::vapic::{Access, Targets};
use kernel::vlapic::{Gp, VLapic};

/// The guest's counter now (the host's plus the vCPU's offset), and the
/// offset.
fn guest_now(k: &Kernel, vcpu: Id) -> (u64, u64) {
    let offset = k
        .vcpus
        .get(vcpu)
        .map_or(0, |v| Arch::guest_counter_offset(&v.arch));
    (Arch::counter().wrapping_add(offset), offset)
}

/// Kicks the vCPUs of `vm` in `targets` but `except` (the one on its way
/// into the guest already checks).
fn kick(k: &mut Kernel, vm: Id, targets: Targets, except: Option<usize>) {
    for index in targets.iter().filter(|&i| Some(i) != except) {
        super::deliver::kick_for(k, vm, index, None);
    }
}

/// `vcpu`'s VM, its index there, and the guest's counter now.
fn placed(k: &Kernel, vcpu: Id) -> Option<(Id, usize, u64)> {
    let v = k.vcpus.get(vcpu)?;
    Some((v.vm, v.index, guest_now(k, vcpu).0))
}

/// Answers `access`, a 32-bit read of the VM's ACPI PM timer
/// (`VmConfig::pm_timer_port`, which the exit path checked), from the host
/// clock, or drops a write to it (the register is read-only); steps past
/// it. Other widths go to the VMM's model, which counts the same way. A
/// guest reads this timer as its clock source (Linux's acpi_pm): no exit
/// to `qvm`.
pub fn pm_timer(k: &mut Kernel, vcpu: Id, access: &MmioAccess, frame: &mut Frame) {
    let count = abi::x86_64::pm_timer_count(k.now_ns());
    let Some(v) = k.vcpus.get_mut(vcpu) else {
        return;
    };
    if access.write {
        Arch::step(frame, &mut v.arch);
    } else {
        Arch::complete_load(frame, &mut v.arch, access, u64::from(count));
    }
}

/// Emulates a guest access to the local or I/O APIC window, if `access`
/// is one; steps past it.
pub fn emulate(k: &mut Kernel, vcpu: Id, access: &MmioAccess, frame: &mut Frame) -> bool {
    let Some((vm, index, now)) = placed(k, vcpu) else {
        return false;
    };
    let Some(apic) = k.vms.get_mut(vm).and_then(|m| m.apic.as_mut()) else {
        return false;
    };
    let write = access.write.then_some(access.value);
    let result = if let Some(offset) = apic.lapic_offset(index, access.gpa) {
        apic.lapic_access(index, offset, access.width, write, now)
    } else if let Some(offset) = apic.ioapic_offset(access.gpa) {
        apic.ioapic_access(offset, access.width, write)
    } else {
        return false;
    };
    if let Some(v) = k.vcpus.get_mut(vcpu) {
        if access.write {
            Arch::step(frame, &mut v.arch);
        } else {
            Arch::complete_load(frame, &mut v.arch, access, result.value);
        }
    }
    carry_out(k, vm, index, &result);
    true
}

/// The MSRs of the local APIC model: IA32_APIC_BASE, IA32_TSC_DEADLINE
/// and the x2APIC registers.
fn lapic_msr(msr: u64) -> bool {
    matches!(msr, 0x1B | 0x6E0 | 0x800..=0x8FF)
}

/// Emulates a guest RDMSR or WRMSR of its local APIC's MSRs, if `access`
/// is one: completes it, or makes the guest take the #GP the model says.
pub fn emulate_msr(k: &mut Kernel, vcpu: Id, access: &RegisterAccess, frame: &mut Frame) -> bool {
    if !lapic_msr(access.id) {
        return false;
    }
    let Some((vm, index, now)) = placed(k, vcpu) else {
        return false;
    };
    let Some(apic) = k.vms.get_mut(vm).and_then(|m| m.apic.as_mut()) else {
        return false;
    };
    let write = access.write.then_some(access.value);
    let result = apic.msr_access(index, access.id as u32, write, now);
    if let Some(v) = k.vcpus.get_mut(vcpu) {
        match result {
            Ok(_) if access.write => Arch::step(frame, &mut v.arch),
            Ok(r) => Arch::complete_register_read(frame, &mut v.arch, access, r.value),
            Err(Gp) => Arch::inject_undefined(frame, &mut v.arch),
        }
    }
    if let Ok(result) = result {
        carry_out(k, vm, index, &result);
    }
    true
}

/// What an access by vCPU `index` of `vm` made happen elsewhere: vCPUs
/// with a new interrupt kicked, vCPUs a start-up IPI named started.
fn carry_out(k: &mut Kernel, vm: Id, index: usize, result: &Access) {
    kick(k, vm, result.targets, Some(index));
    if result.inits.0 != 0 {
        init(k, vm, result.inits);
    }
    if let Some((targets, vector)) = result.startup {
        start_up(k, vm, targets, u64::from(vector) << 12);
    }
}

/// vCPUs of `vm` an INIT reached (their local APICs reset by the model):
/// each that is on is marked and kicked, to go off at its next exit; one
/// that is off waits for a start-up IPI already.
#[cold]
#[inline(never)]
fn init(k: &mut Kernel, vm: Id, targets: Targets) {
    for index in targets.iter() {
        let Some(vcpu) = vcpu_of(k, vm, index) else {
            continue;
        };
        let Some(v) = k.vcpus.get_mut(vcpu) else {
            continue;
        };
        if v.on && v.init == InitWait::None {
            v.mark_init();
            crate::vm::deliver::kick_for(k, vm, index, None);
        }
    }
}

/// vCPU `index` of `vm`.
fn vcpu_of(k: &Kernel, vm: Id, index: usize) -> Option<Id> {
    k.vms
        .get(vm)
        .and_then(|m| m.vcpus.get(index).copied().flatten())
}

/// A start-up IPI: each target that is off (never started, or INIT'ed
/// since) starts in real mode at `page` ([`start_one`]); one whose INIT
/// is not carried out yet starts there when it is. A running target
/// ignores it, as a processor not waiting for SIPI does (SDM Vol. 3A
/// 9.4.4).
fn start_up(k: &mut Kernel, vm: Id, targets: Targets, page: u64) {
    for index in targets.iter() {
        let Some(vcpu) = vcpu_of(k, vm, index) else {
            continue;
        };
        let Some(v) = k.vcpus.get_mut(vcpu) else {
            continue;
        };
        match (v.on, v.init) {
            (false, _) => start_one(k, vcpu, page),
            (true, InitWait::Pending) => v.init = InitWait::StartAt(page),
            (true, _) => {}
        }
    }
}

/// Starts `vcpu`, which is off, in real mode at `page`, and wakes its
/// runner if it waits in `vcpu_run`.
fn start_one(k: &mut Kernel, vcpu: Id, page: u64) {
    let Some(v) = k.vcpus.get_mut(vcpu) else {
        return;
    };
    v.start_up(page);
    if let Some(runner) = v.runner
        && k.threads
            .get(runner)
            .is_some_and(|t| t.state == ThreadState::Blocked(Block::VcpuOff))
    {
        sched::wake(k, runner, sched::Wake::Restart);
    }
}

/// A device of `vm` drives I/O APIC pin `pin` to `level` (checked by
/// [`pin_ok`]).
pub fn set_line(k: &mut Kernel, vm: Id, pin: usize, level: bool) {
    let targets = k
        .vms
        .get_mut(vm)
        .and_then(|m| m.apic.as_mut())
        .and_then(|a| a.set_line(pin, level));
    if let Some(targets) = targets {
        kick(k, vm, targets, None);
    }
}

/// Whether `vm` has I/O APIC pin `pin`.
pub fn pin_ok(k: &Kernel, vm: Id, pin: usize) -> bool {
    k.vms
        .get(vm)
        .and_then(|m| m.apic.as_ref())
        .is_some_and(|a| pin < a.ioapic.pins())
}

/// `vcpu` with its local APIC, the APIC's timer fired if it is due, and
/// when that timer next fires on the host's counter.
fn timed_lapic(k: &mut Kernel, vcpu: Id) -> Option<(&mut Vcpu, &mut VLapic, Option<u64>)> {
    let (now, offset) = guest_now(k, vcpu);
    let v = k.vcpus.get_mut(vcpu)?;
    let lapic = k
        .vms
        .get_mut(v.vm)
        .and_then(|m| m.apic.as_mut())
        .and_then(|a| a.lapics.get_mut(v.index))?;
    if lapic.timer_deadline().is_some_and(|d| d <= now) {
        lapic.timer_fire(now);
    }
    let deadline = lapic.timer_deadline().map(|d| d.wrapping_sub(offset));
    Some((v, lapic, deadline))
}

/// Before `vcpu` (loaded on `cpu`, its registers in `frame`) enters the
/// guest: its timer fired if due, this CPU's host timer told of its next
/// deadline, and the highest deliverable interrupt injected if the guest
/// can take it, else an exit asked for when it can. True instead if an
/// INIT waits to be carried out (`exit::carry_out_init`): the guest must
/// not enter. Out of line: the ARM kernel's entry path never calls it.
#[inline(never)]
pub fn prepare_entry(k: &mut Kernel, cpu: usize, vcpu: Id, frame: &Frame) -> bool {
    let Some((v, lapic, deadline)) = timed_lapic(k, vcpu) else {
        return false;
    };
    if v.init != InitWait::None {
        return true;
    }
    match lapic.pending() {
        Some(_) if Arch::interrupt_window_open(frame, &v.arch) => {
            if let Some(vector) = lapic.acknowledge() {
                Arch::inject_interrupt(&mut v.arch, vector);
            }
            Arch::want_interrupt_window(&mut v.arch, false);
        }
        Some(_) => Arch::want_interrupt_window(&mut v.arch, true),
        None => Arch::want_interrupt_window(&mut v.arch, false),
    }
    k.cpus[cpu].guest_deadline = deadline;
    false
}

/// HLT: the vCPU runs on if an interrupt is pending that the guest takes
/// (RFLAGS.IF set), else sleeps until one is made pending for it
/// (`deliver::kick_for` wakes it) or its timer is due. With interrupts
/// off, only a kick wakes it (the architecture's HLT waits for an NMI or
/// INIT then).
pub fn halt(k: &mut Kernel, cpu: usize, vcpu: Id, frame: &Frame) {
    let Some((v, lapic, deadline)) = timed_lapic(k, vcpu) else {
        return;
    };
    let interruptible = Arch::interrupt_window_open(frame, &v.arch);
    if interruptible && lapic.pending().is_some() {
        return;
    }
    let Some(tid) = k.cpus[cpu].current else {
        return;
    };
    if let Some(deadline) = deadline.filter(|_| interruptible)
        && k.sleepers.insert(deadline, tid).is_err()
    {
        // No room to queue the wake-up: let the guest spin instead of
        // blocking it past its deadline.
        return;
    }
    sched::block_current(k, cpu, Block::Wfi);
}
