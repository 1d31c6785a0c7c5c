//! Memory that `qvm` shares with code that does not follow Rust's rules:
//! guest RAM, which the guest's vCPUs read and write on other CPUs while a
//! device model looks at its virtqueues, and shared-memory objects, which
//! the other `qvm` of a `peer` link writes. The kernel maps both into the
//! process, outside every Rust allocation; a [`Window`] is the one way
//! `qvm` touches them once the guest runs.
//!
//! Every access through a window is a volatile access (the `volatile`
//! crate's [`VolatilePtr`]): the compiler may not elide it, repeat it,
//! merge it with another or invent one, which it may do with plain loads
//! and stores it believes nobody else sees. So:
//!
//! - [`Window::load`] and [`Window::store`] of a naturally aligned `u16`,
//!   `u32` or `u64` are one load or store instruction (LLVM does not split
//!   or merge volatile accesses of a width the target supports), which
//!   aarch64 performs single-copy atomically: a virtqueue index the guest
//!   is updating is seen old or new, never half of each. Misaligned ones
//!   (only a guest breaking the virtio alignment rules asks for them) are
//!   byte copies.
//! - [`Window::read`] reads each byte of the range exactly once, so what
//!   the caller checks in its copy is what it uses: a length, a request
//!   header or a descriptor cannot change between the check and the use
//!   (no double fetch). [`Window::write`] writes each byte once. Both move
//!   the 8-byte-aligned middle of the range with volatile `u64` accesses
//!   (through a stack buffer, four a turn) and the ends byte by byte; the
//!   bytes of one copy are not one atomic snapshot, which payload (a
//!   sector, a frame) never needs. This costs little over `memcpy` where a
//!   byte loop would not: in `cargo xtask bench` (instructions counted),
//!   reading 8 MiB from the Linux guest's virtio disk took 30 ms with
//!   `memcpy`, 40 ms this way and 70 ms with a volatile byte loop; 8 MiB
//!   over the `peer` link (four copies of each byte) 160/210, 180/220 and
//!   250/240 ms (`docs/vdevs.md`, "Guest memory").
//!
//! Volatile accesses do not order anything for the CPU: a device that
//! publishes or consumes a ring index adds the fence the protocol asks for
//! (`vdev::virtio::queue`), and the `peer` ring's control words are
//! atomics (`netlink.rs`), as Linux pairs `READ_ONCE`/`WRITE_ONCE` with
//! `virt_rmb`/`virt_wmb`/`virt_mb` for virtio rings.

use core::ptr::NonNull;
use volatile::VolatilePtr;

/// An access past the end of a [`Window`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfBounds;

/// A range of memory mapped into the process that others change under
/// it: accessed only with volatile loads and stores (see the module docs).
/// Copies of a window are views of the same memory.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    base: NonNull<u8>,
    len: usize,
}

// SAFETY: a window is an address range that `Window::new`'s caller made
// valid for the whole time any copy is used, from any thread; every access
// through it is a volatile copy of plain integers, which another thread
// (or process, or vCPU) may make at the same time.
unsafe impl Send for Window {}
// SAFETY: as for `Send`: `&Window` gives nothing a copy does not.
unsafe impl Sync for Window {}

/// Words (of 8 bytes) [`Window::read`] and [`Window::write`] stage on the
/// stack at a time.
const STAGE_WORDS: usize = 64;

impl Window {
    /// The `len` bytes at `base`.
    ///
    /// # Safety
    ///
    /// `[base, base + len)` must be mapped readable and writable (without
    /// wrapping the address space) for as long as any copy of the window
    /// is used, and the process must not reach it through Rust references
    /// meanwhile: only through windows or atomics. Other processes, CPUs
    /// and guests may change it at any time.
    pub const unsafe fn new(base: NonNull<u8>, len: usize) -> Window {
        Window { base, len }
    }

    /// Bytes in the window.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the window has no bytes.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The address of byte `offset` (for atomics and futexes on a word of
    /// the window; it may be past the end).
    pub fn as_ptr(&self, offset: usize) -> *mut u8 {
        self.base.as_ptr().wrapping_add(offset)
    }

