//! What the loaders hand back: an image's format, the pieces to copy into
//! guest memory and where it starts; the RAM it must fit in; and the ELF
//! images a guest architecture runs ([`ElfKind`]).

use alloc::vec::Vec;
use elf::file::Class;

/// What kind of image a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The guest architecture's kernel image (`crate::arch`; on AArch64
    /// Linux's arm64 `Image`).
    KernelImage,
    /// An ELF64 executable.
    Elf,
    /// An ELF32 executable (on x86 an i386 image: a multiboot kernel; on
    /// AArch64 a 32-bit ARM image, run at AArch32 EL1).
    Elf32,
    /// Linux's 32-bit ARM `zImage` (`crate::arch::aarch64::zimage`), run
    /// at AArch32 EL1.
    ZImage,
    /// Raw bytes.
    Raw,
}

/// One piece of the image to copy into guest memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Guest-physical address.
    pub gpa: u64,
    /// Offset in the file.
    pub offset: usize,
    /// Bytes from the file.
    pub file_len: usize,
    /// Bytes in memory (the rest is zero).
    pub mem_len: u64,
}

/// Where an image goes and where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    /// Its format.
    pub format: Format,
    /// The pieces to copy.
    pub pieces: Vec<Piece>,
    /// The first instruction.
    pub entry: u64,
    /// Lowest and highest guest-physical address it covers.
    pub span: (u64, u64),
}

/// Guest RAM the image must fit in.
#[derive(Clone, Copy, Debug)]
pub struct Ram {
    /// First byte.
    pub base: u64,
    /// Bytes.
    pub size: u64,
}

impl Ram {
    /// Whether `len` bytes at `start` lie inside this RAM.
    pub fn fits(self, start: u64, len: u64) -> bool {
        start >= self.base
            && start
                .checked_add(len)
                .is_some_and(|end| end <= self.base + self.size)
    }
}

/// An ELF image a guest architecture runs: its class and `e_machine`
/// (`crate::arch`'s `ELF_KINDS` lists them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ElfKind {
    /// ELF32 or ELF64.
    pub class: Class,
    /// `e_machine`.
    pub machine: u16,
    /// The machine's name in messages.
    pub name: &'static str,
}
