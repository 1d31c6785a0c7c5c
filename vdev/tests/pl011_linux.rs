//! Plays the register accesses of Linux's amba-pl011 driver (v6.x) against
//! the model: earlycon, the amba bus reading the IDs, probe, the console,
//! `startup` when the tty opens, transmit, and receive interrupts. Driver
//! registers are accessed with `readw`/`writew` (`UPIO_MEM`), as Linux
//! does unless the device tree says `reg-io-width = <4>`.

mod common;
use common::*;

/// The driver's view of one port.
struct Driver {
    u: Pl011<Vec<u8>>,
    /// `uap->im`: the interrupt mask the driver believes is set.
    im: u32,
    fifosize: usize,
    /// What reached the tty layer.
    tty: Vec<u8>,
}

impl Driver {
    fn readw(&mut self, reg: u64) -> u32 {
        self.u.read(reg, 2).unwrap() as u32
    }

    fn writew(&mut self, value: u32, reg: u64) {
        self.u.write(reg, 2, value.into()).unwrap();
    }

    /// `amba_read_periphid` and the match against the driver's id table.
    fn probe(u: Pl011<Vec<u8>>) -> Self {
        let mut u = u;
        let (mut pid, mut cid) = (0u32, 0u32);
        for i in 0..4 {
            pid |= (r(&mut u, 0xFE0 + 4 * i) & 255) << (i * 8);
            cid |= (r(&mut u, 0xFF0 + 4 * i) & 255) << (i * 8);
        }
        assert_eq!(cid, 0xB105_F00D, "AMBA_CID");
        assert_eq!(pid & 0x000F_FFFF, 0x0004_1011, "vendor_arm id");
        let rev = (pid >> 20) & 0xF;
        let mut d = Driver {
            u,
            im: 0,
            fifosize: if rev < 3 { 16 } else { 32 },
            tty: Vec::new(),
        };
        // pl011_register_port
        d.writew(0, UARTIMSC);
        d.writew(0xFFFF, UARTICR);
        d
    }

    /// `pl011_set_termios` for 115200 8N1 with a 24 MHz UARTCLK.
    fn set_termios(&mut self) {
        // DIV_ROUND_CLOSEST(uartclk * 4, baud)
        let quot = (24_000_000u32 * 4 + 115_200 / 2) / 115_200;
        let lcr_h = LCR_H_WLEN | if self.fifosize > 1 { LCR_H_FEN } else { 0 };
        let old_cr = self.readw(UARTCR) & !(CR_CTSEN | CR_RTSEN);
        self.writew(quot & 0x3F, UARTFBRD);
        self.writew(quot >> 6, UARTIBRD);
        self.writew(lcr_h, UARTLCR_H);
        self.writew(old_cr, UARTCR);
    }

    /// `pl011_console_write`.
    fn console_write(&mut self, s: &[u8]) {
        let old_cr = self.readw(UARTCR);
        self.writew((old_cr & !CR_CTSEN) | CR_UARTEN | CR_TXE, UARTCR);
        for &c in s {
            while self.readw(UARTFR) & FR_TXFF != 0 {}
            self.writew(c.into(), UARTDR);
        }
        while self.readw(UARTFR) & FR_BUSY != 0 {}
        self.writew(old_cr, UARTCR);
    }

    /// `pl011_startup`: hwinit, allocate_irq, IFLS, CR, enable_interrupts.
    fn startup(&mut self) {
        self.writew(INT_OE | INT_BE | INT_PE | INT_FE | INT_RT | INT_RX, UARTICR);
        self.im = self.readw(UARTIMSC);
        self.writew(INT_RT | INT_RX, UARTIMSC);
        self.writew(self.im, UARTIMSC);
        self.writew(0x12, UARTIFLS);
        let cr = self.readw(UARTCR) & (CR_RTS | CR_DTR);
        self.writew(cr | CR_UARTEN | CR_RXE | CR_TXE, UARTCR);
        let _old_status = self.readw(UARTFR) & (FR_CTS | FR_DSR | FR_DCD);
        // pl011_enable_interrupts
        self.writew(INT_RT | INT_RX, UARTICR);
        for _ in 0..self.fifosize * 2 {
            if self.readw(UARTFR) & FR_RXFE != 0 {
                break;
            }
            self.readw(UARTDR);
        }
        self.im = INT_RT | INT_RX;
        self.writew(self.im, UARTIMSC);
        // pl011_set_mctrl(TIOCM_RTS | TIOCM_DTR)
        let cr = self.readw(UARTCR);
        self.writew(cr | CR_RTS | CR_DTR, UARTCR);
    }

