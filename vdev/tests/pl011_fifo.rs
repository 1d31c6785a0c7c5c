//! PL011 receive path: `UARTFR` empty/full flags, FIFO order and capacity
//! with `UARTLCR_H.FEN` on and off, overruns, `UARTRSR`/`UARTECR`, loopback.

mod common;
use common::*;

#[test]
fn flags_follow_the_fifo() {
    let mut u = fifo_uart();
    assert_eq!(r(&mut u, UARTFR) & (FR_RXFE | FR_RXFF), FR_RXFE);
    u.push_input(b"a");
    assert_eq!(r(&mut u, UARTFR) & (FR_RXFE | FR_RXFF), 0);
    assert_eq!(r(&mut u, UARTDR), u32::from(b'a'));
    assert_eq!(r(&mut u, UARTFR) & (FR_RXFE | FR_RXFF), FR_RXFE);
}

#[test]
fn empty_data_register_reads_zero() {
    let mut u = fifo_uart();
    assert_eq!(r(&mut u, UARTDR), 0);
    assert_eq!(r(&mut u, UARTFR) & FR_RXFE, FR_RXFE);
}

#[test]
fn fifo_keeps_order_and_holds_32() {
    let mut u = fifo_uart();
    let input: Vec<u8> = (0..40).collect();
    assert_eq!(u.rx_space(), 32);
    assert_eq!(u.push_input(&input), 32);
    assert_eq!(u.dropped(), 8);
    assert_eq!(u.rx_space(), 0);
    assert_ne!(r(&mut u, UARTFR) & FR_RXFF, 0);
    let mut got = Vec::new();
    while r(&mut u, UARTFR) & FR_RXFE == 0 {
        let dr = r(&mut u, UARTDR);
        assert_eq!(dr & (DR_FE | DR_PE | DR_BE | DR_OE), 0, "no error bits");
        got.push(dr as u8);
    }
    assert_eq!(got, &input[..32]);
}

#[test]
fn fifo_refills_after_wrapping() {
    let mut u = fifo_uart();
    for round in 0..5u8 {
        let chunk = [round; 20];
        assert_eq!(u.push_input(&chunk), 20);
        for _ in 0..20 {
            assert_eq!(r(&mut u, UARTDR), u32::from(round));
        }
    }
    assert_eq!(u.dropped(), 0);
}

#[test]
fn holding_register_without_fifo() {
    let mut u = uart();
    assert_eq!(r(&mut u, UARTLCR_H) & LCR_H_FEN, 0);
    assert_eq!(u.rx_space(), 1);
    assert_eq!(u.push_input(b"hi"), 1);
    assert_eq!(u.dropped(), 1);
    assert_eq!(r(&mut u, UARTFR) & (FR_RXFE | FR_RXFF), FR_RXFF);
    assert_eq!(r(&mut u, UARTDR), u32::from(b'h'));
    assert_eq!(r(&mut u, UARTFR) & (FR_RXFE | FR_RXFF), FR_RXFE);
    assert_eq!(u.push_input(b"i"), 1);
    assert_eq!(r(&mut u, UARTDR), u32::from(b'i'));
}

#[test]
fn turning_the_fifo_off_keeps_what_is_queued() {
    let mut u = fifo_uart();
    u.push_input(b"abc");
    w(&mut u, UARTLCR_H, LCR_H_WLEN);
    assert_eq!(u.rx_space(), 0);
    assert_eq!(u.push_input(b"d"), 0);
    let got: Vec<u32> = (0..3).map(|_| r(&mut u, UARTDR)).collect();
    assert_eq!(got, [b'a', b'b', b'c'].map(u32::from));
    assert_eq!(u.rx_space(), 1);
}

#[test]
fn overrun_sets_rsr_oe_until_ecr() {
    let mut u = uart();
    u.push_input(b"ab");
    assert_eq!(r(&mut u, UARTRSR), RSR_OE);
    assert_eq!(r(&mut u, UARTRSR) & (RSR_FE | RSR_PE | RSR_BE), 0);
    assert_eq!(r(&mut u, UARTRIS) & INT_OE, INT_OE);
    w(&mut u, UARTECR, 0);
    assert_eq!(r(&mut u, UARTRSR), 0);
    w(&mut u, UARTICR, INT_OE);
    assert_eq!(r(&mut u, UARTRIS) & INT_OE, 0);
    assert_eq!(r(&mut u, UARTDR), u32::from(b'a'));
}

#[test]
fn loopback_sends_output_to_the_receiver() {
    let mut u = fifo_uart();
    w(&mut u, UARTCR, CR_UARTEN | CR_TXE | CR_RXE | CR_LBE);
    w(&mut u, UARTDR, u32::from(b'L'));
    assert!(u.sink().is_empty());
    assert_eq!(r(&mut u, UARTDR), u32::from(b'L'));
    w(&mut u, UARTCR, CR_UARTEN | CR_TXE | CR_RXE);
    w(&mut u, UARTDR, u32::from(b'M'));
    assert_eq!(u.sink().as_slice(), b"M");
    assert_eq!(u.rx_pending(), 0);
}

#[test]
fn output_needs_no_enable() {
    // Early consoles write before any driver set UARTCR.UARTEN.
    let mut u = uart();
    w(&mut u, UARTCR, 0);
    for &b in b"early\n" {
        w(&mut u, UARTDR, u32::from(b));
    }
    assert_eq!(u.sink().as_slice(), b"early\n");
}

#[test]
fn closure_sink() {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut u = Pl011::new(move |b: &[u8]| tx.send(b.to_vec()).unwrap());
    w(&mut u, UARTDR, u32::from(b'c'));
    w(&mut u, UARTDR, u32::from(b'd'));
    let got: Vec<Vec<u8>> = rx.try_iter().collect();
    assert_eq!(got, [b"c".to_vec(), b"d".to_vec()]);
}