    /// `offset` if `offset..offset + len` lies inside.
    fn check(&self, offset: usize, len: usize) -> Result<usize, OutOfBounds> {
        match offset.checked_add(len) {
            Some(end) if end <= self.len => Ok(offset),
            _ => Err(OutOfBounds),
        }
    }

    /// A volatile pointer to the `T` at `offset`.
    ///
    /// # Safety
    ///
    /// `offset..offset + size_of::<T>()` lies inside the window and its
    /// address is aligned for `T`.
    unsafe fn at<T>(&self, offset: usize) -> VolatilePtr<'_, T> {
        // SAFETY: the caller keeps `offset` inside the window, so the
        // pointer is in bounds of the mapping `new`'s caller vouched for
        // (valid, non-null) and aligned; the mapping outlives `&self`.
        unsafe { VolatilePtr::new(self.base.add(offset).cast::<T>()) }
    }

    /// Reads the little-endian `T` at `offset` with one access when
    /// `offset` is aligned for it, byte by byte when not.
    pub fn load<T: Word>(&self, offset: usize) -> Result<T, OutOfBounds> {
        let size = size_of::<T>();
        self.check(offset, size)?;
        if self.as_ptr(offset).addr().is_multiple_of(size) {
            // SAFETY: inside (checked) and aligned (size = alignment for
            // the `Word` types).
            return Ok(T::from_le(unsafe { self.at::<T>(offset) }.read()));
        }
        let mut bytes = [0; 8];
        self.read(offset, &mut bytes[..size])?;
        Ok(T::from_le_slice(&bytes[..size]))
    }

    /// Writes `value` little-endian at `offset`, with one access when
    /// `offset` is aligned for it, byte by byte when not.
    pub fn store<T: Word>(&self, offset: usize, value: T) -> Result<(), OutOfBounds> {
        let size = size_of::<T>();
        self.check(offset, size)?;
        if self.as_ptr(offset).addr().is_multiple_of(size) {
            // SAFETY: inside (checked) and aligned, as in `load`.
            unsafe { self.at::<T>(offset) }.write(value.to_le());
            return Ok(());
        }
        let mut bytes = [0; 8];
        value.to_le_slice(&mut bytes[..size]);
        self.write(offset, &bytes[..size])
    }

    /// Copies `buf.len()` bytes at `offset` into `buf`, reading each byte
    /// once.
    pub fn read(&self, offset: usize, buf: &mut [u8]) -> Result<(), OutOfBounds> {
        let mut at = self.check(offset, buf.len())?;
        let (head, words, tail) = self.split(at, buf);
        for b in head {
            // SAFETY: the range `check`ed covers `head`, `words` and `tail`
            // in turn, `at` walking through it; bytes need no alignment.
            *b = unsafe { self.at::<u8>(at) }.read();
            at += 1;
        }
        if !words.is_empty() {
            self.read_words(at, words);
            at += words.len();
        }
        for b in tail {
            // SAFETY: inside, as above.
            *b = unsafe { self.at::<u8>(at) }.read();
            at += 1;
        }
        Ok(())
    }

    /// `read`'s middle: `out.len() / 8` volatile `u64` loads from the
    /// 8-aligned `at` on, through a stack buffer.
    fn read_words(&self, mut at: usize, out: &mut [u8]) {
        let mut stage = [0u64; STAGE_WORDS];
        for out in out.chunks_mut(8 * STAGE_WORDS) {
            let stage = &mut stage[..out.len() / 8];
            // Four loads a turn: the loop's own instructions cost as much
            // as the copy's under QEMU, which counts instructions.
            let mut quads = stage.chunks_exact_mut(4);
            for q in &mut quads {
                for w in q {
                    // SAFETY: `read` checked that the range holds `out`,
                    // and `split` made `at` 8-aligned.
                    *w = unsafe { self.at::<u64>(at) }.read();
                    at += 8;
                }
            }
            for w in quads.into_remainder() {
                // SAFETY: as above.
                *w = unsafe { self.at::<u64>(at) }.read();
                at += 8;
            }
            out.copy_from_slice(as_bytes(stage));
        }
    }

    /// Copies `data` to `offset`, writing each byte once.
    pub fn write(&self, offset: usize, data: &[u8]) -> Result<(), OutOfBounds> {
        let mut at = self.check(offset, data.len())?;
        let head_len = self.as_ptr(at).addr().wrapping_neg() % 8;
        let (head, rest) = data.split_at(head_len.min(data.len()));
        let (words, tail) = rest.split_at(rest.len() / 8 * 8);
        for &b in head {
            // SAFETY: the range `check`ed covers `head`, `words` and `tail`
            // in turn, `at` walking through it; bytes need no alignment.
            unsafe { self.at::<u8>(at) }.write(b);
            at += 1;
        }
        if !words.is_empty() {
            self.write_words(at, words);
            at += words.len();
        }
        for &b in tail {
            // SAFETY: inside, as above.
            unsafe { self.at::<u8>(at) }.write(b);
            at += 1;
        }
        Ok(())
    }

    /// `write`'s middle: `data.len() / 8` volatile `u64` stores from the
    /// 8-aligned `at` on, through a stack buffer.
    fn write_words(&self, mut at: usize, data: &[u8]) {
        let mut stage = [0u64; STAGE_WORDS];
        for chunk in data.chunks(8 * STAGE_WORDS) {
            let stage = &mut stage[..chunk.len() / 8];
            as_bytes_mut(stage).copy_from_slice(chunk);
            // Four stores a turn, as in `read_words`.
            let mut quads = stage.chunks_exact(4);
            for q in &mut quads {
                for &w in q {
                    // SAFETY: `write` checked that the range holds `data`,
                    // and its `head` made `at` 8-aligned.
                    unsafe { self.at::<u64>(at) }.write(w);
                    at += 8;
                }
            }
            for &w in quads.remainder() {
                // SAFETY: as above.
                unsafe { self.at::<u64>(at) }.write(w);
                at += 8;
            }
        }
    }

    /// `buf` as the bytes before the first 8-aligned address from `at`, the
    /// whole 8-byte words after them, and the rest.
    fn split<'b>(
        &self,
        at: usize,
        buf: &'b mut [u8],
    ) -> (&'b mut [u8], &'b mut [u8], &'b mut [u8]) {
        let head_len = self.as_ptr(at).addr().wrapping_neg() % 8;
        let (head, rest) = buf.split_at_mut(head_len.min(buf.len()));
        let words = rest.len() / 8 * 8;
        let (words, tail) = rest.split_at_mut(words);
        (head, words, tail)
    }
}

