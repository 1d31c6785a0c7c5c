//! The `shmem` target: two `vdev shmem` register blocks on one set of
//! doorbells, fed guest accesses of every width at any offset (past the
//! window too) with any value, and polls in any order.
//!
//! Checked: nothing panics; only aligned 4-byte accesses inside the
//! window are taken, and reads fit 32 bits; a device's `STATUS` holds
//! only bits of VMs that rang it (never its own), its line is high
//! exactly when `STATUS` is not 0; the identification and region
//! registers read what the device was made with.

use std::sync::{Arc, Mutex};

use vdev::shmem::{self, Doorbells, Shmem};
use vdev::{Fault, Vdev};

use crate::input::Input;

/// Doorbells of two VMs in one struct.
#[derive(Clone, Default)]
struct Bells(Arc<Mutex<[u32; 2]>>);

impl Doorbells for Bells {
    fn ring(&self, from: u32, mask: u32) {
        let mut b = self.0.lock().unwrap();
        for (i, pending) in b.iter_mut().enumerate() {
            if mask & (1 << i) != 0 {
                *pending |= 1 << from;
            }
        }
    }
    fn take(&self, me: u32) -> u32 {
        std::mem::take(&mut self.0.lock().unwrap()[me as usize])
    }
    fn connected(&self) -> u32 {
        0b11
    }
}

const WIDTHS: [usize; 5] = [1, 2, 4, 8, 3];
const REGION: u64 = 0x40_0000_0000;
const SIZE: u64 = 0x1_0000;

/// Runs the target on `data`.
pub fn shmem(data: &[u8]) {
    let mut input = Input::new(data);
    let bells = Bells::default();
    let mut devs = [
        Shmem::new(REGION, SIZE, 0, bells.clone()),
        Shmem::new(REGION, SIZE, 1, bells),
    ];
    while !input.is_empty() {
        let i = input.below(2) as usize;
        let dev = &mut devs[i];
        if input.below(8) == 0 {
            dev.poll();
        } else {
            let offset = input.below(shmem::WINDOW + 8);
            let size = WIDTHS[input.below(WIDTHS.len() as u64) as usize];
            let value = input.u64();
            let write = input.bool();
            let ok_access = size == 4 && offset.is_multiple_of(4) && offset < shmem::WINDOW;
            let result = if write {
                dev.write(offset, size, value).map(|()| 0)
            } else {
                dev.read(offset, size)
            };
            match result {
                Ok(v) => {
                    assert!(ok_access, "a {size}-byte access at {offset:#x} was taken");
                    assert!(v <= u64::from(u32::MAX));
                    if !write {
                        let expect = match offset {
                            shmem::ID => Some(shmem::ID_VALUE),
                            shmem::REGION_HI => Some((REGION >> 32) as u32),
                            shmem::SIZE_LO => Some(SIZE as u32),
                            shmem::INDEX => Some(i as u32),
                            _ => None,
                        };
                        if let Some(e) = expect {
                            assert_eq!(v, u64::from(e), "register {offset:#x}");
                        }
                    }
                }
                Err(Fault::Unsupported) => {}
            }
        }
        let status = dev.status();
        assert_eq!(status & (1 << i), 0, "VM {i} rang itself");
        assert_eq!(status & !0b11, 0, "a doorbell from no VM");
        assert_eq!(dev.irq_level(), status != 0);
    }
}
