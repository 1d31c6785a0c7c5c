//! `vm_create`, `vm_configure`, `vm_map_ram`, `vcpu_create`,
//! `vcpu_set_regs`, `vcpu_run`, `vm_irq_line`.

use super::call::{Caller, Outcome};
use crate::hw::{Arch, Frame, VcpuRegs};
use crate::sched;
use crate::state::{Block, Kernel, Object};
use crate::vm::{self, Vcpu, switch};
use abi::{
    APIC_WINDOW_SIZE, EXIT_LINES, Error, GICV2_GICC_SIZE, GICV2_GICD_SIZE, GICV3_GICD_SIZE,
    GICV3_GICR_STRIDE, GUEST_PA_BITS, IRQ_CHIP_APIC, LAPIC_DEFAULT_BASE, LINE_INTID_MASK,
    LINE_LEVEL, PAGE_SIZE, Rights, SysResult, VM_IOAPIC_PINS_MAX, VM_RAM_MAX, VM_SPIS_MAX,
    VM_VCPUS_MAX, VmConfig, guest_range_ok, prot, response,
};
use arch::{Cpu, Perms, Translation, VirtualCpuInterface, Virtualization};
use kernel::exit_record;
use kernel::slab::Id;
use kernel::vapic::VmApic;
use kernel::vgic::VGic;

// The limits VMs are told about (`abi::guest`) are those of the VM's
// translation tables.
const _: () = assert!(GUEST_PA_BITS <= <Arch as Translation>::SPACE_ADDRESS_BITS);

pub(super) fn vm_of(k: &Kernel, c: &Caller, handle: usize) -> Result<Id, Error> {
    match k.handle(c.process, handle, Rights::KILL)? {
        Object::Vm(id) => Ok(id),
        _ => Err(Error::BadHandle),
    }
}

fn vcpu_of(k: &Kernel, c: &Caller, handle: usize) -> Result<Id, Error> {
    match k.handle(c.process, handle, Rights::KILL)? {
        Object::Vcpu(id) => Ok(id),
        _ => Err(Error::BadHandle),
    }
}

fn read_struct<T: Copy + Default>(
    k: &mut Kernel,
    c: &Caller,
    ptr: usize,
    len: usize,
) -> Result<T, Error> {
    let size = core::mem::size_of::<T>();
    if len < size {
        return Err(Error::InvalidArgument);
    }
    let mut value = T::default();
    // SAFETY: `T` is a `repr(C)` record of integers (every bit pattern is
    // valid), so its bytes may be written as a byte slice of its size.
    let bytes = unsafe { core::slice::from_raw_parts_mut(&mut value as *mut T as *mut u8, size) };
    // Straight into the record: no heap on the exit path.
    let p = k.processes.get(c.process).ok_or(Error::Fault)?;
    p.space
        .as_ref()
        .ok_or(Error::Fault)?
        .copy_in(&mut k.frames, ptr, bytes)?;
    Ok(value)
}

fn new_handle(k: &mut Kernel, c: &Caller, object: Object) -> SysResult {
    k.processes
        .get_mut(c.process)
        .ok_or(Error::BadHandle)?
        .handles
        .insert(object, Rights::ALL)
}

pub fn create(k: &mut Kernel, c: &Caller) -> SysResult {
    crate::quota::vm(k, c.process)?;
    let vm = vm::lifecycle::create(k, c.process)?;
    new_handle(k, c, Object::Vm(vm))
}

