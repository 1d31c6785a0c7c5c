//! Deadlines of sleeping threads, earliest first.

use alloc::vec::Vec;

/// Items waiting for a time, ordered by deadline (ties in arrival order).
/// The heap had no room for one more entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfMemory;

pub struct TimeQueue<T> {
    entries: Vec<(u64, T)>,
}

impl<T: PartialEq + Copy> Default for TimeQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: PartialEq + Copy> TimeQueue<T> {
    /// An empty queue.
    pub const fn new() -> Self {
        TimeQueue {
            entries: Vec::new(),
        }
    }

    /// Adds `item` due at `deadline`.
    pub fn insert(&mut self, deadline: u64, item: T) -> Result<(), OutOfMemory> {
        self.entries.try_reserve(1).map_err(|_| OutOfMemory)?;
        let at = self.entries.partition_point(|&(d, _)| d <= deadline);
        self.entries.insert(at, (deadline, item));
        Ok(())
    }

    /// Removes `item`; true if it was queued.
    pub fn remove(&mut self, item: T) -> bool {
        match self.entries.iter().position(|&(_, t)| t == item) {
            Some(i) => {
                self.entries.remove(i);
                true
            }
            None => false,
        }
    }

    /// The earliest deadline.
    pub fn next_deadline(&self) -> Option<u64> {
        self.entries.first().map(|&(d, _)| d)
    }

    /// Takes the first item due at or before `now`.
    pub fn pop_due(&mut self, now: u64) -> Option<T> {
        (self.entries.first()?.0 <= now).then(|| self.entries.remove(0).1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first() {
        let mut q = TimeQueue::new();
        q.insert(30, 'c').unwrap();
        q.insert(10, 'a').unwrap();
        q.insert(20, 'b').unwrap();
        q.insert(10, 'd').unwrap();
        assert_eq!(q.next_deadline(), Some(10));
        assert_eq!(q.pop_due(5), None);
        assert_eq!(q.pop_due(10), Some('a'));
        assert_eq!(q.pop_due(10), Some('d'));
        assert!(q.remove('c'));
        assert!(!q.remove('c'));
        assert_eq!(q.pop_due(100), Some('b'));
        assert_eq!(q.next_deadline(), None);
    }
}
