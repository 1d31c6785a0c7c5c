//! Interrupts passed through to a VM (`vm_irq_pass`): a physical SPI bound
//! to one of the VM's virtual SPIs. On arrival the kernel only drops its
//! priority: it stays active while the virtual interrupt is pending in the
//! VM's vGIC, and the list register's HW bit makes the guest's EOI
//! deactivate it (`kernel::vgic`'s `hw.rs`). No host code runs on that
//! EOI, and the device cannot interrupt again before it. What the guest
//! drops without an EOI is deactivated after each list-register sync
//! (`switch::deactivate_dropped`).

use crate::state::Kernel;
use arch::IrqChip as _;
use kernel::slab::Id;

/// The physical interrupt bound to SPI `virq` of `vm` arrived: the virtual
/// one is pending (its vCPU kicked). Whether the physical interrupt stays
/// active (false: the VM is gone, end it as usual).
pub fn fired(k: &mut Kernel, vm: Id, virq: u32) -> bool {
    let Some(vgic) = k.vms.get_mut(vm).and_then(|m| m.vgic.as_mut()) else {
        return false;
    };
    if let Some(target) = vgic.hw_fired(virq) {
        super::deliver::kick_for(k, vm, target, Some(virq));
    }
    true
}

/// The binding of physical `intid` to SPI `virq` of `vm` ends (its owner
/// ended): the physical interrupt's active state is cleared at the
/// distributor (a guest may have deactivated it since the model last
/// looked), so the next holder gets a working line. The caller disables it.
pub fn unbind(k: &mut Kernel, intid: u32) {
    k.irqs.chip.clear_active(intid);
}
