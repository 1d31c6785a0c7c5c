//! Guest core dumps (`dump DIR`): an ELF64 core file of the guest as
//! `gdb` and `crash` read a hypervisor's dump of a machine (QEMU's
//! `dump-guest-memory` writes the same shape). `ET_CORE`, then one
//! `PT_NOTE` with an `NT_PRSTATUS` per vCPU (the Linux `elf_prstatus` of
//! the machine, its registers in `user_pt_regs` order on AArch64,
//! `user_regs_struct` order on x86-64: [`regs`]), then one `PT_LOAD` per
//! guest RAM region with `p_paddr = p_vaddr` = its guest-physical address.
//!
//! Only the headers are built here ([`CoreLayout`]): the RAM itself is
//! copied by the caller straight from the guest to the file at the
//! offsets the layout gives, page-aligned, so a dump never needs the
//! guest's RAM twice in memory.

pub mod regs;
#[cfg(test)]
mod tests;

use alloc::vec::Vec;

/// The machine a core describes: its `e_machine` and its registers'
/// layout in `NT_PRSTATUS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Machine {
    /// `EM_AARCH64`: 34 registers (x0-x30, sp, pc, pstate).
    Aarch64,
    /// `EM_X86_64`: 27 registers (`user_regs_struct`).
    X86_64,
}

impl Machine {
    /// `e_machine`.
    pub const fn elf_machine(self) -> u16 {
        match self {
            Machine::Aarch64 => elf::abi::EM_AARCH64,
            Machine::X86_64 => elf::abi::EM_X86_64,
        }
    }

    /// How many 64-bit words `pr_reg` has.
    pub const fn reg_words(self) -> usize {
        match self {
            Machine::Aarch64 => 34,
            Machine::X86_64 => 27,
        }
    }

    /// `sizeof(struct elf_prstatus)` on Linux for this machine: 112 bytes
    /// before `pr_reg`, the registers, `pr_fpvalid`, padding to 8.
    pub const fn prstatus_size(self) -> usize {
        (PR_REG + self.reg_words() * 8 + 4).next_multiple_of(8)
    }
}

/// Offset of `pr_pid` in `elf_prstatus` (after `pr_info`, `pr_cursig`
/// and its padding, `pr_sigpend`, `pr_sighold`).
const PR_PID: usize = 32;
/// Offset of `pr_reg` (after the pids and the four `timeval`s).
const PR_REG: usize = 112;
/// Size of the ELF header and of a program header (ELF64).
const EHDR_SIZE: usize = 64;
const PHDR_SIZE: usize = 56;
/// The RAM of each `PT_LOAD` starts at a multiple of this in the file.
pub const DATA_ALIGN: u64 = 4096;
/// The name of a Linux core note, NUL included.
const CORE_NAME: &[u8] = b"CORE\0";

/// One vCPU's `NT_PRSTATUS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CpuState {
    /// `pr_pid`: the vCPU's number plus one (`gdb` shows each as a thread
    /// of that id; 0 would be no thread).
    pub pid: u32,
    /// `pr_reg`, in the machine's order ([`Machine::reg_words`] words;
    /// fewer are padded with zeros, more cut).
    pub regs: Vec<u64>,
}

/// One guest RAM region: guest-physical address and length in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RamRegion {
    pub gpa: u64,
    pub len: u64,
}

/// Where everything goes in a core file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreLayout {
    /// The ELF header, program headers and notes: the first bytes of the
    /// file, padded with zeros to the first region's offset.
    pub headers: Vec<u8>,
    /// The file offset of each region's bytes, in the order given.
    pub offsets: Vec<u64>,
    /// The whole file's length.
    pub total: u64,
}

