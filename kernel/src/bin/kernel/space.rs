//! An address space of a host process or a VM: a translation table in the
//! platform's format for its kind (`table.rs`; stage 2 on ARM: with
//! HCR_EL2.{TGE,DC,VM} and stage 1 off, a process's addresses are
//! intermediate physical addresses) with its own TLB tag (VMID), and the
//! kernel's access to it through the identity map.
//!
//! A VM's space (its VMID from the VM pool) maps fresh memory in 2 MiB
//! blocks wherever the range and a free run of frames line up (`map_new`;
//! pages elsewhere), and `share_into` shows such a block to `qvm` as one
//! block too: one entry instead of a 4 KiB last-level table per 2 MiB, in
//! both spaces. A block's frames are still freed one by one. No range may
//! be unmapped that cuts a block (`unmap` refuses it).
//!
//! Each space has a generation that changes whenever a mapping may have
//! gone or changed, never repeating across spaces, so that the kernel may
//! keep a frame address it looked up (the runner's exit record,
//! `vm::record`) for as long as the generation is the same.

mod dma;
mod table;

use crate::hw::Arch;
use abi::{Error, PAGE_SIZE, USER_LOWEST, USER_TOP};
use arch::paging::{BLOCK_SIZE, MapError};
use arch::{Cpu, Perms, Translation};
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::mem::frames::FrameAllocator;
use kernel::vmid::VmidKind;
use table::Table;
pub use table::{Frames, zero_frame};

/// The source of space generations: each value is handed out once.
static GENERATIONS: AtomicU64 = AtomicU64::new(1);

/// A generation no space had before.
fn fresh_generation() -> u64 {
    GENERATIONS.fetch_add(1, Ordering::Relaxed)
}

/// A process's memory.
pub struct Space {
    /// In the format of its kind (`table.rs`).
    table: Table,
    /// Changes whenever a mapping may have gone or changed (see the
    /// module comment).
    generation: u64,
    /// VMID tagging its TLB entries.
    pub vmid: u16,
    /// Pages mapped.
    pub pages: usize,
    /// The root value that makes it active, worked out once.
    root: u64,
}

/// Frames in a block.
const BLOCK_FRAMES: usize = BLOCK_SIZE / PAGE_SIZE;

/// The system-call error for a failed mapping.
fn map_error(e: MapError) -> Error {
    match e {
        MapError::AlreadyMapped => Error::AlreadyMapped,
        MapError::BadAddress => Error::InvalidArgument,
        _ => Error::NoMemory,
    }
}

impl Space {
    /// An empty space with `vmid`.
    pub fn new(frames: &mut FrameAllocator, vmid: u16) -> Result<Space, Error> {
        let vm = VmidKind::of(vmid) == Some(VmidKind::Vm);
        let table = Table::new(&mut Frames(frames), vm).ok_or(Error::NoMemory)?;
        let root = if vm {
            Arch::guest_root(table.root(), vmid)
        } else {
            Arch::prepare_process_space(table.root());
            Arch::root(table.root(), vmid)
        };
        Ok(Space {
            table,
            generation: fresh_generation(),
            vmid,
            pages: 0,
            root,
        })
    }

    /// A VM's space (else a process's).
    fn is_vm(&self) -> bool {
        VmidKind::of(self.vmid) == Some(VmidKind::Vm)
    }

    /// Whether fresh memory may be mapped in blocks: in a VM's space.
    fn blocks(&self) -> bool {
        self.is_vm()
    }

    /// [`Space::check_range`] for this space's own addresses: a VM's are
    /// guest-physical (`abi::guest_range_ok`), a process's its window.
    fn check_own_range(&self, addr: usize, len: usize) -> Result<usize, Error> {
        if !self.is_vm() {
            return Self::check_range(addr, len);
        }
        let len = len
            .checked_next_multiple_of(PAGE_SIZE)
            .ok_or(Error::InvalidArgument)?;
        if !addr.is_multiple_of(PAGE_SIZE) || !abi::guest_range_ok(addr as u64, len as u64) {
            return Err(Error::InvalidArgument);
        }
        Ok(len)
    }

