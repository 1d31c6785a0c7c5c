//! The physical frame allocator: one bitmap per RAM range, a set bit is a
//! frame in use. Frames are 4 KiB.

/// Bytes per frame.
pub const FRAME_SIZE: usize = 4096;
/// Most RAM ranges.
const MAX_REGIONS: usize = 16;

struct Region<'a> {
    start: usize,
    frames: usize,
    bitmap: &'a mut [u64],
    /// Where the next search starts.
    hint: usize,
}

/// Why a frame cannot be given back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FreeError {
    /// Not a frame this allocator manages.
    Unknown,
    /// Already free.
    DoubleFree,
}

/// Allocates frames from the RAM ranges it was given.
pub struct FrameAllocator<'a> {
    regions: [Option<Region<'a>>; MAX_REGIONS],
    free: usize,
    total: usize,
}

impl<'a> Default for FrameAllocator<'a> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> FrameAllocator<'a> {
    /// An allocator with no memory.
    pub const fn new() -> Self {
        FrameAllocator {
            regions: [const { None }; MAX_REGIONS],
            free: 0,
            total: 0,
        }
    }

    /// Words of bitmap needed for `bytes` of RAM.
    pub const fn bitmap_words(bytes: usize) -> usize {
        (bytes / FRAME_SIZE).div_ceil(64)
    }

    /// Adds the frames of `[start, end)` (rounded inwards to frames), all
    /// free, with `bitmap` as bookkeeping (at least `bitmap_words` long).
    /// Returns false if the table of regions is full or the bitmap short.
    pub fn add_region(&mut self, start: usize, end: usize, bitmap: &'a mut [u64]) -> bool {
        let start = start.next_multiple_of(FRAME_SIZE);
        let end = end & !(FRAME_SIZE - 1);
        if end <= start {
            return true;
        }
        let frames = (end - start) / FRAME_SIZE;
        if bitmap.len() < frames.div_ceil(64) {
            return false;
        }
        let Some(slot) = self.regions.iter_mut().find(|r| r.is_none()) else {
            return false;
        };
        bitmap.fill(0);
        // Bits past the last frame stay set so they are never handed out.
        for bit in frames..bitmap.len() * 64 {
            bitmap[bit / 64] |= 1 << (bit % 64);
        }
        *slot = Some(Region {
            start,
            frames,
            bitmap,
            hint: 0,
        });
        self.free += frames;
        self.total += frames;
        true
    }

    /// Marks every frame overlapping `[start, end)` as used (for the kernel
    /// image, the device tree, reserved memory). Returns frames taken.
    pub fn reserve(&mut self, start: usize, end: usize) -> usize {
        let mut taken = 0;
        for region in self.regions.iter_mut().flatten() {
            let region_end = region.start + region.frames * FRAME_SIZE;
            let s = start.max(region.start);
            let e = end.min(region_end);
            if s >= e {
                continue;
            }
            for frame in (s - region.start) / FRAME_SIZE..(e - region.start).div_ceil(FRAME_SIZE) {
                let (word, bit) = (frame / 64, 1u64 << (frame % 64));
                if region.bitmap[word] & bit == 0 {
                    region.bitmap[word] |= bit;
                    taken += 1;
                }
            }
        }
        self.free -= taken;
        taken
    }

    /// A free frame's physical address (not zeroed).
    pub fn alloc(&mut self) -> Option<usize> {
        for region in self.regions.iter_mut().flatten() {
            let words = region.bitmap.len();
            for n in 0..words {
                let word = (region.hint + n) % words;
                let bits = region.bitmap[word];
                if bits != u64::MAX {
                    let bit = (!bits).trailing_zeros() as usize;
                    region.bitmap[word] |= 1 << bit;
                    region.hint = word;
                    self.free -= 1;
                    return Some(region.start + (word * 64 + bit) * FRAME_SIZE);
                }
            }
        }
        None
    }

    /// `count` free frames in a row (a power of two) starting at a
    /// physical address aligned to `count` frames, all marked in use; for
    /// memory a translation table maps as one block (2 MiB of guest RAM).
    /// Each frame is given back on its own with [`Self::free`]. `None` if
    /// no such run is free (the caller takes single frames instead).
    pub fn alloc_aligned(&mut self, count: usize) -> Option<usize> {
        if !count.is_power_of_two() || count > self.free {
            return None;
        }
        let align = count * FRAME_SIZE;
        for region in self.regions.iter_mut().flatten() {
            let first = region.start.next_multiple_of(align);
            let end = region.start + region.frames * FRAME_SIZE;
            let mut at = first;
            while at.checked_add(align).is_some_and(|e| e <= end) {
                let frame = (at - region.start) / FRAME_SIZE;
                if run_is_free(region.bitmap, frame, count) {
                    for f in frame..frame + count {
                        region.bitmap[f / 64] |= 1 << (f % 64);
                    }
                    self.free -= count;
                    return Some(at);
                }
                at += align;
            }
        }
        None
    }

    /// `count` free frames in a row (physically contiguous, page-aligned),
    /// all marked in use; for memory a device reaches by DMA
    /// (`dma_alloc`). Each frame is given back on its own with
    /// [`Self::free`]. `None` if `count` is 0 or no run that long is free.
    pub fn alloc_run(&mut self, count: usize) -> Option<usize> {
        if count == 0 || count > self.free {
            return None;
        }
        for region in self.regions.iter_mut().flatten() {
            let mut frame = 0;
            while frame + count <= region.frames {
                match (frame..frame + count)
                    .rev()
                    .find(|&f| is_used(region.bitmap, f))
                {
                    // Skip past the last used frame of the window.
                    Some(used) => frame = used + 1,
                    None => {
                        for f in frame..frame + count {
                            region.bitmap[f / 64] |= 1 << (f % 64);
                        }
                        self.free -= count;
                        return Some(region.start + frame * FRAME_SIZE);
                    }
                }
            }
        }
        None
    }

    /// Gives a frame back.
    pub fn free(&mut self, pa: usize) -> Result<(), FreeError> {
        if !pa.is_multiple_of(FRAME_SIZE) {
            return Err(FreeError::Unknown);
        }
        for region in self.regions.iter_mut().flatten() {
            if pa >= region.start && pa < region.start + region.frames * FRAME_SIZE {
                let frame = (pa - region.start) / FRAME_SIZE;
                let (word, bit) = (frame / 64, 1u64 << (frame % 64));
                if region.bitmap[word] & bit == 0 {
                    return Err(FreeError::DoubleFree);
                }
                region.bitmap[word] &= !bit;
                self.free += 1;
                return Ok(());
            }
        }
        Err(FreeError::Unknown)
    }

    /// Free frames.
    pub fn free_frames(&self) -> usize {
        self.free
    }

    /// Frames managed.
    pub fn total_frames(&self) -> usize {
        self.total
    }
}

