//! PL011 registers against DDI 0183G: reset values, read-back masks, the
//! identification registers, narrow accesses and unsupported accesses.

mod common;
use common::*;
use vdev::Fault;

#[test]
fn reset_values() {
    let mut u = uart();
    let want = [
        (UARTDR, 0),
        (UARTRSR, 0),
        (UARTFR, FR_TXFE | FR_RXFE),
        (UARTILPR, 0),
        (UARTIBRD, 0),
        (UARTFBRD, 0),
        (UARTLCR_H, 0),
        (UARTCR, 0x0300),
        (UARTIFLS, 0x12),
        (UARTIMSC, 0),
        (UARTMIS, 0),
        (UARTDMACR, 0),
    ];
    for (reg, value) in want {
        assert_eq!(r(&mut u, reg), value, "register {reg:#x}");
    }
    assert_eq!(CR_RESET, CR_TXE | CR_RXE);
    assert!(!u.irq_level());
}

#[test]
fn flags_never_block_output() {
    let mut u = uart();
    for _ in 0..100 {
        w(&mut u, UARTDR, u32::from(b'x'));
        let fr = r(&mut u, UARTFR);
        assert_eq!(fr & (FR_TXFF | FR_BUSY), 0);
        assert_ne!(fr & FR_TXFE, 0);
    }
    assert_eq!(u.sink().len(), 100);
    assert_eq!(r(&mut u, UARTFR) & (FR_CTS | FR_DSR | FR_DCD | FR_RI), 0);
}

#[test]
fn identification_registers() {
    let mut u = uart();
    let regs = [
        UARTPERIPHID0,
        UARTPERIPHID1,
        UARTPERIPHID2,
        UARTPERIPHID3,
        UARTPCELLID0,
        UARTPCELLID1,
        UARTPCELLID2,
        UARTPCELLID3,
    ];
    let got = regs.map(|reg| r(&mut u, reg));
    assert_eq!(got, [0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1]);
    // Read-only: writes change nothing.
    w(&mut u, UARTPERIPHID0, 0xFF);
    assert_eq!(r(&mut u, UARTPERIPHID0), 0x11);
}

#[test]
fn stored_registers_read_back_their_bits() {
    let mut u = uart();
    let cases = [
        (UARTILPR, 0xFF),
        (UARTIBRD, 0xFFFF),
        (UARTFBRD, 0x3F),
        (UARTLCR_H, 0xFF),
        (UARTCR, 0xFF87),
        (UARTIFLS, 0x3F),
        (UARTIMSC, 0x7FF),
        (UARTDMACR, 0x7),
    ];
    for (reg, mask) in cases {
        w(&mut u, reg, u32::MAX);
        assert_eq!(r(&mut u, reg), mask, "register {reg:#x}");
        w(&mut u, reg, 0);
        assert_eq!(r(&mut u, reg), 0, "register {reg:#x}");
    }
    w(&mut u, UARTIBRD, 13);
    w(&mut u, UARTFBRD, 1);
    assert_eq!((r(&mut u, UARTIBRD), r(&mut u, UARTFBRD)), (13, 1));
}

#[test]
fn read_only_registers_ignore_writes() {
    let mut u = uart();
    for reg in [UARTFR, UARTRIS, UARTMIS] {
        let before = r(&mut u, reg);
        w(&mut u, reg, u32::MAX);
        assert_eq!(r(&mut u, reg), before, "register {reg:#x}");
    }
    assert_eq!(r(&mut u, UARTICR), 0, "UARTICR is write-only");
}

#[test]
fn narrow_accesses() {
    let mut u = uart();
    // 8 and 16-bit reads of a 32-bit register.
    assert_eq!(u.read(UARTCR, 1), Ok(0x00));
    assert_eq!(u.read(UARTCR + 1, 1), Ok(0x03));
    assert_eq!(u.read(UARTCR, 2), Ok(0x0300));
    assert_eq!(u.read(UARTCR + 2, 2), Ok(0));
    assert_eq!(u.read(UARTPCELLID3, 1), Ok(0xB1));
    // Byte writes replace only their byte.
    u.write(UARTCR, 1, 0x01).unwrap();
    assert_eq!(r(&mut u, UARTCR), 0x0301);
    u.write(UARTCR + 1, 1, 0x00).unwrap();
    assert_eq!(r(&mut u, UARTCR), 0x0001);
    u.write(UARTIBRD, 2, 0xABCD).unwrap();
    assert_eq!(r(&mut u, UARTIBRD), 0xABCD);
    // A byte write to UARTDR sends a character; one to its upper byte does not.
    u.write(UARTDR, 1, u64::from(b'A')).unwrap();
    u.write(UARTDR + 1, 1, 0x42).unwrap();
    u.write(UARTDR, 2, u64::from(b'B')).unwrap();
    assert_eq!(u.sink().as_slice(), b"AB");
    // A byte read of UARTDR takes a character; one of its error byte does not.
    u.push_input(b"z");
    assert_eq!(u.read(UARTDR + 1, 1), Ok(0));
    assert_eq!(u.rx_pending(), 1);
    assert_eq!(u.read(UARTDR, 1), Ok(u64::from(b'z')));
    assert_eq!(u.rx_pending(), 0);
}

#[test]
fn unsupported_accesses() {
    let mut u = uart();
    let bad = [
        (UARTDR, 8),
        (UARTCR, 8),
        (UARTCR, 3),
        (UARTCR, 0),
        (UARTCR + 1, 2),
        (UARTCR + 2, 4),
        (UARTCR + 1, 4),
        (0x1000, 4),
        (0x1000, 1),
        (u64::MAX - 3, 4),
    ];
    for (offset, size) in bad {
        assert_eq!(
            u.read(offset, size),
            Err(Fault::Unsupported),
            "read {offset:#x}/{size}"
        );
        assert_eq!(
            u.write(offset, size, 0),
            Err(Fault::Unsupported),
            "write {offset:#x}/{size}"
        );
    }
    assert!(u.sink().is_empty(), "a refused write has no effect");
}

#[test]
fn unimplemented_offsets_read_zero() {
    let mut u = uart();
    for reg in [
        0x008, 0x00C, 0x010, 0x014, 0x01C, 0x04C, 0x080, 0xF00, 0xFDC,
    ] {
        w(&mut u, reg, u32::MAX);
        assert_eq!(r(&mut u, reg), 0, "offset {reg:#x}");
    }
    assert_eq!(u.kind(), "pl011");
    assert_eq!(Pl011::<Vec<u8>>::SIZE, 0x1000);
}

#[test]
fn reset_restores_registers_and_keeps_the_sink() {
    let mut u = fifo_uart();
    w(&mut u, UARTIMSC, INT_RX);
    w(&mut u, UARTDR, u32::from(b'a'));
    u.push_input(b"xyz");
    u.reset();
    assert_eq!(r(&mut u, UARTLCR_H), 0);
    assert_eq!(r(&mut u, UARTIMSC), 0);
    assert_eq!(r(&mut u, UARTFR), FR_TXFE | FR_RXFE);
    assert_eq!(u.sink().as_slice(), b"a");
}
