//! Host tests of the virtual I/O APIC, with helpers that play the guest
//! (indirect accesses through IOREGSEL and IOWIN) and the devices.

mod delivery;
mod random;
mod regs;
mod sharing;

use super::regs::*;
use super::{Deliveries, Delivery, DeliveryMode, Error, VIoApic};

/// A 24-pin I/O APIC with ID 0 at reset.
fn ioapic() -> VIoApic {
    VIoApic::new(0, 24).expect("a valid configuration")
}

/// 32-bit read of the indirect register `index`.
fn rd(io: &mut VIoApic, index: u8) -> u32 {
    assert!(io.write(IOREGSEL, 4, index.into()).is_empty());
    io.read(IOWIN, 4) as u32
}

/// 32-bit write of the indirect register `index`.
fn wr(io: &mut VIoApic, index: u8, value: u32) -> Deliveries {
    assert!(io.write(IOREGSEL, 4, index.into()).is_empty());
    io.write(IOWIN, 4, value.into())
}

/// Index of the low half of `pin`'s redirection entry.
fn redir(pin: usize) -> u8 {
    IOREDTBL + 2 * pin as u8
}

/// Writes `pin`'s whole entry, high half first (so the low half's unmask
/// comes last, as operating systems do); returns what the low write sent.
fn program(io: &mut VIoApic, pin: usize, entry: u64) -> Deliveries {
    assert!(wr(io, redir(pin) + 1, (entry >> 32) as u32).is_empty());
    wr(io, redir(pin), entry as u32)
}

/// `pin`'s entry, read through IOWIN.
fn entry(io: &mut VIoApic, pin: usize) -> u64 {
    u64::from(rd(io, redir(pin) + 1)) << 32 | u64::from(rd(io, redir(pin)))
}

/// Whether `pin`'s Remote IRR is set.
fn remote_irr(io: &mut VIoApic, pin: usize) -> bool {
    entry(io, pin) & IOREDTBL_REMOTE_IRR != 0
}

/// An unmasked, edge-triggered, fixed, physical entry.
fn edge(vector: u8, dest: u8) -> u64 {
    u64::from(vector) | u64::from(dest) << IOREDTBL_DEST_SHIFT
}

/// An unmasked, level-triggered, fixed, physical entry.
fn level(vector: u8, dest: u8) -> u64 {
    edge(vector, dest) | IOREDTBL_TRIGGER_MODE
}

/// The message a fixed, physical entry sends.
fn fixed(pin: u8, vector: u8, dest: u8, level_triggered: bool) -> Delivery {
    Delivery {
        pin,
        vector,
        delivery_mode: DeliveryMode::Fixed,
        logical: false,
        destination: dest,
        level_triggered,
    }
}

/// The pins of `d`, in order.
fn pins_of(d: &Deliveries) -> std::vec::Vec<u8> {
    d.iter().map(|d| d.pin).collect()
}
