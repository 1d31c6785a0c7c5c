//! Threads with their own stacks, mapped with `mem_map`: each in a slot
//! of its own, at the slot's top, with at least one unmapped page below
//! it, so an overflow faults instead of running into a neighbour.

use abi::{Sys, SysResult};
use alloc::boxed::Box;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Where thread stacks go.
const STACKS_BASE: usize = abi::USER_BASE + 0x30_0000_0000;
/// Stack bytes per thread unless the caller says ([`spawn_sized`]), and
/// the most it may say.
pub const STACK_SIZE: usize = 64 * 1024;
/// Distance between stacks (an unmapped guard page between neighbours).
const STACK_SLOT: usize = STACK_SIZE + 4096;
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);

/// A started thread.
pub struct JoinHandle {
    handle: usize,
    stack: usize,
    stack_size: usize,
}

/// Where in the slot at `slot` a stack of `size` bytes goes (its lowest
/// address) and how large it really is: `size` in whole pages, at most
/// [`STACK_SIZE`], at the slot's top so that everything below it in the
/// slot stays unmapped.
pub fn stack_in_slot(slot: usize, size: usize) -> (usize, usize) {
    let size = size.clamp(4096, STACK_SIZE).next_multiple_of(4096);
    (slot + STACK_SLOT - size, size)
}

extern "C" fn trampoline(closure: usize) -> ! {
    // SAFETY: `spawn` leaked exactly this box for this thread.
    let f = unsafe { Box::from_raw(closure as *mut Box<dyn FnOnce() + Send>) };
    f();
    crate::sys::thread_exit()
}

/// Starts `f` on a new thread with `priority` on the CPUs in `affinity`
/// (0: any) and a stack of [`STACK_SIZE`].
pub fn spawn_with(
    priority: usize,
    affinity: u64,
    f: impl FnOnce() + Send + 'static,
) -> Result<JoinHandle, abi::Error> {
    spawn_sized(STACK_SIZE, priority, affinity, f)
}

/// As [`spawn_with`], with a stack of `stack_size` bytes (whole pages, at
/// most [`STACK_SIZE`]).
pub fn spawn_sized(
    stack_size: usize,
    priority: usize,
    affinity: u64,
    f: impl FnOnce() + Send + 'static,
) -> Result<JoinHandle, abi::Error> {
    let slot = STACKS_BASE + NEXT_SLOT.fetch_add(1, Ordering::Relaxed) * STACK_SLOT;
    let (stack, stack_size) = stack_in_slot(slot, stack_size);
    crate::sys::mem_map(stack, stack_size, abi::prot::READ | abi::prot::WRITE)?;
    let closure: Box<Box<dyn FnOnce() + Send>> = Box::new(Box::new(f));
    let arg = Box::into_raw(closure) as usize;
    let created = crate::sys::call(
        Sys::ThreadCreate,
        [
            trampoline as *const () as usize,
            stack + stack_size,
            arg,
            priority,
            affinity as usize,
            0,
        ],
    );
    match created {
        Ok(handle) => Ok(JoinHandle {
            handle,
            stack,
            stack_size,
        }),
        Err(e) => {
            // SAFETY: the thread was not created, so the box is still ours.
            drop(unsafe { Box::from_raw(arg as *mut Box<dyn FnOnce() + Send>) });
            let _ = crate::sys::mem_unmap(stack, stack_size);
            Err(e)
        }
    }
}

/// Starts `f` on a new thread at the default priority on any CPU.
pub fn spawn(f: impl FnOnce() + Send + 'static) -> Result<JoinHandle, abi::Error> {
    spawn_with(abi::PRIORITY_DEFAULT, 0, f)
}

impl JoinHandle {
    /// Waits for the thread to end and frees its stack.
    pub fn join(self) -> SysResult {
        let r = crate::sys::call(Sys::ThreadWait, [self.handle, 0, 0, 0, 0, 0]);
        let _ = crate::sys::handle_close(self.handle);
        let _ = crate::sys::mem_unmap(self.stack, self.stack_size);
        r
    }

    /// The thread's handle.
    pub fn handle(&self) -> usize {
        self.handle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stack_sits_at_its_slot_top_above_a_guard() {
        let slot = STACKS_BASE + 3 * STACK_SLOT;
        assert_eq!(stack_in_slot(slot, STACK_SIZE), (slot + 4096, STACK_SIZE));
        let (bottom, size) = stack_in_slot(slot, 16 * 1024);
        assert_eq!((bottom + size, size), (slot + STACK_SLOT, 16 * 1024));
        // Whole pages, at least one, at most STACK_SIZE: the slot's lowest
        // page stays unmapped.
        assert_eq!(stack_in_slot(slot, 5000).1, 8192);
        assert_eq!(stack_in_slot(slot, 0).1, 4096);
        assert_eq!(stack_in_slot(slot, 1 << 20), (slot + 4096, STACK_SIZE));
    }
}
