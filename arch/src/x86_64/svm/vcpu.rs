//! One vCPU's guest state in its VMCB: the intercepts every guest runs
//! with, the 32-bit protected-mode state a multiboot kernel starts in
//! (Multiboot specification 0.6.96 §3.2 "Machine state"; Multiboot2 §3.3
//! "I386 machine state"), the nested paging root, stepping past an
//! instruction and injecting an exception (AMD64 APM Vol. 2, 15.20 "Event
//! Injection"). Pure edits of a [`Vmcb`], tested on the build host; the
//! world switch is `run.rs`.

use super::vmcb::*;

/// CR0.PE and CR0.ET (always 1 on processors with an FPU).
const CR0_PE: u64 = 1 << 0;
const CR0_ET: u64 = 1 << 4;
/// RFLAGS bit 1, always set.
const RFLAGS_FIXED: u64 = 1 << 1;
/// EFER.SVME: a guest's EFER must have it (APM 15.5.1, VMRUN checks).
const EFER_SVME: u64 = 1 << 12;
/// DR6 and DR7 at reset.
const DR6_RESET: u64 = 0xFFFF_0FF0;
const DR7_RESET: u64 = 0x400;
/// Flat 4 GiB segments: code (execute/read, accessed) and data
/// (read/write, accessed), present, DPL 0, 32-bit, 4 KiB granularity.
const FLAT_CODE: u16 = attributes(0x9B, 0xC);
const FLAT_DATA: u16 = attributes(0x93, 0xC);
/// A busy 32-bit TSS (VMRUN wants a usable TR).
const BUSY_TSS: u16 = attributes(0x8B, 0);
/// An LDT descriptor.
const LDT: u16 = attributes(0x82, 0);
/// Selectors of the flat segments (the guest has no GDT yet: multiboot
/// says the guest must load its own before it loads a segment register).
const CODE_SELECTOR: u16 = 0x08;
const DATA_SELECTOR: u16 = 0x10;
/// The ASID a guest must not use: 0 is the host's (APM 15.16).
pub const HOST_ASID: u32 = 0;
/// EVENTINJ fields: vector (7:0), type (10:8; 3 = exception), EV (bit
/// 11: an error code is pushed), V (bit 31: valid), the error code
/// (63:32).
const EVENTINJ_TYPE_EXCEPTION: u64 = 3 << 8;
const EVENTINJ_EV: u64 = 1 << 11;
const EVENTINJ_VALID: u64 = 1 << 31;

/// The intercepts every guest runs with: physical interrupts, NMIs, SMIs
/// and INIT leave the guest; CPUID, HLT, INVD, every port and MSR (the
/// permission maps must be all ones), shutdown, and every SVM instruction
/// (a guest must not run nested guests or touch GIF) exit to the kernel.
pub fn set_intercepts(v: &mut Vmcb, iopm: u64, msrpm: u64) {
    v.set_u32(
        INTERCEPT_MISC1,
        INTERCEPT_INTR
            | INTERCEPT_NMI
            | INTERCEPT_SMI
            | INTERCEPT_INIT
            | INTERCEPT_CPUID
            | INTERCEPT_INVD
            | INTERCEPT_HLT
            | INTERCEPT_IOIO_PROT
            | INTERCEPT_MSR_PROT
            | INTERCEPT_SHUTDOWN,
    );
    v.set_u32(
        INTERCEPT_MISC2,
        INTERCEPT_VMRUN
            | INTERCEPT_VMMCALL
            | INTERCEPT_VMLOAD
            | INTERCEPT_VMSAVE
            | INTERCEPT_STGI
            | INTERCEPT_CLGI
            | INTERCEPT_SKINIT
            | INTERCEPT_XSETBV,
    );
    v.set_u64(IOPM_BASE_PA, iopm);
    v.set_u64(MSRPM_BASE_PA, msrpm);
}

/// Nested paging with the table at `ncr3` under `asid` (not
/// [`HOST_ASID`]); the guest's TLB entries are flushed at the next VMRUN.
pub fn set_nested_paging(v: &mut Vmcb, ncr3: u64, asid: u32) {
    v.set_u64(NP_ENABLE, 1);
    v.set_u64(N_CR3, ncr3);
    v.set_u32(GUEST_ASID, asid);
    v.set_u8(TLB_CONTROL, 1);
}

/// The state a multiboot kernel starts in: 32-bit protected mode, paging
/// off, flat segments, interrupts off, at `entry` with EAX = `magic` and
/// the information's address in EBX, which the world switch keeps with
/// the other registers VMRUN does not load (`run::GuestRegisters`).
pub fn reset_protected_mode(v: &mut Vmcb, entry: u32, magic: u32) {
    v.set_segment(CS, CODE_SELECTOR, FLAT_CODE, 0xFFFF_FFFF, 0);
    for segment in [DS, ES, FS, GS, SS] {
        v.set_segment(segment, DATA_SELECTOR, FLAT_DATA, 0xFFFF_FFFF, 0);
    }
    v.set_segment(TR, 0, BUSY_TSS, 0xFFFF, 0);
    v.set_segment(LDTR, 0, LDT, 0xFFFF, 0);
    v.set_segment(GDTR, 0, 0, 0xFFFF, 0);
    v.set_segment(IDTR, 0, 0, 0xFFFF, 0);
    v.set_u8(CPL, 0);
    v.set_u64(CR0, CR0_PE | CR0_ET);
    v.set_u64(CR3, 0);
    v.set_u64(CR4, 0);
    v.set_u64(EFER, EFER_SVME);
    v.set_u64(RFLAGS, RFLAGS_FIXED);
    v.set_u64(RIP, entry.into());
    v.set_u64(RSP, 0);
    v.set_u64(RAX, magic.into());
    v.set_u64(DR6, DR6_RESET);
    v.set_u64(DR7, DR7_RESET);
    v.set_u64(G_PAT, PAT_RESET);
    v.set_u64(EVENTINJ, 0);
}

