//! What a core describes of the machine: its kind (`e_machine`, ELF class,
//! the register layout of `NT_PRSTATUS`), each vCPU's registers and the
//! guest RAM regions; used by the headers (`headers.rs`) and the layout
//! (`mod.rs`).

use alloc::vec::Vec;

/// The machine a core describes: its `e_machine`, ELF class and its
/// registers' layout in `NT_PRSTATUS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Machine {
    /// `EM_AARCH64`: 34 registers (x0-x30, sp, pc, pstate).
    Aarch64,
    /// `EM_X86_64`: 27 registers (`user_regs_struct`).
    X86_64,
    /// `EM_ARM`, ELF32 (an AArch32 VM): 18 32-bit registers (r0-r15,
    /// cpsr, orig_r0).
    Arm,
}

impl Machine {
    /// `e_machine`.
    pub const fn elf_machine(self) -> u16 {
        match self {
            Machine::Aarch64 => elf::abi::EM_AARCH64,
            Machine::X86_64 => elf::abi::EM_X86_64,
            Machine::Arm => elf::abi::EM_ARM,
        }
    }

    /// Whether its cores are ELF32.
    pub const fn is_elf32(self) -> bool {
        matches!(self, Machine::Arm)
    }

    /// How many words (of the class: 8 or 4 bytes) `pr_reg` has.
    pub const fn reg_words(self) -> usize {
        match self {
            Machine::Aarch64 => 34,
            Machine::X86_64 => 27,
            Machine::Arm => 18,
        }
    }

    /// Offsets of `pr_pid` and `pr_reg` in `elf_prstatus`: after
    /// `pr_info` (12 bytes), `pr_cursig` and its padding, `pr_sigpend`
    /// and `pr_sighold` (`unsigned long`: 8 or 4 bytes); then the four
    /// pids and four `timeval`s (16 or 8 bytes).
    pub const fn prstatus_offsets(self) -> (usize, usize) {
        if self.is_elf32() { (24, 72) } else { (32, 112) }
    }

    /// `sizeof(struct elf_prstatus)` on Linux for this machine: the
    /// registers after [`Machine::prstatus_offsets`], `pr_fpvalid`,
    /// padding to the word (392 on AArch64, 336 on x86-64, 148 on ARM).
    pub const fn prstatus_size(self) -> usize {
        let (_, reg) = self.prstatus_offsets();
        let word = if self.is_elf32() { 4 } else { 8 };
        (reg + self.reg_words() * word + 4).next_multiple_of(word)
    }

    /// The part of `regions` its core can hold: all of them, or for an
    /// ELF32 core what lies below 4 GiB.
    pub fn regions(self, regions: &[RamRegion]) -> Vec<RamRegion> {
        if !self.is_elf32() {
            return regions.to_vec();
        }
        regions
            .iter()
            .filter(|r| r.gpa < ELF32_LIMIT)
            .map(|r| RamRegion {
                gpa: r.gpa,
                len: r.len.min(ELF32_LIMIT - r.gpa),
            })
            .collect()
    }
}

/// One vCPU's `NT_PRSTATUS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CpuState {
    /// `pr_pid`: the vCPU's number plus one (`gdb` shows each as a thread
    /// of that id; 0 would be no thread).
    pub pid: u32,
    /// `pr_reg`, in the machine's order ([`Machine::reg_words`] words;
    /// fewer are padded with zeros, more cut; cut to 32 bits in ELF32).
    pub regs: Vec<u64>,
}

/// One guest RAM region: guest-physical address and length in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RamRegion {
    pub gpa: u64,
    pub len: u64,
}

/// ELF32 addresses and offsets end here.
pub const ELF32_LIMIT: u64 = 1 << 32;