/// Lays out the core of a `machine` guest with `cpus` and `regions`.
pub fn layout(machine: Machine, cpus: &[CpuState], regions: &[RamRegion]) -> CoreLayout {
    let phnum = 1 + regions.len();
    let notes_at = EHDR_SIZE + phnum * PHDR_SIZE;
    let notes = notes(machine, cpus);
    let mut at = ((notes_at + notes.len()) as u64).next_multiple_of(DATA_ALIGN);
    let mut offsets = Vec::with_capacity(regions.len());
    for r in regions {
        offsets.push(at);
        at = at.saturating_add(r.len).next_multiple_of(DATA_ALIGN);
    }
    let total = match (offsets.last(), regions.last()) {
        (Some(&o), Some(r)) => o.saturating_add(r.len),
        _ => (notes_at + notes.len()) as u64,
    };
    let mut h = Vec::with_capacity(notes_at + notes.len());
    elf_header(&mut h, machine, phnum);
    phdr(
        &mut h,
        elf::abi::PT_NOTE,
        0,
        notes_at as u64,
        0,
        notes.len() as u64,
        4,
    );
    for (r, &o) in regions.iter().zip(&offsets) {
        let rwx = elf::abi::PF_R | elf::abi::PF_W | elf::abi::PF_X;
        phdr(&mut h, elf::abi::PT_LOAD, rwx, o, r.gpa, r.len, DATA_ALIGN);
    }
    h.extend_from_slice(&notes);
    let first = offsets.first().map_or(h.len(), |&o| o as usize);
    h.resize(first, 0);
    CoreLayout {
        headers: h,
        offsets,
        total,
    }
}

/// The ELF header of a core with `phnum` program headers after it.
fn elf_header(h: &mut Vec<u8>, machine: Machine, phnum: usize) {
    h.extend_from_slice(&elf::abi::ELFMAGIC);
    h.extend_from_slice(&[
        elf::abi::ELFCLASS64,
        elf::abi::ELFDATA2LSB,
        elf::abi::EV_CURRENT,
        elf::abi::ELFOSABI_SYSV,
    ]);
    h.resize(16, 0);
    put16(h, elf::abi::ET_CORE);
    put16(h, machine.elf_machine());
    put32(h, elf::abi::EV_CURRENT as u32);
    put64(h, 0); // e_entry
    put64(h, EHDR_SIZE as u64); // e_phoff
    put64(h, 0); // e_shoff
    put32(h, 0); // e_flags
    put16(h, EHDR_SIZE as u16);
    put16(h, PHDR_SIZE as u16);
    // More than 0xffff headers would need PN_XNUM; a VM has a few regions.
    put16(h, phnum.min(0xffff) as u16);
    put16(h, 0); // e_shentsize
    put16(h, 0); // e_shnum
    put16(h, 0); // e_shstrndx
}

/// One program header.
fn phdr(h: &mut Vec<u8>, kind: u32, flags: u32, offset: u64, gpa: u64, len: u64, align: u64) {
    put32(h, kind);
    put32(h, flags);
    put64(h, offset);
    put64(h, gpa); // p_vaddr
    put64(h, gpa); // p_paddr
    put64(h, len); // p_filesz
    put64(h, len); // p_memsz
    put64(h, align);
}

/// The `NT_PRSTATUS` notes, one per vCPU.
fn notes(machine: Machine, cpus: &[CpuState]) -> Vec<u8> {
    let mut n = Vec::new();
    for cpu in cpus {
        let mut desc = alloc::vec![0u8; machine.prstatus_size()];
        desc[PR_PID..PR_PID + 4].copy_from_slice(&cpu.pid.to_le_bytes());
        for (i, word) in cpu.regs.iter().take(machine.reg_words()).enumerate() {
            let at = PR_REG + i * 8;
            desc[at..at + 8].copy_from_slice(&word.to_le_bytes());
        }
        put32(&mut n, CORE_NAME.len() as u32);
        put32(&mut n, desc.len() as u32);
        put32(&mut n, elf::abi::NT_PRSTATUS as u32);
        n.extend_from_slice(CORE_NAME);
        n.resize(n.len().next_multiple_of(4), 0);
        n.extend_from_slice(&desc);
        n.resize(n.len().next_multiple_of(4), 0);
    }
    n
}

fn put16(h: &mut Vec<u8>, v: u16) {
    h.extend_from_slice(&v.to_le_bytes());
}

fn put32(h: &mut Vec<u8>, v: u32) {
    h.extend_from_slice(&v.to_le_bytes());
}

fn put64(h: &mut Vec<u8>, v: u64) {
    h.extend_from_slice(&v.to_le_bytes());
}
