//! The bytes of a core's ELF header, program headers and `NT_PRSTATUS`
//! notes, in the class of the machine: ELF64 (AArch64, x86-64: 64-byte
//! file header, 56-byte program headers, 64-bit registers) or ELF32 (32-bit
//! ARM: 52 and 32 bytes, the program header's flags after its sizes, 32-bit
//! registers). Little-endian throughout.

use alloc::vec::Vec;
use elf::abi;

use super::machine::{CpuState, Machine};

/// The name of a Linux core note, NUL included.
const CORE_NAME: &[u8] = b"CORE\0";

/// Bytes of the ELF header and of a program header of `machine`'s class.
pub const fn header_sizes(machine: Machine) -> (usize, usize) {
    if machine.is_elf32() {
        (52, 32)
    } else {
        (64, 56)
    }
}

/// A word of the class: 4 or 8 bytes.
fn put_word(h: &mut Vec<u8>, machine: Machine, v: u64) {
    if machine.is_elf32() {
        put32(h, v as u32);
    } else {
        h.extend_from_slice(&v.to_le_bytes());
    }
}

/// The ELF header of a core with `phnum` program headers after it.
pub fn elf_header(h: &mut Vec<u8>, machine: Machine, phnum: usize) {
    let (ehdr, phdr) = header_sizes(machine);
    let class = if machine.is_elf32() {
        abi::ELFCLASS32
    } else {
        abi::ELFCLASS64
    };
    h.extend_from_slice(&abi::ELFMAGIC);
    h.extend_from_slice(&[class, abi::ELFDATA2LSB, abi::EV_CURRENT, abi::ELFOSABI_SYSV]);
    h.resize(16, 0);
    put16(h, abi::ET_CORE);
    put16(h, machine.elf_machine());
    put32(h, abi::EV_CURRENT as u32);
    put_word(h, machine, 0); // e_entry
    put_word(h, machine, ehdr as u64); // e_phoff
    put_word(h, machine, 0); // e_shoff
    put32(h, 0); // e_flags
    put16(h, ehdr as u16);
    put16(h, phdr as u16);
    // More than 0xffff headers would need PN_XNUM; a VM has a few regions.
    put16(h, phnum.min(0xffff) as u16);
    put16(h, 0); // e_shentsize
    put16(h, 0); // e_shnum
    put16(h, 0); // e_shstrndx
}

/// One program header: `len` bytes at file `offset`, guest-physical (and
/// virtual) address `gpa`.
pub struct Segment {
    pub kind: u32,
    pub flags: u32,
    pub offset: u64,
    pub gpa: u64,
    pub len: u64,
    pub align: u64,
}

/// Writes `s` in `machine`'s class (ELF32 puts `p_flags` after the sizes).
pub fn phdr(h: &mut Vec<u8>, machine: Machine, s: &Segment) {
    put32(h, s.kind);
    if !machine.is_elf32() {
        put32(h, s.flags);
    }
    put_word(h, machine, s.offset);
    put_word(h, machine, s.gpa); // p_vaddr
    put_word(h, machine, s.gpa); // p_paddr
    put_word(h, machine, s.len); // p_filesz
    put_word(h, machine, s.len); // p_memsz
    if machine.is_elf32() {
        put32(h, s.flags);
    }
    put_word(h, machine, s.align);
}

/// The `NT_PRSTATUS` notes, one per vCPU: `pr_pid` and `pr_reg` (words of
/// the class) in Linux's `elf_prstatus` of `machine`.
pub fn notes(machine: Machine, cpus: &[CpuState]) -> Vec<u8> {
    let word = if machine.is_elf32() { 4 } else { 8 };
    let (pid_at, reg_at) = machine.prstatus_offsets();
    let mut n = Vec::new();
    for cpu in cpus {
        let mut desc = alloc::vec![0u8; machine.prstatus_size()];
        desc[pid_at..pid_at + 4].copy_from_slice(&cpu.pid.to_le_bytes());
        let mut regs = Vec::with_capacity(machine.reg_words() * word);
        for &w in cpu.regs.iter().take(machine.reg_words()) {
            put_word(&mut regs, machine, w);
        }
        desc[reg_at..reg_at + regs.len()].copy_from_slice(&regs);
        put32(&mut n, CORE_NAME.len() as u32);
        put32(&mut n, desc.len() as u32);
        put32(&mut n, abi::NT_PRSTATUS as u32);
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
