//! A page-table walker for 4 KiB-granule tables, generic over where table
//! memory lives and how descriptors are encoded. The format also says how
//! many levels a walk goes through and so how wide its input addresses are:
//! 9 bits per level above the 12-bit page offset (three levels and 39 bits
//! for our stage 2, four levels and 48 bits for an EPT, an NPT or a
//! four-level stage 2). A mapping is a 4 KiB page at the last level or a
//! 2 MiB block ([`BLOCK_SIZE`]) one level up, in place of a last-level
//! table (the kernel maps a VM's RAM so where it can: one entry instead of
//! a 4 KiB table of 512). Blocks are made whole and unmapped whole: a page
//! cannot be mapped inside one, [`PageTable::unmap`] of one of its pages
//! fails, and [`PageTable::cuts_block`] tells a caller about to drain a
//! range that would split one. [`PageTable::translate`] answers for pages
//! and [`PageTable::translate_block`] for blocks (the first is on the exit
//! path and kept as it was). No larger blocks are made or walked.
//!
//! The kernel uses it for stage-2 tables (host processes and VMs); the host
//! tests run it over an arena of `Vec`-backed tables.

/// Access permissions of a page in a user address space.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Perms {
    /// Readable.
    pub read: bool,
    /// Writable.
    pub write: bool,
    /// Executable.
    pub exec: bool,
}

impl Perms {
    /// Read and write, no execute.
    pub const RW: Perms = Perms {
        read: true,
        write: true,
        exec: false,
    };
    /// Read and execute.
    pub const RX: Perms = Perms {
        read: true,
        write: false,
        exec: true,
    };
    /// Read only.
    pub const R: Perms = Perms {
        read: true,
        write: false,
        exec: false,
    };
}

/// Entries per table.
pub const ENTRIES: usize = 512;
/// Bytes per page.
pub const PAGE_SIZE: usize = 4096;
/// Bytes a block maps: what one entry of the level above the last covers.
pub const BLOCK_SIZE: usize = ENTRIES * PAGE_SIZE;

/// Where tables live: allocates and frees zeroed table pages and turns their
/// physical addresses into pointers the walker can use.
pub trait TableMemory {
    /// A zeroed, page-aligned table page, by physical address.
    fn alloc_table(&mut self) -> Option<usize>;
    /// Gives a table page back.
    fn free_table(&mut self, pa: usize);
    /// A pointer to the table at physical address `pa`.
    fn table(&mut self, pa: usize) -> *mut [u64; ENTRIES];
}

/// How one architecture encodes descriptors, and the shape of its tables.
///
/// Levels are counted here from the root: the walk reads one entry of the
/// root table, then one entry per level below it, the last one a page
/// descriptor (architectures number them differently: stage 2 with 39 bits
/// starts at its level 1, a four-level walk at level 0, an EPT at its PML4).
pub trait DescriptorFormat {
    /// Tables a walk goes through, the root and the last included.
    const LEVELS: usize;
    /// Width of the input addresses: `12 + 9 * LEVELS` (checked when a
    /// [`PageTable`] of the format is made).
    const ADDRESS_BITS: u32;
    /// A software bit marking a page whose frame belongs to someone else
    /// (memory shared from a VM): never freed through this table.
    const BORROWED: u64;
    /// A descriptor pointing to the next-level table at `pa`.
    fn table(pa: usize) -> u64;
    /// A last-level (4 KiB page) descriptor for `pa` with `perms`, normal
    /// memory when `device` is false. [`Self::is_valid`] must hold for it.
    fn page(pa: usize, perms: Perms, device: bool) -> u64;
    /// A block descriptor one level above the last ([`BLOCK_SIZE`] bytes)
    /// for the block-aligned `pa`, as [`Self::page`] otherwise;
    /// [`Self::is_valid`] must hold for it and [`Self::is_table`] not.
    fn block(pa: usize, perms: Perms, device: bool) -> u64;
    /// Whether a descriptor is valid.
    fn is_valid(desc: u64) -> bool;
    /// Whether a valid descriptor above the last level points to a table
    /// (the walker never asks about last-level ones).
    fn is_table(desc: u64) -> bool;
    /// Output address of a table, block or page descriptor.
    fn output_address(desc: u64) -> usize;
    /// Permissions of a page or block descriptor.
    fn perms(desc: u64) -> Perms;
}

