//! The bytes of an instruction read in order: its prefixes (Intel SDM
//! Vol. 2A 2.1.1, "Instruction Prefixes"; 2.2.1, "REX Prefixes": a REX
//! counts only right before the opcode) and the length of a ModRM memory
//! operand (2.1.5, "Addressing-Mode Encoding of ModR/M and SIB Bytes"):
//! Table 2-1 for 16-bit addresses (no SIB, a bare disp16 at mod 00 rm
//! 110), Tables 2-2 and 2-3 for 32- and 64-bit ones (a SIB byte at rm 100,
//! a bare disp32 at mod 00 rm 101, RIP-relative in 64-bit mode by
//! 2.2.1.6, and at mod 00 SIB base 101). REX.B does not change which form
//! a ModRM has (Table 2-5), so it is not needed here.

use super::types::{MAX_LEN, Mode, Unsupported};

const PREFIX_OPERAND_SIZE: u8 = 0x66;
const PREFIX_ADDRESS_SIZE: u8 = 0x67;
const PREFIX_LOCK: u8 = 0xf0;
const PREFIX_REPNE: u8 = 0xf2;
const PREFIX_REP: u8 = 0xf3;
/// CS, SS, DS, ES, FS, GS overrides.
const PREFIX_SEGMENTS: [u8; 6] = [0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65];
const REX_FIRST: u8 = 0x40;
const REX_LAST: u8 = 0x4f;
const REX_W: u8 = 1 << 3;
pub(super) const REX_R: u8 = 1 << 2;

/// ModRM.mod of a register operand.
const MOD_REGISTER: u8 = 0b11;
/// ModRM.rm that brings a SIB byte (32/64-bit addressing).
const RM_SIB: u8 = 0b100;
/// ModRM.rm (mod 00) and SIB.base (mod 00) that mean a bare disp32.
const RM_DISP32: u8 = 0b101;
/// ModRM.rm (mod 00) that means a bare disp16 (16-bit addressing).
const RM_DISP16: u8 = 0b110;

/// The prefixes before an opcode.
pub(super) struct Prefixes {
    /// `66`: a 16-bit operand (unless REX.W).
    operand_16: bool,
    /// `67`: the other address size.
    address_override: bool,
    /// The REX prefix right before the opcode, if any.
    pub rex: Option<u8>,
}

impl Prefixes {
    /// Bytes of an operand that is not a byte: REX.W 8 (over `66`), `66`
    /// 2, else 4 (Vol. 1 3.6.1, Table 3-4).
    pub fn operand_size(&self) -> u8 {
        match (self.rex.unwrap_or(0) & REX_W != 0, self.operand_16) {
            (true, _) => 8,
            (false, true) => 2,
            (false, false) => 4,
        }
    }

    /// Bytes of an address (and of a moffs).
    pub fn address_size(&self, mode: Mode) -> u8 {
        match (mode, self.address_override) {
            (Mode::Long, false) => 8,
            (Mode::Long, true) | (Mode::Protected32, false) => 4,
            (Mode::Protected32, true) => 2,
        }
    }
}

/// An instruction's bytes, read in order.
pub(super) struct Cursor<'a> {
    bytes: &'a [u8],
    /// Bytes read so far: the length once the instruction is read.
    pub pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the first byte of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes, pos: 0 }
    }

    /// The next byte.
    pub fn next(&mut self) -> Result<u8, Unsupported> {
        if self.pos >= MAX_LEN {
            return Err(Unsupported::TooLong);
        }
        let b = *self.bytes.get(self.pos).ok_or(Unsupported::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    /// The prefixes (2.1.1, 2.2.1) and the opcode's first byte.
    pub fn prefixes(&mut self, mode: Mode) -> Result<(Prefixes, u8), Unsupported> {
        let mut p = Prefixes {
            operand_16: false,
            address_override: false,
            rex: None,
        };
        loop {
            match self.next()? {
                PREFIX_LOCK => return Err(Unsupported::Lock),
                PREFIX_REP | PREFIX_REPNE => return Err(Unsupported::Repeat),
                PREFIX_OPERAND_SIZE => p.operand_16 = true,
                PREFIX_ADDRESS_SIZE => p.address_override = true,
                b if PREFIX_SEGMENTS.contains(&b) => {}
                b @ REX_FIRST..=REX_LAST if mode == Mode::Long => {
                    p.rex = Some(b);
                    continue;
                }
                b => return Ok((p, b)),
            }
            // A REX followed by another prefix is ignored (2.2.1).
            p.rex = None;
        }
    }

    /// An `n`-byte little-endian field.
    pub fn field(&mut self, n: u8) -> Result<u64, Unsupported> {
        let mut v = 0;
        for i in 0..n {
            v |= u64::from(self.next()?) << (8 * i);
        }
        Ok(v)
    }

    /// ModRM and what its memory operand brings (SIB, displacement), for
    /// `address_size` bytes of address: the ModRM byte.
    pub fn modrm(&mut self, address_size: u8) -> Result<u8, Unsupported> {
        let modrm = self.next()?;
        self.memory_operand(modrm, address_size)?;
        Ok(modrm)
    }

    /// What the memory operand of `modrm` brings after it.
    pub fn memory_operand(&mut self, modrm: u8, address_size: u8) -> Result<(), Unsupported> {
        let (md, rm) = (modrm >> 6, modrm & 7);
        let disp = match md {
            MOD_REGISTER => return Err(Unsupported::RegisterOperand),
            // Table 2-1: no SIB; disp16 alone, disp8, disp16.
            _ if address_size == 2 => [u8::from(rm == RM_DISP16) * 2, 1, 2][usize::from(md)],
            // Tables 2-2 and 2-3: a SIB base of 101 with mod 00 is disp32.
            0 if rm == RM_SIB => u8::from(self.next()? & 7 == RM_DISP32) * 4,
            0 => u8::from(rm == RM_DISP32) * 4,
            _ => {
                if rm == RM_SIB {
                    self.next()?;
                }
                if md == 1 { 1 } else { 4 }
            }
        };
        self.field(disp).map(|_| ())
    }
}
