//! Linux's arm64 `Image` (Documentation/arch/arm64/booting.rst): its
//! header, where it may be loaded; the compressed arm64 kernels the loader
//! refuses with what to do instead; the kernel images and ELF images an
//! ARM guest runs: the arm64 `Image` and ELF64 AArch64 at AArch64 EL1, the
//! 32-bit ARM `zImage` (`zimage.rs`) and ELF32 ARM at AArch32 EL1.

use alloc::string::String;
use elf::abi::{EM_AARCH64, EM_ARM};
use elf::file::Class;

use super::zimage::{is_zimage, place_zimage};
use crate::loader::{ElfKind, Format, Piece, Placed, Ram};

/// The `e_machine` of an ELF image this guest runs.
pub const ELF_MACHINE: u16 = EM_AARCH64;
/// The machine's name in messages.
pub const MACHINE: &str = "AArch64";
/// The ELF images the loader takes: ELF64 AArch64, and ELF32 ARM
/// (`EM_ARM`), which makes the VM an AArch32 one (`boot.rs`).
pub const ELF_KINDS: &[ElfKind] = &[
    ElfKind {
        class: Class::ELF64,
        machine: ELF_MACHINE,
        name: MACHINE,
    },
    ElfKind {
        class: Class::ELF32,
        machine: EM_ARM,
        name: "32-bit ARM",
    },
];

/// Offset of the arm64 `Image` magic.
const IMAGE_MAGIC_OFFSET: usize = 0x38;
/// The arm64 `Image` magic, "ARM\x64".
const IMAGE_MAGIC: [u8; 4] = *b"ARM\x64";
/// `Image` flags bit 3: the kernel may be placed anywhere in RAM (else
/// within the first 2 MiB-aligned window at the start of RAM).
const IMAGE_FLAG_ANYWHERE: u64 = 1 << 3;
/// `Image` load alignment.
const IMAGE_ALIGN: u64 = 2 << 20;

/// The little-endian `u64` at `at` of the `Image` header, if the file has it.
fn le64(data: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(*data.get(at..)?.first_chunk()?))
}

/// The kernel image `data` starts, if it is one: an arm64 `Image` (its
/// magic at 0x38, [`Format::KernelImage`]) or a 32-bit ARM zImage (its
/// magic at 0x24, [`Format::ZImage`]).
pub fn kernel_image(data: &[u8]) -> Option<Format> {
    if data.get(IMAGE_MAGIC_OFFSET..IMAGE_MAGIC_OFFSET + 4) == Some(&IMAGE_MAGIC) {
        Some(Format::KernelImage)
    } else if is_zimage(data) {
        Some(Format::ZImage)
    } else {
        None
    }
}

/// Refuses the compressed arm64 kernels (gzip, EFI zboot), saying what to
/// load instead.
pub fn check_compressed(data: &[u8]) -> Result<(), String> {
    if data.starts_with(&[0x1f, 0x8b]) {
        return Err(
            "a gzip-compressed image: decompress it (gunzip) and load the raw arm64 Image".into(),
        );
    }
    if data.starts_with(b"MZ") && data.get(4..8) == Some(b"zimg") {
        return Err(
            "an EFI zboot image (compressed arm64 kernel): extract the Image inside it first"
                .into(),
        );
    }
    Ok(())
}

