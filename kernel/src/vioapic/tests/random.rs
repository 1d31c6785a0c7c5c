//! Random runs of line changes, entry writes, EOIs (broadcast and through
//! the register), stray accesses and resets, checked after every step
//! against a shadow of which pins owe an EOI.

use std::vec::Vec;

use super::*;

/// xorshift64*: deterministic, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Vectors the entries share, so EOIs often meet several pins.
const VECTORS: [u8; 3] = [0x30, 0x31, 0xfe];

/// Whether entry `e` samples its line as a level.
fn is_level(e: u64) -> bool {
    let mode = e >> IOREDTBL_DELMOD_SHIFT & 7;
    e & IOREDTBL_TRIGGER_MODE != 0 && (mode == DELMOD_FIXED || mode == DELMOD_LOWEST_PRIORITY)
}

/// A random low half of an entry: mostly fixed, often unmasked.
fn low_half(r: &mut Rng) -> u32 {
    let mut e = u64::from(VECTORS[r.below(3) as usize]);
    let mode = match r.below(8) {
        0 => r.below(8),
        1 => DELMOD_LOWEST_PRIORITY,
        _ => DELMOD_FIXED,
    };
    e |= mode << IOREDTBL_DELMOD_SHIFT;
    if r.below(2) == 0 {
        e |= IOREDTBL_TRIGGER_MODE;
    }
    if r.below(3) == 0 {
        e |= IOREDTBL_MASK;
    }
    // Sometimes scribble over the read-only and reserved bits too.
    if r.below(4) == 0 {
        e |= r.next() & (IOREDTBL_DELIVS | IOREDTBL_REMOTE_IRR | 0xfffe_0000 | IOREDTBL_DESTMOD);
    }
    e as u32
}

/// Checks one step's messages and the state after it. `owed` is which
/// pins owe an EOI (Remote IRR), already cleared for what the step's
/// EOI or edge write cleared; `lines` the levels the devices drove;
/// `rose` the pin whose line the step raised.
fn check(
    io: &mut VIoApic,
    sent: &[Delivery],
    owed: &mut [bool],
    lines: &[bool],
    rose: Option<usize>,
) {
    let mut seen = [false; 24];
    for d in sent {
        let pin = usize::from(d.pin);
        assert!(pin < io.pins() && !seen[pin], "{d:?}");
        seen[pin] = true;
        let e = io.entry(pin).unwrap();
        assert_eq!(e & IOREDTBL_MASK, 0, "{d:?} from a masked pin");
        assert!(lines[pin], "{d:?} from a low line");
        assert_eq!(d.vector, e as u8, "{d:?}: vector of {e:#x}");
        assert_eq!(d.destination, (e >> 56) as u8, "{d:?}: destination");
        assert_eq!(d.logical, e & IOREDTBL_DESTMOD != 0);
        assert_eq!(d.delivery_mode as u64, e >> IOREDTBL_DELMOD_SHIFT & 7);
        assert_eq!(d.level_triggered, is_level(e), "{d:?}");
        if d.level_triggered {
            assert!(!owed[pin], "{d:?} sent twice without an EOI");
            owed[pin] = true;
        } else {
            assert_eq!(rose, Some(pin), "{d:?}: an edge with no rising line");
        }
    }
    for pin in 0..io.pins() {
        assert_eq!(io.line(pin), Some(lines[pin]), "pin {pin}");
        let e = entry(io, pin);
        let irr = e & IOREDTBL_REMOTE_IRR != 0;
        assert_eq!(irr, owed[pin], "pin {pin}: Remote IRR in {e:#x}");
        assert!(!irr || e & IOREDTBL_TRIGGER_MODE != 0, "pin {pin}: {e:#x}");
        assert_eq!(
            e & !(IOREDTBL_WRITABLE | IOREDTBL_REMOTE_IRR),
            0,
            "pin {pin}"
        );
        let stuck = is_level(e) && e & IOREDTBL_MASK == 0 && !irr && lines[pin];
        assert!(!stuck, "pin {pin}: {e:#x} asserted but never sent");
    }
}

fn run(seed: u64, steps: usize) -> (usize, usize) {
    let mut r = Rng(seed | 1);
    let mut io = ioapic();
    let mut owed = [false; 24];
    let mut lines = [false; 24];
    let (mut levels, mut redelivered) = (0, 0);
    for _ in 0..steps {
        let mut rose = None;
        let sent: Vec<Delivery> = match r.below(16) {
            0..=5 => {
                let pin = r.below(26) as usize;
                let up = r.below(2) == 0;
                let was = io.line(pin);
                match io.set_line(pin, up) {
                    Err(e) => {
                        assert!(pin >= 24 && was.is_none() && e == Error::NoSuchPin);
                        Vec::new()
                    }
                    Ok(d) => {
                        if up && was == Some(false) {
                            rose = Some(pin);
                        }
                        lines[pin] = up;
                        d.into_iter().collect()
                    }
                }
            }
            6..=8 => {
                let pin = r.below(24) as usize;
                let low = low_half(&mut r);
                if u64::from(low) & IOREDTBL_TRIGGER_MODE == 0 {
                    owed[pin] = false;
                }
                wr(&mut io, redir(pin), low).to_vec()
            }
            9 => {
                let pin = r.below(24) as usize;
                wr(&mut io, redir(pin) + 1, r.next() as u32).to_vec()
            }
            10..=12 => {
                let v = VECTORS[r.below(3) as usize];
                for (pin, o) in owed.iter_mut().enumerate() {
                    if io.entry(pin).unwrap() as u8 == v {
                        *o = false;
                    }
                }
                let d = if r.below(2) == 0 {
                    io.eoi(v)
                } else {
                    io.write(EOI, 4, u64::from(v) | r.next() << 8)
                };
                redelivered += d.len();
                d.to_vec()
            }
            13 | 14 => {
                // Stray accesses: any width and offset but the 32-bit
                // IOWIN and EOI ones, which change nothing.
                let off = [IOREGSEL, IOWIN, EOI, r.below(0x1100)][r.below(4) as usize];
                let width = [1, 2, 4, 8][r.below(4) as usize];
                let before: Vec<_> = (0..24).map(|p| io.entry(p)).collect();
                let v = io.read(off, width);
                assert!(
                    v >> 32 == 0 && (width == 4 || v == 0),
                    "{off:#x}/{width}: {v:#x}"
                );
                if width == 4 && (off == IOWIN || off == EOI) {
                    Vec::new()
                } else {
                    let d = io.write(off, width, r.next());
                    assert!(d.is_empty());
                    let after: Vec<_> = (0..24).map(|p| io.entry(p)).collect();
                    assert_eq!(before, after, "{off:#x}/{width}");
                    Vec::new()
                }
            }
            _ => {
                if r.below(8) == 0 {
                    io.reset();
                    owed = [false; 24];
                }
                Vec::new()
            }
        };
        levels += sent.iter().filter(|d| d.level_triggered).count();
        check(&mut io, &sent, &mut owed, &lines, rose);
    }
    (levels, redelivered)
}

#[test]
fn random_runs_keep_the_invariants() {
    let mut totals = (0, 0);
    for seed in 1..=8u64 {
        let (levels, redelivered) = run(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15), 20_000);
        totals = (totals.0 + levels, totals.1 + redelivered);
    }
    // The runs reach the interesting paths: level messages, and EOIs that
    // send again.
    assert!(totals.0 > 1000 && totals.1 > 100, "{totals:?}");
}
