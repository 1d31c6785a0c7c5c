//! The `vioapic` target: an x86 VM's virtual I/O APIC
//! (`kernel::vioapic`, the 82093AA at version 0x20) of any size, driven by
//! device lines (pins that exist and pins that do not), guest accesses of
//! every width at any offset of its window (mostly IOREGSEL, IOWIN and the
//! EOI register, with any index and value), local-APIC EOI broadcasts,
//! and resets.
//!
//! Checked after every step, against a shadow of the line levels and of
//! which pins owe an EOI: no message from a masked pin or a low line; each
//! message carries its entry's current vector, destination, modes and
//! trigger; a level-triggered pin never sends twice without an EOI of its
//! vector (or an edge write) in between, and an edge only when its line
//! rose; Remote IRR is set exactly when a pin owes an EOI, only on
//! level-triggered entries; reserved and Delivery Status bits read 0; no
//! asserted, unmasked level interrupt is left unsent; reads fit 32 bits
//! and other widths read 0.

use std::vec::Vec;

use kernel::vioapic::regs::*;
use kernel::vioapic::{Delivery, Error, MAX_PINS, VIoApic};

use crate::input::Input;

/// The widths an access may have (3 is not one, and must do nothing).
const WIDTHS: [u8; 5] = [1, 2, 4, 8, 3];

/// What the target knows independently of the model.
struct Shadow {
    /// Line levels the devices drove.
    lines: Vec<bool>,
    /// Pins whose level-triggered message awaits an EOI.
    owed: Vec<bool>,
}

/// Whether entry `e` samples its line as a level (Trigger Mode level and
/// a Fixed or Lowest Priority delivery mode).
fn is_level(e: u64) -> bool {
    let mode = e >> IOREDTBL_DELMOD_SHIFT & 7;
    e & IOREDTBL_TRIGGER_MODE != 0 && (mode == DELMOD_FIXED || mode == DELMOD_LOWEST_PRIORITY)
}

/// An offset in the window: mostly a register's, sometimes anything.
fn offset(inp: &mut Input) -> u64 {
    match inp.u8() % 8 {
        0..=2 => IOWIN,
        3 | 4 => IOREGSEL,
        5 => EOI,
        _ => inp.below(WINDOW_SIZE + 0x100),
    }
}

/// An IOREGSEL value: mostly a redirection entry's half, sometimes any.
fn index(inp: &mut Input, pins: usize) -> u32 {
    if inp.bool() {
        u32::from(inp.u8())
    } else {
        let n = inp.below(2 * pins as u64 + 4) as u32;
        (u32::from(IOREDTBL) + n).min(0xff)
    }
}

/// Clears in `sh` what an EOI of `vector` clears.
fn eoi_shadow(io: &VIoApic, sh: &mut Shadow, vector: u8) {
    for (pin, owed) in sh.owed.iter_mut().enumerate() {
        if io.entry(pin).is_some_and(|e| e as u8 == vector) {
            *owed = false;
        }
    }
}

/// A guest write; the shadow first learns what it clears.
fn write(io: &mut VIoApic, sh: &mut Shadow, off: u64, width: u8, value: u64) -> Vec<Delivery> {
    if width == 4 && off == EOI {
        eoi_shadow(io, sh, value as u8);
    }
    let sel = io.read(IOREGSEL, 4) as u32;
    if width == 4 && off == IOWIN && sel >= u32::from(IOREDTBL) && sel.is_multiple_of(2) {
        let pin = (sel - u32::from(IOREDTBL)) as usize / 2;
        if pin < io.pins() && value & IOREDTBL_TRIGGER_MODE == 0 {
            sh.owed[pin] = false;
        }
    }
    io.write(off, width, value).to_vec()
}