pub fn configure(k: &mut Kernel, c: &Caller, handle: usize, ptr: usize, len: usize) -> SysResult {
    let vm = vm_of(k, c, handle)?;
    let config: VmConfig = read_struct(k, c, ptr, len)?;
    // The guest's interrupt controller is the one the host offers VMs: a
    // GIC of the hardware's virtual CPU interface's kind, or the APICs
    // the kernel emulates.
    if config.gic_version == 0 || config.gic_version != k.irqs.guest_version() {
        return Err(Error::InvalidArgument);
    }
    if !(1..=VM_VCPUS_MAX).contains(&config.vcpus) || config.flags & !abi::VM_FLAG_AARCH32 != 0 {
        return Err(Error::InvalidArgument);
    }
    if !Arch::guest_flags_supported(config.flags) {
        return Err(Error::NotSupported);
    }
    if config.gic_version == IRQ_CHIP_APIC {
        check_apic_config(&config)?;
    } else if k.irqs.guest_gic() && config.pm_timer_port == 0 {
        check_gic_config(&config)?;
    } else {
        return Err(Error::InvalidArgument);
    }
    if k.vms.get(vm).ok_or(Error::BadHandle)?.config.is_some() {
        return Err(Error::Busy);
    }
    crate::quota::vcpus(k, c.process, config.vcpus as usize)?;
    let m = k.vms.get_mut(vm).ok_or(Error::BadHandle)?;
    if config.gic_version != IRQ_CHIP_APIC {
        let vgic = VGic::try_new(
            config.gic_version as u32,
            config.vcpus as usize,
            config.spis as usize,
        )
        .ok_or(Error::InvalidArgument)?;
        if let Some(gicv) = k.irqs.virt_if.as_ref().and_then(|v| v.guest_frame()) {
            // The guest's GICC is the hardware's virtual CPU interface (GICV).
            let pages: alloc::vec::Vec<usize> = (0..GICV2_GICC_SIZE as usize / PAGE_SIZE)
                .map(|i| gicv + i * PAGE_SIZE)
                .collect();
            m.space.map_borrowed(
                &mut k.frames,
                config.gicr_or_gicc as usize,
                &pages,
                Perms::RW,
                true,
            )?;
        }
        m.vgic = Some(vgic);
        m.gic = kernel::vgic::GicWindows::new(&config);
    }
    if config.gic_version == IRQ_CHIP_APIC {
        let apic = VmApic::new(
            config.vcpus as usize,
            config.spis as usize,
            config.gicd,
            k.counter_hz,
        )
        .ok_or(Error::InvalidArgument)?;
        m.apic = Some(apic);
    }
    m.vcpus = alloc::vec![None; config.vcpus as usize];
    m.config = Some(config);
    Ok(0)
}

/// A GIC layout: SPIs in whole groups of 32, the windows in range.
fn check_gic_config(config: &VmConfig) -> Result<(), Error> {
    // The windows the kernel traps or maps for the GIC (`abi::guest`).
    let (gicd_size, cpu_if_size) = match config.gic_version {
        2 => (GICV2_GICD_SIZE, GICV2_GICC_SIZE),
        _ => (
            GICV3_GICD_SIZE,
            GICV3_GICR_STRIDE.saturating_mul(config.vcpus),
        ),
    };
    if !config.spis.is_multiple_of(32)
        || config.spis > VM_SPIS_MAX
        || !guest_range_ok(config.gicd, gicd_size)
        || !guest_range_ok(config.gicr_or_gicc, cpu_if_size)
    {
        return Err(Error::InvalidArgument);
    }
    Ok(())
}

/// The highest port a 32-bit PM timer register may start at.
const PM_TIMER_PORT_MAX: u64 = 0xFFFC;

/// An APIC layout: the I/O APIC's pins, its window in range and apart
/// from the local APIC's, which is where IA32_APIC_BASE puts it at reset;
/// the PM timer's port, if any, a port.
fn check_apic_config(config: &VmConfig) -> Result<(), Error> {
    let apart = config.gicd.abs_diff(config.gicr_or_gicc) >= APIC_WINDOW_SIZE;
    if config.spis == 0
        || config.spis > VM_IOAPIC_PINS_MAX
        || config.gicr_or_gicc != LAPIC_DEFAULT_BASE
        || !guest_range_ok(config.gicd, APIC_WINDOW_SIZE)
        || !guest_range_ok(config.gicr_or_gicc, APIC_WINDOW_SIZE)
        || !apart
        || config.pm_timer_port > PM_TIMER_PORT_MAX
    {
        return Err(Error::InvalidArgument);
    }
    Ok(())
}

