use super::*;

fn out(pic: &mut Pic8259, offset: u64, v: u8) {
    pic.write(offset, 1, u64::from(v)).unwrap();
}

fn inb(pic: &mut Pic8259, offset: u64) -> u8 {
    pic.read(offset, 1).unwrap() as u8
}

/// Linux's `init_8259A` for the master, then all levels unmasked.
fn linux_master() -> Pic8259 {
    let mut pic = Pic8259::new();
    for (offset, v) in [
        (1, 0xFF),
        (0, 0x11),
        (1, 0x30),
        (1, 0x04),
        (1, 0x01),
        (1, 0x00),
    ] {
        out(&mut pic, offset, v);
    }
    pic
}

fn read_irr(pic: &mut Pic8259) -> u8 {
    out(pic, 0, 0x0A);
    inb(pic, 0)
}

fn read_isr(pic: &mut Pic8259) -> u8 {
    out(pic, 0, 0x0B);
    inb(pic, 0)
}

#[test]
fn linux_probe_and_init_read_back_the_mask() {
    let mut master = Pic8259::new();
    let mut slave = Pic8259::new();
    assert_eq!(inb(&mut master, 1), 0xFF, "all masked from the start");
    // probe_8259A
    out(&mut slave, 1, 0xFF);
    out(&mut master, 1, 0xFB);
    assert_eq!(inb(&mut master, 1), 0xFB);
    // init_8259A(0)
    out(&mut master, 1, 0xFF);
    out(&mut master, 0, 0x11);
    assert_eq!(inb(&mut master, 1), 0x00, "ICW1 clears the IMR");
    for v in [0x30, 0x04, 0x01] {
        out(&mut master, 1, v);
    }
    for (offset, v) in [(0, 0x11), (1, 0x38), (1, 0x02), (1, 0x01)] {
        out(&mut slave, offset, v);
    }
    out(&mut master, 1, 0xFF);
    out(&mut slave, 1, 0xFF);
    assert_eq!([inb(&mut master, 1), inb(&mut slave, 1)], [0xFF, 0xFF]);
    assert_eq!([master.vector_base(), slave.vector_base()], [0x30, 0x38]);
    assert_eq!(read_irr(&mut master), 0);
    assert!(!master.irq_level());
    assert_eq!(master.kind(), "8259");
}

#[test]
fn irr_and_isr_through_ocw3_and_eoi() {
    let mut pic = linux_master();
    pic.set_irq(5, true);
    pic.set_irq(3, true);
    assert_eq!(read_irr(&mut pic), 0x28);
    assert_eq!(inb(&mut pic, 0), 0x28, "the selection stays");
    assert!(pic.irq_level());
    assert_eq!(pic.acknowledge(), 0x33);
    assert_eq!(read_isr(&mut pic), 0x08);
    assert_eq!(read_irr(&mut pic), 0x20);
    assert!(!pic.irq_level(), "IR5 waits for IR3's EOI");
    out(&mut pic, 0, OCW2_EOI);
    assert_eq!(pic.isr(), 0);
    assert!(pic.irq_level());
    assert_eq!(pic.acknowledge(), 0x35);
    out(&mut pic, 0, OCW2_SPECIFIC_EOI | 5);
    assert_eq!((pic.isr(), pic.irr()), (0, 0));
    assert_eq!(pic.acknowledge(), 0x37, "spurious: IR7, nothing in service");
    assert_eq!(pic.isr(), 0);
}

#[test]
fn requests_are_edge_triggered_and_masked_by_the_imr() {
    let mut pic = linux_master();
    pic.set_irq(1, true);
    assert_eq!(pic.acknowledge(), 0x31);
    out(&mut pic, 0, OCW2_EOI);
    pic.set_irq(1, true);
    assert_eq!(pic.irr(), 0, "no new edge while high");
    pic.set_irq(1, false);
    pic.set_irq(1, true);
    assert_eq!(pic.irr(), 0x02);
    out(&mut pic, 1, 0x02);
    assert!(!pic.irq_level(), "masked");
    assert_eq!(read_irr(&mut pic), 0x02, "but still requested");
    out(&mut pic, 1, 0x00);
    assert!(pic.irq_level());
    // A new ICW1 resets the edge sense: a line still high needs a new edge.
    out(&mut pic, 0, 0x11);
    assert_eq!(pic.irr(), 0);
    for v in [0x30, 0x04, 0x01, 0x00] {
        out(&mut pic, 1, v);
    }
    assert!(!pic.irq_level());
}

