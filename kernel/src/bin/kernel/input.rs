//! Console input and its readers: what has been typed and not read, the
//! processes that read the console (in the order they first did), which
//! of them has the focus, and the console-switch key's state. Kept by the
//! kernel state; filled by the UART interrupt (`irq.rs`) and drained by
//! `console_read` (`syscall/console.rs`).

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use kernel::slab::Id;

/// Console input and who gets it.
#[derive(Default)]
pub struct ConsoleInput {
    /// Threads in `console_read`.
    pub waiters: VecDeque<Id>,
    /// Input not read yet.
    pub buffer: VecDeque<u8>,
    /// Processes that read the console, in the order they first did.
    pub clients: Vec<Id>,
    /// Which of them gets the input.
    pub focus: usize,
    /// The console-switch key (Ctrl-T) was typed: the next key picks.
    pub escape: bool,
}
