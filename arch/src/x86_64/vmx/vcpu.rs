//! One vCPU's guest state in its VMCS (Intel SDM Vol. 3C, chapter 25
//! "Virtual Machine Control Structures"; 27.3.1 for the checks a VM entry
//! makes of it): the execution controls every guest runs with, EPT with a
//! VPID, the 32-bit protected-mode state a multiboot kernel starts in
//! (Multiboot specification 0.6.96 §3.2), stepping past an instruction and
//! injecting an exception (27.6 "Event Injection"). The VMCS is reached
//! through [`VmcsAccess`]: VMREAD and VMWRITE of the current VMCS on the
//! target (`run.rs`), a map in the tests.

use super::controls::{Unsupported, adjust};
use x86::vmx::vmcs::{control, guest};

/// Reading and writing fields of a VMCS by their encodings.
pub trait VmcsAccess {
    fn read(&self, field: u32) -> u64;
    fn write(&mut self, field: u32, value: u64);
}

/// The capability MSRs the controls are checked against (SDM A.3-A.5;
/// the TRUE_ ones where IA32_VMX_BASIC bit 55 says they exist).
#[derive(Clone, Copy, Debug, Default)]
pub struct Capabilities {
    pub pin: u64,
    pub primary: u64,
    pub secondary: u64,
    pub exit: u64,
    pub entry: u64,
}

/// Pin-based: external interrupts and NMIs exit.
const PIN_EXTERNAL_INTERRUPT_EXITING: u32 = 1 << 0;
const PIN_NMI_EXITING: u32 = 1 << 3;
/// Primary processor-based: HLT exits, every I/O instruction exits (no
/// I/O bitmaps), the secondary controls are on. MSR bitmaps stay off, so
/// every RDMSR and WRMSR exits.
const PRIMARY_HLT_EXITING: u32 = 1 << 7;
const PRIMARY_UNCONDITIONAL_IO_EXITING: u32 = 1 << 24;
const PRIMARY_ACTIVATE_SECONDARY: u32 = 1 << 31;
/// Secondary: EPT, VPID, unrestricted guest.
const SECONDARY_ENABLE_EPT: u32 = 1 << 1;
const SECONDARY_ENABLE_VPID: u32 = 1 << 5;
const SECONDARY_UNRESTRICTED_GUEST: u32 = 1 << 7;
/// Exit: the host is 64-bit.
const EXIT_HOST_ADDRESS_SPACE_SIZE: u32 = 1 << 9;
/// EPTP: write-back paging structures (bits 2:0 = 6), a 4-level walk
/// (bits 5:3 = 3).
const EPTP_WB_4_LEVEL: u64 = 6 | (3 << 3);
/// CR0.PE, CR0.ET, CR0.NE (NE is fixed to 1 in VMX operation).
const CR0_PE: u64 = 1 << 0;
const CR0_ET: u64 = 1 << 4;
const CR0_NE: u64 = 1 << 5;
/// CR4.VMXE, fixed to 1 in VMX operation; hidden from the guest.
const CR4_VMXE: u64 = 1 << 13;
/// Access rights (SDM table 25-2): flat code and data as the SVM
/// attributes, a busy 32-bit TSS, and "unusable" (bit 16).
const AR_FLAT_CODE: u64 = 0xC09B;
const AR_FLAT_DATA: u64 = 0xC093;
const AR_BUSY_TSS: u64 = 0x008B;
const AR_UNUSABLE: u64 = 1 << 16;
const CODE_SELECTOR: u64 = 0x08;
const DATA_SELECTOR: u64 = 0x10;
/// RFLAGS bit 1; DR7 at reset; the VMCS link pointer when unused.
const RFLAGS_FIXED: u64 = 1 << 1;
const DR7_RESET: u64 = 0x400;
const NO_LINK: u64 = u64::MAX;
/// VM-entry interruption information (SDM 25.8.3): vector, type 3 (a
/// hardware exception), deliver an error code (bit 11), valid (bit 31).
const INTERRUPTION_TYPE_EXCEPTION: u64 = 3 << 8;
const INTERRUPTION_DELIVER_ERROR: u64 = 1 << 11;
const INTERRUPTION_VALID: u64 = 1 << 31;
/// Interruptibility: blocking by STI (bit 0) and by MOV SS (bit 1).
const BLOCKING_BY_STI_OR_MOV_SS: u64 = 0b11;

