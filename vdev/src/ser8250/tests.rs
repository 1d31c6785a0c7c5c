use super::Ser8250;
use super::regs::*;
use crate::{Fault, Vdev};
use alloc::vec::Vec;

type Uart = Ser8250<Vec<u8>>;

fn uart() -> Uart {
    Ser8250::new(Vec::new())
}

fn rd(uart: &mut Uart, offset: u64) -> u8 {
    uart.read(offset, 1).unwrap() as u8
}

fn wr(uart: &mut Uart, offset: u64, value: u8) {
    uart.write(offset, 1, u64::from(value)).unwrap()
}

/// Writes each (offset, value) in turn.
fn wr_all(uart: &mut Uart, writes: &[(u64, u8)]) {
    writes
        .iter()
        .for_each(|&(offset, value)| wr(uart, offset, value));
}

/// IER, IIR, LCR, MCR, LSR, MSR and SCR, as read in that order.
fn read_regs(uart: &mut Uart) -> [u8; 7] {
    [IER, IIR, LCR, MCR, LSR, MSR, SCR].map(|r| rd(uart, r))
}

#[test]
fn resets_to_the_datasheet_values() {
    let mut u = uart();
    assert_eq!(u.kind(), "ser8250");
    assert_eq!(read_regs(&mut u), [0, 0x01, 0, 0, 0x60, 0xB0, 0]);
    assert!(!u.irq_level());
    let setup = [(LCR, 0x1B), (IER, 0x0F), (SCR, 0x5A), (FCR, 0x01)];
    wr_all(&mut u, &setup);
    u.push_input(b"x");
    u.reset();
    assert_eq!(read_regs(&mut u), [0, 0x01, 0, 0, 0x60, 0xB0, 0]);
    assert_eq!(u.rx_pending(), 0);
}

#[test]
fn thr_output_reaches_the_sink_at_once() {
    let mut u = uart();
    for &b in b"hi\n" {
        wr(&mut u, THR, b);
        assert_eq!(rd(&mut u, LSR) & (LSR_THRE | LSR_TEMT), LSR_THRE | LSR_TEMT);
    }
    assert_eq!(u.sink().as_slice(), b"hi\n");
    u.sink_mut().clear();
    assert!(u.sink().is_empty());
}

#[test]
fn dlab_switches_offsets_0_and_1_to_the_divisor_latch() {
    let mut u = uart();
    wr_all(&mut u, &[(LCR, LCR_DLAB | 0x03), (DLL, 0x0C), (DLM, 0x01)]);
    assert_eq!([rd(&mut u, DLL), rd(&mut u, DLM)], [0x0C, 0x01]);
    assert!(u.sink().is_empty());
    assert_eq!(rd(&mut u, LCR), 0x83);
    wr(&mut u, LCR, 0x03);
    assert_eq!(rd(&mut u, IER), 0);
    wr(&mut u, IER, 0xFF);
    assert_eq!(rd(&mut u, IER), IER_MASK);
    wr(&mut u, THR, b'A');
    assert_eq!(u.sink().as_slice(), b"A");
    u.push_input(b"z");
    assert_eq!(rd(&mut u, RBR), b'z');
    wr(&mut u, LCR, LCR_DLAB);
    assert_eq!([rd(&mut u, DLL), rd(&mut u, DLM)], [0x0C, 0x01]);
}

#[test]
fn without_fifo_one_byte_waits_and_the_rest_overruns() {
    let mut u = uart();
    assert_eq!(u.rx_space(), 1);
    assert_eq!(u.push_input(b"ab"), 1);
    assert_eq!(u.dropped(), 1);
    assert_eq!(rd(&mut u, LSR), LSR_RESET | LSR_DR | LSR_OE);
    assert_eq!(rd(&mut u, LSR), LSR_RESET | LSR_DR, "reading LSR clears OE");
    assert_eq!(rd(&mut u, RBR), b'a');
    assert_eq!(rd(&mut u, LSR), LSR_RESET);
    assert_eq!(rd(&mut u, RBR), 0, "empty RBR");
}