    /// The space's generation: the same as long as no mapping went or
    /// changed since it was read.
    #[inline]
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The root value that makes this space active (VTTBR_EL2 on ARM; a
    /// process's CR3 or a VM's nested root on x86).
    #[inline]
    pub fn root(&self) -> u64 {
        self.root
    }

    /// Calls `f` for each run of its mappings, in address order
    /// (`process_regions`).
    pub fn runs(&self, frames: &mut FrameAllocator, f: impl FnMut(arch::Run)) {
        self.table.for_each_run(&mut Frames(frames), f);
    }

    /// Table pages in use.
    pub fn table_pages(&self, frames: &mut FrameAllocator) -> usize {
        self.table.table_count(&mut Frames(frames))
    }

    /// Checks a user range: page-aligned start, non-empty, inside user space.
    pub fn check_range(va: usize, len: usize) -> Result<usize, Error> {
        let len = len
            .checked_next_multiple_of(PAGE_SIZE)
            .ok_or(Error::InvalidArgument)?;
        let end = va.checked_add(len).ok_or(Error::InvalidArgument)?;
        if !va.is_multiple_of(PAGE_SIZE) || len == 0 || va < USER_LOWEST || end > USER_TOP {
            return Err(Error::InvalidArgument);
        }
        Ok(len)
    }

    /// Whether any page of `[va, va + len)` is mapped.
    pub fn any_mapped(&self, frames: &mut FrameAllocator, va: usize, len: usize) -> bool {
        let mut taken = false;
        self.table
            .for_each_mapped_in(&mut Frames(frames), va, va.saturating_add(len), |_| {
                taken = true
            });
        taken
    }

    /// Maps fresh zeroed pages over `[va, va + len)` (in a VM's space, 2 MiB
    /// blocks where they fit); on failure nothing stays mapped. `fill` may
    /// write each new frame (page va, frame pa).
    pub fn map_new(
        &mut self,
        frames: &mut FrameAllocator,
        va: usize,
        len: usize,
        perms: Perms,
        mut fill: impl FnMut(usize, usize),
    ) -> Result<(), Error> {
        let len = self.check_own_range(va, len)?;
        if len / PAGE_SIZE > frames.free_frames() {
            return Err(Error::NoMemory);
        }
        if self.any_mapped(frames, va, len) {
            return Err(Error::AlreadyMapped);
        }
        let end = va + len;
        let mut at = va;
        while at < end {
            let mapped = if self.blocks() && at.is_multiple_of(BLOCK_SIZE) && end - at >= BLOCK_SIZE
            {
                self.map_new_block(frames, at, perms, &mut fill)
            } else {
                None
            };
            let result = match mapped {
                Some(()) => Ok(BLOCK_SIZE),
                None => self.map_new_page(frames, at, perms, &mut fill),
            };
            match result {
                Ok(size) => {
                    self.pages += size / PAGE_SIZE;
                    at += size;
                }
                Err(e) => {
                    // What was mapped may be in use already (a guest of
                    // the VM, another thread of the process).
                    let _ = self.unmap_in_use(frames, va, at - va);
                    return Err(map_error(e));
                }
            }
        }
        Ok(())
    }

    /// Maps one fresh zeroed page at `va`; the bytes mapped.
    fn map_new_page(
        &mut self,
        frames: &mut FrameAllocator,
        va: usize,
        perms: Perms,
        fill: &mut impl FnMut(usize, usize),
    ) -> Result<usize, MapError> {
        let pa = frames.alloc().ok_or(MapError::NoMemory)?;
        zero_frame(pa);
        fill(va, pa);
        self.table
            .map(&mut Frames(frames), va, pa, perms, false)
            .inspect_err(|_| {
                let _ = frames.free(pa);
            })?;
        Ok(PAGE_SIZE)
    }

    /// Maps a fresh zeroed block at the block-aligned `va`, if a free run
    /// of frames and the table allow it (else nothing changes: the caller
    /// maps pages).
    fn map_new_block(
        &mut self,
        frames: &mut FrameAllocator,
        va: usize,
        perms: Perms,
        fill: &mut impl FnMut(usize, usize),
    ) -> Option<()> {
        let pa = frames.alloc_aligned(BLOCK_FRAMES)?;
        let mapped = self
            .table
            .map_block(&mut Frames(frames), va, pa, perms, false, false);
        if mapped.is_err() {
            for frame in (pa..pa + BLOCK_SIZE).step_by(PAGE_SIZE) {
                let _ = frames.free(frame);
            }
            return None;
        }
        // SAFETY: the block's frames are ours, and an aligned run of them in
        // one RAM range (`alloc_aligned`): a block the kernel's map shows
        // as normal memory. Zeroing guest RAM was most of a VM's start
        // with plain stores (docs/benchmarks.md, "From `qvm` start to the
        // guest's first instruction").
        unsafe { Arch::zero_ram(pa, BLOCK_SIZE) };
        for off in (0..BLOCK_SIZE).step_by(PAGE_SIZE) {
            fill(va + off, pa + off);
        }
        Some(())
    }

    /// Unmaps `[va, va + len)` (pages not mapped are skipped) and frees the
    /// frames; `InvalidArgument` (and nothing unmapped) if the range cuts a
    /// block. With `live`, this space is the CPU's current one: its TLB
    /// entries are invalidated everywhere before the frames are reused.
    pub fn unmap(
        &mut self,
        frames: &mut FrameAllocator,
        va: usize,
        len: usize,
        live: bool,
    ) -> Result<(), Error> {
        let len = self.check_own_range(va, len)?;
        if self.table.cuts_block(&mut Frames(frames), va, va + len) {
            return Err(Error::InvalidArgument);
        }
        self.generation = fresh_generation();
        let mut freed = 0;
        self.table.drain_range(
            &mut Frames(frames),
            va,
            va + len,
            |mem, page, pa, borrowed| {
                if live {
                    Arch::flush_page(page);
                }
                if !borrowed {
                    let _ = mem.0.free(pa);
                    freed += 1;
                }
            },
        );
        self.pages -= freed;
        Ok(())
    }

    /// [`Self::unmap`] of a range that CPUs may be using right now though
    /// this space is not the active one here: a VM's RAM its guests may
    /// touch the moment it is mapped, or a new mapping of a process whose
    /// other threads run. Every page's TLB entries go, on every CPU,
    /// before its frame is freed: TLB maintenance by address acts on the
    /// active space (the VMID in VTTBR_EL2 on ARM), so this space is made
    /// this CPU's for the while, then the one before comes back.
    pub fn unmap_in_use(
        &mut self,
        frames: &mut FrameAllocator,
        va: usize,
        len: usize,
    ) -> Result<(), Error> {
        let running = Arch::active();
        Arch::activate(self.root());
        let result = self.unmap(frames, va, len, true);
        Arch::activate(running);
        result
    }

    /// Maps frames owned by something else (a VM's RAM, a shared memory
    /// object) at `va`, one page per frame; on failure nothing stays
    /// mapped (the pages mapped before the failure are unmapped without
    /// TLB maintenance).
    pub fn map_borrowed(
        &mut self,
        frames: &mut FrameAllocator,
        va: usize,
        owned: &[usize],
        perms: Perms,
        device: bool,
    ) -> Result<(), Error> {
        self.check_own_range(va, owned.len() * PAGE_SIZE)?;
        for (n, &pa) in owned.iter().enumerate() {
            let mapped =
                self.table
                    .map_borrowed(&mut Frames(frames), va + n * PAGE_SIZE, pa, perms, device);
            if let Err(e) = mapped {
                self.generation = fresh_generation();
                for undo in 0..n {
                    let _ = self.table.unmap(&mut Frames(frames), va + undo * PAGE_SIZE);
                }
                return Err(map_error(e));
            }
        }
        Ok(())
    }

    /// Maps the pages of `[gpa, gpa + len)` of this space (all mapped) into
    /// `other` at `va`, borrowed (for a VM's RAM seen by its `qvm`); a block
    /// of this space whose place in `other` is block-aligned goes there as
    /// one block. On failure nothing stays mapped in `other`, and no CPU
    /// keeps a TLB entry of what was: `other` must be this CPU's active
    /// space (the caller's), whose other threads may have touched the
    /// pages already. Allocates no heap.
    pub fn share_into(
        &self,
        other: &mut Space,
        frames: &mut FrameAllocator,
        gpa: usize,
        len: usize,
        va: usize,
        perms: Perms,
    ) -> Result<(), Error> {
        let len = Self::check_range(va, len)?;
        let mut done = 0;
        while done < len {
            let result = self.share_one(other, frames, gpa + done, len - done, va + done, perms);
            match result {
                Ok(size) => done += size,
                Err(e) => {
                    other.generation = fresh_generation();
                    other
                        .table
                        .drain_range(&mut Frames(frames), va, va + done, |_, page, _, _| {
                            Arch::flush_page(page)
                        });
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Maps the page or block of this space at `gpa` into `other` at `va`
    /// (borrowed), a block only if `left` bytes hold it and `va` is
    /// aligned like `gpa`; the bytes mapped.
    fn share_one(
        &self,
        other: &mut Space,
        frames: &mut FrameAllocator,
        gpa: usize,
        left: usize,
        va: usize,
        perms: Perms,
    ) -> Result<usize, Error> {
        let block = self.table.block_at(&mut Frames(frames), gpa);
        if let Some((first, pa, _, _)) = block
            && first == gpa
            && left >= BLOCK_SIZE
            && va.is_multiple_of(BLOCK_SIZE)
            && other
                .table
                .map_block(&mut Frames(frames), va, pa, perms, false, true)
                .is_ok()
        {
            return Ok(BLOCK_SIZE);
        }
        let (pa, _) = self.lookup(frames, gpa).ok_or(Error::Fault)?;
        other
            .table
            .map_borrowed(&mut Frames(frames), va, pa, perms, false)
            .map_err(map_error)?;
        Ok(PAGE_SIZE)
    }

    /// The frame and permissions of the page at `va`, if mapped.
    pub fn lookup(&self, frames: &mut FrameAllocator, va: usize) -> Option<(usize, Perms)> {
        let page = va & !(PAGE_SIZE - 1);
        let mem = &mut Frames(frames);
        self.table
            .translate(mem, page)
            .or_else(|| self.table.translate_block(mem, page))
    }

    /// Changes the permissions of the mapped page at `va` (not live: for a
    /// space no CPU runs yet).
    pub fn reprotect(
        &mut self,
        frames: &mut FrameAllocator,
        va: usize,
        perms: Perms,
    ) -> Result<(), Error> {
        self.generation = fresh_generation();
        let (pa, _) = self
            .table
            .unmap(&mut Frames(frames), va)
            .map_err(|_| Error::Fault)?;
        self.table
            .map(&mut Frames(frames), va, pa, perms, false)
            .map_err(|_| Error::NoMemory)
    }

    /// The frame address behind `va`, if mapped (by a page or a block)
    /// with `need` permissions.
    pub fn translate(&self, frames: &mut FrameAllocator, va: usize, write: bool) -> Option<usize> {
        match self.table.translate(&mut Frames(frames), va) {
            Some((pa, perms)) => (perms.read && (!write || perms.write)).then_some(pa),
            None => self.translate_in_block(frames, va, write),
        }
    }

    /// [`Self::translate`] inside a block (guest RAM in `qvm`'s window).
    /// Out of line and cold: `copy_in` and `copy_out`, through which
    /// `vcpu_run` copies exit records, stay as they were before blocks.
    #[cold]
    #[inline(never)]
    fn translate_in_block(
        &self,
        frames: &mut FrameAllocator,
        va: usize,
        write: bool,
    ) -> Option<usize> {
        let (pa, perms) = self.table.translate_block(&mut Frames(frames), va)?;
        (perms.read && (!write || perms.write)).then_some(pa)
    }

    /// The frame address of a `len`-byte record at `va` that is 8-byte
    /// aligned and lies in one page mapped readable and writable; `None`
    /// otherwise (the caller copies through `copy_in`/`copy_out`).
    pub fn record_frame(
        &self,
        frames: &mut FrameAllocator,
        va: usize,
        len: usize,
    ) -> Option<usize> {
        if !va.is_multiple_of(8) || va % PAGE_SIZE + len > PAGE_SIZE {
            return None;
        }
        self.translate(frames, va, true)
    }

    /// Copies user memory at `va` into `buf`.
    pub fn copy_in(
        &self,
        frames: &mut FrameAllocator,
        va: usize,
        buf: &mut [u8],
    ) -> Result<(), Error> {
        let mut done = 0;
        while done < buf.len() {
            let at = va.checked_add(done).ok_or(Error::Fault)?;
            let pa = self.translate(frames, at, false).ok_or(Error::Fault)?;
            let n = (PAGE_SIZE - at % PAGE_SIZE).min(buf.len() - done);
            // SAFETY: `pa..pa+n` lies in one frame mapped readable in this
            // space: RAM reachable through the identity map.
            unsafe { core::ptr::copy_nonoverlapping(pa as *const u8, buf[done..].as_mut_ptr(), n) };
            done += n;
        }
        Ok(())
    }

    /// Copies `data` to user memory at `va` (which must be writable).
    pub fn copy_out(
        &self,
        frames: &mut FrameAllocator,
        va: usize,
        data: &[u8],
    ) -> Result<(), Error> {
        let mut done = 0;
        while done < data.len() {
            let at = va.checked_add(done).ok_or(Error::Fault)?;
            let pa = self.translate(frames, at, true).ok_or(Error::Fault)?;
            let n = (PAGE_SIZE - at % PAGE_SIZE).min(data.len() - done);
            // SAFETY: as in `copy_in`, and the page is writable by the user.
            unsafe { core::ptr::copy_nonoverlapping(data[done..].as_ptr(), pa as *mut u8, n) };
            done += n;
        }
        Ok(())
    }

    /// Frees every page and table. The caller has made sure no CPU runs
    /// this space and flushes its VMID.
    pub fn destroy(mut self, frames: &mut FrameAllocator) {
        if !self.blocks() {
            Arch::release_process_space(self.table.root());
        }
        self.table.drain_range(
            &mut Frames(frames),
            0,
            usize::MAX,
            |mem, _, pa, borrowed| {
                if !borrowed {
                    let _ = mem.0.free(pa);
                }
            },
        );
        self.table.destroy(&mut Frames(frames));
    }
}
