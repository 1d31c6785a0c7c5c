//! A thread's saved registers as the kernel sees them: the one interface
//! to a trap frame that every architecture's frame implements.

/// A user thread's saved registers: what an exception from user mode saves
/// and what returning to user mode restores.
pub trait UserContext: Default + Clone {
    /// A context that starts at `entry` with stack `sp` and the first two
    /// argument registers set.
    fn new_user(entry: usize, sp: usize, arg0: usize, arg1: usize) -> Self;
    /// System-call number.
    fn syscall_number(&self) -> usize;
    /// System-call arguments.
    fn syscall_args(&self) -> [usize; 6];
    /// Sets the value a system call returns.
    fn set_return(&mut self, value: usize);
    /// Moves the PC back onto the system-call instruction that trapped,
    /// so that the call runs again when the thread resumes.
    fn restart_syscall(&mut self);
    /// The program counter.
    fn pc(&self) -> usize;
    /// The stack pointer.
    fn sp(&self) -> usize;
}