/// Sets the execution, exit and entry controls every guest runs with;
/// fails if the CPU cannot (no EPT, VPID or unrestricted guest).
pub fn set_controls(v: &mut impl VmcsAccess, caps: &Capabilities) -> Result<(), Unsupported> {
    let pin = adjust(PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING, caps.pin)?;
    let primary = adjust(
        PRIMARY_HLT_EXITING | PRIMARY_UNCONDITIONAL_IO_EXITING | PRIMARY_ACTIVATE_SECONDARY,
        caps.primary,
    )?;
    let secondary = adjust(
        SECONDARY_ENABLE_EPT | SECONDARY_ENABLE_VPID | SECONDARY_UNRESTRICTED_GUEST,
        caps.secondary,
    )?;
    let exit = adjust(EXIT_HOST_ADDRESS_SPACE_SIZE, caps.exit)?;
    let entry = adjust(0, caps.entry)?;
    v.write(control::PINBASED_EXEC_CONTROLS, pin.into());
    v.write(control::PRIMARY_PROCBASED_EXEC_CONTROLS, primary.into());
    v.write(control::SECONDARY_PROCBASED_EXEC_CONTROLS, secondary.into());
    v.write(control::VMEXIT_CONTROLS, exit.into());
    v.write(control::VMENTRY_CONTROLS, entry.into());
    v.write(control::EXCEPTION_BITMAP, 0);
    v.write(control::CR3_TARGET_COUNT, 0);
    // The guest owns CR0; CR4.VMXE is the host's and reads as clear.
    v.write(control::CR0_GUEST_HOST_MASK, 0);
    v.write(control::CR4_GUEST_HOST_MASK, CR4_VMXE);
    v.write(control::CR4_READ_SHADOW, 0);
    Ok(())
}

/// EPT with the table at `root` under VPID `vpid` (not 0: the host's).
pub fn set_ept(v: &mut impl VmcsAccess, root: u64, vpid: u16) {
    v.write(control::EPTP_FULL, (root & !0xFFF) | EPTP_WB_4_LEVEL);
    v.write(control::VPID, vpid.into());
}

