//! The host's interrupt controller as the kernel sees it: the local APICs
//! and one I/O APIC, with GIC-style INTIDs (`arch::board`) mapped to
//! vectors as [`super::intid_vector`] says.

use super::intid_vector::{intid_of, vector_of};
use super::ioapic::{IoApic, RTE_ACTIVE_LOW, RTE_LEVEL};
use super::{lapic, pending};
use crate::IrqChip;
use crate::board::{FIRST_SPI, IoApicInfo};

/// The local APICs (one per CPU, by APIC ID) and the I/O APIC.
pub struct ApicChip {
    ioapic: Option<IoApic>,
    active_low: u64,
    apic_ids: heapless::Vec<u32, { super::gdt::MAX_CPUS }>,
}

impl ApicChip {
    /// The controller whose CPUs have `apic_ids` (in index order).
    ///
    /// # Safety
    /// `ioapic` must describe the board's I/O APIC, identity-mapped
    /// uncached and driven by nothing else.
    pub unsafe fn new(ioapic: Option<IoApicInfo>, apic_ids: &[u64]) -> ApicChip {
        ApicChip {
            // SAFETY: the caller's promise.
            ioapic: ioapic.map(|io| unsafe { IoApic::new(io.base, io.gsi_base) }),
            active_low: ioapic.map_or(0, |io| io.active_low),
            apic_ids: apic_ids.iter().map(|&id| id as u32).collect(),
        }
    }

    fn apic_id(&self, cpu: usize) -> u32 {
        self.apic_ids.get(cpu).copied().unwrap_or(0)
    }
}

impl IrqChip for ApicChip {
    fn init_cpu(&mut self, _cpu: usize) {
        // SAFETY: called once per CPU as it starts, interrupts masked.
        unsafe { lapic::init() };
    }

    fn enable(&mut self, intid: u32, cpu: usize, edge: bool) {
        let (Some(vector), Some(gsi)) = (vector_of(intid), intid.checked_sub(FIRST_SPI)) else {
            // IPIs and the per-CPU lines are always on at the local APIC.
            return;
        };
        let apic_id = self.apic_id(cpu);
        let low = gsi < 64 && self.active_low & (1 << gsi) != 0;
        let flags = if edge { 0 } else { RTE_LEVEL } | if low { RTE_ACTIVE_LOW } else { 0 };
        if let Some(io) = self.ioapic.as_mut() {
            io.route(gsi, vector, apic_id, flags);
        }
    }

    fn disable(&mut self, intid: u32, _cpu: usize) {
        if let (Some(gsi), Some(io)) = (intid.checked_sub(FIRST_SPI), self.ioapic.as_mut()) {
            io.set_masked(gsi, true);
        }
    }

    fn set_masked(&mut self, _intid: u32, _cpu: usize, _masked: bool) {
        // Per-CPU lines here are the APIC timer alone, which the kernel
        // programs and stops itself; nothing stays asserted.
    }

    fn acknowledge(&mut self) -> Option<u32> {
        let cpu = super::cpu::index();
        while let Some(vector) = pending::take(cpu) {
            if vector == lapic::SPURIOUS_VECTOR {
                continue; // no EOI for a spurious interrupt
            }
            match intid_of(vector) {
                Some(intid) => return Some(intid),
                // A vector no INTID stands for: end it and go on.
                None => lapic::eoi(),
            }
        }
        None
    }

    fn end_of_interrupt(&mut self, _intid: u32) {
        lapic::eoi();
    }

    fn drop_priority(&mut self, intid: u32) {
        // A level line stays masked at the I/O APIC until `deactivate`
        // (the guest's EOI); the local APIC is done with it.
        if let (Some(gsi), Some(io)) = (intid.checked_sub(FIRST_SPI), self.ioapic.as_mut()) {
            io.set_masked(gsi, true);
        }
        lapic::eoi();
    }

    fn deactivate(&mut self, intid: u32) {
        if let (Some(gsi), Some(io)) = (intid.checked_sub(FIRST_SPI), self.ioapic.as_mut()) {
            io.set_masked(gsi, false);
        }
    }

    fn clear_active(&mut self, intid: u32) {
        self.deactivate(intid);
    }

    fn send_ipi(&mut self, cpu: usize, sgi: u32) {
        if let Some(vector) = vector_of(sgi & 0xF) {
            lapic::send_ipi(self.apic_id(cpu), vector);
        }
    }

    fn name(&self) -> &'static str {
        if lapic::is_x2apic() { "x2APIC" } else { "APIC" }
    }
}
