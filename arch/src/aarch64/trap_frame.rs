//! The registers saved on an exception from a lower exception level: the
//! layout the vector code in `vectors.rs` writes and reads.

use crate::UserContext;

/// SPSR_EL2.M = EL0t, AArch64.
pub const SPSR_EL0T: u64 = 0b0000;
/// SPSR_EL2.M = EL1h.
pub const SPSR_EL1H: u64 = 0b0101;
/// SPSR_EL2: D, A, I, F masked.
pub const SPSR_DAIF: u64 = 0b1111 << 6;

/// Saved user registers; 288 bytes, 16-byte aligned sizes.
#[repr(C)]
#[derive(Clone, Debug)]
pub struct TrapFrame {
    /// x0..x30.
    pub x: [u64; 31],
    /// SP_EL0.
    pub sp: u64,
    /// ELR_EL2: where the thread resumes.
    pub elr: u64,
    /// SPSR_EL2: the state it resumes in.
    pub spsr: u64,
    /// TPIDR_EL0.
    pub tpidr: u64,
    /// Keeps the size a multiple of 16.
    pub _pad: u64,
}

/// Bytes in a [`TrapFrame`].
pub const TRAP_FRAME_SIZE: usize = 288;
const _: () = assert!(core::mem::size_of::<TrapFrame>() == TRAP_FRAME_SIZE);

impl Default for TrapFrame {
    fn default() -> Self {
        TrapFrame {
            x: [0; 31],
            sp: 0,
            elr: 0,
            spsr: SPSR_EL0T,
            tpidr: 0,
            _pad: 0,
        }
    }
}

impl UserContext for TrapFrame {
    fn new_user(entry: usize, sp: usize, arg0: usize, arg1: usize) -> Self {
        let mut frame = TrapFrame {
            elr: entry as u64,
            sp: sp as u64,
            spsr: SPSR_EL0T,
            ..Default::default()
        };
        frame.x[0] = arg0 as u64;
        frame.x[1] = arg1 as u64;
        frame
    }

    fn syscall_number(&self) -> usize {
        self.x[8] as usize
    }

    fn syscall_args(&self) -> [usize; 6] {
        [
            self.x[0], self.x[1], self.x[2], self.x[3], self.x[4], self.x[5],
        ]
        .map(|v| v as usize)
    }

    fn set_return(&mut self, value: usize) {
        self.x[0] = value as u64;
    }

    fn pc(&self) -> usize {
        self.elr as usize
    }

    fn sp(&self) -> usize {
        self.sp as usize
    }
}
