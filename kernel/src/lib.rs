//! The host microkernel's pure logic: the parts that touch no hardware and
//! are tested on the build host with `cargo test -p kernel --lib`. The
//! kernel binary (`main.rs`) adds the hardware paths on top.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod board;
pub mod devices;
pub mod elf_load;
pub mod exit_record;
pub mod exit_stats;
pub mod handles;
pub mod mem;
pub mod runqueue;
pub mod shm;
pub mod slab;
pub mod timeq;
pub mod vapic;
pub mod vgic;
pub mod vioapic;
pub mod vlapic;
pub mod vmid;
pub mod x86_firmware;
