//! A set of the 256 interrupt vectors, laid out as the APIC's 256-bit
//! registers are (IRR, ISR, TMR: SDM Vol. 3A 10.8.4, Figure 10-20): eight
//! 32-bit words, word `n` holding vectors `32n` to `32n + 31`.

/// 256 bits, one per vector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VectorSet(pub [u32; 8]);

impl VectorSet {
    /// No vector.
    pub const EMPTY: VectorSet = VectorSet([0; 8]);

    /// Whether `vector` is in the set.
    pub fn contains(&self, vector: u8) -> bool {
        self.0[usize::from(vector >> 5)] & (1 << (vector & 31)) != 0
    }

    /// Adds `vector`.
    pub fn insert(&mut self, vector: u8) {
        self.0[usize::from(vector >> 5)] |= 1 << (vector & 31);
    }

    /// Removes `vector`.
    pub fn remove(&mut self, vector: u8) {
        self.0[usize::from(vector >> 5)] &= !(1 << (vector & 31));
    }

    /// Adds `vector` if `on`, else removes it.
    pub fn assign(&mut self, vector: u8, on: bool) {
        if on {
            self.insert(vector);
        } else {
            self.remove(vector);
        }
    }

    /// The highest vector in the set, which is also the most urgent.
    pub fn highest(&self) -> Option<u8> {
        (0..8usize).rev().find_map(|w| {
            let word = self.0[w];
            (word != 0).then(|| (w as u8) << 5 | (31 - word.leading_zeros()) as u8)
        })
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }

    /// The number of vectors in the set.
    pub fn len(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    /// Word `n` (0-7) as a register reads.
    pub fn word(&self, n: usize) -> u32 {
        self.0[n]
    }
}
