//! Guest image loaders: where the bytes of a `load`ed image go in guest
//! memory and where the guest starts. Formats: the guest architecture's
//! kernel images (`crate::arch`; on AArch64 Linux's arm64 `Image`,
//! Documentation/arch/arm64/booting.rst, and 32-bit ARM `zImage`,
//! Documentation/arch/arm/booting.rst; on x86 the Linux bzImage,
//! Documentation/arch/x86/boot.rst, and multiboot kernels placed by their
//! header's address fields), ELF (the classes and machines of the guest's
//! `ELF_KINDS`: ELF64 AArch64 and ELF32 ARM on AArch64, ELF64 x86-64 and
//! ELF32 i386 on x86; PT_LOAD at their physical addresses, `elf.rs`), and
//! raw binaries (entry at the first byte). Images the loader cannot start
//! (on AArch64 gzip-compressed and EFI zboot kernels, big-endian zImages;
//! on x86 32-bit bzImages and malformed multiboot headers) are refused
//! with a message that says what was found.
//!
//! A loader needs only the start of the file ([`head_len`] bytes of it) and
//! its length: `qvm` reads that much, places the image, then copies each
//! piece straight from the file into guest RAM, so the image never sits
//! whole in `qvm`'s heap.

mod elf;
mod fdt_place;
mod placed;

use alloc::string::String;

use crate::arch::guest;

pub use elf::place_elf;
pub use fdt_place::fdt_overlap;
pub use placed::{ElfKind, Format, Piece, Placed, Ram};

/// Recognizes the format, or says why the image cannot be started.
pub fn detect(data: &[u8]) -> Result<Format, String> {
    if let Some(format) = guest::kernel_image(data) {
        return Ok(format);
    }
    if data.starts_with(b"\x7fELF") {
        return elf::detect(data, guest::ELF_KINDS);
    }
    guest::check_compressed(data)?;
    Ok(Format::Raw)
}

/// Bytes at the start of a file that are enough to recognize any format
/// and read the kernel image's header.
pub const HEAD_BYTES: usize = 4096;

/// How many bytes from the start of the file [`place_head`] needs, given
/// its first `start` bytes (at least [`HEAD_BYTES`] of them, or the whole
/// file if shorter): [`HEAD_BYTES`], or more for an ELF file whose program
/// headers end further in. Never more than the file has (the caller caps
/// it at the file's length).
pub fn head_len(start: &[u8]) -> usize {
    if start.starts_with(b"\x7fELF") {
        elf::head_len(start).max(HEAD_BYTES)
    } else {
        HEAD_BYTES
    }
}

/// Places the whole file `data` in `ram` (see [`place_head`]).
pub fn place(data: &[u8], ram: Ram, at: Option<u64>) -> Result<Placed, String> {
    place_head(data, data.len(), ram, at)
}

