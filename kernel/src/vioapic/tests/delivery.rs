//! Edge and level delivery, Remote IRR and EOIs, masking, the message's
//! fields, and pins that do not exist.

use super::*;

#[test]
fn edge_delivers_only_on_a_rising_assertion() {
    let mut io = ioapic();
    assert!(program(&mut io, 4, edge(0x34, 2)).is_empty());
    assert_eq!(io.set_line(4, true), Ok(Some(fixed(4, 0x34, 2, false))));
    assert_eq!(io.set_line(4, true), Ok(None), "still high");
    assert_eq!(io.set_line(4, false), Ok(None));
    assert_eq!(io.set_line(4, false), Ok(None));
    assert_eq!(io.set_line(4, true), Ok(Some(fixed(4, 0x34, 2, false))));
    // Edge entries never set Remote IRR, and an EOI does nothing to them.
    assert!(!remote_irr(&mut io, 4));
    assert!(io.eoi(0x34).is_empty());
}

#[test]
fn an_edge_on_a_masked_pin_is_lost() {
    let mut io = ioapic();
    program(&mut io, 4, edge(0x34, 0) | IOREDTBL_MASK);
    assert_eq!(io.set_line(4, true), Ok(None));
    assert!(program(&mut io, 4, edge(0x34, 0)).is_empty(), "unmask");
    assert_eq!(io.set_line(4, true), Ok(None), "no new edge");
    io.set_line(4, false).unwrap();
    assert!(io.set_line(4, true).unwrap().is_some());
}

#[test]
fn level_sets_remote_irr_and_eoi_redelivers_while_high() {
    let mut io = ioapic();
    program(&mut io, 9, level(0x39, 1));
    let msg = fixed(9, 0x39, 1, true);
    assert_eq!(io.set_line(9, true), Ok(Some(msg)));
    assert!(remote_irr(&mut io, 9));
    assert_eq!(io.set_line(9, true), Ok(None), "Remote IRR set");
    assert!(io.eoi(0x38).is_empty(), "another vector");
    assert!(remote_irr(&mut io, 9));
    // The line is still high: the EOI sends it again.
    assert_eq!(&io.eoi(0x39)[..], &[msg]);
    assert!(remote_irr(&mut io, 9));
    // Deasserted: the EOI only clears Remote IRR.
    io.set_line(9, false).unwrap();
    assert!(remote_irr(&mut io, 9));
    assert!(io.eoi(0x39).is_empty());
    assert!(!remote_irr(&mut io, 9));
    assert!(io.eoi(0x39).is_empty());
    assert_eq!(io.set_line(9, true), Ok(Some(msg)));
}

#[test]
fn a_masked_level_interrupt_delivers_when_unmasked() {
    let mut io = ioapic();
    program(&mut io, 6, level(0x36, 0) | IOREDTBL_MASK);
    assert_eq!(io.set_line(6, true), Ok(None));
    assert!(!remote_irr(&mut io, 6));
    assert_eq!(
        &program(&mut io, 6, level(0x36, 0))[..],
        &[fixed(6, 0x36, 0, true)]
    );
    assert!(remote_irr(&mut io, 6));
    // Masked while Remote IRR is set: the EOI clears it and waits.
    program(&mut io, 6, level(0x36, 0) | IOREDTBL_MASK);
    assert!(io.eoi(0x36).is_empty());
    assert!(!remote_irr(&mut io, 6));
    assert_eq!(pins_of(&program(&mut io, 6, level(0x36, 0))), [6]);
    // A line that fell while masked delivers nothing.
    program(&mut io, 6, level(0x36, 0) | IOREDTBL_MASK);
    io.eoi(0x36);
    io.set_line(6, false).unwrap();
    assert!(program(&mut io, 6, level(0x36, 0)).is_empty());
    assert!(!remote_irr(&mut io, 6));
}

#[test]
fn edge_trigger_clears_remote_irr_and_level_again_redelivers() {
    let mut io = ioapic();
    program(&mut io, 2, level(0x42, 0));
    assert!(io.set_line(2, true).unwrap().is_some());
    // The same entry written again (a new destination) keeps Remote IRR
    // and sends nothing.
    assert!(program(&mut io, 2, level(0x42, 5)).is_empty());
    assert!(remote_irr(&mut io, 2));
    // Edge: Remote IRR cleared, nothing sent (an edge entry needs an edge).
    assert!(program(&mut io, 2, edge(0x42, 5)).is_empty());
    assert!(!remote_irr(&mut io, 2));
    // Level again with the line still high: sent.
    assert_eq!(
        &program(&mut io, 2, level(0x42, 5))[..],
        &[fixed(2, 0x42, 5, true)]
    );
    assert!(remote_irr(&mut io, 2));
}

