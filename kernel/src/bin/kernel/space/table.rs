//! A space's translation table in the format its kind needs: a process's
//! in the platform's `Format`, a VM's in its `GuestFormat` (the same on
//! ARM; on x86 CR3's long-mode format for processes and the backend's NPT
//! or EPT for VMs). The methods are the walker's, passed to whichever
//! table the space has; its table memory is the frame allocator's.

use crate::hw::Arch;
use abi::PAGE_SIZE;
use arch::paging::{ENTRIES, MapError, PageTable, TableMemory};
use arch::{Perms, Run, Translation};
use kernel::mem::frames::FrameAllocator;

/// Table memory from the frame allocator, reached through the identity map.
pub struct Frames<'a, 'b>(pub &'a mut FrameAllocator<'b>);

impl TableMemory for Frames<'_, '_> {
    fn alloc_table(&mut self) -> Option<usize> {
        let pa = self.0.alloc()?;
        zero_frame(pa);
        Some(pa)
    }

    fn free_table(&mut self, pa: usize) {
        let _ = self.0.free(pa);
    }

    fn table(&mut self, pa: usize) -> *mut [u64; ENTRIES] {
        pa as *mut [u64; ENTRIES]
    }
}

/// Zeroes a frame through the identity map.
pub fn zero_frame(pa: usize) {
    // SAFETY: `pa` is a frame just taken from the allocator: RAM, mapped,
    // and owned by the caller.
    unsafe { core::ptr::write_bytes(pa as *mut u8, 0, PAGE_SIZE) };
}

/// A process's or a VM's table.
pub enum Table {
    Process(PageTable<<Arch as Translation>::Format>),
    Vm(PageTable<<Arch as Translation>::GuestFormat>),
}

/// `$t.$call` on whichever table `$table` holds.
macro_rules! on_table {
    ($table:expr, $t:ident => $call:expr) => {
        match $table {
            Table::Process($t) => $call,
            Table::Vm($t) => $call,
        }
    };
}

impl Table {
    /// A new empty table for a VM's space (`vm`) or a process's.
    pub fn new(mem: &mut Frames, vm: bool) -> Option<Table> {
        Some(if vm {
            Table::Vm(PageTable::new(mem)?)
        } else {
            Table::Process(PageTable::new(mem)?)
        })
    }

    pub fn root(&self) -> usize {
        on_table!(self, t => t.root())
    }

    pub fn map(
        &mut self,
        mem: &mut Frames,
        va: usize,
        pa: usize,
        perms: Perms,
        device: bool,
    ) -> Result<(), MapError> {
        on_table!(self, t => t.map(mem, va, pa, perms, device))
    }

    pub fn map_block(
        &mut self,
        mem: &mut Frames,
        va: usize,
        pa: usize,
        perms: Perms,
        device: bool,
        borrowed: bool,
    ) -> Result<(), MapError> {
        on_table!(self, t => t.map_block(mem, va, pa, perms, device, borrowed))
    }

    pub fn map_borrowed(
        &mut self,
        mem: &mut Frames,
        va: usize,
        pa: usize,
        perms: Perms,
        device: bool,
    ) -> Result<(), MapError> {
        on_table!(self, t => t.map_borrowed(mem, va, pa, perms, device))
    }

    pub fn unmap(&mut self, mem: &mut Frames, va: usize) -> Result<(usize, bool), MapError> {
        on_table!(self, t => t.unmap(mem, va))
    }

    pub fn translate(&self, mem: &mut Frames, va: usize) -> Option<(usize, Perms)> {
        on_table!(self, t => t.translate(mem, va))
    }

    pub fn translate_block(&self, mem: &mut Frames, va: usize) -> Option<(usize, Perms)> {
        on_table!(self, t => t.translate_block(mem, va))
    }

    pub fn block_at(&self, mem: &mut Frames, va: usize) -> Option<(usize, usize, Perms, bool)> {
        on_table!(self, t => t.block_at(mem, va))
    }

    pub fn cuts_block(&self, mem: &mut Frames, start: usize, end: usize) -> bool {
        on_table!(self, t => t.cuts_block(mem, start, end))
    }

    pub fn for_each_run(&self, mem: &mut Frames, f: impl FnMut(Run)) {
        on_table!(self, t => t.for_each_run(mem, f))
    }

    pub fn for_each_mapped_in(
        &self,
        mem: &mut Frames,
        start: usize,
        end: usize,
        f: impl FnMut(usize),
    ) {
        on_table!(self, t => t.for_each_mapped_in(mem, start, end, f))
    }

    pub fn drain_range<'a, 'b>(
        &mut self,
        mem: &mut Frames<'a, 'b>,
        start: usize,
        end: usize,
        f: impl FnMut(&mut Frames<'a, 'b>, usize, usize, bool),
    ) {
        on_table!(self, t => t.drain_range(mem, start, end, f))
    }

    pub fn table_count(&self, mem: &mut Frames) -> usize {
        on_table!(self, t => t.table_count(mem))
    }

    pub fn destroy(self, mem: &mut Frames) {
        on_table!(self, t => t.destroy(mem))
    }
}