pub fn map_ram(
    k: &mut Kernel,
    c: &Caller,
    handle: usize,
    gpa: usize,
    len: usize,
    va: usize,
    protection: usize,
) -> SysResult {
    let vm = vm_of(k, c, handle)?;
    if protection & !(prot::READ | prot::WRITE | prot::EXEC) != 0 || protection & prot::READ == 0 {
        return Err(Error::InvalidArgument);
    }
    let len = len
        .checked_next_multiple_of(PAGE_SIZE)
        .ok_or(Error::InvalidArgument)?;
    if !guest_range_ok(gpa as u64, len as u64) {
        return Err(Error::InvalidArgument);
    }
    if len as u64 > VM_RAM_MAX {
        return Err(Error::Limit);
    }
    if va != 0 {
        crate::space::Space::check_range(va, len)?;
    }
    let perms = Perms {
        read: true,
        write: protection & prot::WRITE != 0,
        exec: protection & prot::EXEC != 0,
    };
    crate::quota::mapped(k, c.process, len)?;
    // A window that cannot be had is refused before the VM gets the RAM:
    // once mapped there, its guests (running on other CPUs) may use it.
    // Too little memory is still `NoMemory` first, as `map_new` says it.
    if va != 0 {
        if len / PAGE_SIZE > k.frames.free_frames() {
            return Err(Error::NoMemory);
        }
        let p = k.processes.get(c.process).ok_or(Error::Fault)?;
        let space = p.space.as_ref().ok_or(Error::Fault)?;
        if space.any_mapped(&mut k.frames, va, len) {
            return Err(Error::AlreadyMapped);
        }
    }
    let m = k.vms.get_mut(vm).ok_or(Error::BadHandle)?;
    m.space.map_new(&mut k.frames, gpa, len, perms, |_, _| {})?;
    if va == 0 {
        return Ok(0);
    }
    let shared = match (k.vms.get(vm), k.processes.get_mut(c.process)) {
        (Some(m), Some(p)) => match p.space.as_mut() {
            Some(space) => m
                .space
                .share_into(space, &mut k.frames, gpa, len, va, Perms::RW),
            None => Err(Error::Fault),
        },
        _ => Err(Error::Fault),
    };
    if let Err(e) = shared {
        // The VM's vCPUs may be running on other CPUs and may have reached
        // the new RAM already: their TLB entries go before the frames are
        // freed, or a guest would go on writing pages the kernel hands to
        // other processes next.
        if let Some(m) = k.vms.get_mut(vm) {
            let _ = m.space.unmap_in_use(&mut k.frames, gpa, len);
        }
        return Err(e);
    }
    Ok(0)
}

pub fn vcpu_create(k: &mut Kernel, c: &Caller, handle: usize, index: usize) -> SysResult {
    let vm = vm_of(k, c, handle)?;
    let m = k.vms.get(vm).ok_or(Error::BadHandle)?;
    match m.vcpus.get(index) {
        None => return Err(Error::InvalidArgument),
        Some(Some(_)) => return Err(Error::AlreadyMapped),
        Some(None) => {}
    }
    let vcpus = m.vcpus.len();
    let (pm_timer_port, flags) = m
        .config
        .as_ref()
        .map_or((0, 0), |c| (c.pm_timer_port, c.flags));
    let mut new = Vcpu::new(vm, index, vcpus, flags);
    new.apic = m.apic.is_some();
    new.pm_timer_port = pm_timer_port;
    let vcpu = k.vcpus.insert(new).map_err(|_| Error::NoMemory)?;
    if let Some(slot) = k.vms.get_mut(vm).and_then(|m| m.vcpus.get_mut(index)) {
        *slot = Some(vcpu);
    }
    new_handle(k, c, Object::Vcpu(vcpu))
}

