//! The instruction behind an x86 MMIO fault. An EPT violation (VMX) or an
//! NPT fault (SVM) gives only the guest-physical address; QEMU TCG's SVM
//! has neither NRIP-save nor decode assists. So the backend fetches up to
//! [`MAX_LEN`] bytes at the guest's RIP and [`decode`] says how wide the
//! access is, whether it loads or stores, which register (or immediate) it
//! moves, and how long the instruction is, to step over it. Pure logic,
//! tested on the build host.
//!
//! Intel SDM Vol. 2A chapter 2 ("Instruction Format"):
//! - prefixes (2.1.1): operand size `66`, address size `67`, the segment
//!   overrides `2E 36 3E 26 64 65` (skipped: the address comes from the
//!   fault), `LOCK` (`F0`) and `REP`/`REPNE` (`F3`/`F2`) refused;
//! - REX (2.2.1, 64-bit mode only): it counts only right before the opcode
//!   (or `0F`), else it is ignored; W gives a 64-bit operand (over `66`),
//!   R extends ModRM.reg. X and B name only memory-operand registers, which
//!   the fault makes moot;
//! - ModRM and SIB (2.1.5, Tables 2-1 to 2-3; RIP-relative 2.2.1.6) are
//!   read only for the length: the SIB byte, disp8, disp16 (16-bit address
//!   size) or disp32. ModRM.mod = 11 names a register, which cannot fault;
//! - at most 15 bytes (2.3.11).
//!
//! The moves (Vol. 2B, "MOV", "MOVZX", "MOVSX"): `88` MOV r/m8,r8; `89`
//! MOV r/m,r; `8A` MOV r8,r/m8; `8B` MOV r,r/m; `A0`-`A3` MOV with a
//! moffs (an address-size-wide offset); `C6 /0` MOV r/m8,imm8; `C7 /0`
//! MOV r/m,imm16/32 (imm32 sign-extended for a 64-bit operand); `0F B6`,
//! `0F B7` MOVZX; `0F BE`, `0F BF` MOVSX. Anything else (string moves,
//! read-modify-write arithmetic, SSE/AVX) is [`Unsupported`].
//!
//! Byte registers 4-7 are AH, CH, DH, BH without a REX prefix and SPL,
//! BPL, SIL, DIL with one (Vol. 2A 3.1.1.1, Table 3-1; 2.2.1.2). A load
//! writes its register as Vol. 1 3.4.1.1 says: a 32-bit result
//! zero-extends to 64 bits, an 8- or 16-bit one merges into the low bits
//! ([`Load::result`]).
//!
//! Modes: 64-bit ([`Mode::Long`]) and 32-bit code with a default operand
//! and address size of 32 ([`Mode::Protected32`]: protected mode, or
//! compatibility mode with CS.D = 1). 16-bit code segments and real mode
//! are not decoded.

use crate::exit::MmioAccess;
use bytes::{Cursor, REX_R};

mod bytes;
mod types;

pub use types::{MAX_LEN, Mode, Unsupported};

const MOV_RM8_R8: u8 = 0x88;
const MOV_RM_R: u8 = 0x89;
const MOV_R8_RM8: u8 = 0x8a;
const MOV_R_RM: u8 = 0x8b;
const MOV_AL_MOFFS8: u8 = 0xa0;
const MOV_MOFFS_AX: u8 = 0xa3;
const MOV_RM8_IMM8: u8 = 0xc6;
const MOV_RM_IMM: u8 = 0xc7;
const ESCAPE_0F: u8 = 0x0f;
const MOVZX_R_RM8: u8 = 0xb6;
const MOVZX_R_RM16: u8 = 0xb7;
const MOVSX_R_RM8: u8 = 0xbe;
const MOVSX_R_RM16: u8 = 0xbf;

/// The accumulator, which the moffs forms move.
const RAX: Register = Register {
    index: 0,
    high_byte: false,
};

/// How a load's value becomes its destination's width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extend {
    /// The destination is as wide as the access (MOV).
    None,
    /// Zero-extended (MOVZX).
    Zero,
    /// Sign-extended (MOVSX).
    Sign,
}

/// A general-purpose register an instruction names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Register {
    /// Architectural number: RAX = 0 .. R15 = 15.
    pub index: u8,
    /// Bits 15:8 of `index` (AH, CH, DH, BH: `index` 0-3).
    pub high_byte: bool,
}

/// A load: what register it fills, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Load {
    /// The destination.
    pub reg: Register,
    /// How the access's value is widened.
    pub extend: Extend,
    /// Bytes of the destination operand: 1, 2, 4 or 8.
    pub dest_width: u8,
}

/// What the instruction does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Reads memory into a register.
    Load(Load),
    /// Writes `value` (already cut to the access width).
    Store {
        /// The bytes stored, little-endian in the low bits.
        value: u64,
    },
}

