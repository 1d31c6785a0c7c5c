//! A slab of objects addressed by [`Id`]s that carry a generation, so an id
//! kept after its object died can never reach the object that reuses its
//! slot.

use alloc::vec::Vec;

/// Index and generation of a slab slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id {
    /// Slot.
    pub index: u32,
    /// Generation of the slot when the object was stored.
    pub generation: u32,
}

struct Slot<T> {
    generation: u32,
    value: Option<T>,
}

/// Objects by [`Id`].
pub struct Slab<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    len: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Slab<T> {
    /// An empty slab.
    pub const fn new() -> Self {
        Slab {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }

    /// Stores `value`; returns its id, or gives `value` back if the heap
    /// has no room. Room for every slot on the free list is reserved as
    /// slots are added, so [`Self::remove`] never allocates.
    pub fn insert(&mut self, value: T) -> Result<Id, T> {
        if let Some(index) = self.free.pop() {
            self.len += 1;
            let slot = &mut self.slots[index as usize];
            slot.value = Some(value);
            return Ok(Id {
                index,
                generation: slot.generation,
            });
        }
        if self.slots.try_reserve(1).is_err()
            || self.free.try_reserve(self.slots.len() + 1).is_err()
        {
            return Err(value);
        }
        self.len += 1;
        self.slots.push(Slot {
            generation: 0,
            value: Some(value),
        });
        Ok(Id {
            index: (self.slots.len() - 1) as u32,
            generation: 0,
        })
    }

    /// The object `id` names, if it still lives.
    pub fn get(&self, id: Id) -> Option<&T> {
        self.slots
            .get(id.index as usize)
            .filter(|s| s.generation == id.generation)?
            .value
            .as_ref()
    }

    /// The object `id` names, mutably.
    pub fn get_mut(&mut self, id: Id) -> Option<&mut T> {
        self.slots
            .get_mut(id.index as usize)
            .filter(|s| s.generation == id.generation)?
            .value
            .as_mut()
    }

    /// Takes the object out; its id is dead from now on.
    pub fn remove(&mut self, id: Id) -> Option<T> {
        let slot = self
            .slots
            .get_mut(id.index as usize)
            .filter(|s| s.generation == id.generation)?;
        let value = slot.value.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(id.index);
        self.len -= 1;
        Some(value)
    }

    /// Live objects.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every live object with its id.
    pub fn iter(&self) -> impl Iterator<Item = (Id, &T)> {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            s.value.as_ref().map(|v| {
                (
                    Id {
                        index: i as u32,
                        generation: s.generation,
                    },
                    v,
                )
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_ids_miss() {
        let mut slab = Slab::new();
        let a = slab.insert("a").unwrap();
        let b = slab.insert("b").unwrap();
        assert_eq!(slab.get(a), Some(&"a"));
        assert_eq!(slab.remove(a), Some("a"));
        assert_eq!(slab.get(a), None);
        assert_eq!(slab.remove(a), None);
        let c = slab.insert("c").unwrap();
        assert_eq!(c.index, a.index);
        assert_ne!(c, a);
        assert_eq!(slab.get(a), None);
        assert_eq!(slab.get(c), Some(&"c"));
        assert_eq!(slab.len(), 2);
        assert_eq!(
            slab.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
            vec!["c", "b"]
        );
        let _ = b;
    }

    #[test]
    fn removing_never_needs_to_grow_the_free_list() {
        let mut slab = Slab::new();
        let ids: Vec<Id> = (0..100).map(|i| slab.insert(i).unwrap()).collect();
        let capacity = slab.free.capacity();
        assert!(capacity >= 100);
        for id in ids {
            slab.remove(id);
        }
        assert_eq!(slab.free.capacity(), capacity);
        assert!(slab.is_empty());
    }
}
