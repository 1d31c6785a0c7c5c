//! Physically contiguous memory in a process's space, for a host driver's
//! DMA buffers (`dma_alloc`): the frames are the process's own (freed by
//! `mem_unmap` or when it ends), mapped page by page as normal memory.

use super::{Frames, Space, map_error, zero_frame};
use abi::{Error, PAGE_SIZE};
use arch::Perms;
use kernel::mem::frames::FrameAllocator;

impl Space {
    /// Maps `len` bytes (whole pages, the range checked by the caller) of
    /// fresh zeroed, physically contiguous frames read-write at `va`;
    /// returns the first frame's physical address. `AlreadyMapped` if a
    /// page of the range is mapped, `NoMemory` if no run of free frames is
    /// that long; on error nothing stays mapped and no frame is held.
    pub fn map_contiguous(
        &mut self,
        frames: &mut FrameAllocator,
        va: usize,
        len: usize,
    ) -> Result<usize, Error> {
        let len = Self::check_range(va, len)?;
        if self.any_mapped(frames, va, len) {
            return Err(Error::AlreadyMapped);
        }
        let count = len / PAGE_SIZE;
        let pa = frames.alloc_run(count).ok_or(Error::NoMemory)?;
        let perms = Perms {
            read: true,
            write: true,
            exec: false,
        };
        for n in 0..count {
            let (page, frame) = (va + n * PAGE_SIZE, pa + n * PAGE_SIZE);
            zero_frame(frame);
            let mapped = self
                .table
                .map(&mut Frames(frames), page, frame, perms, false);
            if let Err(e) = mapped {
                // The pages mapped so far go with their frames (another
                // thread of the process may have touched them already);
                // the rest are freed here.
                self.pages += n;
                let _ = self.unmap_in_use(frames, va, n * PAGE_SIZE);
                for rest in n..count {
                    let _ = frames.free(pa + rest * PAGE_SIZE);
                }
                return Err(map_error(e));
            }
        }
        self.pages += count;
        Ok(pa)
    }
}
