//! Random runs of acceptances (legal and illegal vectors, edge and
//! level), injections, EOIs, TPR writes and software enable changes,
//! checked step by step against a plain reference model: the IRR, ISR and
//! TMR agree bit for bit, `pending` is the highest request above the
//! processor priority class (never one at or below it), an injection moves
//! exactly that bit from the IRR to the ISR, an EOI clears exactly the
//! highest in-service bit and reports its trigger mode.

use super::*;

/// A small xorshift generator: the runs are the same on every host.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What the APIC must hold.
struct Model {
    irr: [bool; 256],
    isr: [bool; 256],
    tmr: [bool; 256],
    tpr: u8,
    enabled: bool,
}

impl Model {
    fn highest(bits: &[bool; 256]) -> Option<u8> {
        (0..=255u8).rev().find(|&v| bits[usize::from(v)])
    }

    fn ppr(&self) -> u8 {
        match Self::highest(&self.isr) {
            Some(v) if v >> 4 > self.tpr >> 4 => v & 0xF0,
            _ => self.tpr,
        }
    }

    fn pending(&self) -> Option<u8> {
        let v = Self::highest(&self.irr)?;
        (self.enabled && v >> 4 > self.ppr() >> 4).then_some(v)
    }
}

/// Asserts the APIC's sets equal the model's.
fn same(l: &VLapic, m: &Model, step: usize) {
    for v in 0..=255u8 {
        let i = usize::from(v);
        assert_eq!(l.irr().contains(v), m.irr[i], "step {step}: IRR {v:#x}");
        assert_eq!(l.isr().contains(v), m.isr[i], "step {step}: ISR {v:#x}");
        assert_eq!(l.tmr().contains(v), m.tmr[i], "step {step}: TMR {v:#x}");
    }
    assert_eq!(l.ppr(), m.ppr(), "step {step}: PPR");
}

/// A vector: mostly from a few classes so they collide, sometimes any.
fn vector(rng: &mut Rng) -> u8 {
    match rng.below(4) {
        0 => rng.below(256) as u8,
        _ => (0x30 + rng.below(0x40)) as u8,
    }
}

fn run(seed: u64, steps: usize) {
    let mut rng = Rng(seed);
    let mut l = enabled();
    let mut m = Model {
        irr: [false; 256],
        isr: [false; 256],
        tmr: [false; 256],
        tpr: 0,
        enabled: true,
    };
    for step in 0..steps {
        match rng.below(10) {
            0..=3 => {
                let (v, level) = (vector(&mut rng), rng.below(2) == 1);
                let accepted = l.accept(v, level);
                assert_eq!(accepted, m.enabled && v >= 16, "step {step}: {v:#x}");
                if accepted {
                    m.irr[usize::from(v)] = true;
                    m.tmr[usize::from(v)] = level;
                }
            }
            4 | 5 => {
                let want = m.pending();
                assert_eq!(l.pending(), want, "step {step}: pending");
                if let Some(v) = want {
                    assert!(v >> 4 > l.ppr() >> 4, "step {step}: at or below PPR");
                }
                assert_eq!(l.acknowledge(), want, "step {step}: acknowledge");
                if let Some(v) = want {
                    m.irr[usize::from(v)] = false;
                    m.isr[usize::from(v)] = true;
                }
            }
            6 | 7 => {
                let top = Model::highest(&m.isr);
                let e = wr(&mut l, APIC_EOI, 0);
                match top {
                    None => assert_eq!(e, Effect::None, "step {step}"),
                    Some(v) => {
                        let level = m.tmr[usize::from(v)];
                        let want = Effect::Eoi {
                            vector: v,
                            level,
                            broadcast: level,
                        };
                        assert_eq!(e, want, "step {step}");
                        m.isr[usize::from(v)] = false;
                    }
                }
            }
            8 => {
                m.tpr = rng.below(0x80) as u8;
                wr(&mut l, APIC_TPR, m.tpr.into());
            }
            _ => {
                m.enabled = rng.below(4) != 0;
                let svr = if m.enabled { 0x1FF } else { 0xFF };
                wr(&mut l, APIC_SVR, svr);
            }
        }
        same(&l, &m, step);
        assert_eq!(l.pending(), m.pending(), "step {step}: pending");
    }
}

#[test]
fn random_runs_match_the_model() {
    for seed in 1..=200u64 {
        run(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15), 400);
    }
}

#[test]
fn illegal_vectors_are_counted_in_the_esr() {
    let mut rng = Rng(7);
    let mut l = enabled();
    let mut want = 0;
    for _ in 0..500 {
        let v = rng.below(32) as u8;
        l.accept(v, false);
        if v < 16 {
            want = ESR_RECEIVE_ILLEGAL_VECTOR;
        }
    }
    assert_ne!(want, 0, "the run tried an illegal vector");
    wr(&mut l, APIC_ESR, 0);
    assert_eq!(rd(&mut l, APIC_ESR), want);
    assert!((0..16).all(|v| !l.irr().contains(v)));
}
