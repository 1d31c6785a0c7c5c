//! The GICv2 virtual interface control registers (GICH, IHI 0048B §5.3),
//! memory-mapped at the address the device tree gives: list registers,
//! GICH_HCR, and the guest's VMCR and active priorities. The guest's GICC
//! accesses go to the GICV frame, mapped into its stage-2 space.

/// GICH_HCR: control.
const GICH_HCR: usize = 0x000;
/// GICH_VTR: implemented list registers.
const GICH_VTR: usize = 0x004;
/// GICH_VMCR: the guest's CPU interface control.
const GICH_VMCR: usize = 0x008;
/// GICH_MISR: maintenance interrupt status.
const GICH_MISR: usize = 0x010;
/// GICH_ELRSR0: empty list registers 0-31.
const GICH_ELRSR0: usize = 0x030;
/// GICH_APR: active priorities.
const GICH_APR: usize = 0x0f0;
/// GICH_LR0: the first list register.
const GICH_LR0: usize = 0x100;
/// GICH_HCR.En.
const GICH_HCR_EN: u32 = 1 << 0;
/// GICH_HCR.UIE.
const GICH_HCR_UIE: u32 = 1 << 1;

/// The GICH frame of a GICv2 with the virtualization extension.
#[derive(Clone, Copy, Debug)]
pub struct GichV2 {
    base: usize,
    gicv: usize,
}

impl GichV2 {
    /// The GICH frame at `base`, for guests that see the GICV frame at
    /// physical `gicv` as their CPU interface.
    ///
    /// # Safety
    /// `base` must be the GICH frame the device tree names, identity-mapped
    /// as device memory, banked per CPU as the architecture makes it.
    pub const unsafe fn new(base: usize, gicv: usize) -> GichV2 {
        GichV2 { base, gicv }
    }

    #[inline]
    fn read(&self, offset: usize) -> u32 {
        // SAFETY: `new`'s caller guarantees the frame; offsets are GICH
        // registers.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u32) }
    }

    #[inline]
    fn write(&self, offset: usize, value: u32) {
        // SAFETY: as in `read`.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }
}

impl crate::VirtualCpuInterface for GichV2 {
    fn list_registers(&self) -> usize {
        ((self.read(GICH_VTR) & 0x3f) + 1) as usize
    }

    #[inline]
    fn read_lr(&self, n: usize) -> u64 {
        u64::from(self.read(GICH_LR0 + 4 * n))
    }

    #[inline]
    fn write_lr(&self, n: usize, value: u64) {
        self.write(GICH_LR0 + 4 * n, value as u32);
    }

    #[inline]
    fn enable(&self, underflow: bool) {
        self.write(
            GICH_HCR,
            GICH_HCR_EN | if underflow { GICH_HCR_UIE } else { 0 },
        );
    }

    #[inline]
    fn disable(&self) {
        self.write(GICH_HCR, 0);
    }

    #[inline]
    fn maintenance_status(&self) -> u32 {
        self.read(GICH_MISR)
    }

    #[inline]
    fn empty_lrs(&self) -> u64 {
        u64::from(self.read(GICH_ELRSR0))
    }

    #[inline]
    fn save(&self) -> [u64; 2] {
        [
            u64::from(self.read(GICH_VMCR)),
            u64::from(self.read(GICH_APR)),
        ]
    }

    #[inline]
    fn restore(&self, state: [u64; 2]) {
        self.write(GICH_VMCR, state[0] as u32);
        self.write(GICH_APR, state[1] as u32);
    }

    fn guest_version(&self) -> u32 {
        2
    }

    fn guest_frame(&self) -> Option<usize> {
        Some(self.gicv)
    }
}