#[test]
fn with_fifo_sixteen_bytes_wait_in_order() {
    let mut u = uart();
    wr(&mut u, FCR, FCR_FIFO_ENABLE);
    let input: Vec<u8> = (0..20).collect();
    assert_eq!(u.push_input(&input), 16);
    assert_eq!((u.dropped(), u.rx_space(), u.rx_pending()), (4, 0, 16));
    assert_eq!(rd(&mut u, LSR) & (LSR_OE | LSR_DR), LSR_OE | LSR_DR);
    let read: Vec<u8> = (0..16).map(|_| rd(&mut u, RBR)).collect();
    assert_eq!(read, input[..16]);
    assert_eq!(rd(&mut u, LSR), LSR_RESET);
}

#[test]
fn fcr_clears_the_fifo_and_needs_bit_0_to_program() {
    let mut u = uart();
    wr(&mut u, FCR, FCR_FIFO_ENABLE);
    u.push_input(b"abc");
    wr(&mut u, FCR, FCR_FIFO_ENABLE | FCR_XMIT_FIFO_RESET);
    assert_eq!(u.rx_pending(), 3, "the XMIT reset leaves RCVR alone");
    wr(&mut u, FCR, FCR_FIFO_ENABLE | FCR_RCVR_FIFO_RESET);
    assert_eq!(u.rx_pending(), 0);
    u.push_input(b"abc");
    wr(&mut u, FCR, 0xC0);
    assert_eq!(u.rx_pending(), 0, "leaving FIFO mode empties it");
    assert_eq!(rd(&mut u, IIR), IIR_NO_INT, "bits 7:6 not programmed");
    wr(&mut u, FCR, 0xC1);
    assert_eq!(rd(&mut u, IIR), IIR_FIFOS_ENABLED | IIR_NO_INT);
}

#[test]
fn received_data_follows_the_trigger_level_and_timeout() {
    let mut u = uart();
    wr_all(&mut u, &[(MCR, MCR_OUT2), (IER, IER_ERBFI)]);
    u.push_input(b"a");
    assert_eq!(rd(&mut u, IIR), IIR_RECEIVED_DATA_AVAILABLE, "16450 mode");
    rd(&mut u, RBR);
    assert_eq!(rd(&mut u, IIR), IIR_NO_INT);
    wr(&mut u, FCR, FCR_FIFO_ENABLE | 0x80); // trigger at 8 bytes
    let fifo_iir = |u: &mut Uart| rd(u, IIR) & !IIR_FIFOS_ENABLED;
    u.push_input(b"123");
    assert_eq!(fifo_iir(&mut u), IIR_CHARACTER_TIMEOUT);
    assert!(u.irq_level());
    assert_eq!(rd(&mut u, RBR), b'1');
    assert_eq!(fifo_iir(&mut u), IIR_NO_INT, "a read stops the timeout");
    assert!(!u.irq_level());
    u.push_input(b"4567");
    assert_eq!(fifo_iir(&mut u), IIR_CHARACTER_TIMEOUT, "6 bytes, below 8");
    u.push_input(b"89");
    assert_eq!(fifo_iir(&mut u), IIR_RECEIVED_DATA_AVAILABLE);
    rd(&mut u, RBR);
    assert_eq!(fifo_iir(&mut u), IIR_NO_INT, "back below the level");
    wr(&mut u, FCR, FCR_FIFO_ENABLE); // trigger at 1 byte: never a timeout
    assert_eq!(fifo_iir(&mut u), IIR_RECEIVED_DATA_AVAILABLE);
    assert_eq!(u.rx_pending(), 7, "same mode: the FIFO stays");
}

