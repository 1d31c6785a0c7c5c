//! Decoding of the exception syndrome register ESR_EL2 (ARM ARM D17.2.37):
//! exception classes and the data-abort instruction syndrome.

/// ESR_EL2.EC: unknown reason (undefined instruction).
pub const EC_UNKNOWN: u64 = 0x00;
/// ESR_EL2.EC: WFI or WFE.
pub const EC_WFX: u64 = 0x01;
/// ESR_EL2.EC: MCR or MRC to CP15 from AArch32.
pub const EC_CP15_32: u64 = 0x03;
/// ESR_EL2.EC: MCRR or MRRC to CP15 from AArch32.
pub const EC_CP15_64: u64 = 0x04;
/// ESR_EL2.EC: MCR or MRC to CP14 from AArch32.
pub const EC_CP14_32: u64 = 0x05;
/// ESR_EL2.EC: LDC or STC to CP14 from AArch32.
pub const EC_CP14_LS: u64 = 0x06;
/// ESR_EL2.EC: FP/SIMD access trapped by CPTR_EL2.TFP.
pub const EC_FP: u64 = 0x07;
/// ESR_EL2.EC: VMRS of an ID register (MVFR0-2) trapped by HCR_EL2.TID3.
pub const EC_VMRS_ID: u64 = 0x08;
/// ESR_EL2.EC: MRRC to CP14 from AArch32.
pub const EC_CP14_64: u64 = 0x0c;
/// ESR_EL2.EC: illegal execution state.
pub const EC_ILLEGAL_STATE: u64 = 0x0e;
/// ESR_EL2.EC: HVC from AArch32.
pub const EC_HVC32: u64 = 0x12;
/// ESR_EL2.EC: SMC from AArch32.
pub const EC_SMC32: u64 = 0x13;
/// ESR_EL2.EC: SVC from AArch64.
pub const EC_SVC64: u64 = 0x15;
/// ESR_EL2.EC: HVC from AArch64.
pub const EC_HVC64: u64 = 0x16;
/// ESR_EL2.EC: SMC from AArch64.
pub const EC_SMC64: u64 = 0x17;
/// ESR_EL2.EC: MSR/MRS/system instruction trapped.
pub const EC_SYSREG: u64 = 0x18;
/// ESR_EL2.EC: instruction abort from a lower exception level.
pub const EC_IABT_LOWER: u64 = 0x20;
/// ESR_EL2.EC: instruction abort taken without a change of level.
pub const EC_IABT_CURRENT: u64 = 0x21;
/// ESR_EL2.EC: PC alignment fault.
pub const EC_PC_ALIGN: u64 = 0x22;
/// ESR_EL2.EC: data abort from a lower exception level.
pub const EC_DABT_LOWER: u64 = 0x24;
/// ESR_EL2.EC: data abort taken without a change of level.
pub const EC_DABT_CURRENT: u64 = 0x25;
/// ESR_EL2.EC: SP alignment fault.
pub const EC_SP_ALIGN: u64 = 0x26;
/// ESR_EL2.EC: SError interrupt.
pub const EC_SERROR: u64 = 0x2f;
/// ESR_EL2.EC: BRK instruction.
pub const EC_BRK: u64 = 0x3c;

/// ISS.ISV: the syndrome describes the access (data aborts).
pub const ISS_ISV: u64 = 1 << 24;
/// ISS.WnR: the access was a write.
pub const ISS_WNR: u64 = 1 << 6;

/// Exception class field.
#[inline]
pub fn class(esr: u64) -> u64 {
    (esr >> 26) & 0x3f
}

/// Instruction-specific syndrome.
#[inline]
pub fn iss(esr: u64) -> u64 {
    esr & 0x01ff_ffff
}

/// ESR_ELx.IL: the trapped instruction is 32 bits (else a 16-bit T32 one).
pub const ESR_IL: u64 = 1 << 25;
/// ISS.DFSC/IFSC of a synchronous external abort, not on a table walk.
pub const FSC_SYNC_EXTERNAL: u64 = 0b01_0000;

