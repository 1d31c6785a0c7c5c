//! Reset values of every register, the indirect access path with its
//! reserved and read-only bits, and what other offsets and widths do.

use super::*;

#[test]
fn constructor_checks_configuration() {
    assert!(VIoApic::new(0, 1).is_ok());
    assert!(VIoApic::new(15, 120).is_ok());
    assert_eq!(VIoApic::new(0, 0).err(), Some(Error::BadConfig));
    assert_eq!(VIoApic::new(0, 121).err(), Some(Error::BadConfig));
    assert_eq!(VIoApic::new(16, 24).err(), Some(Error::BadConfig));
    let io = VIoApic::new(9, 48).unwrap();
    assert_eq!((io.id(), io.pins()), (9, 48));
}

#[test]
fn reset_values() {
    let mut io = VIoApic::new(5, 24).unwrap();
    assert_eq!(io.read(IOREGSEL, 4), 0);
    // IOREGSEL 0 at reset: IOWIN shows the ID.
    assert_eq!(io.read(IOWIN, 4), 0x0500_0000);
    assert_eq!(rd(&mut io, IOAPICID), 0x0500_0000);
    assert_eq!(rd(&mut io, IOAPICVER), 0x0017_0020);
    assert_eq!(rd(&mut io, IOAPICARB), 0x0500_0000);
    for index in 0x03..IOREDTBL {
        assert_eq!(rd(&mut io, index), 0, "index {index:#x}");
    }
    for pin in 0..24 {
        assert_eq!(rd(&mut io, redir(pin)), 0x0001_0000, "pin {pin}");
        assert_eq!(rd(&mut io, redir(pin) + 1), 0, "pin {pin}");
        assert_eq!(io.entry(pin), Some(IOREDTBL_RESET));
        assert_eq!(io.line(pin), Some(false));
    }
    // Past the last entry: nothing.
    for index in redir(24)..=0xff {
        assert_eq!(rd(&mut io, index), 0, "index {index:#x}");
    }
    assert_eq!(io.read(EOI, 4), 0);
}

#[test]
fn version_reports_the_pin_count() {
    for (pins, ver) in [(1, 0x0000_0020), (24, 0x0017_0020), (120, 0x0077_0020)] {
        let mut io = VIoApic::new(0, pins).unwrap();
        assert_eq!(rd(&mut io, IOAPICVER), ver, "{pins} pins");
        // The last entry answers; the one after it does not exist.
        assert_eq!(rd(&mut io, redir(pins - 1)), 0x0001_0000);
        if pins < 120 {
            assert_eq!(rd(&mut io, redir(pins)), 0);
        }
    }
}

#[test]
fn ioregsel_keeps_bits_7_to_0() {
    let mut io = ioapic();
    io.write(IOREGSEL, 4, 0xffff_ff01);
    assert_eq!(io.read(IOREGSEL, 4), 0x01);
    assert_eq!(io.read(IOWIN, 4), 0x0017_0020);
    io.write(IOREGSEL, 4, 0x1_0000_0012);
    assert_eq!(io.read(IOREGSEL, 4), 0x12);
}

#[test]
fn id_is_bits_27_to_24_and_version_and_arbitration_are_read_only() {
    let mut io = ioapic();
    wr(&mut io, IOAPICID, 0xffff_ffff);
    assert_eq!(rd(&mut io, IOAPICID), 0x0f00_0000);
    assert_eq!(io.id(), 15);
    assert_eq!(rd(&mut io, IOAPICARB), 0x0f00_0000);
    wr(&mut io, IOAPICID, 0x0300_0000);
    assert_eq!(rd(&mut io, IOAPICARB), 0x0300_0000);
    wr(&mut io, IOAPICVER, 0);
    wr(&mut io, IOAPICARB, 0);
    assert_eq!(rd(&mut io, IOAPICVER), 0x0017_0020);
    assert_eq!(rd(&mut io, IOAPICARB), 0x0300_0000);
    // Unused indices ignore writes.
    wr(&mut io, 0x03, !0);
    wr(&mut io, redir(24), !0);
    assert_eq!(rd(&mut io, 0x03), 0);
    assert_eq!(rd(&mut io, redir(24)), 0);
    assert_eq!(rd(&mut io, IOAPICID), 0x0300_0000);
}