#[test]
fn eoi_register_at_0x40() {
    let mut io = ioapic();
    program(&mut io, 11, level(0x3b, 0));
    assert!(io.set_line(11, true).unwrap().is_some());
    assert!(io.write(EOI, 4, 0x3a).is_empty());
    assert!(remote_irr(&mut io, 11));
    // Bits 31:8 are ignored.
    assert_eq!(pins_of(&io.write(EOI, 4, 0xffff_ff3b)), [11]);
    io.set_line(11, false).unwrap();
    assert!(io.write(EOI, 4, 0x3b).is_empty());
    assert!(!remote_irr(&mut io, 11));
}

#[test]
fn eoi_names_the_current_vector() {
    let mut io = ioapic();
    program(&mut io, 1, level(0x50, 0));
    io.set_line(1, true).unwrap();
    program(&mut io, 1, level(0x60, 7));
    assert!(io.eoi(0x50).is_empty());
    assert!(remote_irr(&mut io, 1));
    assert_eq!(&io.eoi(0x60)[..], &[fixed(1, 0x60, 7, true)]);
}

#[test]
fn message_fields() {
    let mut io = ioapic();
    let e = level(0xa1, 0x0f)
        | IOREDTBL_DESTMOD
        | IOREDTBL_INTPOL
        | DELMOD_LOWEST_PRIORITY << IOREDTBL_DELMOD_SHIFT;
    program(&mut io, 23, e);
    let d = Delivery {
        pin: 23,
        vector: 0xa1,
        delivery_mode: DeliveryMode::LowestPriority,
        logical: true,
        destination: 0x0f,
        level_triggered: true,
    };
    // INTPOL (active low) does not invert the logical assertion.
    assert_eq!(io.set_line(23, false), Ok(None));
    assert_eq!(io.set_line(23, true), Ok(Some(d)));
}

#[test]
fn smi_nmi_init_extint_are_edge_whatever_the_trigger_bit() {
    let modes = [
        (DELMOD_SMI, DeliveryMode::Smi),
        (DELMOD_NMI, DeliveryMode::Nmi),
        (DELMOD_INIT, DeliveryMode::Init),
        (DELMOD_EXTINT, DeliveryMode::ExtInt),
    ];
    for (bits, mode) in modes {
        let mut io = ioapic();
        program(&mut io, 0, level(0, 1) | bits << IOREDTBL_DELMOD_SHIFT);
        let d = io.set_line(0, true).unwrap().expect("an edge");
        assert_eq!((d.delivery_mode, d.level_triggered), (mode, false));
        assert!(!remote_irr(&mut io, 0), "{mode:?}");
        assert_eq!(io.set_line(0, true), Ok(None), "{mode:?}: no second edge");
        assert!(io.eoi(0).is_empty());
        io.set_line(0, false).unwrap();
        assert!(io.set_line(0, true).unwrap().is_some(), "{mode:?}");
    }
}

#[test]
fn reserved_delivery_modes_send_nothing() {
    for bits in [0b011, 0b110] {
        let mut io = ioapic();
        for (pin, e) in [(0, edge(0x30, 0)), (1, level(0x31, 0))] {
            program(&mut io, pin, e | bits << IOREDTBL_DELMOD_SHIFT);
            assert_eq!(io.set_line(pin, true), Ok(None), "mode {bits:#b}");
            assert!(!remote_irr(&mut io, pin));
        }
        // Fixed again: the high level line is sent, the edge one is not.
        assert!(program(&mut io, 0, edge(0x30, 0)).is_empty());
        assert_eq!(pins_of(&program(&mut io, 1, level(0x31, 0))), [1]);
    }
}

#[test]
fn pins_that_do_not_exist() {
    let mut io = ioapic();
    for pin in [24, 25, 119, 120, 128, usize::MAX] {
        assert_eq!(io.set_line(pin, true), Err(Error::NoSuchPin), "pin {pin}");
        assert_eq!(io.set_line(pin, false), Err(Error::NoSuchPin));
        assert_eq!(io.entry(pin), None);
        assert_eq!(io.line(pin), None);
    }
    // Writes to entries past the last pin change nothing that exists.
    assert!(wr(&mut io, redir(24), 0x30).is_empty());
    assert!(io.eoi(0x30).is_empty());
    let mut big = VIoApic::new(0, 120).unwrap();
    program(&mut big, 119, edge(0xfe, 0));
    assert_eq!(
        big.set_line(119, true),
        Ok(Some(fixed(119, 0xfe, 0, false)))
    );
    assert_eq!(big.set_line(120, true), Err(Error::NoSuchPin));
}
