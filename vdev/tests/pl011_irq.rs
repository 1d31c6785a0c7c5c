//! PL011 interrupts: `UARTRIS`, masking through `UARTIMSC` into `UARTMIS`,
//! clearing through `UARTICR`, and the level `qvm` drives.

mod common;
use common::*;

#[test]
fn transmit_interrupt_is_latched_by_writes() {
    let mut u = uart();
    assert_eq!(r(&mut u, UARTRIS), INT_TX, "transmit FIFO empty at reset");
    w(&mut u, UARTICR, INT_TX);
    assert_eq!(r(&mut u, UARTRIS), 0);
    w(&mut u, UARTIMSC, INT_TX);
    assert!(!u.irq_level());
    w(&mut u, UARTDR, u32::from(b'x'));
    assert_eq!(r(&mut u, UARTRIS), INT_TX);
    assert_eq!(r(&mut u, UARTMIS), INT_TX);
    assert!(u.irq_level());
    w(&mut u, UARTIMSC, 0);
    assert_eq!(r(&mut u, UARTRIS), INT_TX, "masking keeps the raw status");
    assert_eq!(r(&mut u, UARTMIS), 0);
    assert!(!u.irq_level());
}

#[test]
fn receive_interrupt_follows_pending_input() {
    for fifo in [false, true] {
        let mut u = if fifo { fifo_uart() } else { uart() };
        w(&mut u, UARTICR, INT_ALL);
        w(&mut u, UARTIMSC, INT_RX);
        assert!(!u.irq_level());
        u.push_input(b"k");
        assert_eq!(r(&mut u, UARTRIS) & INT_RX, INT_RX, "fifo {fifo}");
        assert_eq!(r(&mut u, UARTMIS), INT_RX);
        assert!(u.irq_level());
        // The clear does not hold while input is pending.
        w(&mut u, UARTICR, INT_RX);
        assert!(u.irq_level());
        r(&mut u, UARTDR);
        assert_eq!(r(&mut u, UARTRIS) & INT_RX, 0);
        assert!(!u.irq_level());
    }
}

#[test]
fn receive_timeout_is_latched_in_fifo_mode() {
    let mut u = fifo_uart();
    w(&mut u, UARTIMSC, INT_RT);
    u.push_input(b"ab");
    assert_eq!(r(&mut u, UARTMIS), INT_RT);
    w(&mut u, UARTICR, INT_RT);
    assert_eq!(r(&mut u, UARTMIS), 0);
    u.push_input(b"c");
    assert_eq!(r(&mut u, UARTMIS), INT_RT);
    r(&mut u, UARTDR);
    r(&mut u, UARTDR);
    assert_eq!(r(&mut u, UARTMIS), INT_RT, "still data in the FIFO");
    r(&mut u, UARTDR);
    assert_eq!(r(&mut u, UARTMIS), 0, "cleared by emptying the FIFO");

    let mut u = uart();
    w(&mut u, UARTIMSC, INT_RT);
    u.push_input(b"a");
    assert_eq!(r(&mut u, UARTRIS) & INT_RT, 0, "character mode: no timeout");
}

#[test]
fn mis_is_ris_and_imsc() {
    let mut u = fifo_uart();
    u.push_input(&[0; 40]);
    let ris = r(&mut u, UARTRIS);
    assert_eq!(ris, INT_TX | INT_RX | INT_RT | INT_OE);
    for imsc in [
        0,
        INT_RX,
        INT_TX,
        INT_OE | INT_RT,
        INT_ALL,
        INT_RI | INT_CTS,
    ] {
        w(&mut u, UARTIMSC, imsc);
        assert_eq!(r(&mut u, UARTMIS), ris & imsc, "imsc {imsc:#x}");
        assert_eq!(u.irq_level(), ris & imsc != 0);
    }
}

#[test]
fn icr_clears_only_the_bits_written() {
    let mut u = fifo_uart();
    u.push_input(&[0; 33]);
    w(&mut u, UARTICR, INT_OE);
    assert_eq!(r(&mut u, UARTRIS), INT_TX | INT_RX | INT_RT);
    w(&mut u, UARTICR, INT_TX | INT_RT);
    assert_eq!(r(&mut u, UARTRIS), INT_RX);
    // A byte write to ICR's upper byte reaches bits 8..15 (OEIC is bit 10).
    u.push_input(b"x");
    assert_eq!(r(&mut u, UARTRIS) & INT_OE, INT_OE);
    u.write(UARTICR + 1, 1, u64::from(INT_OE >> 8)).unwrap();
    assert_eq!(r(&mut u, UARTRIS) & INT_OE, 0);
}

#[test]
fn modem_and_error_interrupts_stay_clear() {
    let mut u = uart();
    w(
        &mut u,
        UARTIMSC,
        INT_RI | INT_CTS | INT_DCD | INT_DSR | INT_FE | INT_PE | INT_BE,
    );
    u.push_input(b"a");
    r(&mut u, UARTDR);
    assert_eq!(r(&mut u, UARTMIS), 0);
    assert!(!u.irq_level());
}