/// Places the kernel image of `file_len` bytes whose header `head`
/// starts in `ram`: a zImage as `zimage.rs` says; an `Image` at
/// `text_offset` into the first 2 MiB boundary of RAM, or into the 2 MiB
/// boundary `at` if its header allows other places.
pub fn place_kernel_image(
    head: &[u8],
    file_len: usize,
    ram: Ram,
    at: Option<u64>,
) -> Result<Placed, String> {
    if kernel_image(head) == Some(Format::ZImage) {
        return place_zimage(head, file_len, ram, at);
    }
    let text_offset = le64(head, 8).ok_or("truncated Image header")?;
    let image_size = le64(head, 16).ok_or("truncated Image header")?;
    let flags = le64(head, 24).ok_or("truncated Image header")?;
    // A zero image_size comes from kernels before 3.17: assume the file
    // plus room for .bss.
    let size = if image_size == 0 {
        file_len as u64 + (4 << 20)
    } else {
        image_size.max(file_len as u64)
    };
    let window = match at {
        Some(a) if a % IMAGE_ALIGN != 0 => {
            return Err(alloc::format!(
                "an arm64 Image must be loaded at a 2 MiB boundary, not {a:#x}"
            ));
        }
        Some(a)
            if flags & IMAGE_FLAG_ANYWHERE == 0 && a != ram.base.next_multiple_of(IMAGE_ALIGN) =>
        {
            return Err("this arm64 Image must sit at the start of RAM (its header does not allow other places)".into());
        }
        Some(a) => a,
        None => ram.base.next_multiple_of(IMAGE_ALIGN),
    };
    let gpa = window
        .checked_add(text_offset)
        .ok_or("the arm64 Image's text_offset puts it past the end of the address space")?;
    if !ram.fits(gpa, size) {
        return Err(alloc::format!(
            "the arm64 Image needs {size} bytes at {gpa:#x}: more than the RAM there"
        ));
    }
    Ok(Placed {
        format: Format::KernelImage,
        pieces: alloc::vec![Piece {
            gpa,
            offset: 0,
            file_len,
            mem_len: size
        }],
        entry: gpa,
        span: (gpa, gpa + size),
    })
}

#[cfg(test)]
mod tests {
    // Through the loader, which loads the chosen guest architecture's
    // images: skipped with feature `guest-x86_64`.
    use super::*;
    use crate::loader::place;
    use alloc::vec::Vec;

    const RAM: Ram = Ram {
        base: 0x8000_0000,
        size: 64 << 20,
    };

    fn image(text_offset: u64, size: u64, flags: u64) -> Vec<u8> {
        let mut d = alloc::vec![0u8; 0x1000];
        d[8..16].copy_from_slice(&text_offset.to_le_bytes());
        d[16..24].copy_from_slice(&size.to_le_bytes());
        d[24..32].copy_from_slice(&flags.to_le_bytes());
        d[0x38..0x3c].copy_from_slice(&IMAGE_MAGIC);
        d
    }

    #[test]
    #[cfg_attr(feature = "guest-x86_64", ignore = "the loader loads x86 images")]
    fn arm64_image_at_text_offset() {
        let p = place(&image(0x8_0000, 0x20_0000, 0xa), RAM, None).unwrap();
        assert_eq!(p.format, Format::KernelImage);
        assert_eq!(p.entry, 0x8008_0000);
        assert_eq!(p.pieces[0].mem_len, 0x20_0000);
        let moved = place(&image(0, 0x1000, 0xa), RAM, Some(0x8020_0000)).unwrap();
        assert_eq!(moved.entry, 0x8020_0000);
        assert!(
            place(&image(0, 0x1000, 0xa), RAM, Some(0x8010_0000))
                .unwrap_err()
                .contains("2 MiB")
        );
        assert!(
            place(&image(0, 0x1000, 0x2), RAM, Some(0x8020_0000))
                .unwrap_err()
                .contains("start of RAM")
        );
        assert!(
            place(&image(0, 1 << 30, 0xa), RAM, None)
                .unwrap_err()
                .contains("more than the RAM")
        );
    }

    #[test]
    #[cfg_attr(feature = "guest-x86_64", ignore = "the loader loads x86 images")]
    fn the_file_length_counts_not_the_header() {
        let head = image(0, 0x1000, 0xa);
        let p = place_kernel_image(&head[..64], 0x30_0000, RAM, None).unwrap();
        assert_eq!(p.pieces[0].file_len, 0x30_0000);
        // image_size smaller than the file: the file's length.
        assert_eq!(p.pieces[0].mem_len, 0x30_0000);
        assert!(place_kernel_image(&head[..16], 0x30_0000, RAM, None).is_err());
    }
}