pub fn set_regs(k: &mut Kernel, c: &Caller, handle: usize, ptr: usize, len: usize) -> SysResult {
    let vcpu = vcpu_of(k, c, handle)?;
    let regs: VcpuRegs = read_struct(k, c, ptr, len)?;
    let v = k.vcpus.get(vcpu).ok_or(Error::BadHandle)?;
    if v.runner.is_some_and(|r| r != c.thread) {
        return Err(Error::Busy);
    }
    let (vcpus, flags) = k.vms.get(v.vm).map_or((1, 0), |m| {
        (m.vcpus.len(), m.config.as_ref().map_or(0, |c| c.flags))
    });
    // The backend refuses a state the guest must never run in; nothing
    // changes then.
    let mut frame = Frame::default();
    let mut state =
        alloc::boxed::Box::new(<Arch as Virtualization>::new_state(v.index, vcpus, flags));
    Arch::set_regs(&mut frame, &mut state, &regs).map_err(|_| Error::InvalidArgument)?;
    // Parked here since its last exit: its registers go back to the vCPU
    // first, so that the new ones replace them.
    if k.cpus[c.cpu].loaded_vcpu == Some(vcpu) {
        switch::unload(k, c.cpu);
    }
    let v = k.vcpus.get_mut(vcpu).ok_or(Error::BadHandle)?;
    v.power_on(0, 0);
    v.frame = frame;
    v.arch = state;
    Ok(0)
}

/// Checks a device line change of `vm`: an SPI the VM has (an I/O APIC
/// pin of an APIC VM), a level of 0 or 1.
fn check_line(k: &Kernel, vm: Id, intid: usize, level: usize) -> Result<(), Error> {
    let m = k.vms.get(vm).ok_or(Error::BadHandle)?;
    if m.apic.is_some() {
        // An APIC VM's lines are its I/O APIC's pins.
        return if vm::apic::pin_ok(k, vm, intid) && level <= 1 {
            Ok(())
        } else {
            Err(Error::InvalidArgument)
        };
    }
    if m.vgic.is_none() {
        return Err(Error::InvalidArgument);
    }
    let spis = m.config.map_or(0, |c| c.spis) as usize;
    if intid < 32 || intid >= 32 + spis || level > 1 {
        return Err(Error::InvalidArgument);
    }
    Ok(())
}

/// Applies a checked line change: the vCPU it made the interrupt
/// deliverable to notices.
fn set_line(k: &mut Kernel, vm: Id, intid: usize, level: usize) {
    let Some(m) = k.vms.get_mut(vm) else {
        return;
    };
    if m.apic.is_some() {
        vm::apic::set_line(k, vm, intid, level == 1);
        return;
    }
    let target = m
        .vgic
        .as_mut()
        .and_then(|g| g.set_line(intid as u32, level == 1));
    if let Some(target) = target {
        crate::vm::deliver::kick_for(k, vm, target, Some(intid as u32));
    }
}

pub fn irq_line(
    k: &mut Kernel,
    c: &Caller,
    handle: usize,
    intid: usize,
    level: usize,
) -> SysResult {
    let vm = vm_of(k, c, handle)?;
    check_line(k, vm, intid, level)?;
    set_line(k, vm, intid, level);
    Ok(0)
}

/// Checks the line changes of an answer (`VcpuExit::lines`; 0: an empty
/// slot).
fn check_answer_lines(k: &Kernel, vm: Id, lines: &[u32; EXIT_LINES]) -> Result<(), Error> {
    for &raw in lines.iter().filter(|&&raw| raw != 0) {
        check_line(
            k,
            vm,
            (raw & LINE_INTID_MASK) as usize,
            usize::from(raw & LINE_LEVEL != 0),
        )?;
    }
    Ok(())
}

