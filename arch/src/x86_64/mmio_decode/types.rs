//! The decoder's vocabulary shared with the byte reader ([`super::bytes`]):
//! the longest instruction, the code-segment modes and why an instruction
//! is refused.

/// The longest instruction (SDM Vol. 2A 2.3.11).
pub const MAX_LEN: usize = 15;

/// How the guest's code segment decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// 64-bit mode (EFER.LMA = 1, CS.L = 1): REX prefixes, 64-bit addresses.
    Long,
    /// 32-bit code (CS.D = 1, CS.L = 0): no REX (40-4F are INC/DEC).
    Protected32,
}

/// Why an instruction was not decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsupported {
    /// The bytes end before the instruction does: fetch more.
    Truncated,
    /// Prefixes take it past 15 bytes (the CPU raises #GP).
    TooLong,
    /// A LOCK prefix (a locked move to MMIO is not emulated).
    Lock,
    /// A REP or REPNE prefix (string moves are not emulated).
    Repeat,
    /// A one-byte opcode that is not one of the moves.
    Opcode(u8),
    /// A `0F xx` opcode that is not MOVZX or MOVSX.
    Opcode0F(u8),
    /// `C6`/`C7` with a ModRM.reg other than /0 (XABORT, XBEGIN, invalid).
    Extension(u8),
    /// ModRM.mod = 11: a register operand, which cannot touch memory.
    RegisterOperand,
}

impl Unsupported {
    /// A sentence for logs.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Truncated => "fewer bytes than the instruction needs",
            Self::TooLong => "longer than 15 bytes",
            Self::Lock => "LOCK prefix",
            Self::Repeat => "REP/REPNE prefix",
            Self::Opcode(_) => "not a MOV opcode",
            Self::Opcode0F(_) => "not MOVZX or MOVSX",
            Self::Extension(_) => "C6/C7 with a ModRM.reg other than 0",
            Self::RegisterOperand => "ModRM names a register, not memory",
        }
    }
}
