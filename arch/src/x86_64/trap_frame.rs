//! The registers saved on an interrupt or exception: the layout the vector
//! code in `vectors.rs` writes and reads. The processor pushes the last
//! five words (SS, RSP, RFLAGS, CS, RIP; Intel SDM Vol. 3A 7.14.2, "64-Bit
//! Mode Stack Frame") and, for some exceptions, the error code; the stubs
//! push the rest. With TSS.RSP0 at the top of a CPU's kernel stack, a trap
//! from ring 3 leaves the frame in the slot at the top of that stack, as
//! on ARM.

use crate::UserContext;

/// RFLAGS.IF: maskable interrupts enabled.
pub const RFLAGS_IF: u64 = 1 << 9;
/// RFLAGS bit 1 always reads 1.
pub const RFLAGS_RESERVED_1: u64 = 1 << 1;
/// The ring-3 code selector (`gdt.rs`), with RPL 3.
pub const USER_CODE_SELECTOR: u64 = 0x20 | 3;
/// The ring-3 stack selector (`gdt.rs`), with RPL 3.
pub const USER_DATA_SELECTOR: u64 = 0x18 | 3;

/// Bytes of `int 0x80` (CD 80).
pub const SYSCALL_INSTRUCTION_LENGTH: u64 = 2;

/// Saved registers; 192 bytes, 16-byte aligned like the stack.
#[repr(C)]
#[derive(Clone, Debug, Default)]
pub struct TrapFrame {
    /// IA32_FS_BASE of a thread (its thread pointer).
    pub fs_base: u64,
    /// Keeps the size a multiple of 16.
    pub _pad: u64,
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    /// The vector the stub pushed.
    pub vector: u64,
    /// The processor's error code, or 0 where it pushes none.
    pub error: u64,
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

/// Bytes in a [`TrapFrame`].
pub const TRAP_FRAME_SIZE: usize = 192;
const _: () = assert!(core::mem::size_of::<TrapFrame>() == TRAP_FRAME_SIZE);

impl TrapFrame {
    /// The trap came from ring 3.
    pub fn from_user(&self) -> bool {
        self.cs & 3 == 3
    }
}

/// System calls: the number in RAX, arguments in RDI, RSI, RDX, R10, R8
/// and R9 (the System V kernel convention), the result in RAX.
impl UserContext for TrapFrame {
    fn new_user(entry: usize, sp: usize, arg0: usize, arg1: usize) -> Self {
        TrapFrame {
            rip: entry as u64,
            rsp: sp as u64,
            rdi: arg0 as u64,
            rsi: arg1 as u64,
            cs: USER_CODE_SELECTOR,
            ss: USER_DATA_SELECTOR,
            rflags: RFLAGS_IF | RFLAGS_RESERVED_1,
            ..Default::default()
        }
    }

    fn syscall_number(&self) -> usize {
        self.rax as usize
    }

    fn syscall_args(&self) -> [usize; 6] {
        [self.rdi, self.rsi, self.rdx, self.r10, self.r8, self.r9].map(|v| v as usize)
    }

    fn set_return(&mut self, value: usize) {
        self.rax = value as u64;
    }

    fn restart_syscall(&mut self) {
        self.rip -= SYSCALL_INSTRUCTION_LENGTH;
    }

    fn pc(&self) -> usize {
        self.rip as usize
    }

    fn sp(&self) -> usize {
        self.rsp as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_context_starts_in_ring_3_with_interrupts_on() {
        let f = TrapFrame::new_user(0x40_1000, 0x7f_f000, 7, 9);
        assert_eq!((f.rip, f.rsp, f.rdi, f.rsi), (0x40_1000, 0x7f_f000, 7, 9));
        assert!(f.from_user());
        assert_eq!(f.ss & 3, 3);
        assert_eq!(f.rflags, 0x202);
    }

    #[test]
    fn system_call_registers() {
        let f = TrapFrame {
            rax: 5,
            rdi: 1,
            rsi: 2,
            rdx: 3,
            r10: 4,
            r8: 5,
            r9: 6,
            rcx: 99,
            ..Default::default()
        };
        assert_eq!(f.syscall_number(), 5);
        assert_eq!(f.syscall_args(), [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn the_hardware_words_end_the_frame() {
        // The processor pushes SS last-but-nothing: it must be the frame's
        // final word, RIP five words from the end, the error code six.
        let base = core::mem::offset_of!(TrapFrame, fs_base);
        assert_eq!(base, 0);
        assert_eq!(core::mem::offset_of!(TrapFrame, ss), TRAP_FRAME_SIZE - 8);
        assert_eq!(core::mem::offset_of!(TrapFrame, rip), TRAP_FRAME_SIZE - 40);
        assert_eq!(
            core::mem::offset_of!(TrapFrame, error),
            TRAP_FRAME_SIZE - 48
        );
        assert_eq!(
            core::mem::offset_of!(TrapFrame, vector),
            TRAP_FRAME_SIZE - 56
        );
        assert_eq!(core::mem::offset_of!(TrapFrame, rax), TRAP_FRAME_SIZE - 64);
    }
}