#[test]
fn iir_shows_the_highest_priority_and_each_clears_its_own_way() {
    let mut u = uart();
    wr(&mut u, MCR, MCR_LOOP); // CTS, DSR, DCD fall: MSR deltas
    wr(&mut u, THR, b'a');
    wr(&mut u, THR, b'b'); // RBR full: overrun
    wr(&mut u, IER, IER_MASK);
    assert_eq!(rd(&mut u, IIR), IIR_RECEIVER_LINE_STATUS);
    assert_eq!(rd(&mut u, IIR), IIR_RECEIVER_LINE_STATUS);
    rd(&mut u, LSR);
    assert_eq!(rd(&mut u, IIR), IIR_RECEIVED_DATA_AVAILABLE);
    assert_eq!(rd(&mut u, RBR), b'a');
    assert_eq!(rd(&mut u, IIR), IIR_THR_EMPTY);
    assert_eq!(rd(&mut u, IIR), IIR_MODEM_STATUS, "THRE cleared");
    assert_eq!(rd(&mut u, MSR), MSR_DCTS | MSR_DDSR | MSR_DDCD);
    assert_eq!(rd(&mut u, IIR), IIR_NO_INT);
    assert_eq!(u.dropped(), 1);
}

#[test]
fn thre_is_cleared_by_iir_and_raised_by_thr_writes_and_etbei() {
    let mut u = uart();
    wr(&mut u, MCR, MCR_OUT2);
    wr(&mut u, IER, IER_ETBEI);
    assert!(u.irq_level());
    assert_eq!(rd(&mut u, IIR), IIR_THR_EMPTY);
    assert!(!u.irq_level());
    assert_eq!(rd(&mut u, IIR), IIR_NO_INT);
    wr(&mut u, IER, IER_ETBEI);
    assert_eq!(rd(&mut u, IIR), IIR_NO_INT, "ETBEI was already set");
    wr(&mut u, THR, b'x');
    assert!(u.irq_level(), "the byte left, THR is empty again");
    assert_eq!(rd(&mut u, IIR), IIR_THR_EMPTY);
    wr_all(&mut u, &[(IER, 0), (IER, IER_ETBEI)]);
    assert_eq!(rd(&mut u, IIR), IIR_THR_EMPTY, "re-enabling ETBEI");
}

