//! A CPU's run queue: one FIFO per priority (0 lowest .. 63 highest) and a
//! bitmap of the non-empty ones, so picking the next thread is a
//! count-leading-zeros and a pop.

use alloc::collections::VecDeque;

/// Priority levels.
pub const LEVELS: usize = 64;

/// Runnable threads of one CPU, by priority.
pub struct RunQueue<T> {
    levels: [VecDeque<T>; LEVELS],
    nonempty: u64,
    len: usize,
}

impl<T: PartialEq + Copy> Default for RunQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: PartialEq + Copy> RunQueue<T> {
    /// An empty queue.
    pub const fn new() -> Self {
        RunQueue {
            levels: [const { VecDeque::new() }; LEVELS],
            nonempty: 0,
            len: 0,
        }
    }

    /// Queues `item` at the back of its priority's FIFO.
    pub fn push(&mut self, item: T, priority: usize) {
        let p = priority.min(LEVELS - 1);
        self.levels[p].push_back(item);
        self.nonempty |= 1 << p;
        self.len += 1;
    }

    /// Highest queued priority.
    pub fn top_priority(&self) -> Option<usize> {
        (self.nonempty != 0).then(|| 63 - self.nonempty.leading_zeros() as usize)
    }

    /// Takes the first item of the highest priority.
    pub fn pop(&mut self) -> Option<(T, usize)> {
        let p = self.top_priority()?;
        let item = self.levels[p].pop_front()?;
        if self.levels[p].is_empty() {
            self.nonempty &= !(1 << p);
        }
        self.len -= 1;
        Some((item, p))
    }

    /// Takes the first item, highest priority first, that `pred` accepts
    /// (for stealing threads whose affinity allows another CPU).
    pub fn take_first(&mut self, mut pred: impl FnMut(T) -> bool) -> Option<(T, usize)> {
        for p in (0..LEVELS).rev() {
            if self.nonempty & (1 << p) == 0 {
                continue;
            }
            if let Some(i) = self.levels[p].iter().position(|&t| pred(t)) {
                let item = self.levels[p].remove(i)?;
                if self.levels[p].is_empty() {
                    self.nonempty &= !(1 << p);
                }
                self.len -= 1;
                return Some((item, p));
            }
        }
        None
    }

    /// Removes `item` wherever it is queued; true if it was.
    pub fn remove(&mut self, item: T) -> bool {
        self.take_first(|t| t == item).is_some()
    }

    /// Queued items.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highest_priority_first_fifo_within() {
        let mut q = RunQueue::new();
        q.push(1, 10);
        q.push(2, 20);
        q.push(3, 10);
        q.push(4, 99);
        assert_eq!(q.len(), 4);
        assert_eq!(q.top_priority(), Some(63));
        assert_eq!(q.pop(), Some((4, 63)));
        assert_eq!(q.pop(), Some((2, 20)));
        assert_eq!(q.pop(), Some((1, 10)));
        assert_eq!(q.pop(), Some((3, 10)));
        assert_eq!(q.pop(), None);
        assert!(q.is_empty());
    }

    #[test]
    fn remove_and_steal() {
        let mut q = RunQueue::new();
        for i in 0..5 {
            q.push(i, i % 2);
        }
        assert!(q.remove(3));
        assert!(!q.remove(3));
        assert_eq!(q.take_first(|t| t % 2 == 0), Some((0, 0)));
        assert_eq!(q.pop(), Some((1, 1)));
        assert_eq!(q.pop(), Some((2, 0)));
        assert_eq!(q.pop(), Some((4, 0)));
        assert_eq!(q.top_priority(), None);
    }
}
