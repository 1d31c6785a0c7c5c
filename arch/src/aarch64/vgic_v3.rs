//! The GICv3 virtual CPU interface registers (ICH_*_EL2, IHI 0069 §12.4):
//! list registers, the hypervisor control and the guest's saved VMCR and
//! active priorities.

use core::arch::asm;

/// ICH_HCR_EL2.En: virtual CPU interface on.
pub const ICH_HCR_EN: u64 = 1 << 0;
/// ICH_HCR_EL2.UIE: maintenance interrupt when at most one LR is valid.
pub const ICH_HCR_UIE: u64 = 1 << 1;
/// The maintenance interrupt (PPI 9).
pub const MAINTENANCE_INTID: u32 = 25;

macro_rules! lr_access {
    ($n:expr, $value:expr, $write:expr) => {{
        macro_rules! one {
            ($reg:literal) => {{
                if $write {
                    // SAFETY: writing a list register only changes what the
                    // guest's virtual CPU interface sees.
                    unsafe { asm!(concat!("msr ", $reg, ", {0}"), in(reg) $value, options(nomem, nostack)) };
                    0
                } else {
                    let v: u64;
                    // SAFETY: reading a list register has no side effects.
                    unsafe { asm!(concat!("mrs {0}, ", $reg), out(reg) v, options(nomem, nostack)) };
                    v
                }
            }};
        }
        match $n {
            0 => one!("ich_lr0_el2"),
            1 => one!("ich_lr1_el2"),
            2 => one!("ich_lr2_el2"),
            3 => one!("ich_lr3_el2"),
            4 => one!("ich_lr4_el2"),
            5 => one!("ich_lr5_el2"),
            6 => one!("ich_lr6_el2"),
            7 => one!("ich_lr7_el2"),
            8 => one!("ich_lr8_el2"),
            9 => one!("ich_lr9_el2"),
            10 => one!("ich_lr10_el2"),
            11 => one!("ich_lr11_el2"),
            12 => one!("ich_lr12_el2"),
            13 => one!("ich_lr13_el2"),
            14 => one!("ich_lr14_el2"),
            15 => one!("ich_lr15_el2"),
            _ => 0,
        }
    }};
}

/// Reads ICH_LR<n>_EL2.
#[inline]
pub fn read_lr(n: usize) -> u64 {
    lr_access!(n, 0u64, false)
}

/// Writes ICH_LR<n>_EL2.
#[inline]
pub fn write_lr(n: usize, value: u64) {
    let _ = lr_access!(n, value, true);
}

/// Number of list registers (ICH_VTR_EL2.ListRegs + 1).
pub fn list_registers() -> usize {
    let v: u64;
    // SAFETY: reading an ID register.
    unsafe { asm!("mrs {0}, ich_vtr_el2", out(reg) v) };
    ((v & 0x1f) + 1) as usize
}

/// Writes ICH_HCR_EL2.
#[inline]
pub fn set_hcr(value: u64) {
    // SAFETY: the kernel owns the virtual interface control.
    unsafe { asm!("msr ich_hcr_el2, {0}", "isb", in(reg) value) };
}

/// The GICv3 virtual CPU interface: the ICH_* system registers.
#[derive(Clone, Copy, Debug, Default)]
pub struct IchV3;

impl crate::VirtualCpuInterface for IchV3 {
    fn list_registers(&self) -> usize {
        list_registers()
    }

    #[inline]
    fn read_lr(&self, n: usize) -> u64 {
        read_lr(n)
    }

    #[inline]
    fn write_lr(&self, n: usize, value: u64) {
        write_lr(n, value);
    }

    #[inline]
    fn enable(&self, underflow: bool) {
        set_hcr(ICH_HCR_EN | if underflow { ICH_HCR_UIE } else { 0 });
    }

    #[inline]
    fn disable(&self) {
        set_hcr(0);
    }

    #[inline]
    fn maintenance_status(&self) -> u32 {
        let misr: u64;
        // SAFETY: reading a status register has no side effects.
        unsafe { asm!("mrs {0}, ich_misr_el2", out(reg) misr, options(nomem, nostack)) };
        misr as u32
    }

    #[inline]
    fn empty_lrs(&self) -> u64 {
        let elrsr: u64;
        // SAFETY: reading a status register has no side effects.
        unsafe { asm!("mrs {0}, ich_elrsr_el2", out(reg) elrsr, options(nomem, nostack)) };
        elrsr
    }

    #[inline]
    fn save(&self) -> [u64; 2] {
        let (vmcr, ap1r0): (u64, u64);
        // SAFETY: reading EL2 GIC registers has no side effects.
        unsafe {
            asm!("mrs {0}, ich_vmcr_el2", "mrs {1}, ich_ap1r0_el2", out(reg) vmcr, out(reg) ap1r0)
        };
        [vmcr, ap1r0]
    }

    #[inline]
    fn restore(&self, state: [u64; 2]) {
        // SAFETY: these registers only shape the guest's virtual interface.
        unsafe {
            asm!("msr ich_vmcr_el2, {0}", "msr ich_ap1r0_el2, {1}", in(reg) state[0], in(reg) state[1])
        };
    }

    fn guest_version(&self) -> u32 {
        3
    }

    fn guest_frame(&self) -> Option<usize> {
        None
    }
}