/// Why a mapping call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapError {
    /// Address not page aligned or beyond [`PageTable::ADDRESS_LIMIT`].
    BadAddress,
    /// Something is mapped there already.
    AlreadyMapped,
    /// No memory for a table.
    NoMemory,
    /// Nothing is mapped there.
    NotMapped,
}

/// A table of format `F` rooted at one table page.
pub struct PageTable<F> {
    root: usize,
    _format: core::marker::PhantomData<F>,
}

impl<F: DescriptorFormat> PageTable<F> {
    /// Input addresses are below this: `1 << F::ADDRESS_BITS`.
    pub const ADDRESS_LIMIT: usize = {
        let () = Self::FORMAT_OK;
        1 << F::ADDRESS_BITS
    };

    /// The format's constraints, checked at compile time where a table is
    /// made or its limit used.
    const FORMAT_OK: () = {
        assert!(F::LEVELS >= 1, "a walk reads at least one table");
        assert!(
            F::ADDRESS_BITS as usize == 12 + 9 * F::LEVELS,
            "4 KiB pages and 512 entries per table: 9 address bits per level"
        );
        assert!(F::ADDRESS_BITS < usize::BITS, "addresses fit in a usize");
    };

    /// The level of page descriptors.
    const LAST: usize = F::LEVELS - 1;

    /// The lowest address bit the entry of `level` translates.
    fn shift(level: usize) -> usize {
        12 + 9 * (Self::LAST - level)
    }

    fn index(va: usize, level: usize) -> usize {
        (va >> Self::shift(level)) & (ENTRIES - 1)
    }

    /// A new empty table.
    pub fn new(mem: &mut impl TableMemory) -> Option<Self> {
        let () = Self::FORMAT_OK;
        Some(PageTable {
            root: mem.alloc_table()?,
            _format: core::marker::PhantomData,
        })
    }

    /// Physical address of the root table.
    pub fn root(&self) -> usize {
        self.root
    }

    fn read(mem: &mut impl TableMemory, table: usize, i: usize) -> u64 {
        // SAFETY: `table` is a table page this walker allocated from `mem`,
        // which hands out pointers valid for the table's lifetime; `i` < 512.
        unsafe { (*mem.table(table))[i] }
    }

    fn write(mem: &mut impl TableMemory, table: usize, i: usize, desc: u64) {
        // SAFETY: as in `read`; the caller holds the table exclusively.
        unsafe { core::ptr::write_volatile(&mut (*mem.table(table))[i], desc) }
    }

    /// The last-level table covering `va`, allocating missing levels if
    /// `create`; [`MapError::AlreadyMapped`] if a block covers `va`.
    fn leaf_table(
        &self,
        mem: &mut impl TableMemory,
        va: usize,
        create: bool,
    ) -> Result<usize, MapError> {
        self.table_at(mem, va, Self::LAST, create)
    }

    /// The table of `level` covering `va` (the root is level 0), allocating
    /// missing levels above it if `create`.
    fn table_at(
        &self,
        mem: &mut impl TableMemory,
        va: usize,
        level: usize,
        create: bool,
    ) -> Result<usize, MapError> {
        let mut table = self.root;
        for level in 0..level {
            let i = Self::index(va, level);
            let desc = Self::read(mem, table, i);
            table = if F::is_valid(desc) {
                if !F::is_table(desc) {
                    return Err(MapError::AlreadyMapped);
                }
                F::output_address(desc)
            } else if create {
                let next = mem.alloc_table().ok_or(MapError::NoMemory)?;
                Self::write(mem, table, i, F::table(next));
                next
            } else {
                return Err(MapError::NotMapped);
            };
        }
        Ok(table)
    }

    fn check(va: usize) -> Result<(), MapError> {
        if !va.is_multiple_of(PAGE_SIZE) || va >= Self::ADDRESS_LIMIT {
            return Err(MapError::BadAddress);
        }
        Ok(())
    }