/// The state a multiboot kernel starts in: 32-bit protected mode, paging
/// off, flat segments, interrupts off, at `entry` (EAX and EBX are in the
/// registers the world switch keeps).
pub fn reset_protected_mode(v: &mut impl VmcsAccess, entry: u32) {
    v.write(guest::CR0, CR0_PE | CR0_ET | CR0_NE);
    v.write(control::CR0_READ_SHADOW, CR0_PE | CR0_ET);
    v.write(guest::CR3, 0);
    v.write(guest::CR4, CR4_VMXE);
    let segments = [
        (
            guest::CS_SELECTOR,
            guest::CS_BASE,
            guest::CS_LIMIT,
            guest::CS_ACCESS_RIGHTS,
        ),
        (
            guest::SS_SELECTOR,
            guest::SS_BASE,
            guest::SS_LIMIT,
            guest::SS_ACCESS_RIGHTS,
        ),
        (
            guest::DS_SELECTOR,
            guest::DS_BASE,
            guest::DS_LIMIT,
            guest::DS_ACCESS_RIGHTS,
        ),
        (
            guest::ES_SELECTOR,
            guest::ES_BASE,
            guest::ES_LIMIT,
            guest::ES_ACCESS_RIGHTS,
        ),
        (
            guest::FS_SELECTOR,
            guest::FS_BASE,
            guest::FS_LIMIT,
            guest::FS_ACCESS_RIGHTS,
        ),
        (
            guest::GS_SELECTOR,
            guest::GS_BASE,
            guest::GS_LIMIT,
            guest::GS_ACCESS_RIGHTS,
        ),
    ];
    for (i, (selector, base, limit, rights)) in segments.into_iter().enumerate() {
        let code = i == 0;
        v.write(selector, if code { CODE_SELECTOR } else { DATA_SELECTOR });
        v.write(base, 0);
        v.write(limit, 0xFFFF_FFFF);
        v.write(rights, if code { AR_FLAT_CODE } else { AR_FLAT_DATA });
    }
    v.write(guest::TR_SELECTOR, 0);
    v.write(guest::TR_BASE, 0);
    v.write(guest::TR_LIMIT, 0xFFFF);
    v.write(guest::TR_ACCESS_RIGHTS, AR_BUSY_TSS);
    v.write(guest::LDTR_SELECTOR, 0);
    v.write(guest::LDTR_BASE, 0);
    v.write(guest::LDTR_LIMIT, 0);
    v.write(guest::LDTR_ACCESS_RIGHTS, AR_UNUSABLE);
    for (base, limit) in [
        (guest::GDTR_BASE, guest::GDTR_LIMIT),
        (guest::IDTR_BASE, guest::IDTR_LIMIT),
    ] {
        v.write(base, 0);
        v.write(limit, 0xFFFF);
    }
    v.write(guest::RIP, entry.into());
    v.write(guest::RSP, 0);
    v.write(guest::RFLAGS, RFLAGS_FIXED);
    v.write(guest::DR7, DR7_RESET);
    v.write(guest::LINK_PTR_FULL, NO_LINK);
    v.write(guest::ACTIVITY_STATE, 0);
    v.write(guest::INTERRUPTIBILITY_STATE, 0);
    v.write(guest::PENDING_DBG_EXCEPTIONS, 0);
    v.write(guest::IA32_SYSENTER_CS, 0);
    v.write(guest::IA32_SYSENTER_ESP, 0);
    v.write(guest::IA32_SYSENTER_EIP, 0);
    v.write(control::VMENTRY_INTERRUPTION_INFO_FIELD, 0);
}

/// Steps past the `len`-byte instruction of the last exit.
pub fn advance(v: &mut impl VmcsAccess, len: u64) {
    let rip = v.read(guest::RIP).wrapping_add(len);
    v.write(guest::RIP, rip);
    let blocking = v.read(guest::INTERRUPTIBILITY_STATE);
    v.write(
        guest::INTERRUPTIBILITY_STATE,
        blocking & !BLOCKING_BY_STI_OR_MOV_SS,
    );
}