/// Steps past the `len`-byte instruction of the last exit.
pub fn advance(v: &mut Vmcb, len: u64) {
    let rip = v.u64(RIP).wrapping_add(len);
    v.set_u64(RIP, rip);
    // A guest stepped past an instruction is no longer in its shadow.
    v.set_u64(INTERRUPT_SHADOW, v.u64(INTERRUPT_SHADOW) & !1);
}

/// Makes the guest take exception `vector` at its next entry, with
/// `error` pushed if the exception has an error code.
pub fn inject_exception(v: &mut Vmcb, vector: u8, error: Option<u32>) {
    let mut event = u64::from(vector) | EVENTINJ_TYPE_EXCEPTION | EVENTINJ_VALID;
    if let Some(code) = error {
        event |= EVENTINJ_EV | (u64::from(code) << 32);
    }
    v.set_u64(EVENTINJ, event);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multiboot_guest_starts_flat_in_protected_mode() {
        let mut v = Vmcb::default();
        reset_protected_mode(&mut v, 0x10_0000, 0x2BAD_B002);
        assert_eq!(v.u64(RIP), 0x10_0000);
        assert_eq!(v.u64(RAX), 0x2BAD_B002);
        assert_eq!(v.u64(CR0) & 0x8000_0001, 1, "PE on, PG off");
        assert_eq!(v.u64(RFLAGS), 2, "interrupts off");
        assert_eq!(v.u64(EFER), 1 << 12);
        assert_eq!(v.u16(CS + SEGMENT_ATTRIBUTES), 0xC9B);
        assert_eq!(v.u32(CS + SEGMENT_LIMIT), 0xFFFF_FFFF);
        for s in [DS, ES, FS, GS, SS] {
            assert_eq!(v.u16(s + SEGMENT_ATTRIBUTES), 0xC93);
            assert_eq!(v.u64(s + SEGMENT_BASE), 0);
        }
        assert_eq!(v.u16(TR + SEGMENT_ATTRIBUTES) & 0x8F, 0x8B, "a busy TSS");
        assert_eq!(v.u64(G_PAT), PAT_RESET);
    }

    #[test]
    fn every_svm_instruction_and_every_port_exits() {
        let mut v = Vmcb::default();
        set_intercepts(&mut v, 0x1000, 0x4000);
        let misc2 = v.u32(INTERCEPT_MISC2);
        for bit in [
            INTERCEPT_VMRUN,
            INTERCEPT_VMMCALL,
            INTERCEPT_VMLOAD,
            INTERCEPT_CLGI,
        ] {
            assert_ne!(misc2 & bit, 0);
        }
        let misc1 = v.u32(INTERCEPT_MISC1);
        for bit in [
            INTERCEPT_INTR,
            INTERCEPT_HLT,
            INTERCEPT_IOIO_PROT,
            INTERCEPT_MSR_PROT,
        ] {
            assert_ne!(misc1 & bit, 0);
        }
        assert_eq!(
            (v.u64(IOPM_BASE_PA), v.u64(MSRPM_BASE_PA)),
            (0x1000, 0x4000)
        );
    }

    #[test]
    fn nested_paging_flushes_its_asid_once() {
        let mut v = Vmcb::default();
        set_nested_paging(&mut v, 0x5000, 3);
        assert_eq!(
            (v.u64(NP_ENABLE), v.u64(N_CR3), v.u32(GUEST_ASID)),
            (1, 0x5000, 3)
        );
        assert_eq!(v.0[TLB_CONTROL], 1);
    }

    #[test]
    fn exceptions_are_encoded_as_the_manual_says() {
        let mut v = Vmcb::default();
        inject_exception(&mut v, 6, None);
        assert_eq!(v.u64(EVENTINJ), 0x8000_0306);
        inject_exception(&mut v, 13, Some(0));
        assert_eq!(v.u64(EVENTINJ), 0x8000_0B0D);
        inject_exception(&mut v, 14, Some(0x12));
        assert_eq!(v.u64(EVENTINJ), (0x12 << 32) | 0x8000_0B0E);
    }

    #[test]
    fn advancing_leaves_the_interrupt_shadow() {
        let mut v = Vmcb::default();
        v.set_u64(RIP, 0xFFFF_FFFF_FFFF_FFFF);
        v.set_u64(INTERRUPT_SHADOW, 1);
        advance(&mut v, 2);
        assert_eq!(v.u64(RIP), 1);
        assert_eq!(v.u64(INTERRUPT_SHADOW), 0);
    }
}