    /// Maps the page at `va` to the frame at `pa`.
    pub fn map(
        &mut self,
        mem: &mut impl TableMemory,
        va: usize,
        pa: usize,
        perms: Perms,
        device: bool,
    ) -> Result<(), MapError> {
        Self::check(va)?;
        if !pa.is_multiple_of(PAGE_SIZE) {
            return Err(MapError::BadAddress);
        }
        let table = self.leaf_table(mem, va, true)?;
        let i = Self::index(va, Self::LAST);
        if F::is_valid(Self::read(mem, table, i)) {
            return Err(MapError::AlreadyMapped);
        }
        Self::write(mem, table, i, F::page(pa, perms, device));
        Ok(())
    }

    /// Maps the page at `va` to a frame owned elsewhere (see
    /// [`DescriptorFormat::BORROWED`]).
    pub fn map_borrowed(
        &mut self,
        mem: &mut impl TableMemory,
        va: usize,
        pa: usize,
        perms: Perms,
        device: bool,
    ) -> Result<(), MapError> {
        self.map(mem, va, pa, perms, device)?;
        let table = self.leaf_table(mem, va, false)?;
        let i = Self::index(va, Self::LAST);
        let desc = Self::read(mem, table, i);
        Self::write(mem, table, i, desc | F::BORROWED);
        Ok(())
    }

    /// Removes the mapping of `va` and returns the frame it pointed to and
    /// whether it was borrowed ([`MapError::AlreadyMapped`] inside a block).
    /// The caller invalidates TLBs.
    pub fn unmap(
        &mut self,
        mem: &mut impl TableMemory,
        va: usize,
    ) -> Result<(usize, bool), MapError> {
        Self::check(va)?;
        let table = self.leaf_table(mem, va, false)?;
        let i = Self::index(va, Self::LAST);
        let desc = Self::read(mem, table, i);
        if !F::is_valid(desc) {
            return Err(MapError::NotMapped);
        }
        Self::write(mem, table, i, 0);
        Ok((F::output_address(desc), desc & F::BORROWED != 0))
    }

    /// The frame and permissions `va` maps to, if a page maps it (`None`
    /// inside a block: [`Self::translate_block`]). Kept as it was before
    /// blocks: it is on the exit path (`vcpu_run` copies records through
    /// it), whose instruction counts `cargo xtask bench` watches.
    pub fn translate(&self, mem: &mut impl TableMemory, va: usize) -> Option<(usize, Perms)> {
        let page = va & !(PAGE_SIZE - 1);
        Self::check(page).ok()?;
        let table = self.leaf_table(mem, page, false).ok()?;
        let desc = Self::read(mem, table, Self::index(page, Self::LAST));
        F::is_valid(desc).then(|| (F::output_address(desc) + (va % PAGE_SIZE), F::perms(desc)))
    }

    /// Calls `f(va, pa, borrowed)` for every mapped page (each page of a
    /// block too), in address order.
    pub fn for_each_page(&self, mem: &mut impl TableMemory, mut f: impl FnMut(usize, usize, bool)) {
        self.walk_entries(mem, 0, usize::MAX, |_, entry| {
            for (va, pa) in entry.pages() {
                f(va, pa, entry.borrowed)
            }
        });
    }

