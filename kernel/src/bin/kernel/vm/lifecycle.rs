//! A VM's life: created for its owner, ended with it (its vCPUs, memory
//! and VMID). Above the VM objects (`mod.rs`) and the kernel state, so
//! the objects stay plain data the state holds.

use super::{Vm, switch};
use crate::hw::Arch;
use crate::space::Space;
use crate::state::Kernel;
use abi::Error;
use alloc::vec::Vec;
use arch::Translation;
use kernel::exit_stats::ExitCounts;
use kernel::slab::Id;

/// Creates a VM owned by `owner`.
pub fn create(k: &mut Kernel, owner: Id) -> Result<Id, Error> {
    let vmid = k
        .vmids
        .alloc(kernel::vmid::VmidKind::Vm)
        .ok_or(Error::NoMemory)?;
    let space = match Space::new(&mut k.frames, vmid) {
        Ok(s) => s,
        Err(e) => {
            k.vmids.free(vmid);
            return Err(e);
        }
    };
    let vm = Vm {
        space,
        vcpus: Vec::new(),
        config: None,
        vgic: None,
        gic: Default::default(),
        apic: None,
    };
    let no_room = |k: &mut Kernel, vm: Vm| {
        k.vmids.free(vmid);
        vm.space.destroy(&mut k.frames);
        Error::NoMemory
    };
    if k.processes
        .get_mut(owner)
        .is_none_or(|p| p.vms.try_reserve(1).is_err())
    {
        return Err(no_room(k, vm));
    }
    let vm = k.vms.insert(vm).map_err(|vm| no_room(k, vm))?;
    if let Some(p) = k.processes.get_mut(owner) {
        p.vms.push(vm);
    }
    Ok(vm)
}

/// Ends a VM whose owner has ended: its vCPUs, memory and VMID.
pub fn destroy(k: &mut Kernel, vm: Id) {
    // Only this CPU can still hold one of its vCPUs: every thread of the
    // owner has ended, and other CPUs unload before running anything else.
    let here = crate::percpu::this_cpu();
    if let Some(loaded) = k.cpus[here].loaded_vcpu
        && k.vcpus.get(loaded).is_some_and(|v| v.vm == vm)
    {
        switch::unload(k, here);
    }
    let Some(v) = k.vms.remove(vm) else { return };
    for vcpu in v.vcpus.into_iter().flatten() {
        k.vcpus.remove(vcpu);
    }
    let running = Arch::active();
    Arch::activate(v.space.root());
    Arch::flush_active();
    Arch::activate(if running == v.space.root() {
        k.null_root
    } else {
        running
    });
    k.vmids.free(v.space.vmid);
    v.space.destroy(&mut k.frames);
}

/// The exits of `vm`'s vCPUs so far, by kind.
pub fn exit_counts(k: &Kernel, vm: Id) -> ExitCounts {
    let mut total = ExitCounts::default();
    let vcpus = k.vms.get(vm).map_or(&[][..], |m| &m.vcpus[..]);
    for v in vcpus.iter().flatten().filter_map(|&id| k.vcpus.get(id)) {
        total.merge(&v.exits);
    }
    total
}

/// The counter when the guest of `vm` first ran (the earliest first entry
/// of its vCPUs), if it ever did.
pub fn first_entry(k: &Kernel, vm: Id) -> Option<u64> {
    let vcpus = k.vms.get(vm).map_or(&[][..], |m| &m.vcpus[..]);
    vcpus
        .iter()
        .flatten()
        .filter_map(|&id| k.vcpus.get(id)?.first_entry)
        .min()
}

/// Ends every VM of a process that is going away (its teardown).
pub fn destroy_all(k: &mut Kernel, vms: &[Id]) {
    for &vm in vms {
        destroy(k, vm);
    }
}
