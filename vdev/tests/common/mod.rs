//! Helpers shared by the PL011 tests: a UART that collects its output and
//! 32-bit register accessors that must succeed.
#![allow(dead_code)]

pub use vdev::Vdev;
pub use vdev::pl011::Pl011;
pub use vdev::pl011::regs::*;

/// A UART in its reset state whose output collects in a `Vec`.
pub fn uart() -> Pl011<Vec<u8>> {
    Pl011::new(Vec::new())
}

/// A 32-bit read that the device must accept.
pub fn r(u: &mut impl Vdev, reg: u64) -> u32 {
    let v = u.read(reg, 4).expect("32-bit read accepted");
    u32::try_from(v).expect("32-bit value")
}

/// A 32-bit write that the device must accept.
pub fn w(u: &mut impl Vdev, reg: u64, value: u32) {
    u.write(reg, 4, value.into())
        .expect("32-bit write accepted");
}

/// A UART with its FIFOs enabled (`UARTLCR_H` = 8N1, FEN).
pub fn fifo_uart() -> Pl011<Vec<u8>> {
    let mut u = uart();
    w(&mut u, UARTLCR_H, LCR_H_WLEN | LCR_H_FEN);
    u
}