/// Instruction length: 4 bytes unless IL is clear (16-bit T32).
#[inline]
pub fn instruction_length(esr: u64) -> usize {
    if esr & ESR_IL != 0 { 4 } else { 2 }
}

/// A name for the exception class.
pub fn class_name(ec: u64) -> &'static str {
    match ec {
        EC_UNKNOWN => "undefined instruction",
        EC_WFX => "WFI/WFE",
        EC_CP15_32 | EC_CP15_64 => "CP15 register access",
        EC_CP14_32 | EC_CP14_64 | EC_CP14_LS => "CP14 register access",
        EC_VMRS_ID => "VMRS of an ID register",
        EC_FP => "FP/SIMD access",
        EC_ILLEGAL_STATE => "illegal execution state",
        EC_SVC64 => "SVC",
        EC_HVC64 | EC_HVC32 => "HVC",
        EC_SMC64 | EC_SMC32 => "SMC",
        EC_SYSREG => "system register access",
        EC_IABT_LOWER | EC_IABT_CURRENT => "instruction abort",
        EC_PC_ALIGN => "PC alignment fault",
        EC_DABT_LOWER | EC_DABT_CURRENT => "data abort",
        EC_SP_ALIGN => "SP alignment fault",
        EC_SERROR => "SError",
        EC_BRK => "BRK",
        _ => "unexpected exception",
    }
}

/// Name of an abort's fault status code (ISS.DFSC/IFSC).
pub fn fault_status_name(iss: u64) -> &'static str {
    match iss & 0x3f {
        0b000000..=0b000011 => "address size fault",
        0b000100..=0b000111 => "translation fault",
        0b001001..=0b001011 => "access flag fault",
        0b001101..=0b001111 => "permission fault",
        0b010000 => "synchronous external abort",
        0b100001 => "alignment fault",
        0b110000 => "TLB conflict",
        _ => "other fault",
    }
}

/// Level of an abort's fault, where the status code has one.
pub fn fault_level(iss: u64) -> Option<u64> {
    let fsc = iss & 0x3f;
    (fsc < 0x10 && fsc & 0x3c != 0x08).then_some(fsc & 3)
}

/// A decoded data abort with a valid instruction syndrome: what an MMIO exit
/// reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataAccess {
    /// Access size in bytes.
    pub size: usize,
    /// A write (else a read).
    pub write: bool,
    /// The general-purpose register transferred (31 is the zero register).
    pub register: usize,
    /// A read sign-extends.
    pub sign_extend: bool,
    /// The register is 64-bit (else 32-bit).
    pub sixty_four: bool,
}

/// Decodes ISS of a data abort; `None` when ISV is clear.
#[inline]
pub fn data_access(esr: u64) -> Option<DataAccess> {
    let iss = iss(esr);
    if iss & ISS_ISV == 0 {
        return None;
    }
    Some(DataAccess {
        size: 1 << ((iss >> 22) & 3),
        write: iss & ISS_WNR != 0,
        register: ((iss >> 16) & 0x1f) as usize,
        sign_extend: iss & (1 << 21) != 0,
        sixty_four: iss & (1 << 15) != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_str_w1_data_abort() {
        // EC=0x24, IL, ISV, SAS=2 (word), SRT=1, WnR, DFSC=translation L1.
        let esr =
            (0x24 << 26) | (1 << 25) | (1 << 24) | (2 << 22) | (1 << 16) | (1 << 6) | 0b000101;
        assert_eq!(class(esr), EC_DABT_LOWER);
        assert_eq!(class_name(class(esr)), "data abort");
        assert_eq!(fault_status_name(iss(esr)), "translation fault");
        assert_eq!(fault_level(iss(esr)), Some(1));
        assert_eq!(instruction_length(esr), 4);
        let access = data_access(esr).unwrap();
        assert_eq!(
            access,
            DataAccess {
                size: 4,
                write: true,
                register: 1,
                sign_extend: false,
                sixty_four: false
            }
        );
    }

    #[test]
    fn no_syndrome_without_isv() {
        assert_eq!(data_access((0x24 << 26) | 0b000101), None);
        assert_eq!(fault_level(0b100001), None);
        assert_eq!(class_name(0x15), "SVC");
    }
}
