//! Devices for host drivers, the kernel's side: an attached interrupt's
//! arrival (masked at the interrupt controller, its waiters woken) and
//! what an ended process gives back (its device regions and interrupts).
//! The bookkeeping is `kernel::devices`; the calls are
//! `syscall/device.rs`.

use crate::sched;
use crate::space::Space;
use crate::state::{Kernel, Object};
use abi::{Error, PAGE_SIZE};
use arch::{IrqChip, Perms};
use kernel::devices::Holder;
use kernel::mem::frames::FrameAllocator;
use kernel::slab::Id;

/// What the kernel does with an interrupt once [`fired`] has seen it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// End it (priority drop and deactivation): a host driver's (masked
    /// until the driver unmasks it) or a stray one.
    End,
    /// Drop its priority only: passed through to a VM, it stays active
    /// until the guest's EOI deactivates it.
    KeepActive,
}

/// Interrupt `intid` arrived: if a host driver attached it, it is masked
/// at the controller (a level line stays asserted until the driver clears
/// its device's cause) and the driver's waiting threads wake; if it is
/// passed through, its VM's virtual interrupt becomes pending.
pub fn fired(k: &mut Kernel, intid: u32) -> Arrival {
    let Some(line) = k.devices.lines.arrived(intid) else {
        return Arrival::End;
    };
    if let Some((vm, virq)) = line.vm {
        if crate::vm::passthrough::fired(k, vm, virq) {
            return Arrival::KeepActive;
        }
        k.irqs.chip.disable(intid, line.cpu);
        return Arrival::End;
    }
    k.irqs.chip.disable(intid, line.cpu);
    sched::wake_object_waiters(k, Object::Irq(intid));
    Arrival::End
}

/// Lets attached interrupt `intid` arrive again (routed to `cpu`),
/// level-sensitive or edge-triggered as its device-tree node says.
pub fn unmask(k: &mut Kernel, intid: u32, cpu: usize) {
    let edge = k.devices.irq_is_edge(intid);
    k.irqs.chip.enable(intid, cpu, edge);
}

/// Gives back what the ended `process` held: its interrupts (disabled at
/// the controller) and the device regions of its space (gone, its TLB
/// entries flushed) and of its `vms` (destroyed, and flushed, before the
/// kernel lock is let go: no other holder can take a region before).
/// Allocates nothing.
pub fn release_process(k: &mut Kernel, process: Id, vms: &[Id]) {
    while let Some(line) = k.devices.lines.detach_one(process) {
        k.irqs.chip.disable(line.intid, line.cpu);
        if line.vm.is_some() {
            crate::vm::passthrough::unbind(k, line.intid);
        }
        // No thread of an ended process waits; a stale entry goes.
        k.object_waiters
            .retain(|&(o, _)| o != Object::Irq(line.intid));
    }
    // RAM set aside for pass-through held a VM's memory: wiped before the
    // next holder gets it (nothing of the process runs any more).
    for (start, end) in k.devices.held_ram(Holder::Process(process)) {
        for pa in (start..end).step_by(PAGE_SIZE) {
            crate::space::zero_frame(pa);
        }
    }
    k.devices.release(Holder::Process(process));
    for &vm in vms {
        k.devices.release(Holder::Vm(vm));
    }
}

/// How a region's pages are mapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Memory {
    /// A device's registers: Device-nGnRE, read-write, never executable.
    Device,
    /// RAM set aside (`[reserve]`) in a process: Normal, read-write.
    RamData,
    /// RAM set aside in a VM: Normal, read-write-execute (the guest's
    /// memory).
    RamGuest,
}

impl Memory {
    /// How region `d` is mapped into a VM (`vm`) or a process.
    pub fn of(d: &kernel::devices::Device, vm: bool) -> Memory {
        match (d.ram, vm) {
            (false, _) => Memory::Device,
            (true, false) => Memory::RamData,
            (true, true) => Memory::RamGuest,
        }
    }
}

/// Maps the pages `[start, end)` at `at` in `space`, borrowed (never
/// freed as RAM), as `memory` says; on failure nothing stays mapped
/// (flushed from every CPU as they go if `live`: `space` is this CPU's
/// current one).
pub fn map_pages(
    space: &mut Space,
    frames: &mut FrameAllocator,
    (start, end): (usize, usize),
    at: usize,
    live: bool,
    memory: Memory,
) -> Result<(), Error> {
    let perms = Perms {
        read: true,
        write: true,
        exec: memory == Memory::RamGuest,
    };
    let device = memory == Memory::Device;
    for (n, pa) in (start..end).step_by(PAGE_SIZE).enumerate() {
        if let Err(e) = space.map_borrowed(frames, at + n * PAGE_SIZE, &[pa], perms, device) {
            // Nothing is freed: the pages are borrowed.
            if n > 0 {
                let _ = space.unmap(frames, at, n * PAGE_SIZE, live);
            }
            return Err(e);
        }
    }
    Ok(())
}
