//! The fuzzer's random numbers and the argument values it draws from:
//! boundaries (0, 1, page - 1, page, page + 1, lengths near `usize::MAX`
//! and 2^48, the top of user space, kernel addresses, unaligned values),
//! pointers to its own buffers (valid, read-only, half-mapped, unmapped)
//! and plain random numbers.

use super::state::{GUARD, RO_PAGE, SCRATCH, SCRATCH_LEN, WINDOW, WINDOW_LEN, code_page};
use abi::{PAGE_SIZE, USER_TOP};

/// xorshift64*: small, fast, good enough, and reproducible from a seed.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value; 0 too).
    pub fn new(seed: u64) -> Rng {
        // splitmix64 of the seed, so similar seeds give unrelated streams
        // and the state is never 0.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True once in `n` times.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One of `values`.
    pub fn pick<T: Copy>(&mut self, values: &[T]) -> T {
        values[self.below(values.len())]
    }
}

const P: usize = PAGE_SIZE;

/// Lengths and sizes at every boundary the kernel checks.
pub fn len(r: &mut Rng) -> usize {
    match r.below(4) {
        0 => r.below(2 * P + 2),
        1 => r.next() as usize,
        _ => r.pick(&[
            0,
            1,
            2,
            4,
            8,
            31,
            32,
            39,
            40,
            48,
            95,
            96,
            104,
            271,
            272,
            512,
            513,
            P - 1,
            P,
            P + 1,
            4096 + 1,
            64 * 1024,
            64 * 1024 + 1,
            1 << 20,
            2 << 20,
            (64 << 20) - 1,
            64 << 20,
            (64 << 20) + 1,
            1 << 30,
            1 << 39,
            (1 << 39) + P,
            1 << 48,
            usize::MAX / 2,
            usize::MAX - P + 1,
            usize::MAX - 1,
            usize::MAX,
        ]),
    }
}

/// Mapping lengths: mostly a few pages, sometimes absurd, now and then
/// large (up to more than all RAM: slow under TCG, so rare).
pub fn map_len(r: &mut Rng) -> usize {
    match r.below(32) {
        0..=19 => (1 + r.below(16)) * P,
        20..=23 => r.pick(&[64 * 1024, 2 << 20, 4 << 20]),
        24..=27 => r.pick(&[0, 1, P - 1, P + 1, 3 * P + 5]),
        28..=30 => r.pick(&[1 << 39, 1 << 48, usize::MAX, usize::MAX - P + 1, 1 << 63]),
        _ => r.pick(&[16 << 20, 64 << 20, 256 << 20, 1 << 30, 4 << 30]),
    }
}

/// Addresses no call can map (so never the fuzzer's own memory): null
/// and the first page, the top of user space and past it, kernel
/// addresses, unaligned and huge values.
pub fn foreign_addr(r: &mut Rng) -> usize {
    let v = [
        0,
        1,
        8,
        P - 1,
        USER_TOP,
        USER_TOP + 1,
        USER_TOP + P,
        1 << 48,
        (1 << 48) - P,
        0xffff_0000_0000_0000,
        0xffff_ffff_ffff_f000,
        0xffff_8000_4000_0000,
        usize::MAX - 7,
        usize::MAX,
        (r.next() as usize) | (1 << 63),
    ];
    r.pick(&v)
}

/// A pointer the kernel may read: the fuzzer's scratch (whole, at its
/// end, half over the guard page), the read-only page, its code, or a
/// foreign address.
pub fn in_ptr(r: &mut Rng) -> usize {
    match r.below(8) {
        0..=2 => SCRATCH + r.below(SCRATCH_LEN / 2),
        3 => SCRATCH + SCRATCH_LEN - r.pick(&[1, 8, 39, 40, 271, 272, P]),
        4 => r.pick(&[RO_PAGE, RO_PAGE + 1, code_page(), GUARD, GUARD - 1]),
        5 => SCRATCH + 1 + 8 * r.below(64),
        _ => foreign_addr(r),
    }
}

/// A pointer the kernel may write: as [`in_ptr`], but never the fuzzer's
/// own live data; the read-only page and code must come back `EFAULT`.
pub fn out_ptr(r: &mut Rng) -> usize {
    in_ptr(r)
}

/// A user address for mappings: in the fuzzer's window (page or 2 MiB
/// steps, so mappings collide), unaligned, or foreign.
pub fn map_addr(r: &mut Rng) -> usize {
    match r.below(8) {
        0..=3 => WINDOW + r.below(512) * P,
        4 => WINDOW + r.below(WINDOW_LEN / (2 << 20)) * (2 << 20),
        5 => WINDOW + r.below(64) * P + r.pick(&[1, 8, P / 2, P - 1]),
        // Outside the window, where nothing of the fuzzer's is; no pointer
        // it passes ever points here.
        6 => r.pick(&[
            P,
            2 * P,
            0x4000_0000,
            0x0900_0000,
            USER_TOP - P,
            USER_TOP - 2 * P,
        ]),
        _ => foreign_addr(r),
    }
}

/// Small numbers and boundaries for counts, indices, priorities, flags.
pub fn small(r: &mut Rng) -> usize {
    match r.below(3) {
        0 => r.below(70),
        1 => r.next() as usize,
        _ => r.pick(&[
            0,
            1,
            2,
            3,
            7,
            8,
            31,
            32,
            33,
            63,
            64,
            65,
            255,
            256,
            960,
            992,
            1019,
            1020,
            1023,
            1024,
            u32::MAX as usize,
            1 << 32,
            usize::MAX,
        ]),
    }
}
