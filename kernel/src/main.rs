//! The host microkernel binary for aarch64: boots at EL2, runs host
//! processes at EL0 in stage-2 address spaces, and schedules their threads
//! on every CPU. The pure logic it uses lives in the `kernel` library.
#![no_std]
#![no_main]

extern crate alloc;

mod console;
mod heap;
mod hw;
mod irq;
mod klog;
mod panic;
mod percpu;
mod process;
mod quota;
mod relax;
mod resume;
mod sched;
mod smp;
mod space;
mod start;
mod state;
mod stop;
mod syscall;
mod trap;
mod vm;