/// Whether frame `frame`'s bit is set in `bitmap`.
fn is_used(bitmap: &[u64], frame: usize) -> bool {
    bitmap[frame / 64] & (1 << (frame % 64)) != 0
}

/// Whether the `count` frames from `frame` are all clear in `bitmap`,
/// whole words at a time where they line up.
fn run_is_free(bitmap: &[u64], frame: usize, count: usize) -> bool {
    let mut f = frame;
    while f < frame + count {
        if f.is_multiple_of(64) && frame + count - f >= 64 {
            if bitmap[f / 64] != 0 {
                return false;
            }
            f += 64;
        } else {
            if bitmap[f / 64] & (1 << (f % 64)) != 0 {
                return false;
            }
            f += 1;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bitmap(bytes: usize) -> &'static mut [u64] {
        Box::leak(vec![0u64; FrameAllocator::bitmap_words(bytes)].into_boxed_slice())
    }

    #[test]
    fn alloc_free_reserve() {
        let mut frames = FrameAllocator::new();
        assert!(frames.add_region(0x4000_0000, 0x4001_0000, bitmap(0x1_0000)));
        assert_eq!(frames.total_frames(), 16);
        assert_eq!(frames.reserve(0x4000_0800, 0x4000_2001), 3);
        assert_eq!(frames.free_frames(), 13);
        let a = frames.alloc().unwrap();
        assert_eq!(a, 0x4000_3000);
        let mut got = vec![a];
        while let Some(f) = frames.alloc() {
            got.push(f);
        }
        assert_eq!(got.len(), 13);
        assert_eq!(frames.free_frames(), 0);
        assert_eq!(frames.free(a), Ok(()));
        assert_eq!(frames.free(a), Err(FreeError::DoubleFree));
        assert_eq!(frames.free(0x5000_0000), Err(FreeError::Unknown));
        assert_eq!(frames.free(a + 1), Err(FreeError::Unknown));
        assert_eq!(frames.alloc(), Some(a));
    }

    #[test]
    fn odd_sizes_and_several_regions() {
        let mut frames = FrameAllocator::new();
        // 70 frames: the bitmap's second word is partly past the end.
        assert!(frames.add_region(
            0x1000,
            0x1000 + 70 * FRAME_SIZE + 123,
            bitmap(71 * FRAME_SIZE)
        ));
        assert!(frames.add_region(0x100_0000, 0x100_2000, bitmap(0x2000)));
        assert!(
            !frames.add_region(0x200_0000, 0x300_0000, bitmap(0x1000)),
            "short bitmap refused"
        );
        let mut count = 0;
        while let Some(f) = frames.alloc() {
            assert!(f < 0x1000 + 70 * FRAME_SIZE || (0x100_0000..0x100_2000).contains(&f));
            count += 1;
        }
        assert_eq!(count, 72);
    }

    #[test]
    fn aligned_runs() {
        // 8 MiB at 1 MiB: 2 MiB-aligned runs of 512 frames start at 2, 4
        // and 6 MiB (the one at 8 MiB would pass the end).
        let mut frames = FrameAllocator::new();
        assert!(frames.add_region(0x10_0000, 0x90_0000, bitmap(0x80_0000)));
        assert_eq!(frames.alloc_aligned(3), None, "not a power of two");
        frames.reserve(0x20_0000, 0x20_1000);
        assert_eq!(frames.alloc_aligned(512), Some(0x40_0000));
        assert_eq!(frames.free_frames(), 2048 - 1 - 512);
        assert_eq!(frames.alloc_aligned(512), Some(0x60_0000));
        assert_eq!(frames.alloc_aligned(512), None);
        // Frames of a run go back one by one; the run is whole again.
        for f in (0x40_0000..0x60_0000).step_by(FRAME_SIZE) {
            assert_eq!(frames.free(f), Ok(()));
        }
        assert_eq!(frames.free(0x40_0000), Err(FreeError::DoubleFree));
        assert_eq!(frames.alloc_aligned(512), Some(0x40_0000));
        // Single frames still come from what is left.
        assert_eq!(frames.alloc(), Some(0x10_0000));
    }

    #[test]
    fn aligned_runs_off_the_bitmap_words() {
        // The region starts 4 frames past a 16-frame boundary: the run at
        // 0x10000 (taken by a reserved frame) starts at bit 4 of a word.
        let mut frames = FrameAllocator::new();
        assert!(frames.add_region(0xc000, 0x4_c000, bitmap(0x4_0000)));
        frames.reserve(0x1_f000, 0x2_0000);
        assert_eq!(frames.alloc_aligned(16), Some(0x2_0000));
        assert_eq!(frames.alloc_aligned(16), Some(0x3_0000));
        // At 0x40000 the run would pass the region's end.
        assert_eq!(frames.alloc_aligned(16), None);
        assert_eq!(frames.free_frames(), 64 - 1 - 32);
    }

    #[test]
    fn contiguous_runs() {
        // 16 frames at 0x1000; frames 2 and 9 reserved.
        let mut frames = FrameAllocator::new();
        assert!(frames.add_region(0x1000, 0x11000, bitmap(0x10000)));
        frames.reserve(0x3000, 0x4000);
        frames.reserve(0xa000, 0xb000);
        assert_eq!(frames.alloc_run(0), None);
        assert_eq!(frames.alloc_run(7), None, "no 7 free in a row");
        assert_eq!(frames.alloc_run(6), Some(0x4000));
        assert_eq!(frames.alloc_run(2), Some(0x1000));
        assert_eq!(frames.alloc_run(6), Some(0xb000));
        assert_eq!(frames.free_frames(), 0);
        assert_eq!(frames.alloc_run(1), None);
        for f in (0x4000..0xa000).step_by(FRAME_SIZE) {
            assert_eq!(frames.free(f), Ok(()));
        }
        assert_eq!(frames.alloc_run(6), Some(0x4000));
    }
}