/// The bytes of `words` (to copy between the stack buffer and a byte
/// slice with one `copy_from_slice`: the aarch64 targets here forbid
/// misaligned accesses, so copying each word into an unaligned slice would
/// take eight byte stores).
fn as_bytes(words: &[u64]) -> &[u8] {
    // SAFETY: `u64` has no padding and `u8` no alignment or validity
    // requirement; the view covers exactly the words' memory and borrows
    // them.
    unsafe { core::slice::from_raw_parts(words.as_ptr().cast::<u8>(), size_of_val(words)) }
}

/// The bytes of `words`, writable (every byte pattern is a valid `u64`).
fn as_bytes_mut(words: &mut [u64]) -> &mut [u8] {
    // SAFETY: as in `as_bytes`; any bytes written make valid `u64`s.
    unsafe { core::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<u8>(), size_of_val(words)) }
}

mod sealed {
    pub trait Sealed {}
}

/// The integers [`Window::load`] and [`Window::store`] move: `u8`, `u16`,
/// `u32` and `u64`, whose size is their alignment.
pub trait Word: Copy + sealed::Sealed {
    /// The value of the little-endian `raw`.
    fn from_le(raw: Self) -> Self;
    /// `self` as little-endian in memory.
    fn to_le(self) -> Self;
    /// The value of little-endian `bytes` (exactly the type's size).
    fn from_le_slice(bytes: &[u8]) -> Self;
    /// Writes `self` little-endian into `out` (exactly the type's size).
    fn to_le_slice(self, out: &mut [u8]);
}

