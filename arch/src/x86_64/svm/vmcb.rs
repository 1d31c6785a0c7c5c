//! The virtual machine control block of AMD SVM (AMD64 APM Vol. 2,
//! Appendix B "Layout of VMCB": table B-1, the control area at 0x000, and
//! table B-2, the state save area at 0x400): one 4 KiB page per vCPU that
//! VMRUN reads the guest from and #VMEXIT writes it back to. Fields are
//! reached by their offsets, named as the manual names them.

/// Control area: intercepts of CR reads (15:0) and writes (31:16).
pub const INTERCEPT_CR: usize = 0x000;
/// Control area: intercepts of DR reads and writes.
pub const INTERCEPT_DR: usize = 0x004;
/// Control area: intercepts of exception vectors (bit n: vector n).
pub const INTERCEPT_EXCEPTIONS: usize = 0x008;
/// Control area: the first word of instruction and event intercepts.
pub const INTERCEPT_MISC1: usize = 0x00C;
/// Control area: the second word of instruction intercepts.
pub const INTERCEPT_MISC2: usize = 0x010;
/// Control area: the I/O permission map's physical address.
pub const IOPM_BASE_PA: usize = 0x040;
/// Control area: the MSR permission map's physical address.
pub const MSRPM_BASE_PA: usize = 0x048;
/// Control area: added to the TSC the guest reads.
pub const TSC_OFFSET: usize = 0x050;
/// Control area: the guest's ASID (bits 31:0).
pub const GUEST_ASID: usize = 0x058;
/// Control area: TLB control (the byte after the ASID).
pub const TLB_CONTROL: usize = 0x05C;
/// Control area: virtual interrupt fields (V_TPR, V_IRQ, V_INTR_PRIO,
/// V_IGN_TPR, V_INTR_MASKING, V_INTR_VECTOR).
pub const V_INTR: usize = 0x060;
/// Control area: the vector of the virtual interrupt V_IRQ asks for (the
/// byte at 0x64).
pub const V_INTR_VECTOR: usize = 0x064;
/// Control area: interrupt shadow (bit 0).
pub const INTERRUPT_SHADOW: usize = 0x068;
/// Control area: why the guest exited.
pub const EXITCODE: usize = 0x070;
/// Control area: the exit's first and second information words.
pub const EXITINFO1: usize = 0x078;
/// See [`EXITINFO1`].
pub const EXITINFO2: usize = 0x080;
/// Control area: an event the exit interrupted during its delivery.
pub const EXITINTINFO: usize = 0x088;
/// Control area: nested paging enable (bit 0).
pub const NP_ENABLE: usize = 0x090;
/// Control area: an event to inject at the next VMRUN.
pub const EVENTINJ: usize = 0x0A8;
/// Control area: the nested page table's root (nCR3).
pub const N_CR3: usize = 0x0B0;
/// Control area: which cached state fields VMRUN may skip reloading.
pub const VMCB_CLEAN: usize = 0x0C0;
/// Control area: the next RIP (with NRIP save).
pub const NRIP: usize = 0x0C8;
/// Control area: how many guest instruction bytes follow (decode
/// assists), and the bytes (up to 15).
pub const GUEST_INSTRUCTION_LEN: usize = 0x0D0;
/// See [`GUEST_INSTRUCTION_LEN`].
pub const GUEST_INSTRUCTION_BYTES: usize = 0x0D1;