#[test]
fn poll_command_acknowledges() {
    let mut pic = linux_master();
    out(&mut pic, 0, OCW3_SEL | OCW3_P);
    assert_eq!(inb(&mut pic, 0), 0x00, "nothing to poll");
    pic.set_irq(6, true);
    out(&mut pic, 0, OCW3_SEL | OCW3_P | OCW3_RR | OCW3_RIS);
    assert_eq!(inb(&mut pic, 0), 0x86);
    assert_eq!(inb(&mut pic, 0), 0x40, "then the ISR, as selected");
}

#[test]
fn rotation_and_priority() {
    let mut pic = linux_master();
    out(&mut pic, 0, OCW2_SET_PRIORITY | 4); // IR5 highest
    for ir in [2, 6] {
        pic.set_irq(ir, true);
    }
    assert_eq!(pic.acknowledge() & 7, 6);
    assert!(!pic.irq_level(), "IR2 is below IR6 now");
    out(&mut pic, 0, OCW2_ROTATE_EOI); // IR6 lowest: IR7 highest
    assert_eq!(pic.acknowledge() & 7, 2);
    out(&mut pic, 0, OCW2_ROTATE_SPECIFIC_EOI | 2);
    assert_eq!(pic.isr(), 0);
    for ir in [3, 1] {
        pic.set_irq(ir, true);
    }
    assert_eq!(pic.acknowledge() & 7, 3, "IR3 follows lowest IR2");
}

#[test]
fn automatic_eoi_and_special_mask_mode() {
    let mut pic = Pic8259::new();
    for (offset, v) in [(0, 0x13), (1, 0x08), (1, 0x03), (1, 0x00)] {
        out(&mut pic, offset, v); // single, ICW4 with AEOI
    }
    out(&mut pic, 0, OCW2_ROTATE_AEOI_SET);
    pic.set_irq(0, true);
    assert_eq!(pic.acknowledge(), 0x08);
    assert_eq!(pic.isr(), 0, "automatic EOI");
    pic.set_irq(1, true);
    pic.set_irq(0, false);
    pic.set_irq(0, true);
    assert_eq!(pic.acknowledge(), 0x09, "IR0 rotated to the lowest");
    // Special mask mode: a masked level in service holds off nobody.
    let mut pic = linux_master();
    pic.set_irq(3, true);
    pic.acknowledge();
    pic.set_irq(5, true);
    out(&mut pic, 1, 0x08);
    assert!(!pic.irq_level());
    out(&mut pic, 0, OCW3_SEL | OCW3_ESMM | OCW3_SMM);
    assert!(pic.irq_level());
    out(&mut pic, 0, OCW3_SEL | OCW3_ESMM);
    assert!(!pic.irq_level());
}

#[test]
fn single_mode_without_icw4_skips_icw3_and_icw4() {
    let mut pic = Pic8259::new();
    out(&mut pic, 0, ICW1_INIT | ICW1_SNGL);
    out(&mut pic, 1, 0x20);
    out(&mut pic, 1, 0x5A);
    assert_eq!(pic.imr(), 0x5A);
    assert_eq!(pic.vector_base(), 0x20);
}

#[test]
fn odd_accesses_fault_and_nothing_panics() {
    let mut pic = Pic8259::default();
    assert_eq!(pic.read(0, 2), Err(Fault::Unsupported));
    assert_eq!(pic.read(2, 1), Err(Fault::Unsupported));
    assert_eq!(pic.write(1, 4, 0), Err(Fault::Unsupported));
    for line in [8, 31, 32, 255] {
        pic.set_irq(line, true);
    }
    assert_eq!(pic.irr(), 0);
    for a in 0..=255u8 {
        for offset in [0, 1, 0, 1] {
            out(&mut pic, offset, a);
            pic.set_irq(a % 8, a & 0x10 != 0);
            inb(&mut pic, 0);
            pic.irq_level();
            pic.acknowledge();
        }
    }
}
