//! A table's mappings as runs: consecutive addresses mapped to consecutive
//! frames with the same permissions and ownership, pages and blocks
//! alike. What a process-memory listing (`pidin mem`) shows.

use super::{DescriptorFormat, PageTable, Perms, TableMemory};

/// A run of mapped memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// First input address.
    pub va: usize,
    /// Output address of its first byte.
    pub pa: usize,
    /// Bytes.
    pub len: usize,
    /// Permissions of each of its pages.
    pub perms: Perms,
    /// Its frames belong to someone else ([`DescriptorFormat::BORROWED`]).
    pub borrowed: bool,
}

impl Run {
    /// Whether `next` continues this run.
    fn continued_by(&self, next: &Run) -> bool {
        self.va + self.len == next.va
            && self.pa + self.len == next.pa
            && self.perms == next.perms
            && self.borrowed == next.borrowed
    }
}

impl<F: DescriptorFormat> PageTable<F> {
    /// Calls `f` for each run of mappings, in address order, skipping
    /// unmapped subtrees whole. A run breaks wherever the address, the
    /// frame, the permissions or the ownership does not follow on.
    pub fn for_each_run(&self, mem: &mut impl TableMemory, mut f: impl FnMut(Run)) {
        let mut current: Option<Run> = None;
        self.walk_entries(mem, 0, usize::MAX, |_, entry| {
            let next = Run {
                va: entry.va,
                pa: entry.pa,
                len: entry.span,
                perms: entry.perms,
                borrowed: entry.borrowed,
            };
            match current.as_mut() {
                Some(run) if run.continued_by(&next) => run.len += next.len,
                _ => {
                    if let Some(done) = current.replace(next) {
                        f(done);
                    }
                }
            }
        });
        if let Some(done) = current {
            f(done);
        }
    }
}
