//! The A32 and T32 instructions `vmexits32`'s guest program is made of,
//! encoded as the ARM ARM's A32/T32 encoding chapters give them (condition
//! AL), since the AArch64 toolchain cannot assemble them. Each was checked
//! against `llvm-mc -triple=armv7a -show-encoding` (thumbv7a for T32).

/// B . (A1, offset -8: itself).
pub const B_SELF: u32 = 0xeaff_fffe;
/// HVC #0 (A1).
pub const HVC0: u32 = 0xe140_0070;
/// BX LR (T1, 16 bits).
pub const T16_BX_LR: u16 = 0x4770;

/// MOVW Rd, #(imm & 0xffff) (A2).
pub const fn movw(rd: u32, imm: u32) -> u32 {
    let imm16 = imm & 0xffff;
    0xe300_0000 | ((imm16 >> 12) << 16) | (rd << 12) | (imm16 & 0xfff)
}

/// MOVT Rd, #(imm >> 16) (A1).
pub const fn movt(rd: u32, imm: u32) -> u32 {
    let imm16 = imm >> 16;
    0xe340_0000 | ((imm16 >> 12) << 16) | (rd << 12) | (imm16 & 0xfff)
}

/// MOV Rd, #imm8 (A1, no rotation).
pub const fn mov_imm(rd: u32, imm8: u32) -> u32 {
    0xe3a0_0000 | (rd << 12) | (imm8 & 0xff)
}

/// MOV Rd, Rm (A1).
pub const fn mov_reg(rd: u32, rm: u32) -> u32 {
    0xe1a0_0000 | (rd << 12) | rm
}

/// STR Rt, [Rn, #offset] (A1, offset < 4096).
pub const fn str_imm(rt: u32, rn: u32, offset: u32) -> u32 {
    0xe580_0000 | (rn << 16) | (rt << 12) | (offset & 0xfff)
}

/// LDR Rt, [Rn, #offset] (A1, offset < 4096).
pub const fn ldr_imm(rt: u32, rn: u32, offset: u32) -> u32 {
    0xe590_0000 | (rn << 16) | (rt << 12) | (offset & 0xfff)
}

/// BLX Rm (A1).
pub const fn blx_reg(rm: u32) -> u32 {
    0xe12f_ff30 | rm
}

/// MRS Rd, CPSR (A1).
pub const fn mrs_cpsr(rd: u32) -> u32 {
    0xe10f_0000 | (rd << 12)
}

/// MCR/MRC p15, 0, Rt, CRn, CRm, opc2 (A1; `read`: MRC).
const fn cp15(read: bool, rt: u32, crn: u32, crm: u32, opc2: u32) -> u32 {
    0xee00_0f10 | ((read as u32) << 20) | (crn << 16) | (rt << 12) | (opc2 << 5) | crm
}

/// MCR p15, 0, Rt, c12, c0, 0: VBAR.
pub const fn mcr_vbar(rt: u32) -> u32 {
    cp15(false, rt, 12, 0, 0)
}

/// MRC p15, 0, Rt, c0, c1, 0: ID_PFR0.
pub const fn mrc_id_pfr0(rt: u32) -> u32 {
    cp15(true, rt, 0, 1, 0)
}

/// MRC p15, 0, Rt, c5, c0, 0: DFSR.
pub const fn mrc_dfsr(rt: u32) -> u32 {
    cp15(true, rt, 5, 0, 0)
}

/// LDR Rt, [Rn, #offset] (T1, 16 bits: low registers, offset a multiple
/// of 4 below 128).
pub const fn t16_ldr_imm(rt: u16, rn: u16, offset: u16) -> u16 {
    0x6800 | ((offset / 4) << 6) | (rn << 3) | rt
}

/// Two 16-bit T32 instructions in one word, the first at the lower
/// address.
pub const fn t32_pair(first: u16, second: u16) -> u32 {
    first as u32 | (second as u32) << 16
}