/// Places a file of `file_len` bytes, of which `head` is the start (at
/// least [`head_len`] bytes, or all of it), in `ram`; `at` is the address
/// the configuration gave, if any (for raw images, or to move an `Image`).
/// The pieces never reach past `file_len`.
pub fn place_head(
    head: &[u8],
    file_len: usize,
    ram: Ram,
    at: Option<u64>,
) -> Result<Placed, String> {
    if file_len == 0 || head.is_empty() {
        return Err("the image file is empty".into());
    }
    match detect(head)? {
        Format::KernelImage | Format::ZImage => guest::place_kernel_image(head, file_len, ram, at),
        Format::Elf | Format::Elf32 => place_elf(head, file_len, ram, guest::ELF_KINDS),
        Format::Raw => {
            let gpa = at.unwrap_or(ram.base);
            let len = file_len as u64;
            if !ram.fits(gpa, len) {
                return Err(alloc::format!(
                    "the raw image ({len} bytes at {gpa:#x}) does not fit in RAM"
                ));
            }
            Ok(Placed {
                format: Format::Raw,
                pieces: alloc::vec![Piece {
                    gpa,
                    offset: 0,
                    file_len,
                    mem_len: len
                }],
                entry: gpa,
                span: (gpa, gpa + len),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::elf::abi::PT_LOAD;
    use alloc::vec::Vec;

    const RAM: Ram = Ram {
        base: 0x8000_0000,
        size: 64 << 20,
    };

    #[test]
    #[cfg(not(feature = "guest-x86_64"))]
    fn refuses_compressed_kernels() {
        assert!(detect(&[0x1f, 0x8b, 8, 0]).unwrap_err().contains("gzip"));
        assert!(detect(b"MZ\0\0zimg....").unwrap_err().contains("zboot"));
        assert_eq!(detect(b"\x7fELF\x02").unwrap(), Format::Elf);
        assert_eq!(detect(b"\x7fELF\x01").unwrap(), Format::Elf32);
        assert_eq!(detect(b"raw bytes").unwrap(), Format::Raw);
    }

    #[test]
    fn a_class_no_kind_has_is_named() {
        // The guest's ELF64 kind alone: an ELF32 file is refused by class.
        let elf64_only = [guest::ELF_KINDS[0]];
        assert_eq!(
            elf::detect(b"\x7fELF\x01", &elf64_only).unwrap_err(),
            "a 32-bit ELF file: only ELF64 images can be loaded"
        );
    }

    fn elf(entry: u64, segs: &[(u64, u64, u64)]) -> Vec<u8> {
        let mut f = alloc::vec![0u8; 64 + 56 * segs.len()];
        f[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
        f[20..24].copy_from_slice(&1u32.to_le_bytes());
        f[18..20].copy_from_slice(&guest::ELF_MACHINE.to_le_bytes());
        f[24..32].copy_from_slice(&entry.to_le_bytes());
        f[32..40].copy_from_slice(&64u64.to_le_bytes());
        f[54..56].copy_from_slice(&56u16.to_le_bytes());
        f[56..58].copy_from_slice(&(segs.len() as u16).to_le_bytes());
        for (i, &(paddr, filesz, memsz)) in segs.iter().enumerate() {
            let p = 64 + 56 * i;
            f[p..p + 4].copy_from_slice(&PT_LOAD.to_le_bytes());
            f[p + 24..p + 32].copy_from_slice(&paddr.to_le_bytes());
            f[p + 32..p + 40].copy_from_slice(&filesz.to_le_bytes());
            f[p + 40..p + 48].copy_from_slice(&memsz.to_le_bytes());
        }
        f
    }

    #[test]
    fn elf_segments_must_be_in_ram() {
        let ok = place(&elf(0x8000_0000, &[(0x8000_0000, 0x40, 0x1000)]), RAM, None).unwrap();
        assert_eq!(ok.entry, 0x8000_0000);
        assert_eq!(ok.span, (0x8000_0000, 0x8000_1000));
        assert!(
            place(&elf(0x1000, &[(0x1000, 0, 0x10)]), RAM, None)
                .unwrap_err()
                .contains("not inside guest RAM")
        );
        assert!(
            place(
                &elf(0x8000_0000, &[(0x8000_0000, 0x10_0000, 0x10_0000)]),
                RAM,
                None
            )
            .unwrap_err()
            .contains("outside the file")
        );
        assert!(
            place(&elf(0x9000_0000, &[(0x8000_0000, 0, 0x10)]), RAM, None)
                .unwrap_err()
                .contains("entry point")
        );
    }

    #[test]
    fn a_virtual_entry_point_is_translated_as_grub_does() {
        // Linked at 0xffffffff80000000, loaded at 0x80000000 (p_paddr).
        let mut f = elf(0xffff_ffff_8000_0010, &[(0x8000_0000, 0x40, 0x1000)]);
        f[64 + 16..64 + 24].copy_from_slice(&0xffff_ffff_8000_0000u64.to_le_bytes());
        assert_eq!(place(&f, RAM, None).unwrap().entry, 0x8000_0010);
        // A physical entry point stays as it is.
        f[24..32].copy_from_slice(&0x8000_0020u64.to_le_bytes());
        assert_eq!(place(&f, RAM, None).unwrap().entry, 0x8000_0020);
        // Past the segment's virtual end and outside its physical range.
        f[24..32].copy_from_slice(&0xffff_ffff_8000_1000u64.to_le_bytes());
        assert!(
            place(&f, RAM, None)
                .unwrap_err()
                .contains("not in a loaded segment")
        );
    }

    #[test]
    fn the_head_of_the_file_is_enough() {
        // An ELF file with its program headers at 64 and, as linkers put
        // them, section headers (here garbage) at the end, past the head.
        let mut file = elf(0x8000_0000, &[(0x8000_0000, 0x40, 0x1000)]);
        file.resize(0x3000, 0xff);
        file[40..48].copy_from_slice(&0x2f00u64.to_le_bytes()); // e_shoff
        file[60..62].copy_from_slice(&2u16.to_le_bytes()); // e_shnum
        assert_eq!(head_len(&file), HEAD_BYTES);
        let whole = place(&file, RAM, None).unwrap();
        let head = place_head(&file[..0x100], file.len(), RAM, None).unwrap();
        assert_eq!(whole, head);
        // Program headers past HEAD_BYTES: the head must reach them.
        let mut far = alloc::vec![0u8; 0x2000 + 56];
        far[..0x2000].copy_from_slice(&file[..0x2000]);
        far[32..40].copy_from_slice(&0x2000u64.to_le_bytes()); // e_phoff
        far[0x2000..].copy_from_slice(&file[64..64 + 56]);
        assert_eq!(head_len(&far[..HEAD_BYTES]), 0x2000 + 56);
        assert_eq!(place(&far, RAM, None).unwrap().pieces, whole.pieces);
        assert!(
            place_head(&far[..HEAD_BYTES], far.len(), RAM, None)
                .unwrap_err()
                .contains("past the end")
        );
        // A raw image's length is the file's, not the head's.
        let raw = place_head(b"raw", 10_000, RAM, None).unwrap();
        assert_eq!(raw.pieces[0].file_len, 10_000);
        assert!(place_head(b"", 10, RAM, None).is_err());
        assert!(place_head(b"raw", 0, RAM, None).is_err());
    }

    #[test]
    fn raw_images() {
        let p = place(b"\x00\x00\x00\x14", RAM, Some(0x8100_0000)).unwrap();
        assert_eq!((p.format, p.entry), (Format::Raw, 0x8100_0000));
        assert!(place(b"abcd", RAM, Some(0x100)).is_err());
    }
}
