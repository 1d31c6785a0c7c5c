//! Random runs of SGIs, guest acknowledges and ends, appends (into free
//! and guest-emptied list registers) and full refills, checked against
//! what a guest must see: every SGI sent is taken once it is owed, none
//! is taken that is not owed, no interrupt sits in two list registers,
//! and whatever the list registers hold the model counts as listed.

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

/// The receiving vCPU.
const RX: usize = 1;
/// SGIs used.
const SGIS: u32 = 6;

/// Bit i set: list register i holds nothing (as ICH_ELRSR_EL2 reads for
/// registers without the EOI bit).
fn empty_of(g: &VGic, lrs: &[u64]) -> u64 {
    lrs.iter()
        .enumerate()
        .filter(|(_, x)| {
            let lr = g.decode_lr(**x);
            lr.is_invalid() && !lr.eoi
        })
        .fold(0, |m, (i, _)| m | 1 << i)
}

/// What a guest sees, and what it is owed.
struct Run {
    g: VGic,
    lrs: Vec<u64>,
    /// An SGI was sent since the guest last took it.
    owed: [bool; SGIS as usize],
}

impl Run {
    fn new(lr_count: usize) -> Run {
        let mut g = ready(2, 32);
        wr(&mut g, RX, sgi_frame(RX) + GICR_ISENABLER0, (1 << SGIS) - 1);
        // Distinct priorities, so the guest's order is the GIC's.
        for sgi in 0..SGIS {
            let off = sgi_frame(RX) + GICR_IPRIORITYR + u64::from(sgi);
            g.gicr_write(RX, off, 1, u64::from(sgi) * 0x10).unwrap();
        }
        Run {
            g,
            lrs: vec![0; lr_count],
            owed: [false; SGIS as usize],
        }
    }

    fn refill(&mut self) {
        self.g.fill_lrs(RX, &mut self.lrs);
    }

    /// vCPU 0 sends `sgi`; the kernel appends it (reusing an emptied
    /// register if `reuse`) or refills when it cannot.
    fn send(&mut self, sgi: u32, reuse: bool) {
        let kicked = self
            .g
            .write_sgi1r(0, u64::from(sgi) << ICC_SGI1R_INTID_SHIFT | 1 << RX);
        assert_eq!(kicked.iter().collect::<Vec<_>>(), [RX]);
        self.owed[sgi as usize] = true;
        let n = self.lrs.len();
        let listed = if reuse {
            let empty = empty_of(&self.g, &self.lrs);
            self.g.append_lr_reusing(RX, sgi, n, empty)
        } else {
            self.g.append_lr(RX, sgi, n)
        };
        match listed {
            Some((slot, value)) => {
                assert!(
                    empty_of(&self.g, &self.lrs) & 1 << slot != 0 || slot >= n,
                    "appended into a register in use: {slot}"
                );
                self.lrs[slot] = value;
            }
            None => self.refill(),
        }
    }

    /// The guest acknowledges the best pending, not active, interrupt.
    fn ack(&mut self) {
        let best = (0..self.lrs.len())
            .filter(|&i| {
                let lr = self.g.decode_lr(self.lrs[i]);
                lr.pending && !lr.active
            })
            .min_by_key(|&i| self.g.decode_lr(self.lrs[i]).priority);
        if let Some(i) = best {
            let sgi = self.g.decode_lr(self.lrs[i]).intid;
            assert!(self.owed[sgi as usize], "SGI {sgi} taken but not owed");
            self.owed[sgi as usize] = false;
            ack(&self.g, &mut self.lrs, i);
        }
    }

    /// The guest ends an active interrupt.
    fn end(&mut self, pick: u64) {
        let active: Vec<usize> = (0..self.lrs.len())
            .filter(|&i| self.g.decode_lr(self.lrs[i]).active)
            .collect();
        if !active.is_empty() {
            let i = active[pick as usize % active.len()];
            eoi(&self.g, &mut self.lrs, i);
        }
    }

    fn check(&self) {
        let listed = valid(&self.g, &self.lrs);
        for (i, a) in listed.iter().enumerate() {
            assert!(
                listed[i + 1..].iter().all(|b| b.intid != a.intid),
                "SGI {} in two list registers: {listed:?}",
                a.intid
            );
        }
    }

    /// The guest takes and ends everything, refills in between.
    fn drain(&mut self) {
        for _ in 0..4 * SGIS {
            self.refill();
            for _ in 0..self.lrs.len() {
                self.ack();
            }
            for i in 0..self.lrs.len() {
                if self.g.decode_lr(self.lrs[i]).active {
                    eoi(&self.g, &mut self.lrs, i);
                }
            }
        }
        self.g.sync_lrs(RX, &mut self.lrs);
        assert_eq!(self.owed, [false; SGIS as usize], "SGIs sent, never taken");
        assert_eq!(rr(&mut self.g, RX, sgi_frame(RX) + GICR_ISPENDR0), 0);
        assert_eq!(rr(&mut self.g, RX, sgi_frame(RX) + GICR_ISACTIVER0), 0);
    }
}

#[test]
fn random_sgis_appends_and_refills_lose_nothing_and_invent_nothing() {
    for seed in 1..=200u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let lr_count = 1 + rng.below(4) as usize;
        let mut run = Run::new(lr_count);
        for _ in 0..200 {
            match rng.below(6) {
                0 | 1 => {
                    let sgi = rng.below(u64::from(SGIS)) as u32;
                    let reuse = rng.below(4) != 0;
                    run.send(sgi, reuse);
                }
                2 => run.ack(),
                3 => {
                    let pick = rng.next();
                    run.end(pick);
                }
                4 => run.refill(),
                _ => {
                    // The guest takes one and ends it at once.
                    run.ack();
                    let pick = rng.next();
                    run.end(pick);
                }
            }
            run.check();
        }
        run.drain();
    }
}
