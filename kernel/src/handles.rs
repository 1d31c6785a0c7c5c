//! A process's handle table: small integers naming kernel objects, each
//! with the rights it grants.

use abi::{Error, Rights};
use alloc::vec::Vec;

/// Most handles one process may hold (its quota).
pub const MAX_HANDLES: usize = abi::quota::HANDLES;

/// Handles of one process.
pub struct HandleTable<O> {
    slots: Vec<Option<(O, Rights)>>,
}

impl<O: Copy> Default for HandleTable<O> {
    fn default() -> Self {
        Self::new()
    }
}

impl<O: Copy> HandleTable<O> {
    /// An empty table.
    pub const fn new() -> Self {
        HandleTable { slots: Vec::new() }
    }

    /// Stores `object` with `rights`; the lowest free number.
    pub fn insert(&mut self, object: O, rights: Rights) -> Result<usize, Error> {
        if let Some(i) = self.slots.iter().position(Option::is_none) {
            self.slots[i] = Some((object, rights));
            return Ok(i);
        }
        if self.slots.len() >= MAX_HANDLES {
            return Err(Error::Limit);
        }
        self.slots.try_reserve(1).map_err(|_| Error::NoMemory)?;
        self.slots.push(Some((object, rights)));
        Ok(self.slots.len() - 1)
    }

    /// The object behind `handle` if the handle carries `needed`.
    pub fn get(&self, handle: usize, needed: Rights) -> Result<O, Error> {
        let (object, rights) = self
            .slots
            .get(handle)
            .copied()
            .flatten()
            .ok_or(Error::BadHandle)?;
        if !rights.contains(needed) {
            return Err(Error::AccessDenied);
        }
        Ok(object)
    }

    /// The object and rights of `handle`.
    pub fn entry(&self, handle: usize) -> Result<(O, Rights), Error> {
        self.slots
            .get(handle)
            .copied()
            .flatten()
            .ok_or(Error::BadHandle)
    }

    /// Closes `handle`, returning its object.
    pub fn remove(&mut self, handle: usize) -> Result<O, Error> {
        let slot = self.slots.get_mut(handle).ok_or(Error::BadHandle)?;
        slot.take().map(|(o, _)| o).ok_or(Error::BadHandle)
    }

    /// Closes everything, returning the objects.
    pub fn drain(&mut self) -> impl Iterator<Item = O> + '_ {
        self.slots.drain(..).flatten().map(|(o, _)| o)
    }

    /// The open handles' objects, in handle order.
    pub fn objects(&self) -> impl Iterator<Item = O> + '_ {
        self.slots.iter().flatten().map(|&(o, _)| o)
    }

    /// Open handles.
    pub fn len(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    /// Whether none is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_are_checked_and_numbers_reused() {
        let mut t = HandleTable::new();
        let a = t.insert('a', Rights::ALL).unwrap();
        let b = t.insert('b', Rights::WAIT).unwrap();
        assert_eq!((a, b), (0, 1));
        assert_eq!(t.get(b, Rights::WAIT), Ok('b'));
        assert_eq!(t.get(b, Rights::KILL), Err(Error::AccessDenied));
        assert_eq!(t.get(7, Rights::WAIT), Err(Error::BadHandle));
        assert_eq!(t.get(usize::MAX, Rights::WAIT), Err(Error::BadHandle));
        assert_eq!(t.remove(a), Ok('a'));
        assert_eq!(t.remove(a), Err(Error::BadHandle));
        assert_eq!(t.insert('c', Rights::ALL), Ok(0));
        assert_eq!(t.len(), 2);
        assert_eq!(t.drain().collect::<Vec<_>>(), vec!['c', 'b']);
        assert!(t.is_empty());
    }

    #[test]
    fn table_is_bounded() {
        let mut t = HandleTable::new();
        for _ in 0..MAX_HANDLES {
            t.insert(0u8, Rights::ALL).unwrap();
        }
        assert_eq!(t.insert(0u8, Rights::ALL), Err(Error::Limit));
    }
}