/// A decoded access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// Bytes of the instruction: RIP advances by this much.
    pub len: usize,
    /// Bytes accessed: 1, 2, 4 or 8.
    pub width: u8,
    /// Load or store.
    pub kind: Kind,
}

/// `value`'s low `width` bytes, sign-extended to 64 bits.
fn sign_extend(value: u64, width: u8) -> u64 {
    let shift = 64 - 8 * u32::from(width.clamp(1, 8));
    (((value << shift) as i64) >> shift) as u64
}

impl Load {
    /// What the destination holds after a `width`-byte access loaded
    /// `loaded`, when it held `old` (SDM Vol. 1 3.4.1.1): an 8-bit result
    /// replaces bits 7:0 (15:8 for AH-BH), a 16-bit one bits 15:0, a
    /// 32-bit one the whole register, zero-extended; a 64-bit one all.
    pub fn result(&self, width: u8, old: u64, loaded: u64) -> u64 {
        let value = match self.extend {
            Extend::Sign => sign_extend(loaded, width),
            Extend::None | Extend::Zero => loaded & MmioAccess::mask(width),
        };
        match self.dest_width {
            1 if self.reg.high_byte => (old & !0xff00) | ((value & 0xff) << 8),
            1 | 2 => {
                (old & !MmioAccess::mask(self.dest_width))
                    | (value & MmioAccess::mask(self.dest_width))
            }
            4 => value & 0xffff_ffff,
            _ => value,
        }
    }
}

/// The register ModRM.reg (with REX.R) names for a `width`-byte operand.
fn reg_operand(modrm: u8, rex: Option<u8>, width: u8) -> Register {
    let index = ((modrm >> 3) & 7) | if rex.unwrap_or(0) & REX_R != 0 { 8 } else { 0 };
    let high_byte = width == 1 && rex.is_none() && (4..8).contains(&index);
    Register {
        index: if high_byte { index - 4 } else { index },
        high_byte,
    }
}

/// The value of `reg`, cut to `width` bytes.
fn read(regs: &[u64; 16], reg: Register, width: u8) -> u64 {
    let v = regs[usize::from(reg.index & 15)];
    (if reg.high_byte { v >> 8 } else { v }) & MmioAccess::mask(width)
}

/// Decodes the instruction at the start of `bytes` (bytes past the 15th
/// are ignored). `regs` are the guest's general-purpose registers, RAX =
/// 0 .. R15 = 15, for a store's value.
pub fn decode(bytes: &[u8], mode: Mode, regs: &[u64; 16]) -> Result<Decoded, Unsupported> {
    let mut c = Cursor::new(bytes);
    let (p, opcode) = c.prefixes(mode)?;
    let (operand_size, address_size, rex) = (p.operand_size(), p.address_size(mode), p.rex);
    let load = |reg, extend, dest_width| {
        Kind::Load(Load {
            reg,
            extend,
            dest_width,
        })
    };
    let (width, kind) = match opcode {
        MOV_RM8_R8 | MOV_RM_R | MOV_R8_RM8 | MOV_R_RM => {
            let width = if opcode & 1 == 0 { 1 } else { operand_size };
            let reg = reg_operand(c.modrm(address_size)?, rex, width);
            if opcode & 2 == 0 {
                let value = read(regs, reg, width);
                (width, Kind::Store { value })
            } else {
                (width, load(reg, Extend::None, width))
            }
        }
        MOV_AL_MOFFS8..=MOV_MOFFS_AX => {
            c.field(address_size)?;
            let width = if opcode & 1 == 0 { 1 } else { operand_size };
            if opcode & 2 == 0 {
                (width, load(RAX, Extend::None, width))
            } else {
                let value = read(regs, RAX, width);
                (width, Kind::Store { value })
            }
        }
        MOV_RM8_IMM8 | MOV_RM_IMM => {
            let modrm = c.next()?;
            if (modrm >> 3) & 7 != 0 {
                return Err(Unsupported::Extension(modrm));
            }
            c.memory_operand(modrm, address_size)?;
            let width = if opcode == MOV_RM8_IMM8 {
                1
            } else {
                operand_size
            };
            let imm = c.field(width.min(4))?;
            let value = sign_extend(imm, width.min(4)) & MmioAccess::mask(width);
            (width, Kind::Store { value })
        }
        ESCAPE_0F => match c.next()? {
            op @ (MOVZX_R_RM8 | MOVZX_R_RM16 | MOVSX_R_RM8 | MOVSX_R_RM16) => {
                let width = if op & 1 == 0 { 1 } else { 2 };
                let extend = if op & 8 == 0 {
                    Extend::Zero
                } else {
                    Extend::Sign
                };
                let reg = reg_operand(c.modrm(address_size)?, rex, operand_size);
                (width, load(reg, extend, operand_size))
            }
            op => return Err(Unsupported::Opcode0F(op)),
        },
        op => return Err(Unsupported::Opcode(op)),
    };
    Ok(Decoded {
        len: c.pos,
        width,
        kind,
    })
}

#[cfg(test)]
mod tests;