macro_rules! word {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl Word for $t {
            fn from_le(raw: Self) -> Self {
                <$t>::from_le(raw)
            }
            fn to_le(self) -> Self {
                <$t>::to_le(self)
            }
            fn from_le_slice(bytes: &[u8]) -> Self {
                let mut b = [0; size_of::<$t>()];
                b.copy_from_slice(bytes);
                <$t>::from_le_bytes(b)
            }
            fn to_le_slice(self, out: &mut [u8]) {
                out.copy_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}
word!(u8, u16, u32, u64);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// A window over `words` (8-aligned, so offsets give known alignments).
    fn window(words: &mut [u64]) -> Window {
        let base = NonNull::new(words.as_mut_ptr().cast::<u8>()).unwrap();
        // SAFETY: the tests keep `words` alive and untouched while they use
        // the window.
        unsafe { Window::new(base, size_of_val(words)) }
    }

    #[test]
    fn words_little_endian_aligned_or_not() {
        let mut mem = [0u64; 8];
        let w = window(&mut mem);
        for off in 0..16 {
            w.store::<u16>(off, 0x1234).unwrap();
            assert_eq!(w.load::<u16>(off), Ok(0x1234));
            w.store::<u32>(off, 0xdead_beef).unwrap();
            assert_eq!(w.load::<u32>(off), Ok(0xdead_beef));
            w.store::<u64>(off, 0x0102_0304_0506_0708).unwrap();
            assert_eq!(w.load::<u64>(off), Ok(0x0102_0304_0506_0708));
            let mut b = [0; 8];
            w.read(off, &mut b).unwrap();
            assert_eq!(b, 0x0102_0304_0506_0708u64.to_le_bytes());
        }
        w.store::<u8>(63, 0xa5).unwrap();
        assert_eq!(w.load::<u8>(63), Ok(0xa5));
    }

    #[test]
    fn bounds() {
        let mut mem = [0u64; 2];
        let w = window(&mut mem);
        assert_eq!(w.len(), 16);
        assert_eq!(w.load::<u64>(8), Ok(0));
        assert_eq!(w.load::<u64>(9), Err(OutOfBounds));
        assert_eq!(w.load::<u16>(usize::MAX), Err(OutOfBounds));
        assert_eq!(w.store::<u32>(13, 1), Err(OutOfBounds));
        assert_eq!(w.read(0, &mut [0; 17]), Err(OutOfBounds));
        assert_eq!(w.write(16, &[1]), Err(OutOfBounds));
        assert_eq!(w.write(16, &[]), Ok(()));
        assert_eq!(w.read(usize::MAX, &mut [0; 2]), Err(OutOfBounds));
        assert_eq!(mem, [0, 0], "refused accesses write nothing");
    }

    #[test]
    fn copies_every_offset_and_length() {
        // Through the head bytes, the staged words (more than one stage)
        // and the tail, from every alignment.
        let pattern: Vec<u8> = (0..1200u32).map(|i| (i * 7 + 3) as u8).collect();
        let mut mem = alloc::vec![0u64; 160];
        let w = window(&mut mem);
        for off in [0, 1, 3, 7, 8, 13] {
            for len in [0, 1, 7, 8, 9, 15, 517, 1024, 1100] {
                w.write(0, &[0; 1280]).unwrap();
                w.write(off, &pattern[..len]).unwrap();
                let mut all = alloc::vec![0u8; 1280];
                w.read(0, &mut all).unwrap();
                assert!(all[..off].iter().all(|&b| b == 0), "{off}/{len}");
                assert_eq!(&all[off..off + len], &pattern[..len], "{off}/{len}");
                assert!(all[off + len..].iter().all(|&b| b == 0), "{off}/{len}");
                let mut back = alloc::vec![0u8; len];
                w.read(off, &mut back).unwrap();
                assert_eq!(back, &pattern[..len], "{off}/{len}");
            }
        }
    }

    #[test]
    fn pointer_for_atomics() {
        let mut mem = [0u64; 1];
        let w = window(&mut mem);
        assert_eq!(w.as_ptr(4).addr() - w.as_ptr(0).addr(), 4);
    }
}
