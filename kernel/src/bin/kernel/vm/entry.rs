//! The last step before the loaded guest runs again: its interrupt state
//! brought up to date, by the interrupt controller its VM has. A GIC VM's
//! list registers are refilled or appended to if its state may have
//! changed (`switch::update_lrs`); an APIC VM's due timer is fired and its
//! next interrupt injected (`apic::prepare_entry`). Above both, so that
//! neither names the other.

use super::{apic, exit, switch};
use crate::hw::Frame;
use crate::state::Kernel;

/// Just before the guest loaded on `cpu_index` (its registers in `frame`)
/// runs again. The check is inlined into every exit path; the work is not.
#[inline]
pub fn prepare_entry(k: &mut Kernel, cpu_index: usize, frame: &mut Frame) {
    let c = &k.cpus[cpu_index];
    let Some(vcpu) = c.loaded_vcpu.filter(|_| !c.parked) else {
        return;
    };
    match k.vcpus.get(vcpu) {
        // An INIT that came while its runner slept in HLT, or was the
        // runner's own, is carried out instead of entering.
        Some(v) if v.apic => {
            let init_waits = apic::prepare_entry(k, cpu_index, vcpu, frame);
            if init_waits {
                exit::carry_out_init(k, cpu_index, vcpu, frame);
            }
        }
        Some(v) if v.lrs_stale || !v.appends.is_empty() => switch::update_lrs(k, vcpu),
        _ => {}
    }
}
