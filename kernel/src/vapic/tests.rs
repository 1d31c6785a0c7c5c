//! Routing between a VM's I/O APIC and local APICs.

use super::*;

const SVR: u64 = 0xF0;
const EOI: u64 = 0xB0;
const ICR_LOW: u64 = 0x300;
const ICR_HIGH: u64 = 0x310;
const IOREGSEL: u64 = 0x00;
const IOWIN: u64 = 0x10;

/// A 2-vCPU VM with both local APICs software-enabled.
fn vm() -> VmApic {
    let mut v = VmApic::new(2, 24, 0xFEC0_0000, 1_000_000_000).unwrap();
    for i in 0..2 {
        v.lapic_access(i, SVR, 4, Some(0x1FF), 0);
    }
    v
}

/// Programs I/O APIC pin `pin`: `vector`, physical destination `dest`,
/// level-triggered if `level`.
fn route(v: &mut VmApic, pin: u64, vector: u64, dest: u64, level: bool) {
    v.ioapic_access(IOREGSEL, 4, Some(0x10 + 2 * pin + 1));
    v.ioapic_access(IOWIN, 4, Some(dest << 24));
    v.ioapic_access(IOREGSEL, 4, Some(0x10 + 2 * pin));
    v.ioapic_access(IOWIN, 4, Some(vector | u64::from(level) << 15));
}

#[test]
fn a_device_line_reaches_the_local_apic_its_entry_names() {
    let mut v = vm();
    route(&mut v, 4, 0x34, 1, false);
    assert_eq!(v.set_line(4, true), Some(Targets(0b10)));
    assert_eq!(v.lapics[1].pending(), Some(0x34));
    assert_eq!(v.lapics[0].pending(), None);
    assert_eq!(v.set_line(99, true), None, "no such pin");
}

#[test]
fn a_level_interrupt_comes_again_after_its_eoi_while_the_line_is_high() {
    let mut v = vm();
    route(&mut v, 9, 0x41, 0, true);
    assert_eq!(v.set_line(9, true), Some(Targets(0b1)));
    assert_eq!(v.lapics[0].acknowledge(), Some(0x41));
    let eoi = v.lapic_access(0, EOI, 4, Some(0), 0);
    assert_eq!(eoi.targets, Targets(0b1));
    assert_eq!(
        v.lapics[0].pending(),
        Some(0x41),
        "Remote IRR cleared, line still high"
    );
    v.set_line(9, false);
    v.lapics[0].acknowledge();
    v.lapic_access(0, EOI, 4, Some(0), 0);
    assert_eq!(v.lapics[0].pending(), None);
}

#[test]
fn a_fixed_ipi_goes_to_its_destination_and_a_broadcast_to_the_others() {
    let mut v = vm();
    v.lapic_access(0, ICR_HIGH, 4, Some(1 << 24), 0);
    let sent = v.lapic_access(0, ICR_LOW, 4, Some(0x50), 0);
    assert_eq!(
        sent.targets,
        Targets(0b11),
        "vCPU 1, and the sender re-checked"
    );
    assert_eq!(v.lapics[1].pending(), Some(0x50));
    // All excluding self (shorthand 11).
    v.lapic_access(1, ICR_LOW, 4, Some(0x51 | 3 << 18), 0);
    assert_eq!(v.lapics[0].pending(), Some(0x51));
    assert_eq!(v.lapics[1].pending(), Some(0x50));
}

#[test]
fn lowest_priority_picks_the_lowest_ppr() {
    let mut v = vm();
    // vCPU 0 raises its TPR: vCPU 1 has the lower priority.
    v.lapic_access(0, 0x80, 4, Some(0x20), 0);
    // Logical flat: both LDRs name bit 0 and bit 1.
    v.lapic_access(0, 0xD0, 4, Some(1 << 24), 0);
    v.lapic_access(1, 0xD0, 4, Some(2 << 24), 0);
    v.ioapic_access(IOREGSEL, 4, Some(0x10 + 2 * 3 + 1));
    v.ioapic_access(IOWIN, 4, Some(3 << 24));
    v.ioapic_access(IOREGSEL, 4, Some(0x10 + 2 * 3));
    v.ioapic_access(IOWIN, 4, Some(0x60 | 1 << 8 | 1 << 11));
    assert_eq!(v.set_line(3, true), Some(Targets(0b10)));
}

