//! What the kernel prints when it fails: the CPU, the exception decoded
//! (class, ESR, FAR, ELR) or the panic message, and a backtrace by frame
//! pointers. Then the CPU stops.

use crate::console::print_panic;
use crate::hw::{Arch, Frame};
use crate::stop::halt;
use arch::{Cpu, Traps};
use core::sync::atomic::{AtomicUsize, Ordering};

/// Where the image was loaded, to print addresses relative to it.
pub static IMAGE_BASE: AtomicUsize = AtomicUsize::new(0);

fn backtrace(mut fp: usize) {
    let base = IMAGE_BASE.load(Ordering::Relaxed);
    for depth in 0..16 {
        if fp == 0 || !fp.is_multiple_of(16) {
            break;
        }
        // SAFETY: frame pointers of kernel code point into a kernel stack
        // (identity-mapped RAM); a corrupt one is caught by the checks above
        // only partly, which is acceptable on the way to halting.
        let (next, lr) = unsafe { (*(fp as *const usize), *((fp + 8) as *const usize)) };
        if lr == 0 {
            break;
        }
        print_panic(format_args!(
            "  #{depth} {lr:#x} (kernel+{:#x})\n",
            lr.wrapping_sub(base)
        ));
        if next <= fp {
            break;
        }
        fp = next;
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    print_panic(format_args!(
        "KERNEL PANIC on CPU {}: {}\n",
        Arch::index(),
        info
    ));
    backtrace(Arch::frame_pointer());
    halt()
}

/// An exception taken at EL2: a kernel bug.
#[unsafe(no_mangle)]
extern "C" fn __kernel_fault(frame: &mut Frame, kind: u64) -> ! {
    use arch::UserContext;
    print_panic(format_args!(
        "KERNEL PANIC on CPU {}: {} (kernel+{:#x})\n",
        Arch::index(),
        Arch::kernel_fault(frame, kind),
        frame.pc().wrapping_sub(IMAGE_BASE.load(Ordering::Relaxed)),
    ));
    backtrace(Arch::saved_frame_pointer(frame));
    halt()
}
