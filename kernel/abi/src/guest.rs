//! The kernel's limits on a VM's guest-physical layout: what `vm_configure`
//! and `vm_map_ram` accept and which windows the kernel traps for the
//! virtual GIC. `qvm`'s placement checks a configuration against these, so a
//! layout it accepts (also in `cargo xtask qvm-check` and `cargo xtask
//! image`) is one the kernel takes.
//!
//! Guest pages are [`PAGE_SIZE`](crate::PAGE_SIZE) bytes: every address and
//! size the kernel takes for a VM is a multiple of it.

use crate::{PAGE_SIZE, quota};

/// Bits of a guest-physical address (the stage-2 input range: a 39-bit IPA
/// space, `VTCR_EL2.T0SZ` = 25).
pub const GUEST_PA_BITS: u32 = 39;
/// Guest-physical addresses are below this: nothing the kernel maps or traps
/// for a VM reaches past it.
pub const GUEST_PA_TOP: u64 = 1 << GUEST_PA_BITS;
/// The lowest guest-physical address the kernel maps or traps for a VM:
/// 0. On a PC page 0 is RAM (the real-mode interrupt table and the BIOS
/// data area a guest reads), and boards such as the ZCU102 have RAM from
/// 0; a guest's null pointer is for its own page tables to catch.
pub const GUEST_PA_MIN: u64 = 0;

/// The most guest memory (RAM and ROM together) one `vm_map_ram` call maps,
/// and so one VM may have. The mapped-bytes quota of its `qvm`
/// ([`quota::MAPPED_BYTES`]) is 1 GiB more, for `qvm`'s own memory, so a
/// VM of this size fits. A call for more fails with
/// [`Error::Limit`](crate::Error::Limit).
pub const VM_RAM_MAX: u64 = 16 << 30;
const _: () = assert!(VM_RAM_MAX + (1 << 30) <= quota::MAPPED_BYTES as u64);

/// Most vCPUs of one VM (`vm_configure`'s `vcpus`; GICv2 VMs have at most 8,
/// the width of its target masks).
pub const VM_VCPUS_MAX: u64 = 64;
/// Most shared interrupts (SPIs) of one VM's distributor (`vm_configure`'s
/// `spis`, a multiple of 32): INTIDs 32 to [`VM_INTID_MAX`].
pub const VM_SPIS_MAX: u64 = 960;
/// The highest INTID a VM's device may drive (`vm_irq_line`).
pub const VM_INTID_MAX: u32 = 32 + VM_SPIS_MAX as u32 - 1;

/// The GICv2 distributor window the kernel emulates, from `gicd`.
pub const GICV2_GICD_SIZE: u64 = 0x1000;
/// The GICv2 CPU interface window at `gicr_or_gicc`: the host's virtual CPU
/// interface (GICV), mapped into the guest (`GICC_DIR` is at 0x1000).
pub const GICV2_GICC_SIZE: u64 = 0x2000;
/// The GICv3 distributor window the kernel emulates, from `gicd` (also the
/// alignment the architecture wants of it).
pub const GICV3_GICD_SIZE: u64 = 0x1_0000;
/// One GICv3 redistributor (RD_base and SGI_base frames): the kernel
/// emulates `vcpus` of them from `gicr_or_gicc`.
pub const GICV3_GICR_STRIDE: u64 = 0x2_0000;

/// `VmConfig::gic_version` of an x86 VM: the kernel emulates a local
/// APIC per vCPU (its xAPIC window at `gicr_or_gicc`, one page every vCPU
/// sees at the same address) and an I/O APIC (its window at `gicd`) with
/// `spis` pins, rather than a GIC. Its `vm_irq_line` lines are the I/O
/// APIC's pins, 0 to `spis - 1`.
pub const IRQ_CHIP_APIC: u64 = 0x100;
/// Where the local APIC's window is (IA32_APIC_BASE at reset): an
/// [`IRQ_CHIP_APIC`] VM's `gicr_or_gicc` must say so.
pub const LAPIC_DEFAULT_BASE: u64 = 0xFEE0_0000;
/// The local APIC's and the I/O APIC's windows.
pub const APIC_WINDOW_SIZE: u64 = 0x1000;
/// Most I/O APIC pins of one VM (`spis` of an [`IRQ_CHIP_APIC`] VM).
pub const VM_IOAPIC_PINS_MAX: u64 = 240;

/// Whether `[base, base + size)` is a range of whole pages the kernel may
/// map or trap for a VM: page aligned, not empty, ending at or below
/// [`GUEST_PA_TOP`] (every base is at or above [`GUEST_PA_MIN`], 0).
pub const fn guest_range_ok(base: u64, size: u64) -> bool {
    let page = PAGE_SIZE as u64;
    let end = match base.checked_add(size) {
        Some(end) => end,
        None => return false,
    };
    base.is_multiple_of(page) && size.is_multiple_of(page) && size != 0 && end <= GUEST_PA_TOP
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_ranges() {
        assert!(guest_range_ok(0x1000, 0x1000));
        assert!(guest_range_ok(GUEST_PA_TOP - 0x1000, 0x1000));
        assert!(guest_range_ok(0, 0x1000), "page 0 (PC RAM)");
        assert!(!guest_range_ok(GUEST_PA_TOP, 0x1000), "above the top");
        assert!(!guest_range_ok(GUEST_PA_TOP - 0x1000, 0x2000), "ends above");
        assert!(!guest_range_ok(0x1800, 0x1000), "unaligned");
        assert!(!guest_range_ok(0x1000, 0x800), "part of a page");
        assert!(!guest_range_ok(0x1000, 0), "empty");
        assert!(!guest_range_ok(!0xfff, 0x2000), "wraps");
        assert_eq!(VM_INTID_MAX, 991);
    }
}