/// Applies the line changes [`check_answer_lines`] accepted.
fn set_answer_lines(k: &mut Kernel, vm: Id, lines: &[u32; EXIT_LINES]) {
    for &raw in lines.iter().filter(|&&raw| raw != 0) {
        set_line(
            k,
            vm,
            (raw & LINE_INTID_MASK) as usize,
            usize::from(raw & LINE_LEVEL != 0),
        );
    }
}

pub fn run(
    k: &mut Kernel,
    c: &Caller,
    frame: &mut Frame,
    handle: usize,
    exit_ptr: usize,
) -> Outcome {
    let result = (|| {
        let vcpu = vcpu_of(k, c, handle)?;
        let answer = vm::record::read(k, c.process, vcpu, exit_ptr)?;
        let v = k.vcpus.get(vcpu).ok_or(Error::BadHandle)?;
        let vm = v.vm;
        if k.vms.get(vm).is_none_or(|m| m.config.is_none()) {
            return Err(Error::InvalidArgument);
        }
        // Checked before anything changes: a refused one applies none.
        let lines = answer.lines;
        let any_lines = lines != [0; EXIT_LINES];
        if any_lines {
            check_answer_lines(k, vm, &lines)?;
        }
        if let Some(r) = v.runner.filter(|&r| r != c.thread)
            && k.threads
                .get(r)
                .is_some_and(|t| t.state != crate::state::ThreadState::Dead)
        {
            return Err(Error::Busy);
        }
        // Injecting an exception changes the guest's EL1 registers, which
        // a parked vCPU (`switch::park`) keeps on the CPU: save them first.
        if answer.response != response::COMPLETE && k.cpus[c.cpu].loaded_vcpu == Some(vcpu) {
            switch::unload(k, c.cpu);
        }
        let v = k.vcpus.get_mut(vcpu).ok_or(Error::BadHandle)?;
        v.runner = Some(c.thread);
        exit_record::complete::<Arch>(&mut v.frame, &mut v.arch, &mut v.pending, &answer)?;
        if any_lines {
            set_answer_lines(k, vm, &lines);
        }
        Ok(vcpu)
    })();
    let vcpu = match result {
        Ok(v) => v,
        Err(e) => return Err(e).into(),
    };
    let Some(mut v) = k.vcpus.get_mut(vcpu) else {
        return Err(Error::BadHandle).into();
    };
    if v.attention {
        // `vcpu_stop` while the runner was in `qvm`: back at once.
        if v.stop {
            return super::vcpu_regs::stopped_before_entry(k, c, vcpu, exit_ptr).into();
        }
        // An INIT while the runner was in `qvm` (x86): out of line.
        take_init(k, c.cpu, vcpu);
        v = match k.vcpus.get_mut(vcpu) {
            Some(v) => v,
            None => return Err(Error::BadHandle).into(),
        };
    }
    if !v.on {
        sched::block_current(k, c.cpu, Block::VcpuOff);
        return Outcome::Blocked;
    }
    // Set once: the guest enters below (printed when the VM ends).
    if v.first_entry.is_none() {
        v.first_entry = Some(Arch::counter());
    }
    v.host_frame.clone_from(frame);
    v.exit_ptr = exit_ptr;
    frame.clone_from(&v.frame);
    if let Some(t) = k.threads.get_mut(c.thread) {
        t.guest = Some(vcpu);
    }
    switch::load(k, c.cpu, vcpu);
    Outcome::Blocked
}

/// Carries out an INIT that reached `vcpu` while its runner was in `qvm`
/// (x86): a vCPU parked on this CPU since its last exit is saved first,
/// so that the reset state replaces its registers (as `vcpu_set_regs`).
#[cold]
#[inline(never)]
fn take_init(k: &mut Kernel, cpu: usize, vcpu: Id) {
    if k.cpus[cpu].loaded_vcpu == Some(vcpu) {
        switch::unload(k, cpu);
    }
    if let Some(v) = k.vcpus.get_mut(vcpu) {
        v.take_init();
    }
}
