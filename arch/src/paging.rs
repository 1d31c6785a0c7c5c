//! A page-table walker for 4 KiB-granule, three-level tables (level 1 to
//! level 3, 39-bit addresses), generic over where table memory lives and how
//! leaf descriptors are encoded.
//!
//! The kernel uses it for stage-2 tables (host processes and VMs); the host
//! tests run it over an arena of `Vec`-backed tables.

use crate::Perms;

/// Entries per table.
pub const ENTRIES: usize = 512;
/// Bytes per page.
pub const PAGE_SIZE: usize = 4096;
/// Addresses are below this.
pub const ADDRESS_LIMIT: usize = 1 << 39;

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

/// How one architecture encodes descriptors.
pub trait DescriptorFormat {
    /// A descriptor pointing to the next-level table at `pa`.
    fn table(pa: usize) -> u64;
    /// A level-3 page descriptor for `pa` with `perms`, normal memory when
    /// `device` is false.
    fn page(pa: usize, perms: Perms, device: bool) -> u64;
    /// Whether a descriptor is valid.
    fn is_valid(desc: u64) -> bool;
    /// Whether a valid level-1/2 descriptor points to a table.
    fn is_table(desc: u64) -> bool;
    /// Output address of a table or page descriptor.
    fn output_address(desc: u64) -> usize;
    /// Permissions of a page descriptor.
    fn perms(desc: u64) -> Perms;
    /// A software bit marking a page whose frame belongs to someone else
    /// (memory shared from a VM): never freed through this table.
    const BORROWED: u64;
}

/// Why a mapping call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapError {
    /// Address not page aligned or beyond [`ADDRESS_LIMIT`].
    BadAddress,
    /// Something is mapped there already.
    AlreadyMapped,
    /// No memory for a table.
    NoMemory,
    /// Nothing is mapped there.
    NotMapped,
}

fn index(va: usize, level: usize) -> usize {
    (va >> (12 + 9 * (3 - level))) & (ENTRIES - 1)
}

/// A three-level table rooted at one level-1 page.
pub struct PageTable<F> {
    root: usize,
    _format: core::marker::PhantomData<F>,
}

