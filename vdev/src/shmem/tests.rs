//! Host tests of the shmem model: every register, two devices ringing
//! each other through one shared back end, refused accesses.

use super::*;
use std::sync::{Arc, Mutex};

/// Doorbells in one struct the test's devices share.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<([u32; 32], u32)>>);

impl Shared {
    fn connect(&self, index: u32) -> Self {
        self.0.lock().unwrap().1 |= 1 << index;
        self.clone()
    }
}

impl Doorbells for Shared {
    fn ring(&self, from: u32, mask: u32) {
        let mut s = self.0.lock().unwrap();
        for i in 0..32 {
            if mask & (1 << i) != 0 {
                s.0[i] |= 1 << from;
            }
        }
    }
    fn take(&self, me: u32) -> u32 {
        core::mem::take(&mut self.0.lock().unwrap().0[me as usize])
    }
    fn connected(&self) -> u32 {
        self.0.lock().unwrap().1
    }
}

fn pair() -> (Shmem<Shared>, Shmem<Shared>) {
    let s = Shared::default();
    let a = Shmem::new(0x1_2000_0000, 0x20_0000, 0, s.connect(0));
    let b = Shmem::new(0x1_2000_0000, 0x20_0000, 1, s.connect(1));
    (a, b)
}

#[test]
fn identification_and_region_registers() {
    let (mut a, mut b) = pair();
    assert_eq!(a.read(ID, 4), Ok(u64::from(ID_VALUE)));
    assert_eq!(a.read(VERSION, 4), Ok(1));
    assert_eq!(a.read(REGION_LO, 4), Ok(0x2000_0000));
    assert_eq!(a.read(REGION_HI, 4), Ok(1));
    assert_eq!(a.read(SIZE_LO, 4), Ok(0x20_0000));
    assert_eq!(a.read(SIZE_HI, 4), Ok(0));
    assert_eq!(a.read(INDEX, 4), Ok(0));
    assert_eq!(b.read(INDEX, 4), Ok(1));
    assert_eq!(a.read(CONNECTED, 4), Ok(0b11));
    assert_eq!(a.read(DOORBELL, 4), Ok(0));
    assert_eq!(a.read(0x28, 4), Ok(0));
    assert_eq!(a.read(0xFFC, 4), Ok(0));
}

#[test]
fn doorbell_rings_the_other_and_status_clears() {
    let (mut a, mut b) = pair();
    a.write(DOORBELL, 4, 0b10).unwrap();
    assert!(!a.irq_level());
    assert!(!b.irq_level(), "not polled yet");
    b.poll();
    assert!(b.irq_level());
    assert_eq!(b.read(STATUS, 4), Ok(0b01));
    // Writing 0 clears nothing, writing the bit clears it.
    b.write(STATUS, 4, 0).unwrap();
    assert!(b.irq_level());
    b.write(STATUS, 4, 0b01).unwrap();
    assert!(!b.irq_level());
    assert_eq!(b.read(STATUS, 4), Ok(0));
    // B rings everyone: only A hears it, B's own bit is ignored.
    b.write(DOORBELL, 4, 0xFFFF_FFFF).unwrap();
    assert_eq!(a.read(STATUS, 4), Ok(0b10));
    assert!(a.irq_level());
    assert_eq!(b.read(STATUS, 4), Ok(0));
}

#[test]
fn own_doorbell_alone_rings_nobody() {
    let (mut a, mut b) = pair();
    a.write(DOORBELL, 4, 0b01).unwrap();
    assert_eq!(a.read(STATUS, 4), Ok(0));
    assert_eq!(b.read(STATUS, 4), Ok(0));
}

#[test]
fn bad_accesses_are_refused() {
    let (mut a, _) = pair();
    for size in [1, 2, 8] {
        assert_eq!(a.read(ID, size), Err(Fault::Unsupported));
        assert_eq!(a.write(DOORBELL, size, 1), Err(Fault::Unsupported));
    }
    assert_eq!(a.read(2, 4), Err(Fault::Unsupported));
    assert_eq!(a.read(WINDOW, 4), Err(Fault::Unsupported));
    assert_eq!(a.write(DOORBELL + 1, 4, 1), Err(Fault::Unsupported));
    for reg in [
        ID, VERSION, REGION_LO, REGION_HI, SIZE_LO, SIZE_HI, INDEX, CONNECTED,
    ] {
        assert_eq!(a.write(reg, 4, 0), Err(Fault::Unsupported), "{reg:#x}");
    }
    // Unassigned offsets ignore writes.
    assert_eq!(a.write(0x100, 4, 7), Ok(()));
    assert_eq!(a.read(0x100, 4), Ok(0));
}

#[test]
fn index_is_kept_below_the_limit() {
    let s = Shared::default();
    let mut d = Shmem::new(0, 0x1000, MAX_VMS + 3, s);
    assert_eq!(d.read(INDEX, 4), Ok(3));
}
