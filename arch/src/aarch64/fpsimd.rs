//! A guest's FP/SIMD registers (V0–V31, FPCR, FPSR). The kernel and host
//! programs never use them (they are built soft-float and host processes
//! trap FP), so a guest's values stay in the registers until another guest
//! needs them: saved when a vCPU leaves the CPU, restored when it returns.

use core::arch::asm;

/// V0..V31 as 64 halves, then FPCR and FPSR.
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug)]
pub struct FpState {
    /// The 128-bit vector registers, two u64 each.
    pub v: [u64; 64],
    /// FPCR.
    pub fpcr: u64,
    /// FPSR.
    pub fpsr: u64,
}

impl Default for FpState {
    fn default() -> Self {
        FpState {
            v: [0; 64],
            fpcr: 0,
            fpsr: 0,
        }
    }
}

impl FpState {
    /// Saves the CPU's FP/SIMD registers. FP must not be trapped (CPTR_EL2).
    pub fn save(&mut self) {
        let base = self.v.as_mut_ptr();
        // SAFETY: `base` points to 512 bytes, 16-byte aligned; stores only.
        unsafe {
            asm!(
                ".arch_extension fp",
                ".arch_extension simd",
                "stp q0, q1, [{b}, #0]",
                "stp q2, q3, [{b}, #32]",
                "stp q4, q5, [{b}, #64]",
                "stp q6, q7, [{b}, #96]",
                "stp q8, q9, [{b}, #128]",
                "stp q10, q11, [{b}, #160]",
                "stp q12, q13, [{b}, #192]",
                "stp q14, q15, [{b}, #224]",
                "stp q16, q17, [{b}, #256]",
                "stp q18, q19, [{b}, #288]",
                "stp q20, q21, [{b}, #320]",
                "stp q22, q23, [{b}, #352]",
                "stp q24, q25, [{b}, #384]",
                "stp q26, q27, [{b}, #416]",
                "stp q28, q29, [{b}, #448]",
                "stp q30, q31, [{b}, #480]",
                "mrs {t}, fpcr",
                "str {t}, [{b}, #512]",
                "mrs {t}, fpsr",
                "str {t}, [{b}, #520]",
                b = in(reg) base,
                t = out(reg) _,
                options(nostack),
            )
        };
    }

    /// Loads the CPU's FP/SIMD registers. FP must not be trapped.
    pub fn restore(&self) {
        let base = self.v.as_ptr();
        // SAFETY: `base` points to 528 readable bytes, 16-byte aligned; only
        // FP/SIMD registers change, which no kernel code uses.
        unsafe {
            asm!(
                ".arch_extension fp",
                ".arch_extension simd",
                "ldp q0, q1, [{b}, #0]",
                "ldp q2, q3, [{b}, #32]",
                "ldp q4, q5, [{b}, #64]",
                "ldp q6, q7, [{b}, #96]",
                "ldp q8, q9, [{b}, #128]",
                "ldp q10, q11, [{b}, #160]",
                "ldp q12, q13, [{b}, #192]",
                "ldp q14, q15, [{b}, #224]",
                "ldp q16, q17, [{b}, #256]",
                "ldp q18, q19, [{b}, #288]",
                "ldp q20, q21, [{b}, #320]",
                "ldp q22, q23, [{b}, #352]",
                "ldp q24, q25, [{b}, #384]",
                "ldp q26, q27, [{b}, #416]",
                "ldp q28, q29, [{b}, #448]",
                "ldp q30, q31, [{b}, #480]",
                "ldr {t}, [{b}, #512]",
                "msr fpcr, {t}",
                "ldr {t}, [{b}, #520]",
                "msr fpsr, {t}",
                b = in(reg) base,
                t = out(reg) _,
                options(nostack, readonly),
            )
        };
    }
}
