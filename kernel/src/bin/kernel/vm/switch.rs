//! Moving a vCPU's state onto and off a physical CPU: its architectural
//! state (the backend's: EL1 registers, FP/SIMD, the trap configuration),
//! the virtual CPU interface and list registers, and the VM's space.
//!
//! A CPU keeps the vCPU loaded while only the kernel runs, and parked
//! (`park`) while its runner thread handles an exit in `qvm`: then only
//! what governs host code is switched, and the runner's next `vcpu_run`
//! unparks it. Anything else (another thread, idle, another vCPU)
//! unloads it first.

use super::{MAX_LRS, VTIMER_INTID};
use crate::hw::Arch;
use crate::interrupts::Interrupts;
use crate::state::Kernel;
use arch::{Cpu, IrqChip, Translation, VirtualCpuInterface, Virtualization};
use kernel::slab::Id;

/// The values of the CPU's list registers (as many as it has): a `Vec`
/// on the stack, so that taking them fills only those, with no zeroing
/// or copying of `MAX_LRS` words (a `memset` and a `memcpy` call on every
/// refill when it was an array returned by value).
type LrValues = heapless::Vec<u64, MAX_LRS>;

/// Reads the list registers into `lrs` (filled in place: returned by
/// value, the `Vec` was copied with a `memcpy` call).
#[inline(always)]
fn read_lrs(irqs: &Interrupts, lrs: &mut LrValues) {
    if let Some(vif) = irqs.virt_if.as_ref() {
        for i in 0..irqs.lr_count.min(MAX_LRS) {
            // Cannot fail: at most MAX_LRS.
            let _ = lrs.push(vif.read_lr(i));
        }
    }
}

/// Writes the first list registers with `lrs` (at most as many as the
/// CPU has).
#[inline(always)]
fn write_lrs(irqs: &Interrupts, lrs: &[u64]) {
    if let Some(vif) = irqs.virt_if.as_ref() {
        for (i, &lr) in lrs.iter().enumerate().take(irqs.lr_count) {
            vif.write_lr(i, lr);
        }
    }
}

/// Loads `vcpu` onto `cpu_index` (whatever was loaded goes first).
pub fn load(k: &mut Kernel, cpu_index: usize, vcpu: Id) {
    if k.cpus[cpu_index].loaded_vcpu == Some(vcpu) {
        if k.cpus[cpu_index].parked {
            unpark(k, cpu_index, vcpu);
        }
        return;
    }
    unload(k, cpu_index);
    // The registers still hold this vCPU's FP values if no other guest used
    // this CPU since it left.
    let fp_live = k.cpus[cpu_index].fp_owner == Some(vcpu);
    let Some(v) = k.vcpus.get_mut(vcpu) else {
        return;
    };
    let Some(vm) = k.vms.get(v.vm) else { return };
    Arch::load(&mut v.arch, v.index, fp_live);
    if let Some(vif) = k.irqs.virt_if.as_ref() {
        vif.restore(v.cpu_if);
        vif.enable(false);
    }
    write_lrs(&k.irqs, &v.lrs);
    Arch::activate(vm.space.root());
    let (vm_id, index) = (v.vm, v.index);
    let timer_high = vm
        .vgic
        .as_ref()
        .is_some_and(|g| g.private_line(index, VTIMER_INTID));
    k.cpus[cpu_index].loaded_vcpu = Some(vcpu);
    mark_stale(k, vcpu);
    // Its timer is on the CPU again: its line as it stands (a CPU_ON
    // reset stopped it, say), and the PPI masked while the line is high.
    let line = timer_high
        && k.vms
            .get_mut(vm_id)
            .and_then(|m| m.vgic.as_mut())
            .is_some_and(|g| g.resample_private_line(index, VTIMER_INTID, vtimer_output));
    mask_vtimer(k, cpu_index, line);
    // Its FP values now live here only: another CPU's copy goes stale.
    for c in k.cpus.iter_mut() {
        if c.fp_owner == Some(vcpu) {
            c.fp_owner = None;
        }
    }
    k.cpus[cpu_index].fp_owner = Some(vcpu);
}