#[test]
fn redirection_entry_writable_reserved_and_read_only_bits() {
    let mut io = ioapic();
    // Bits 12 (DELIVS), 14 (Remote IRR) and 31:17 do not take a write.
    wr(&mut io, redir(3), 0xffff_ffff);
    assert_eq!(rd(&mut io, redir(3)), 0x0001_afff);
    // Bits 55:32 are reserved; 63:56 the destination.
    wr(&mut io, redir(3) + 1, 0xffff_ffff);
    assert_eq!(rd(&mut io, redir(3) + 1), 0xff00_0000);
    assert_eq!(io.entry(3), Some(0xff00_0000_0001_afff));
    // The other entries are untouched.
    assert_eq!(entry(&mut io, 2), IOREDTBL_RESET);
    assert_eq!(entry(&mut io, 4), IOREDTBL_RESET);
    // Each half writes alone.
    wr(&mut io, redir(3), 0x31);
    assert_eq!(entry(&mut io, 3), 0xff00_0000_0000_0031);
    wr(&mut io, redir(3) + 1, 0x0200_0000);
    assert_eq!(entry(&mut io, 3), 0x0200_0000_0000_0031);
}

#[test]
fn remote_irr_ignores_writes_that_keep_level_trigger() {
    let mut io = ioapic();
    program(&mut io, 5, level(0x41, 1));
    assert!(io.set_line(5, true).unwrap().is_some());
    assert!(remote_irr(&mut io, 5));
    // Writing 0 to the bit, keeping Trigger Mode level, leaves it set.
    wr(&mut io, redir(5), level(0x41, 1) as u32);
    assert!(remote_irr(&mut io, 5));
    wr(&mut io, redir(5) + 1, 0x0300_0000);
    assert!(remote_irr(&mut io, 5));
    assert_eq!(entry(&mut io, 5) & IOREDTBL_DELIVS, 0);
}

#[test]
fn other_widths_and_offsets_read_zero_and_ignore_writes() {
    let mut io = ioapic();
    program(&mut io, 0, level(0x30, 0));
    io.set_line(0, true).unwrap();
    io.write(IOREGSEL, 4, redir(0).into());
    let before = io.entry(0);
    for width in [1, 2, 8, 0, 3, 16] {
        for off in [IOREGSEL, IOWIN, EOI] {
            assert_eq!(io.read(off, width), 0, "{off:#x}/{width}");
            assert!(io.write(off, width, 0x30).is_empty(), "{off:#x}/{width}");
        }
    }
    // Neither IOREGSEL, nor the entry, nor Remote IRR (an EOI) changed.
    assert_eq!(io.read(IOREGSEL, 4), u64::from(redir(0)));
    assert_eq!(io.entry(0), before);
    assert!(remote_irr(&mut io, 0));
    io.write(IOREGSEL, 4, redir(0).into());
    for off in [
        0x01, 0x04, 0x08, 0x0c, 0x11, 0x14, 0x20, 0x30, 0x3c, 0x44, 0xffc, 0x1000,
    ] {
        assert_eq!(io.read(off, 4), 0, "{off:#x}");
        assert!(io.write(off, 4, 0x30).is_empty(), "{off:#x}");
    }
    assert_eq!(io.read(IOREGSEL, 4), u64::from(redir(0)));
    assert_eq!(io.entry(0), before);
}

#[test]
fn reset_restores_registers_and_keeps_lines() {
    let mut io = VIoApic::new(2, 24).unwrap();
    wr(&mut io, IOAPICID, 0x0700_0000);
    program(
        &mut io,
        1,
        level(0x51, 3) | IOREDTBL_INTPOL | IOREDTBL_DESTMOD,
    );
    assert!(io.set_line(1, true).unwrap().is_some());
    program(&mut io, 2, edge(0x52, 3));
    io.write(IOREGSEL, 4, 0x21);
    io.reset();
    assert_eq!(io.read(IOREGSEL, 4), 0);
    assert_eq!(rd(&mut io, IOAPICID), 0x0200_0000);
    for pin in 0..24 {
        assert_eq!(entry(&mut io, pin), IOREDTBL_RESET, "pin {pin}");
    }
    assert_eq!(io.line(1), Some(true));
    // The line is still high: once programmed again, it delivers.
    let d = program(&mut io, 1, level(0x61, 0));
    assert_eq!(&d[..], &[fixed(1, 0x61, 0, true)]);
}