/// Makes the guest take exception `vector` at its next entry, with
/// `error` pushed if the exception has an error code.
pub fn inject_exception(v: &mut impl VmcsAccess, vector: u8, error: Option<u32>) {
    let mut info = u64::from(vector) | INTERRUPTION_TYPE_EXCEPTION | INTERRUPTION_VALID;
    if let Some(code) = error {
        info |= INTERRUPTION_DELIVER_ERROR;
        v.write(control::VMENTRY_EXCEPTION_ERR_CODE, code.into());
    }
    v.write(control::VMENTRY_INTERRUPTION_INFO_FIELD, info);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Default)]
    struct Map(BTreeMap<u32, u64>);

    impl VmcsAccess for Map {
        fn read(&self, field: u32) -> u64 {
            self.0.get(&field).copied().unwrap_or(0)
        }
        fn write(&mut self, field: u32, value: u64) {
            self.0.insert(field, value);
        }
    }

    /// Bochs's corei7_skylake_x-like capabilities: default-1 bits and
    /// everything the backend asks for allowed.
    fn caps() -> Capabilities {
        Capabilities {
            pin: (0xFFu64 << 32) | 0x16,
            primary: (0xFFFF_FFFFu64 << 32) | 0x0401_E172,
            secondary: 0xFFFF_FFFFu64 << 32,
            exit: (0xFFFF_FFFFu64 << 32) | 0x0003_6DFF,
            entry: (0xFFFF_FFFFu64 << 32) | 0x0000_11FF,
        }
    }

    #[test]
    fn controls_carry_what_every_guest_needs() {
        let mut v = Map::default();
        set_controls(&mut v, &caps()).unwrap();
        let primary = v.read(control::PRIMARY_PROCBASED_EXEC_CONTROLS) as u32;
        assert_ne!(primary & PRIMARY_HLT_EXITING, 0);
        assert_ne!(primary & PRIMARY_UNCONDITIONAL_IO_EXITING, 0);
        assert_eq!(primary & 0x0401_E172, 0x0401_E172, "default-1 bits kept");
        let secondary = v.read(control::SECONDARY_PROCBASED_EXEC_CONTROLS) as u32;
        assert_eq!(secondary, 0b1010_0010);
        assert_eq!(v.read(control::VMEXIT_CONTROLS) & (1 << 9), 1 << 9);
        assert_eq!(v.read(control::CR4_GUEST_HOST_MASK), CR4_VMXE);
    }

    #[test]
    fn a_cpu_without_unrestricted_guest_is_refused() {
        let mut c = caps();
        c.secondary = 0b0010_0010u64 << 32;
        let mut v = Map::default();
        assert_eq!(
            set_controls(&mut v, &c),
            Err(Unsupported(SECONDARY_UNRESTRICTED_GUEST))
        );
    }

    #[test]
    fn a_multiboot_guest_starts_flat_in_protected_mode() {
        let mut v = Map::default();
        reset_protected_mode(&mut v, 0x10_0000);
        assert_eq!(v.read(guest::RIP), 0x10_0000);
        assert_eq!(v.read(guest::CR0) & 0x8000_0001, 1);
        assert_eq!(v.read(guest::CR4), CR4_VMXE);
        assert_eq!(v.read(guest::CS_ACCESS_RIGHTS), 0xC09B);
        assert_eq!(v.read(guest::SS_ACCESS_RIGHTS), 0xC093);
        assert_eq!(v.read(guest::TR_ACCESS_RIGHTS), 0x8B);
        assert_eq!(v.read(guest::LDTR_ACCESS_RIGHTS), AR_UNUSABLE);
        assert_eq!(v.read(guest::LINK_PTR_FULL), u64::MAX);
        assert_eq!(v.read(guest::RFLAGS), 2);
    }

    #[test]
    fn ept_and_exceptions() {
        let mut v = Map::default();
        set_ept(&mut v, 0x12_3456, 7);
        assert_eq!(v.read(control::EPTP_FULL), 0x12_3000 | 0x1E);
        assert_eq!(v.read(control::VPID), 7);
        inject_exception(&mut v, 6, None);
        assert_eq!(
            v.read(control::VMENTRY_INTERRUPTION_INFO_FIELD),
            0x8000_0306
        );
        inject_exception(&mut v, 13, Some(0x10));
        assert_eq!(
            v.read(control::VMENTRY_INTERRUPTION_INFO_FIELD),
            0x8000_0B0D
        );
        assert_eq!(v.read(control::VMENTRY_EXCEPTION_ERR_CODE), 0x10);
    }

    #[test]
    fn advancing_ends_sti_and_mov_ss_blocking() {
        let mut v = Map::default();
        v.write(guest::RIP, 0x1000);
        v.write(guest::INTERRUPTIBILITY_STATE, 0b111);
        advance(&mut v, 3);
        assert_eq!(v.read(guest::RIP), 0x1003);
        assert_eq!(v.read(guest::INTERRUPTIBILITY_STATE), 0b100);
    }
}