/// Runs the program in `data`.
pub fn vioapic(data: &[u8]) {
    let mut inp = Input::new(data);
    let pins = usize::from(inp.u8()) % (MAX_PINS + 10);
    let id = inp.u8() % 20;
    let mut io = match VIoApic::new(id, pins) {
        Ok(io) => io,
        Err(e) => {
            assert_eq!(e, Error::BadConfig);
            assert!(
                pins == 0 || pins > MAX_PINS || id > 15,
                "{id} {pins} refused"
            );
            return;
        }
    };
    assert_eq!((io.id(), io.pins()), (id, pins));
    let mut sh = Shadow {
        lines: std::vec![false; pins],
        owed: std::vec![false; pins],
    };
    let mut ops = 0;
    while !inp.is_empty() && ops < 2000 {
        ops += 1;
        let mut rose = None;
        let sent = match inp.u8() % 10 {
            0..=2 => {
                let pin = inp.below(pins as u64 + 8) as usize;
                let up = inp.bool();
                match io.set_line(pin, up) {
                    Err(e) => {
                        assert!(e == Error::NoSuchPin && pin >= pins, "pin {pin}: {e:?}");
                        Vec::new()
                    }
                    Ok(d) => {
                        assert!(pin < pins, "pin {pin} of {pins} accepted");
                        if up && !sh.lines[pin] {
                            rose = Some(pin);
                        }
                        sh.lines[pin] = up;
                        d.into_iter().collect()
                    }
                }
            }
            3..=5 => {
                // An indirect write, as a guest does it.
                let sel = index(&mut inp, pins);
                write(&mut io, &mut sh, IOREGSEL, 4, sel.into());
                let value = u64::from(inp.u32());
                write(&mut io, &mut sh, IOWIN, 4, value)
            }
            6 => {
                let vector = match io.entry(inp.below(pins as u64) as usize) {
                    Some(e) if inp.bool() => e as u8,
                    _ => inp.u8(),
                };
                eoi_shadow(&io, &mut sh, vector);
                io.eoi(vector).to_vec()
            }
            7 | 8 => {
                let off = offset(&mut inp);
                let width = WIDTHS[usize::from(inp.u8() % 5)];
                if inp.bool() {
                    let v = io.read(off, width);
                    assert!(v >> 32 == 0, "{off:#x}/{width}: {v:#x}");
                    assert!(width == 4 || v == 0, "{off:#x}/{width}: {v:#x}");
                    Vec::new()
                } else {
                    let value = inp.u64();
                    write(&mut io, &mut sh, off, width, value)
                }
            }
            _ => {
                if inp.u8().is_multiple_of(8) {
                    io.reset();
                    sh.owed.fill(false);
                    assert_eq!(io.id(), id);
                    assert_eq!(io.read(IOREGSEL, 4), 0);
                }
                Vec::new()
            }
        };
        check(&mut io, &mut sh, &sent, rose);
    }
}

/// The invariants after one step that sent `sent` (`rose`: the pin whose
/// line it raised).
fn check(io: &mut VIoApic, sh: &mut Shadow, sent: &[Delivery], rose: Option<usize>) {
    let mut seen = std::vec![false; io.pins()];
    for d in sent {
        let pin = usize::from(d.pin);
        assert!(pin < io.pins() && !seen[pin], "{d:?}");
        seen[pin] = true;
        let e = io.entry(pin).expect("an existing pin");
        assert_eq!(e & IOREDTBL_MASK, 0, "{d:?} from a masked pin");
        assert!(sh.lines[pin], "{d:?} from a low line");
        assert_eq!(d.vector, e as u8, "{d:?}: entry {e:#x}");
        assert_eq!(d.destination, (e >> IOREDTBL_DEST_SHIFT) as u8, "{d:?}");
        assert_eq!(d.logical, e & IOREDTBL_DESTMOD != 0, "{d:?}");
        assert_eq!(d.delivery_mode as u64, e >> IOREDTBL_DELMOD_SHIFT & 7);
        assert_eq!(d.level_triggered, is_level(e), "{d:?}: entry {e:#x}");
        if d.level_triggered {
            assert!(!sh.owed[pin], "{d:?} sent twice without an EOI");
            sh.owed[pin] = true;
        } else {
            assert_eq!(rose, Some(pin), "{d:?}: an edge with no rising line");
        }
    }
    // Read the table back through the window, as the guest would (and put
    // IOREGSEL back).
    let sel = io.read(IOREGSEL, 4);
    for pin in 0..io.pins() {
        let e = io.entry(pin).expect("an existing pin");
        let low = u64::from(IOREDTBL) + 2 * pin as u64;
        io.write(IOREGSEL, 4, low);
        assert_eq!(io.read(IOWIN, 4), e & 0xffff_ffff, "pin {pin}");
        io.write(IOREGSEL, 4, low + 1);
        assert_eq!(io.read(IOWIN, 4), e >> 32, "pin {pin}");
        assert_eq!(io.line(pin), Some(sh.lines[pin]), "pin {pin}");
        let irr = e & IOREDTBL_REMOTE_IRR != 0;
        assert_eq!(irr, sh.owed[pin], "pin {pin}: Remote IRR in {e:#x}");
        assert!(!irr || e & IOREDTBL_TRIGGER_MODE != 0, "pin {pin}: {e:#x}");
        let stray = e & !(IOREDTBL_WRITABLE | IOREDTBL_REMOTE_IRR);
        assert_eq!(stray, 0, "pin {pin}: reserved or DELIVS bits in {e:#x}");
        let stuck = is_level(e) && e & IOREDTBL_MASK == 0 && !irr && sh.lines[pin];
        assert!(!stuck, "pin {pin}: {e:#x} asserted but never sent");
    }
    io.write(IOREGSEL, 4, u64::from(IOAPICVER));
    let ver = io.read(IOWIN, 4);
    assert_eq!(ver, 0x20 | (io.pins() as u64 - 1) << 16, "version {ver:#x}");
    io.write(IOREGSEL, 4, sel);
    assert_eq!(io.read(IOREGSEL, 4), sel);
}
