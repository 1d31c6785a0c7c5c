//! Threads with their own stacks, mapped with `mem_map`.

use abi::{Sys, SysResult};
use alloc::boxed::Box;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Where thread stacks go.
const STACKS_BASE: usize = 0x30_0000_0000;
/// Stack bytes per thread.
const STACK_SIZE: usize = 64 * 1024;
/// Distance between stacks (an unmapped guard page between neighbours).
const STACK_SLOT: usize = STACK_SIZE + 4096;
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);

/// A started thread.
pub struct JoinHandle {
    handle: usize,
    stack: usize,
}

extern "C" fn trampoline(closure: usize) -> ! {
    // SAFETY: `spawn` leaked exactly this box for this thread.
    let f = unsafe { Box::from_raw(closure as *mut Box<dyn FnOnce() + Send>) };
    f();
    crate::sys::thread_exit()
}

/// Starts `f` on a new thread with `priority` on the CPUs in `affinity`
/// (0: any).
pub fn spawn_with(
    priority: usize,
    affinity: u64,
    f: impl FnOnce() + Send + 'static,
) -> Result<JoinHandle, abi::Error> {
    let stack = STACKS_BASE + NEXT_SLOT.fetch_add(1, Ordering::Relaxed) * STACK_SLOT;
    crate::sys::mem_map(stack, STACK_SIZE, abi::prot::READ | abi::prot::WRITE)?;
    let closure: Box<Box<dyn FnOnce() + Send>> = Box::new(Box::new(f));
    let arg = Box::into_raw(closure) as usize;
    let created = crate::sys::call(
        Sys::ThreadCreate,
        [
            trampoline as *const () as usize,
            stack + STACK_SIZE,
            arg,
            priority,
            affinity as usize,
            0,
        ],
    );
    match created {
        Ok(handle) => Ok(JoinHandle { handle, stack }),
        Err(e) => {
            // SAFETY: the thread was not created, so the box is still ours.
            drop(unsafe { Box::from_raw(arg as *mut Box<dyn FnOnce() + Send>) });
            let _ = crate::sys::mem_unmap(stack, STACK_SIZE);
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
        let _ = crate::sys::mem_unmap(self.stack, STACK_SIZE);
        r
    }

    /// The thread's handle.
    pub fn handle(&self) -> usize {
        self.handle
    }
}