impl<F: DescriptorFormat> PageTable<F> {
    /// A new empty table.
    pub fn new(mem: &mut impl TableMemory) -> Option<Self> {
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

    /// The level-3 table covering `va`, allocating missing levels if `create`.
    fn leaf_table(
        &self,
        mem: &mut impl TableMemory,
        va: usize,
        create: bool,
    ) -> Result<usize, MapError> {
        let mut table = self.root;
        for level in 1..3 {
            let i = index(va, level);
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
        if !va.is_multiple_of(PAGE_SIZE) || va >= ADDRESS_LIMIT {
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
        let i = index(va, 3);
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
        let i = index(va, 3);
        let desc = Self::read(mem, table, i);
        Self::write(mem, table, i, desc | F::BORROWED);
        Ok(())
    }

    /// Removes the mapping of `va` and returns the frame it pointed to and
    /// whether it was borrowed. The caller invalidates TLBs.
    pub fn unmap(
        &mut self,
        mem: &mut impl TableMemory,
        va: usize,
    ) -> Result<(usize, bool), MapError> {
        Self::check(va)?;
        let table = self.leaf_table(mem, va, false)?;
        let i = index(va, 3);
        let desc = Self::read(mem, table, i);
        if !F::is_valid(desc) {
            return Err(MapError::NotMapped);
        }
        Self::write(mem, table, i, 0);
        Ok((F::output_address(desc), desc & F::BORROWED != 0))
    }

    /// The frame and permissions `va` maps to, if mapped.
    pub fn translate(&self, mem: &mut impl TableMemory, va: usize) -> Option<(usize, Perms)> {
        let page = va & !(PAGE_SIZE - 1);
        Self::check(page).ok()?;
        let table = self.leaf_table(mem, page, false).ok()?;
        let desc = Self::read(mem, table, index(page, 3));
        F::is_valid(desc).then(|| (F::output_address(desc) + (va % PAGE_SIZE), F::perms(desc)))
    }

    /// Calls `f(va, pa, borrowed)` for every mapped page, in address order.
    pub fn for_each_page(&self, mem: &mut impl TableMemory, mut f: impl FnMut(usize, usize, bool)) {
        for i1 in 0..ENTRIES {
            let d1 = Self::read(mem, self.root, i1);
            if !F::is_valid(d1) || !F::is_table(d1) {
                continue;
            }
            let t2 = F::output_address(d1);
            for i2 in 0..ENTRIES {
                let d2 = Self::read(mem, t2, i2);
                if !F::is_valid(d2) || !F::is_table(d2) {
                    continue;
                }
                let t3 = F::output_address(d2);
                for i3 in 0..ENTRIES {
                    let d3 = Self::read(mem, t3, i3);
                    if F::is_valid(d3) {
                        f(
                            (i1 << 30) | (i2 << 21) | (i3 << 12),
                            F::output_address(d3),
                            d3 & F::BORROWED != 0,
                        );
                    }
                }
            }
        }
    }

    /// Calls `f(mem, va, leaf_table, desc)` for every valid leaf entry in
    /// `[start, end)`, skipping unmapped subtrees whole (so a huge, sparse
    /// range costs little).
    fn walk_leaves<M: TableMemory>(
        &self,
        mem: &mut M,
        start: usize,
        end: usize,
        mut f: impl FnMut(&mut M, usize, usize, u64),
    ) {
        const L1_SPAN: usize = 1 << 30;
        const L2_SPAN: usize = 1 << 21;
        let end = end.min(ADDRESS_LIMIT);
        let mut va = start & !(PAGE_SIZE - 1);
        while va < end {
            let d1 = Self::read(mem, self.root, index(va, 1));
            if !F::is_valid(d1) || !F::is_table(d1) {
                va = (va & !(L1_SPAN - 1)) + L1_SPAN;
                continue;
            }
            let d2 = Self::read(mem, F::output_address(d1), index(va, 2));
            if !F::is_valid(d2) || !F::is_table(d2) {
                va = (va & !(L2_SPAN - 1)) + L2_SPAN;
                continue;
            }
            let t3 = F::output_address(d2);
            let d3 = Self::read(mem, t3, index(va, 3));
            if F::is_valid(d3) {
                f(mem, va, t3, d3);
            }
            va += PAGE_SIZE;
        }
    }

    /// Calls `f(va)` for every mapped page in `[start, end)`, skipping
    /// unmapped subtrees whole (so a huge, sparse range costs little).
    pub fn for_each_mapped_in(
        &self,
        mem: &mut impl TableMemory,
        start: usize,
        end: usize,
        mut f: impl FnMut(usize),
    ) {
        self.walk_leaves(mem, start, end, |_, va, _, _| f(va));
    }

    /// Unmaps every page in `[start, end)` and calls `f(mem, va, pa,
    /// borrowed)` for each, with the table memory so `f` can free the
    /// frame. Allocates nothing (teardown must always work) and skips
    /// unmapped subtrees whole. The caller invalidates TLBs.
    pub fn drain_range<M: TableMemory>(
        &mut self,
        mem: &mut M,
        start: usize,
        end: usize,
        mut f: impl FnMut(&mut M, usize, usize, bool),
    ) {
        self.walk_leaves(mem, start, end, |mem, va, table, desc| {
            Self::write(mem, table, index(va, 3), 0);
            f(mem, va, F::output_address(desc), desc & F::BORROWED != 0);
        });
    }

    /// Number of table pages in use.
    pub fn table_count(&self, mem: &mut impl TableMemory) -> usize {
        let mut count = 1;
        for i1 in 0..ENTRIES {
            let d1 = Self::read(mem, self.root, i1);
            if F::is_valid(d1) && F::is_table(d1) {
                count += 1;
                let t2 = F::output_address(d1);
                count += (0..ENTRIES)
                    .filter(|&i2| {
                        let d2 = Self::read(mem, t2, i2);
                        F::is_valid(d2) && F::is_table(d2)
                    })
                    .count();
            }
        }
        count
    }

    /// Frees every table page (not the frames the pages point to: take those
    /// out with [`Self::for_each_page`] first).
    pub fn destroy(self, mem: &mut impl TableMemory) {
        for i1 in 0..ENTRIES {
            let d1 = Self::read(mem, self.root, i1);
            if !F::is_valid(d1) || !F::is_table(d1) {
                continue;
            }
            let t2 = F::output_address(d1);
            for i2 in 0..ENTRIES {
                let d2 = Self::read(mem, t2, i2);
                if F::is_valid(d2) && F::is_table(d2) {
                    mem.free_table(F::output_address(d2));
                }
            }
            mem.free_table(t2);
        }
        mem.free_table(self.root);
    }
}

#[cfg(test)]
pub(crate) mod tests;