/// Saves the loaded vCPU, if any, and sets the CPU up for host processes.
pub fn unload(k: &mut Kernel, cpu_index: usize) {
    let Some(vcpu) = k.cpus[cpu_index].loaded_vcpu.take() else {
        return;
    };
    k.cpus[cpu_index].guest_deadline = None;
    if core::mem::take(&mut k.cpus[cpu_index].parked)
        && let Some(v) = k.vcpus.get(vcpu)
    {
        // Its registers back first, so that they are saved below.
        Arch::unpark(&v.arch);
    }
    let mut lrs = LrValues::new();
    read_lrs(&k.irqs, &mut lrs);
    write_lrs(&k.irqs, &[0; MAX_LRS]);
    let cpu_if = k.irqs.virt_if.as_ref().map(|vif| {
        let saved = vif.save();
        vif.disable();
        saved
    });
    if let Some(v) = k.vcpus.get_mut(vcpu) {
        Arch::save(&mut v.arch);
        v.cpu_if = cpu_if.unwrap_or_default();
        v.lrs = [0; MAX_LRS];
        v.lrs[..lrs.len()].copy_from_slice(&lrs);
    }
    Arch::host_mode();
    sync(k, vcpu);
}

/// Parks the loaded vCPU for its runner thread, which goes back to `qvm`
/// with the exit: the host's configuration goes on the CPU, the guest's
/// registers, FP/SIMD state, timer and list registers stay. The
/// underflow maintenance interrupt is turned off (the list registers do
/// not change while host code runs); [`unpark`] turns it on again.
pub fn park(k: &mut Kernel, cpu_index: usize) {
    let c = &k.cpus[cpu_index];
    let Some(vcpu) = c.loaded_vcpu.filter(|_| !c.parked) else {
        return;
    };
    if let Some(v) = k.vcpus.get_mut(vcpu) {
        Arch::park(&mut v.arch);
    }
    quiesce_maintenance(k);
    k.cpus[cpu_index].parked = true;
}

/// Undoes [`park`] for `vcpu`, its runner's next `vcpu_run` on this CPU:
/// the guest's configuration and its VM's space back on the CPU.
fn unpark(k: &mut Kernel, cpu_index: usize, vcpu: Id) {
    let Some(v) = k.vcpus.get(vcpu) else { return };
    let Some(vm) = k.vms.get(v.vm) else { return };
    Arch::unpark(&v.arch);
    if let Some(vif) = k.irqs.virt_if.as_ref() {
        vif.enable(v.lrs_overflow);
    }
    Arch::activate(vm.space.root());
    k.cpus[cpu_index].parked = false;
}

/// Takes the list registers kept for `vcpu` back into the virtual GIC
/// model.
pub fn sync(k: &mut Kernel, vcpu: Id) {
    let n = k.irqs.lr_count;
    let Some(v) = k.vcpus.get_mut(vcpu) else {
        return;
    };
    let (index, vm) = (v.index, v.vm);
    let mut lrs = v.lrs;
    if let Some(vgic) = k.vms.get_mut(vm).and_then(|m| m.vgic.as_mut()) {
        vgic.sync_lrs(index, &mut lrs[..n]);
        deactivate_dropped(vgic, &mut k.irqs.chip);
    }
    if let Some(v) = k.vcpus.get_mut(vcpu) {
        v.lrs = lrs;
    }
}

/// After a trap from the loaded guest: the live list registers go back
/// into the model (they are left empty: mark the vCPU stale for a
/// refill), and its timer's line is sampled again: the guest may have
/// stopped the timer since, or deactivated its interrupt (the EOI
/// maintenance interrupt of a level-sensitive one); once it falls the
/// timer's PPI is unmasked.
pub fn sync_live(k: &mut Kernel, cpu_index: usize) {
    let Some(vcpu) = k.cpus[cpu_index].loaded_vcpu else {
        return;
    };
    let mut lrs = LrValues::new();
    read_lrs(&k.irqs, &mut lrs);
    let Some(v) = k.vcpus.get(vcpu) else { return };
    let (index, vm) = (v.index, v.vm);
    let mut line = false;
    if let Some(vgic) = k.vms.get_mut(vm).and_then(|m| m.vgic.as_mut()) {
        vgic.sync_lrs(index, &mut lrs);
        deactivate_dropped(vgic, &mut k.irqs.chip);
        line = vgic.resample_private_line(index, VTIMER_INTID, vtimer_output);
    }
    write_lrs(&k.irqs, &lrs);
    mask_vtimer(k, cpu_index, line);
}