/// The state save area's offset in the page.
pub const SAVE: usize = 0x400;
/// Segment registers in the save area, 16 bytes each: selector (+0),
/// attributes (+2), limit (+4), base (+8).
pub const ES: usize = SAVE;
pub const CS: usize = SAVE + 0x010;
pub const SS: usize = SAVE + 0x020;
pub const DS: usize = SAVE + 0x030;
pub const FS: usize = SAVE + 0x040;
pub const GS: usize = SAVE + 0x050;
pub const GDTR: usize = SAVE + 0x060;
pub const LDTR: usize = SAVE + 0x070;
pub const IDTR: usize = SAVE + 0x080;
pub const TR: usize = SAVE + 0x090;
/// Save area: the current privilege level.
pub const CPL: usize = SAVE + 0x0CB;
/// Save area: EFER (SVME must be set).
pub const EFER: usize = SAVE + 0x0D0;
/// Save area: control and debug registers, flags, RIP.
pub const CR4: usize = SAVE + 0x148;
pub const CR3: usize = SAVE + 0x150;
pub const CR0: usize = SAVE + 0x158;
pub const DR7: usize = SAVE + 0x160;
pub const DR6: usize = SAVE + 0x168;
pub const RFLAGS: usize = SAVE + 0x170;
pub const RIP: usize = SAVE + 0x178;
/// Save area: RSP and RAX (VMRUN loads them; the others are the
/// backend's to switch).
pub const RSP: usize = SAVE + 0x1D8;
pub const RAX: usize = SAVE + 0x1F8;
/// Save area: the SYSCALL MSRs and KernelGSbase (VMLOAD/VMSAVE).
pub const STAR: usize = SAVE + 0x200;
pub const LSTAR: usize = SAVE + 0x208;
pub const CSTAR: usize = SAVE + 0x210;
pub const SFMASK: usize = SAVE + 0x218;
pub const KERNEL_GS_BASE: usize = SAVE + 0x220;
/// The SYSENTER MSRs (APM table B-2: 0x228 to 0x238).
pub const SYSENTER_CS: usize = SAVE + 0x228;
pub const SYSENTER_ESP: usize = SAVE + 0x230;
pub const SYSENTER_EIP: usize = SAVE + 0x238;
/// Save area: CR2.
pub const CR2: usize = SAVE + 0x240;
/// Save area: the guest's PAT (with nested paging).
pub const G_PAT: usize = SAVE + 0x268;

/// Segment field offsets.
pub const SEGMENT_SELECTOR: usize = 0;
pub const SEGMENT_ATTRIBUTES: usize = 2;
pub const SEGMENT_LIMIT: usize = 4;
pub const SEGMENT_BASE: usize = 8;

/// INTERCEPT_MISC1 bits.
pub const INTERCEPT_INTR: u32 = 1 << 0;
pub const INTERCEPT_NMI: u32 = 1 << 1;
pub const INTERCEPT_SMI: u32 = 1 << 2;
pub const INTERCEPT_INIT: u32 = 1 << 3;
pub const INTERCEPT_VINTR: u32 = 1 << 4;
pub const INTERCEPT_CPUID: u32 = 1 << 18;
pub const INTERCEPT_INVD: u32 = 1 << 22;
pub const INTERCEPT_HLT: u32 = 1 << 24;
pub const INTERCEPT_IOIO_PROT: u32 = 1 << 27;
pub const INTERCEPT_MSR_PROT: u32 = 1 << 28;
pub const INTERCEPT_SHUTDOWN: u32 = 1 << 31;
/// INTERCEPT_MISC2 bits: VMRUN must be intercepted (APM 15.5.1).
pub const INTERCEPT_VMRUN: u32 = 1 << 0;
pub const INTERCEPT_VMMCALL: u32 = 1 << 1;
pub const INTERCEPT_VMLOAD: u32 = 1 << 2;
pub const INTERCEPT_VMSAVE: u32 = 1 << 3;
pub const INTERCEPT_STGI: u32 = 1 << 4;
pub const INTERCEPT_CLGI: u32 = 1 << 5;
pub const INTERCEPT_SKINIT: u32 = 1 << 6;
pub const INTERCEPT_XSETBV: u32 = 1 << 13;

/// The power-up PAT (APM 7.8.2), the guest's at reset.
pub const PAT_RESET: u64 = 0x0007_0406_0007_0406;

/// A VMCB: one page, 4 KiB aligned.
#[repr(C, align(4096))]
pub struct Vmcb(pub [u8; 4096]);

impl Default for Vmcb {
    fn default() -> Self {
        Vmcb([0; 4096])
    }
}

impl Vmcb {
    /// The `N`-byte little-endian field at `offset`.
    fn get<const N: usize>(&self, offset: usize) -> [u8; N] {
        let mut out = [0; N];
        out.copy_from_slice(&self.0[offset..offset + N]);
        out
    }

    fn set(&mut self, offset: usize, bytes: &[u8]) {
        self.0[offset..offset + bytes.len()].copy_from_slice(bytes);
    }

