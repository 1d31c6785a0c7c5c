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
#[derive(Debug)]
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

impl Clone for TrapFrame {
    fn clone(&self) -> Self {
        let mut copy = TrapFrame::default();
        copy.clone_from(self);
        copy
    }

    /// Copies the 288 bytes with 18 load and 18 store pairs: frames are
    /// copied on every exit to `qvm` and every thread switch, and the
    /// generic `memcpy` takes about five instructions per 8 bytes.
    #[cfg(target_arch = "aarch64")]
    #[inline]
    fn clone_from(&mut self, source: &Self) {
        // SAFETY: `source` and `self` are whole frames of TRAP_FRAME_SIZE
        // bytes (8-byte aligned, as `ldp`/`stp` of X registers need) and
        // cannot overlap (one is borrowed mutably).
        unsafe {
            core::arch::asm!(
            "ldp {a}, {b}, [{src}, #0]",
            "ldp {c}, {d}, [{src}, #16]",
            "stp {a}, {b}, [{dst}, #0]",
            "stp {c}, {d}, [{dst}, #16]",
            "ldp {a}, {b}, [{src}, #32]",
            "ldp {c}, {d}, [{src}, #48]",
            "stp {a}, {b}, [{dst}, #32]",
            "stp {c}, {d}, [{dst}, #48]",
            "ldp {a}, {b}, [{src}, #64]",
            "ldp {c}, {d}, [{src}, #80]",
            "stp {a}, {b}, [{dst}, #64]",
            "stp {c}, {d}, [{dst}, #80]",
            "ldp {a}, {b}, [{src}, #96]",
            "ldp {c}, {d}, [{src}, #112]",
            "stp {a}, {b}, [{dst}, #96]",
            "stp {c}, {d}, [{dst}, #112]",
            "ldp {a}, {b}, [{src}, #128]",
            "ldp {c}, {d}, [{src}, #144]",
            "stp {a}, {b}, [{dst}, #128]",
            "stp {c}, {d}, [{dst}, #144]",
            "ldp {a}, {b}, [{src}, #160]",
            "ldp {c}, {d}, [{src}, #176]",
            "stp {a}, {b}, [{dst}, #160]",
            "stp {c}, {d}, [{dst}, #176]",
            "ldp {a}, {b}, [{src}, #192]",
            "ldp {c}, {d}, [{src}, #208]",
            "stp {a}, {b}, [{dst}, #192]",
            "stp {c}, {d}, [{dst}, #208]",
            "ldp {a}, {b}, [{src}, #224]",
            "ldp {c}, {d}, [{src}, #240]",
            "stp {a}, {b}, [{dst}, #224]",
            "stp {c}, {d}, [{dst}, #240]",
            "ldp {a}, {b}, [{src}, #256]",
            "ldp {c}, {d}, [{src}, #272]",
            "stp {a}, {b}, [{dst}, #256]",
            "stp {c}, {d}, [{dst}, #272]",
                src = in(reg) source as *const TrapFrame,
                dst = in(reg) self as *mut TrapFrame,
                a = out(reg) _,
                b = out(reg) _,
                c = out(reg) _,
                d = out(reg) _,
                options(nostack, preserves_flags),
            )
        };
    }

    /// Field by field on the build host (the decode tests).
    #[cfg(not(target_arch = "aarch64"))]
    fn clone_from(&mut self, source: &Self) {
        self.x = source.x;
        self.sp = source.sp;
        self.elr = source.elr;
        self.spsr = source.spsr;
        self.tpidr = source.tpidr;
        self._pad = source._pad;
    }
}

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

    fn restart_syscall(&mut self) {
        self.elr -= 4; // SVC is 4 bytes
    }

    fn pc(&self) -> usize {
        self.elr as usize
    }

    fn sp(&self) -> usize {
        self.sp as usize
    }
}