#[test]
fn init_resets_its_targets_and_startup_names_them_with_the_page() {
    let mut v = vm();
    v.lapic_access(1, 0x80, 4, Some(0x40), 0);
    v.lapic_access(0, ICR_HIGH, 4, Some(1 << 24), 0);
    let init = v.lapic_access(0, ICR_LOW, 4, Some(5 << 8 | 1 << 14), 0);
    assert_eq!(init.inits, Targets(0b10));
    assert_eq!(init.targets, Targets(0b1), "only the sender re-checked");
    assert_eq!(v.lapics[1].tpr(), 0, "reset");
    assert!(!v.lapics[1].software_enabled(), "reset");
    // The de-assert INIT (level, de-assert) does nothing.
    let deassert = v.lapic_access(0, ICR_LOW, 4, Some(5 << 8 | 1 << 15), 0);
    assert_eq!(deassert.inits, Targets(0));
    let sipi = v.lapic_access(0, ICR_LOW, 4, Some(6 << 8 | 0x9a), 0);
    assert_eq!(sipi.startup, Some((Targets(0b10), 0x9a)));
    assert_eq!(v.dropped, 0);
}

#[test]
fn nmi_is_counted_not_delivered_and_odd_widths_read_zero() {
    let mut v = vm();
    v.lapic_access(0, ICR_HIGH, 4, Some(1 << 24), 0);
    let nmi = v.lapic_access(0, ICR_LOW, 4, Some(4 << 8 | 1 << 14), 0);
    assert_eq!(nmi.targets, Targets(0b1), "only the sender re-checked");
    assert_eq!(v.dropped, 1);
    assert_eq!(v.lapic_access(0, 0x30, 2, None, 0).value, 0);
    assert_eq!(
        v.lapic_access(0, 0x30, 4, None, 0).value & 0xFF,
        0x14,
        "version"
    );
    assert_eq!(v.lapic_offset(0, 0xFEE0_0300), Some(0x300));
    assert_eq!(v.lapic_offset(0, 0xFEE0_1000), None);
    assert_eq!(v.ioapic_offset(0xFEC0_0010), Some(0x10));
}

#[test]
fn the_msr_path_enters_x2apic_mode_sends_ipis_and_arms_the_deadline_timer() {
    let mut v = vm();
    // IA32_APIC_BASE: EN and EXTD (x2APIC mode), BSP read-only.
    let base = v.msr_access(0, 0x1B, None, 0).unwrap().value;
    assert_eq!(base, 0xFEE0_0900);
    v.msr_access(0, 0x1B, Some(0xFEE0_0C00), 0).unwrap();
    v.msr_access(1, 0x1B, Some(0xFEE0_0C00), 0).unwrap();
    assert_eq!(
        v.msr_access(0, 0x802, None, 0).unwrap().value,
        0,
        "x2APIC ID"
    );
    assert_eq!(v.msr_access(1, 0x802, None, 0).unwrap().value, 1);
    // ICR (0x830): fixed vector 0x55 to x2APIC ID 1.
    let sent = v.msr_access(0, 0x830, Some(1 << 32 | 0x55), 0).unwrap();
    assert_eq!(sent.targets, Targets(0b11));
    assert_eq!(v.lapics[1].pending(), Some(0x55));
    // TSC-deadline mode (LVT timer bits 18:17 = 10) at vector 0x40.
    v.msr_access(0, 0x832, Some(0x40 | 2 << 17), 0).unwrap();
    let armed = v.msr_access(0, 0x6E0, Some(5_000), 100).unwrap();
    assert!(armed.timer_changed);
    assert_eq!(v.lapics[0].timer_deadline(), Some(5_000));
    // A reserved x2APIC register and an xAPIC-only write fault.
    assert_eq!(v.msr_access(0, 0x801, None, 0), Err(Gp));
    assert_eq!(
        v.msr_access(0, 0x1B, Some(0xFEE0_0800), 0),
        Err(Gp),
        "x2APIC to xAPIC"
    );
}
