//! The tables and `vdev`'s PM1 block and reset register agree: a guest
//! that takes the ports from the FADT and SLP_TYP from the DSDT's `\_S5_`
//! powers the VM off, and the FADT's reset register and value reset it.

use vdev::Vdev;
use vdev::pc::acpi_pm::regs::{PM_TMR, PM1_CNT, PWRBTN_EN, PWRBTN_STS, SLP_EN, SLP_TYP_SHIFT};
use vdev::pc::{AcpiPm, ResetControl};

use super::aml::read_name_package;
use super::*;

/// A PM1 block made as `qvm` makes it, its clock stopped at 0.
fn pm() -> AcpiPm {
    AcpiPm::new(Box::new(|| 0), SLP_TYP_S5)
}

#[test]
fn the_fadt_ports_are_the_vdev_layout() {
    let (m, image) = pc(2);
    let f = table(&image, image.addrs.fadt);
    let evt = u32_at(f, 56);
    assert_eq!(u32_at(f, 64) - evt, PM1_CNT as u32, "PM1a_CNT_BLK");
    assert_eq!(u32_at(f, 76) - evt, PM_TMR as u32, "PM_TMR_BLK");
    assert_eq!(u64::from(u32_at(f, 76)) + 4, u64::from(evt) + AcpiPm::SIZE);
    assert_eq!(m.pm, PmPorts::block(PM_BASE));
    assert_eq!(u64_at(f, 120), u64::from(RESET_PORT));
    assert_eq!(ResetControl::SIZE, 1);
}

#[test]
fn a_guest_following_the_tables_powers_off() {
    let (_, image) = pc(2);
    let f = table(&image, image.addrs.fadt);
    let (evt, cnt) = (u32_at(f, 56), u32_at(f, 64));
    let aml = &table(&image, image.addrs.dsdt)[36..];
    let at = aml.windows(4).position(|w| w == b"_S5_").unwrap();
    let (_, s5, _) = read_name_package(&aml[at - 1..]);
    let slp_typ = s5[0] as u16;
    let mut pm = pm();
    let offset = u64::from(cnt - evt);
    let value = slp_typ << SLP_TYP_SHIFT;
    // ACPICA's order: SLP_TYP, then SLP_TYP with SLP_EN.
    pm.write(offset, 2, u64::from(value)).unwrap();
    assert!(!pm.take_power_off_request());
    pm.write(offset, 2, u64::from(value | SLP_EN)).unwrap();
    assert!(pm.take_power_off_request());
    assert_eq!(pm.unsupported_sleeps(), 0);
}

#[test]
fn the_fadt_reset_register_and_value_reset() {
    let (_, image) = pc(1);
    let f = table(&image, image.addrs.fadt);
    assert_eq!(&f[116..120], &[1, 8, 0, 1], "an 8-bit I/O register");
    let mut reset = ResetControl::new();
    reset.write(0, 1, u64::from(f[128])).unwrap();
    assert!(reset.take_reset_request());
}

#[test]
fn the_fixed_power_button_the_fadt_declares_raises_the_sci() {
    let (_, image) = pc(1);
    let flags = u32_at(table(&image, image.addrs.fadt), 112);
    assert_eq!(flags & fadt::PWR_BUTTON, 0, "a fixed-hardware power button");
    let mut pm = pm();
    pm.write(2, 2, u64::from(PWRBTN_EN)).unwrap();
    pm.press_power_button();
    assert!(pm.irq_level());
    assert_eq!(pm.read(0, 2), Ok(u64::from(PWRBTN_STS)));
}