/// Whether the loaded guest's timer asserts its interrupt now: enabled,
/// not masked, its deadline reached (computed, not the timer's ISTATUS,
/// which QEMU updates only when its own timer callback runs).
#[inline]
pub fn vtimer_output() -> bool {
    Arch::guest_timer_deadline().is_some_and(|deadline| deadline <= Arch::counter())
}

/// Masks (or unmasks) the guests' timer PPI at this CPU's interrupt
/// controller. While the loaded vCPU's timer line is high in its virtual
/// GIC the PPI is masked: the timer keeps asserting it until the guest
/// stops it, and the guest's own timer state is never touched. Writes the
/// controller only when that changes.
#[inline(always)]
pub fn mask_vtimer(k: &mut Kernel, cpu_index: usize, masked: bool) {
    let c = &mut k.cpus[cpu_index];
    if c.vtimer_masked != masked {
        c.vtimer_masked = masked;
        k.irqs.chip.set_masked(VTIMER_INTID, cpu_index, masked);
    }
}

/// Whether the virtual CPU interface asserts its maintenance interrupt:
/// the guest ended a level-sensitive interrupt (EOI) or the list registers
/// ran low with more pending (underflow).
pub fn maintenance_pending(k: &Kernel) -> bool {
    k.irqs
        .virt_if
        .as_ref()
        .is_some_and(|vif| vif.maintenance_status() != 0)
}

/// Turns off the maintenance interrupt's underflow condition while the
/// kernel handles interrupts; `entry::prepare_entry` sets it again with the next
/// refill if more is pending than the list registers hold.
pub fn quiesce_maintenance(k: &mut Kernel) {
    if let Some(vif) = k.irqs.virt_if.as_ref() {
        vif.enable(false);
    }
}

/// Marks `vcpu`'s list registers for a sync and refill before it runs
/// (which lists whatever was kept for it to append).
pub fn mark_stale(k: &mut Kernel, vcpu: Id) {
    if let Some(v) = k.vcpus.get_mut(vcpu) {
        v.lrs_stale = true;
        v.appends.clear();
    }
}

/// Takes back the loaded `vcpu`'s list registers and refills them with
/// what is pending for it, or lists what another CPU kept for it
/// (`entry::prepare_entry`'s work for a vCPU of a GIC VM). Not inlined:
/// as one function with the check, every exit paid the work's register
/// saves.
#[inline(never)]
pub fn update_lrs(k: &mut Kernel, vcpu: Id) {
    match k.vcpus.get_mut(vcpu) {
        Some(v) if v.lrs_stale => {
            v.lrs_stale = false;
            v.appends.clear();
        }
        Some(v) => {
            let appends = core::mem::take(&mut v.appends);
            if super::appends::append_kept(k, vcpu, &appends) {
                return;
            }
        }
        None => return,
    }
    // One read: `fill_lrs` takes back what the registers hold first.
    let mut lrs = LrValues::new();
    read_lrs(&k.irqs, &mut lrs);
    let Some(v) = k.vcpus.get(vcpu) else { return };
    let (index, vm) = (v.index, v.vm);
    let overflow = match k.vms.get_mut(vm).and_then(|m| m.vgic.as_mut()) {
        Some(vgic) => vgic.fill_lrs(index, &mut lrs),
        None => false,
    };
    write_lrs(&k.irqs, &lrs);
    if let Some(vif) = k.irqs.virt_if.as_ref() {
        vif.enable(overflow);
    }
    if let Some(v) = k.vcpus.get_mut(vcpu) {
        v.lrs_overflow = overflow;
    }
}

/// Deactivates the physical interrupts whose virtual ones the guest
/// dropped without an EOI (cleared pending or active state). A quick test
/// when there are none: this runs after every list-register sync.
#[inline]
pub fn deactivate_dropped(vgic: &mut kernel::vgic::VGic, chip: &mut crate::hw::IrqChip) {
    if vgic.has_hw_done() {
        for pintid in vgic.take_hw_done() {
            chip.deactivate(pintid);
        }
    }
}
