//! The host microkernel binary: boots at the hypervisor level (EL2 on
//! aarch64), runs host processes in their own address spaces and VMs for
//! them, and schedules their threads on every CPU. The architecture comes
//! from `hw.rs` alone; the pure logic it uses lives in the `kernel`
//! library (`kernel/src/lib.rs`).
#![no_std]
#![no_main]

extern crate alloc;

mod console;
mod device;
mod firmware;
mod heap;
mod hw;
mod input;
mod interrupts;
mod irq;
mod klog;
mod panic;
mod percpu;
mod physmap;
mod process;
mod quota;
mod relax;
mod reserve;
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
