//! x86 guest images: multiboot kernels (v1 and v2, `crate::multiboot`),
//! placed by their header's address fields or as ELF (ELF32 i386, as most
//! multiboot kernels are, or ELF64); ELF64 images without a multiboot
//! header, which start in long mode (`firmware/pc.rs` in the binary); the
//! Linux bzImage (`linux/`), placed by its setup header; the ELF images an
//! x86 guest runs.

use alloc::string::String;
use alloc::vec;
use elf::abi::{EM_386, EM_X86_64};
use elf::file::Class;

use crate::loader::{ElfKind, Format, Placed, Ram};
use crate::multiboot;

use super::linux;

/// The `e_machine` of an ELF64 image this guest runs.
pub const ELF_MACHINE: u16 = EM_X86_64;
/// The machine's name in messages.
pub const MACHINE: &str = "x86-64";
/// The ELF images the loader takes: ELF64 for x86-64, and ELF32 for i386,
/// the container of most multiboot kernels (their entry is 32-bit code;
/// GRUB loads their segments at `p_paddr`, as `qvm` does).
pub const ELF_KINDS: &[ElfKind] = &[
    ElfKind {
        class: Class::ELF64,
        machine: ELF_MACHINE,
        name: MACHINE,
    },
    ElfKind {
        class: Class::ELF32,
        machine: EM_386,
        name: "i386",
    },
];

/// [`Format::KernelImage`] if `data` is a kernel placed by its own
/// header: a Linux bzImage, or a multiboot kernel placed by its header's
/// address fields (the "a.out kludge"; its header says where its bytes
/// go, ELF or not). Multiboot ELF images without them load as ELF (ELF32
/// or ELF64).
pub fn kernel_image(data: &[u8]) -> Option<Format> {
    let placed_by_header = linux::is_bzimage(data)
        || matches!(multiboot::find_header(data), Ok(Some(h)) if h.uses_kludge());
    placed_by_header.then_some(Format::KernelImage)
}

/// Refuses what looks like a kernel the loader cannot start: a multiboot
/// image whose header is malformed (rather than loading it as raw bytes).
pub fn check_compressed(data: &[u8]) -> Result<(), String> {
    match multiboot::find_header(data) {
        Err(e) => Err(alloc::format!("a multiboot kernel qvm cannot start: {e}")),
        Ok(_) => Ok(()),
    }
}

/// Places a kernel by its header ([`kernel_image`]): a bzImage where
/// its setup header allows (`at`, a `load` address, may move a
/// relocatable one); a multiboot kernel by its address fields, which `at`
/// cannot change.
pub fn place_kernel_image(
    head: &[u8],
    file_len: usize,
    ram: Ram,
    at: Option<u64>,
) -> Result<Placed, String> {
    if linux::is_bzimage(head) {
        return linux::place(head, file_len, ram, at);
    }
    let header =
        multiboot::find_header(head)?.ok_or_else(|| String::from("not a multiboot kernel"))?;
    let layout = multiboot::kludge_layout(&header, file_len)?;
    if let Some(gpa) = at.filter(|&gpa| gpa != layout.load_addr) {
        return Err(alloc::format!(
            "a multiboot kernel goes where its header says ({:#x}), not at {gpa:#x}",
            layout.load_addr
        ));
    }
    let piece = layout.piece();
    if !ram.fits(piece.gpa, piece.mem_len) {
        return Err(alloc::format!(
            "the multiboot kernel ({:#x}-{:#x}) does not fit in RAM",
            piece.gpa,
            layout.bss_end
        ));
    }
    Ok(Placed {
        format: Format::KernelImage,
        pieces: vec![piece],
        entry: layout.entry,
        span: (layout.load_addr, layout.bss_end.max(layout.load_end())),
    })
}