    /// Calls `f(mem, entry)` for every valid page entry and block entry
    /// that maps something in `[start, end)`, in address order, skipping
    /// unmapped subtrees whole (so a huge, sparse range costs little). A
    /// block's entry covers its whole [`BLOCK_SIZE`], which may reach past
    /// either end.
    fn walk_entries<M: TableMemory>(
        &self,
        mem: &mut M,
        start: usize,
        end: usize,
        mut f: impl FnMut(&mut M, Entry<F>),
    ) {
        let end = end.min(Self::ADDRESS_LIMIT);
        let mut va = start & !(PAGE_SIZE - 1);
        'subtree: while va < end {
            let mut table = self.root;
            for level in 0..Self::LAST {
                let i = Self::index(va, level);
                let desc = Self::read(mem, table, i);
                let span = 1 << Self::shift(level);
                let first = va & !(span - 1);
                if F::is_valid(desc) && !F::is_table(desc) && level == Self::LAST - 1 {
                    f(mem, Entry::new(first, span, table, i, desc));
                }
                if !F::is_valid(desc) || !F::is_table(desc) {
                    va = first + span;
                    continue 'subtree;
                }
                table = F::output_address(desc);
            }
            let table_end = ((va & !(BLOCK_SIZE - 1)) + BLOCK_SIZE).min(end);
            while va < table_end {
                let i = Self::index(va, Self::LAST);
                let desc = Self::read(mem, table, i);
                if F::is_valid(desc) {
                    f(mem, Entry::new(va, PAGE_SIZE, table, i, desc));
                }
                va += PAGE_SIZE;
            }
        }
    }

    /// Calls `f(va)` for every mapped page in `[start, end)` (those of
    /// blocks too), skipping unmapped subtrees whole (so a huge, sparse
    /// range costs little).
    pub fn for_each_mapped_in(
        &self,
        mem: &mut impl TableMemory,
        start: usize,
        end: usize,
        mut f: impl FnMut(usize),
    ) {
        self.walk_entries(mem, start, end, |_, entry| {
            for (va, _) in entry.pages() {
                if (start..end).contains(&va) {
                    f(va)
                }
            }
        });
    }

    /// Unmaps every page in `[start, end)` and calls `f(mem, va, pa,
    /// borrowed)` for each, with the table memory so `f` can free the
    /// frame. A block is unmapped whole, each of its pages reported, even
    /// if the range cuts it (callers that must not unmap more than the
    /// range ask [`Self::cuts_block`] first). Allocates nothing (teardown
    /// must always work) and skips unmapped subtrees whole. The caller
    /// invalidates TLBs.
    pub fn drain_range<M: TableMemory>(
        &mut self,
        mem: &mut M,
        start: usize,
        end: usize,
        mut f: impl FnMut(&mut M, usize, usize, bool),
    ) {
        self.walk_entries(mem, start, end, |mem, entry| {
            Self::write(mem, entry.table, entry.index, 0);
            for (va, pa) in entry.pages() {
                f(mem, va, pa, entry.borrowed);
            }
        });
    }

    /// Calls `f(mem, table)` for `table` (at `level`) and every table below
    /// it, children before their parent.
    fn each_table<M: TableMemory>(
        mem: &mut M,
        table: usize,
        level: usize,
        f: &mut impl FnMut(&mut M, usize),
    ) {
        if level < Self::LAST {
            for i in 0..ENTRIES {
                let desc = Self::read(mem, table, i);
                if F::is_valid(desc) && F::is_table(desc) {
                    Self::each_table(mem, F::output_address(desc), level + 1, f);
                }
            }
        }
        f(mem, table);
    }

    /// Number of table pages in use.
    pub fn table_count(&self, mem: &mut impl TableMemory) -> usize {
        let mut count = 0;
        Self::each_table(mem, self.root, 0, &mut |_, _| count += 1);
        count
    }

    /// Frees every table page (not the frames the pages point to: take those
    /// out with [`Self::for_each_page`] first).
    pub fn destroy(self, mem: &mut impl TableMemory) {
        Self::each_table(mem, self.root, 0, &mut |mem, table| mem.free_table(table));
    }
}

/// One valid page or block entry met by a walk.
struct Entry<F> {
    /// The first address it maps.
    va: usize,
    /// Bytes it maps: [`PAGE_SIZE`] or [`BLOCK_SIZE`].
    span: usize,
    /// The table holding it and its index there.
    table: usize,
    index: usize,
    /// Its output address.
    pa: usize,
    /// Its frames belong to someone else.
    borrowed: bool,
    /// Its permissions.
    perms: Perms,
    _format: core::marker::PhantomData<F>,
}

impl<F: DescriptorFormat> Entry<F> {
    fn new(va: usize, span: usize, table: usize, index: usize, desc: u64) -> Self {
        Entry {
            va,
            span,
            table,
            index,
            pa: F::output_address(desc),
            borrowed: desc & F::BORROWED != 0,
            perms: F::perms(desc),
            _format: core::marker::PhantomData,
        }
    }

    /// Each page it maps: (address, frame).
    fn pages(&self) -> impl Iterator<Item = (usize, usize)> + use<F> {
        let (va, pa) = (self.va, self.pa);
        (0..self.span)
            .step_by(PAGE_SIZE)
            .map(move |off| (va + off, pa + off))
    }
}

mod block;
mod runs;
pub use runs::Run;

#[cfg(test)]
pub(crate) mod tests;
