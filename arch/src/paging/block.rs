//! 2 MiB blocks in a [`PageTable`]: mapping one, finding the one covering
//! an address, telling whether a range cuts one.

use super::{BLOCK_SIZE, DescriptorFormat, MapError, PAGE_SIZE, PageTable, Perms, TableMemory};

impl<F: DescriptorFormat> PageTable<F> {
    /// Maps the [`BLOCK_SIZE`] bytes at `va` as one block of the memory at
    /// `pa` (both block-aligned), borrowed (see [`DescriptorFormat::BORROWED`])
    /// if `borrowed`. [`MapError::AlreadyMapped`] if anything is mapped
    /// there or a last-level table is (even an empty one: the caller maps
    /// pages instead); [`MapError::BadAddress`] if the format has a single
    /// level or an address is not aligned.
    pub fn map_block(
        &mut self,
        mem: &mut impl TableMemory,
        va: usize,
        pa: usize,
        perms: Perms,
        device: bool,
        borrowed: bool,
    ) -> Result<(), MapError> {
        Self::check(va)?;
        if Self::LAST == 0 || !va.is_multiple_of(BLOCK_SIZE) || !pa.is_multiple_of(BLOCK_SIZE) {
            return Err(MapError::BadAddress);
        }
        let table = self.table_at(mem, va, Self::LAST - 1, true)?;
        let i = Self::index(va, Self::LAST - 1);
        if F::is_valid(Self::read(mem, table, i)) {
            return Err(MapError::AlreadyMapped);
        }
        let desc = F::block(pa, perms, device) | if borrowed { F::BORROWED } else { 0 };
        Self::write(mem, table, i, desc);
        Ok(())
    }

    /// The block covering `va`, if it is mapped as one: its first address,
    /// output address, permissions and whether it is borrowed.
    pub fn block_at(
        &self,
        mem: &mut impl TableMemory,
        va: usize,
    ) -> Option<(usize, usize, Perms, bool)> {
        Self::check(va & !(PAGE_SIZE - 1)).ok()?;
        if Self::LAST == 0 {
            return None;
        }
        let table = self.table_at(mem, va, Self::LAST - 1, false).ok()?;
        let desc = Self::read(mem, table, Self::index(va, Self::LAST - 1));
        (F::is_valid(desc) && !F::is_table(desc)).then(|| {
            (
                va & !(BLOCK_SIZE - 1),
                F::output_address(desc),
                F::perms(desc),
                desc & F::BORROWED != 0,
            )
        })
    }

    /// The physical address and permissions of `va` inside a block, if a
    /// block covers it (where [`Self::translate`], for pages, says `None`).
    pub fn translate_block(&self, mem: &mut impl TableMemory, va: usize) -> Option<(usize, Perms)> {
        self.block_at(mem, va)
            .map(|(first, pa, perms, _)| (pa + (va - first), perms))
    }

    /// Whether a block is mapped partly inside `[start, end)` and partly
    /// outside: draining the range would unmap more than it.
    pub fn cuts_block(&self, mem: &mut impl TableMemory, start: usize, end: usize) -> bool {
        if end <= start {
            return false;
        }
        // Blocks between the ends lie wholly inside.
        [start, end - 1].into_iter().any(|va| {
            self.block_at(mem, va)
                .is_some_and(|(first, ..)| first < start || first + BLOCK_SIZE > end)
        })
    }
}