#[test]
fn the_irq_line_needs_out2_and_no_loopback() {
    let mut u = uart();
    wr(&mut u, IER, IER_ETBEI);
    assert!(!u.irq_level(), "OUT2 clear");
    wr(&mut u, MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
    assert!(u.irq_level());
    wr(&mut u, MCR, MCR_OUT2 | MCR_LOOP);
    assert!(!u.irq_level(), "loopback forces the OUT2 pin inactive");
    assert_eq!(rd(&mut u, IIR), IIR_THR_EMPTY, "still pending inside");
}

#[test]
fn loopback_returns_data_and_modem_lines() {
    let mut u = uart();
    wr(&mut u, MCR, MCR_LOOP);
    wr(&mut u, THR, b'x');
    assert!(u.sink().is_empty());
    assert_eq!(rd(&mut u, LSR), LSR_RESET | LSR_DR);
    assert_eq!(rd(&mut u, RBR), b'x');
    assert_eq!(u.push_input(b"host"), 0, "the serial input is cut off");
    assert_eq!((u.rx_space(), u.dropped()), (0, 0));

    assert_eq!(rd(&mut u, MSR), MSR_DCTS | MSR_DDSR | MSR_DDCD);
    assert_eq!(rd(&mut u, MSR), 0);
    wr(&mut u, MCR, MCR_LOOP | MCR_DTR);
    assert_eq!(rd(&mut u, MSR), MSR_DSR | MSR_DDSR);
    wr(&mut u, MCR, MCR_LOOP | MCR_RTS);
    assert_eq!(rd(&mut u, MSR), MSR_CTS | MSR_DCTS | MSR_DDSR);
    wr(&mut u, MCR, MCR_LOOP | MCR_OUT1);
    assert_eq!(rd(&mut u, MSR), MSR_RI | MSR_DCTS, "RI rising: no TERI");
    wr(&mut u, MCR, MCR_LOOP | MCR_OUT1 | MCR_OUT2);
    assert_eq!(rd(&mut u, MSR), MSR_RI | MSR_DCD | MSR_DDCD, "RI steady");
    wr(&mut u, MCR, 0); // RI falls: TERI
    let deltas = MSR_DCTS | MSR_DDSR | MSR_TERI;
    assert_eq!(rd(&mut u, MSR), MSR_CONNECTED | deltas);
    assert_eq!(rd(&mut u, MSR), MSR_CONNECTED);
    assert_eq!(u.push_input(b"h"), 1);
}

#[test]
fn only_single_bytes_inside_the_window_are_accepted() {
    let mut u = uart();
    let bad = [(0, 0), (0, 2), (4, 4), (0, 8), (8, 1), (u64::MAX, 1)];
    for (offset, size) in bad {
        assert_eq!(u.read(offset, size), Err(Fault::Unsupported));
        assert_eq!(u.write(offset, size, 0x41), Err(Fault::Unsupported));
    }
    assert!(u.sink().is_empty());
    assert_eq!(Uart::SIZE, 8);
}

#[test]
fn linux_8250_probe_finds_a_16550a() {
    let mut u = uart();
    // autoconfig(): IER must hold 0 and 0x0F, nothing else.
    let saved_ier = rd(&mut u, IER);
    wr(&mut u, IER, 0);
    assert_eq!(rd(&mut u, IER) & 0x0F, 0);
    wr(&mut u, IER, 0x0F);
    assert_eq!(rd(&mut u, IER) & 0x0F, 0x0F);
    wr(&mut u, IER, saved_ier);
    // Loopback with RTS and OUT2 must show CTS and DCD.
    let (saved_mcr, saved_lcr) = (rd(&mut u, MCR), rd(&mut u, LCR));
    wr(&mut u, MCR, MCR_LOOP | 0x0A);
    assert_eq!(rd(&mut u, MSR) & 0xF0, MSR_DCD | MSR_CTS);
    wr(&mut u, MCR, saved_mcr);
    // IIR bits 7:6 after enabling the FIFOs: 11 is a 16550A.
    let fifo_on = [(LCR, 0xBF), (FCR, 0), (LCR, 0), (FCR, FCR_FIFO_ENABLE)];
    wr_all(&mut u, &fifo_on);
    assert_eq!(rd(&mut u, IIR) & 0xC0, 0xC0);
    // Not a 16750 (IIR bit 5 with FCR bit 5), not an XScale (IER bit 6).
    wr(&mut u, FCR, FCR_FIFO_ENABLE | 0x20);
    assert_eq!(rd(&mut u, IIR) & 0xE0, 0xC0);
    wr(&mut u, IER, 0x40);
    assert_eq!(rd(&mut u, IER) & 0x40, 0);
    wr(&mut u, IER, 0);
    // The scratch register holds test patterns (autoconfig_8250()).
    for pattern in [0xA5, 0x5A] {
        wr(&mut u, SCR, pattern);
        assert_eq!(rd(&mut u, SCR), pattern);
    }
    wr(&mut u, LCR, saved_lcr);
    // serial8250_do_startup(): the THRE tests, with OUT2 set.
    wr_all(&mut u, &[(LCR, 0x03), (MCR, MCR_DTR | MCR_RTS | MCR_OUT2)]);
    wr(&mut u, IER, IER_ETBEI);
    let (lsr, iir) = (rd(&mut u, LSR), rd(&mut u, IIR));
    assert!(lsr & LSR_TEMT != 0 && iir & IIR_NO_INT == 0, "no BUG_TXEN");
    wr_all(&mut u, &[(IER, 0), (IER, IER_ETBEI)]);
    let iir1 = rd(&mut u, IIR);
    wr_all(&mut u, &[(IER, 0), (IER, IER_ETBEI)]);
    let iir2 = rd(&mut u, IIR);
    wr(&mut u, IER, 0);
    assert_eq!([iir1, iir2], [0xC2, 0xC2], "no BUG_THRE");
    assert_ne!(rd(&mut u, LSR), 0xFF);
    assert!(!u.irq_level());
}

#[test]
fn no_access_sequence_panics() {
    let mut u = uart();
    let mut seed = 0x2545_F491_4F6C_DD1D_u64;
    for _ in 0..20_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let offset = seed % 9;
        let value = seed >> 8;
        match (seed >> 40) % 4 {
            0 => drop(u.read(offset, 1)),
            1 => drop(u.write(offset, 1, value)),
            2 => drop(u.push_input(&value.to_le_bytes()[..(seed >> 50) as usize % 8])),
            _ => drop(u.irq_level()),
        }
    }
}