    pub fn u16(&self, offset: usize) -> u16 {
        u16::from_le_bytes(self.get(offset))
    }
    pub fn u32(&self, offset: usize) -> u32 {
        u32::from_le_bytes(self.get(offset))
    }
    pub fn u64(&self, offset: usize) -> u64 {
        u64::from_le_bytes(self.get(offset))
    }
    pub fn set_u8(&mut self, offset: usize, value: u8) {
        self.0[offset] = value;
    }
    pub fn set_u16(&mut self, offset: usize, value: u16) {
        self.set(offset, &value.to_le_bytes());
    }
    pub fn set_u32(&mut self, offset: usize, value: u32) {
        self.set(offset, &value.to_le_bytes());
    }
    pub fn set_u64(&mut self, offset: usize, value: u64) {
        self.set(offset, &value.to_le_bytes());
    }

    /// Sets segment register `segment` (one of [`ES`]..[`TR`]).
    pub fn set_segment(
        &mut self,
        segment: usize,
        selector: u16,
        attributes: u16,
        limit: u32,
        base: u64,
    ) {
        self.set_u16(segment + SEGMENT_SELECTOR, selector);
        self.set_u16(segment + SEGMENT_ATTRIBUTES, attributes);
        self.set_u32(segment + SEGMENT_LIMIT, limit);
        self.set_u64(segment + SEGMENT_BASE, base);
    }

    /// The instruction bytes the processor fetched for the exit (decode
    /// assists; empty without them).
    pub fn instruction_bytes(&self) -> &[u8] {
        let n = usize::from(self.0[GUEST_INSTRUCTION_LEN]).min(15);
        &self.0[GUEST_INSTRUCTION_BYTES..GUEST_INSTRUCTION_BYTES + n]
    }
}

/// Packs a segment descriptor's attribute bits as the VMCB keeps them:
/// bits 7:0 are the descriptor's bits 47:40 (type, S, DPL, P), bits 11:8
/// its bits 55:52 (AVL, L, D/B, G) (APM 15.5.1, "Segment State in the
/// VMCB").
pub const fn attributes(access: u8, flags: u8) -> u16 {
    access as u16 | ((flags as u16 & 0xF) << 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_the_manuals() {
        // Table B-1 and B-2 spot checks.
        assert_eq!(EXITCODE, 0x70);
        assert_eq!(N_CR3, 0xB0);
        assert_eq!(CS, 0x410);
        assert_eq!(EFER, 0x4D0);
        assert_eq!(CR0, 0x558);
        assert_eq!(RIP, 0x578);
        assert_eq!(RSP, 0x5D8);
        assert_eq!(RAX, 0x5F8);
        assert_eq!(G_PAT, 0x668);
        assert_eq!(core::mem::size_of::<Vmcb>(), 4096);
        assert_eq!(core::mem::align_of::<Vmcb>(), 4096);
    }

    #[test]
    fn fields_round_trip_little_endian() {
        let mut v = Vmcb::default();
        v.set_u64(RIP, 0x1122_3344_5566_7788);
        assert_eq!(v.u64(RIP), 0x1122_3344_5566_7788);
        assert_eq!(v.0[RIP], 0x88);
        v.set_segment(CS, 0x08, attributes(0x9B, 0xC), 0xFFFF_FFFF, 0x1000);
        assert_eq!(v.u16(CS), 0x08);
        assert_eq!(v.u16(CS + SEGMENT_ATTRIBUTES), 0xC9B);
        assert_eq!(v.u32(CS + SEGMENT_LIMIT), 0xFFFF_FFFF);
        assert_eq!(v.u64(CS + SEGMENT_BASE), 0x1000);
    }

    #[test]
    fn instruction_bytes_are_bounded() {
        let mut v = Vmcb::default();
        assert!(v.instruction_bytes().is_empty());
        v.set_u8(GUEST_INSTRUCTION_LEN, 3);
        v.set_u8(GUEST_INSTRUCTION_BYTES, 0x89);
        assert_eq!(v.instruction_bytes().len(), 3);
        v.set_u8(GUEST_INSTRUCTION_LEN, 200);
        assert_eq!(v.instruction_bytes().len(), 15);
    }
}
