//! The runtime of host programs (`init`, `sh`, `ktest`, later `qvm`): the
//! entry point, system-call wrappers, console printing, a heap that grows by
//! `mem_map`, and threads.
#![no_std]

extern crate alloc;

pub mod device;
pub mod heap;
pub mod info;
pub mod io;
pub mod launch;
pub mod process;
pub mod rt;
pub mod sync;
pub mod sys;
pub mod thread;

pub use abi;