    /// `pl011_tx_chars`: at most `fifosize / 2` characters from an
    /// interrupt, else while TXFF is clear; returns what is left.
    fn tx_chars<'a>(&mut self, mut s: &'a [u8], from_irq: bool) -> &'a [u8] {
        let mut count = self.fifosize / 2;
        while let Some((&c, rest)) = s.split_first() {
            if from_irq {
                if count == 0 {
                    break;
                }
                count -= 1;
            } else if self.readw(UARTFR) & FR_TXFF != 0 {
                break;
            }
            self.writew(c.into(), UARTDR);
            s = rest;
        }
        if s.is_empty() {
            self.im &= !INT_TX; // pl011_stop_tx
            self.writew(self.im, UARTIMSC);
        }
        s
    }

    /// `pl011_int`, with `pending` the characters the tty still has to send.
    fn interrupt<'a>(&mut self, mut pending: &'a [u8]) -> &'a [u8] {
        let mut status = self.readw(UARTRIS) & self.im;
        assert_ne!(status, 0, "spurious interrupt");
        let mut passes = 0;
        while status != 0 {
            self.writew(status & !(INT_TX | INT_RT | INT_RX), UARTICR);
            if status & (INT_RT | INT_RX) != 0 {
                // pl011_fifo_to_tty
                while self.readw(UARTFR) & FR_RXFE == 0 {
                    let ch = self.readw(UARTDR);
                    assert_eq!(ch & (DR_OE | DR_BE | DR_PE | DR_FE), 0);
                    self.tty.push(ch as u8);
                }
            }
            if status & INT_TX != 0 {
                pending = self.tx_chars(pending, true);
            }
            passes += 1;
            assert!(passes < 256, "interrupt storm");
            status = self.readw(UARTRIS) & self.im;
        }
        pending
    }
}

#[test]
fn linux_probe_console_and_tty() {
    let mut u = uart();
    // earlycon=pl011,mmio32,...: readl FR, writel DR, readl FR until !BUSY.
    for &c in b"Booting Linux\n" {
        assert_eq!(r(&mut u, UARTFR) & FR_TXFF, 0);
        w(&mut u, UARTDR, c.into());
        assert_eq!(r(&mut u, UARTFR) & FR_BUSY, 0);
    }
    let mut d = Driver::probe(u);
    assert_eq!(d.fifosize, 32);
    assert!(!d.u.irq_level());

    // The console (console=ttyAMA0) takes over from earlycon.
    d.set_termios();
    assert_eq!(d.readw(UARTIBRD), 13);
    assert_eq!(d.readw(UARTFBRD), 1);
    assert_eq!(d.readw(UARTLCR_H), LCR_H_WLEN | LCR_H_FEN);
    d.console_write(b"printk\n");
    assert_eq!(d.readw(UARTCR), CR_TXE | CR_RXE, "console restores CR");
    assert!(!d.u.irq_level(), "all interrupts still masked");

    // init opens /dev/ttyAMA0 (or /dev/console).
    d.startup();
    d.set_termios();
    assert_eq!(d.readw(UARTIMSC), INT_RT | INT_RX);
    assert_eq!(
        d.readw(UARTCR),
        CR_UARTEN | CR_TXE | CR_RXE | CR_RTS | CR_DTR
    );
    assert!(!d.u.irq_level());

    // pl011_start_tx_pio: everything fits, so TXIM stays off.
    let left = d.tx_chars(b"login: ", false);
    assert!(left.is_empty());
    assert!(!d.u.irq_level(), "TXRIS is latched but masked");

    // A user types; qvm pushes the input and polls the line.
    assert_eq!(d.u.push_input(b"root\r"), 5);
    assert!(d.u.irq_level());
    assert_eq!(d.readw(UARTMIS), INT_RX | INT_RT);
    assert!(d.interrupt(b"").is_empty());
    assert_eq!(d.tty, b"root\r");
    assert!(!d.u.irq_level(), "line drops once the FIFO is empty");
    assert_eq!(d.readw(UARTRIS) & (INT_RX | INT_RT), 0);

    let out = String::from_utf8(d.u.sink().clone()).unwrap();
    assert_eq!(out, "Booting Linux\nprintk\nlogin: ");
    assert_eq!(d.u.dropped(), 0);
}

#[test]
fn linux_interrupt_driven_transmit() {
    let mut d = Driver::probe(uart());
    d.startup();
    d.set_termios();
    // A driver that primes the FIFO and sends the rest from transmit
    // interrupts (Linux's x_char path, older Linux, most RTOS drivers):
    // the write latches TXRIS, unmasking raises the line, and each pass of
    // the handler writes fifosize/2 characters, re-latching TXRIS, until
    // pl011_stop_tx masks it.
    let text: Vec<u8> = (0..100).map(|i| b'a' + (i % 26) as u8).collect();
    assert!(!d.u.irq_level());
    d.writew(text[0].into(), UARTDR);
    d.im |= INT_TX;
    d.writew(d.im, UARTIMSC);
    assert!(d.u.irq_level());
    let left = d.interrupt(&text[1..]);
    assert!(left.is_empty());
    assert_eq!(d.u.sink().as_slice(), text.as_slice());
    assert_eq!(d.readw(UARTIMSC), INT_RT | INT_RX);
    assert!(!d.u.irq_level());
}

#[test]
fn linux_drains_stale_input_at_startup() {
    let mut u = uart();
    w(&mut u, UARTLCR_H, LCR_H_WLEN | LCR_H_FEN);
    u.push_input(b"typed before open");
    let mut d = Driver::probe(u);
    d.startup();
    assert_eq!(d.u.rx_pending(), 0, "pl011_enable_interrupts drained it");
    assert!(!d.u.irq_level());
}
