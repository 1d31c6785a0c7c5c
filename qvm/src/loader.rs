//! Guest image loaders: where the bytes of a `load`ed image go in guest
//! memory and where the guest starts. Formats: the arm64 Linux `Image`
//! (Documentation/arch/arm64/booting.rst), ELF64 (AArch64, PT_LOAD at their
//! physical addresses), and raw binaries (entry at the first byte). Images
//! the loader cannot start (gzip-compressed, EFI zboot, 32-bit ELF) are
//! refused with a message that says what was found.

use alloc::string::String;
use alloc::vec::Vec;
use elf::ElfBytes;
use elf::abi::{EM_AARCH64, PT_LOAD};
use elf::endian::AnyEndian;

/// Offset of the arm64 `Image` magic.
const IMAGE_MAGIC_OFFSET: usize = 0x38;
/// The arm64 `Image` magic, "ARM\x64".
const IMAGE_MAGIC: [u8; 4] = *b"ARM\x64";
/// `Image` flags bit 3: the kernel may be placed anywhere in RAM (else
/// within the first 2 MiB-aligned window at the start of RAM).
const IMAGE_FLAG_ANYWHERE: u64 = 1 << 3;
/// `Image` load alignment.
const IMAGE_ALIGN: u64 = 2 << 20;

/// What kind of image a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// An arm64 Linux `Image`.
    Arm64Image,
    /// An ELF64 executable.
    Elf,
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

/// The little-endian `u64` at `at` of the `Image` header, if the file has it.
fn le64(data: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(*data.get(at..)?.first_chunk()?))
}

/// Recognizes the format, or says why the image cannot be started.
pub fn detect(data: &[u8]) -> Result<Format, String> {
    if data.get(IMAGE_MAGIC_OFFSET..IMAGE_MAGIC_OFFSET + 4) == Some(&IMAGE_MAGIC) {
        return Ok(Format::Arm64Image);
    }
    if data.starts_with(b"\x7fELF") {
        if data.get(4) != Some(&2) {
            return Err("a 32-bit ELF file: only ELF64 images can be loaded".into());
        }
        return Ok(Format::Elf);
    }
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
    Ok(Format::Raw)
}

fn fits(ram: Ram, start: u64, len: u64) -> bool {
    start >= ram.base
        && start
            .checked_add(len)
            .is_some_and(|end| end <= ram.base + ram.size)
}

/// Places `data` in `ram`; `at` is the address the configuration gave, if
/// any (for raw images, or to move an `Image`).
pub fn place(data: &[u8], ram: Ram, at: Option<u64>) -> Result<Placed, String> {
    if data.is_empty() {
        return Err("the image file is empty".into());
    }
    match detect(data)? {
        Format::Arm64Image => place_image(data, ram, at),
        Format::Elf => place_elf(data, ram),
        Format::Raw => {
            let gpa = at.unwrap_or(ram.base);
            let len = data.len() as u64;
            if !fits(ram, gpa, len) {
                return Err(alloc::format!(
                    "the raw image ({len} bytes at {gpa:#x}) does not fit in RAM"
                ));
            }
            Ok(Placed {
                format: Format::Raw,
                pieces: alloc::vec![Piece {
                    gpa,
                    offset: 0,
                    file_len: data.len(),
                    mem_len: len
                }],
                entry: gpa,
                span: (gpa, gpa + len),
            })
        }
    }
}

fn place_image(data: &[u8], ram: Ram, at: Option<u64>) -> Result<Placed, String> {
    let text_offset = le64(data, 8).ok_or("truncated Image header")?;
    let image_size = le64(data, 16).ok_or("truncated Image header")?;
    let flags = le64(data, 24).ok_or("truncated Image header")?;
    // A zero image_size comes from kernels before 3.17: assume the file
    // plus room for .bss.
    let size = if image_size == 0 {
        data.len() as u64 + (4 << 20)
    } else {
        image_size.max(data.len() as u64)
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
    if !fits(ram, gpa, size) {
        return Err(alloc::format!(
            "the arm64 Image needs {size} bytes at {gpa:#x}: more than the RAM there"
        ));
    }
    Ok(Placed {
        format: Format::Arm64Image,
        pieces: alloc::vec![Piece {
            gpa,
            offset: 0,
            file_len: data.len(),
            mem_len: size
        }],
        entry: gpa,
        span: (gpa, gpa + size),
    })
}

fn place_elf(data: &[u8], ram: Ram) -> Result<Placed, String> {
    let file = ElfBytes::<AnyEndian>::minimal_parse(data)
        .map_err(|e| alloc::format!("a malformed ELF file ({e})"))?;
    if file.ehdr.endianness != elf::endian::AnyEndian::Little {
        return Err("a big-endian ELF file: only little-endian images can be loaded".into());
    }
    if file.ehdr.e_machine != EM_AARCH64 {
        return Err("an ELF file for another machine than AArch64".into());
    }
    let entry = file.ehdr.e_entry;
    let headers = file
        .segments()
        .ok_or_else(|| String::from("an ELF file with no program headers"))?;
    let mut pieces = Vec::new();
    for (i, ph) in headers.iter().enumerate() {
        if ph.p_type != PT_LOAD {
            continue;
        }
        let gpa = if ph.p_paddr != 0 {
            ph.p_paddr
        } else {
            ph.p_vaddr
        };
        let (offset, file_len, mem_len) = (ph.p_offset, ph.p_filesz, ph.p_memsz);
        let in_file = offset
            .checked_add(file_len)
            .is_some_and(|end| end <= data.len() as u64);
        if !in_file || file_len > mem_len {
            return Err(alloc::format!("ELF segment {i} lies outside the file"));
        }
        if !fits(ram, gpa, mem_len) {
            return Err(alloc::format!(
                "ELF segment {i} ({mem_len:#x} bytes at {gpa:#x}) is not inside guest RAM"
            ));
        }
        pieces.push(Piece {
            gpa,
            offset: offset as usize,
            file_len: file_len as usize,
            mem_len,
        });
    }
    if pieces.is_empty() {
        return Err("an ELF file with nothing to load".into());
    }
    let span = (
        pieces.iter().map(|p| p.gpa).min().unwrap_or(0),
        pieces.iter().map(|p| p.gpa + p.mem_len).max().unwrap_or(0),
    );
    if !pieces
        .iter()
        .any(|p| (p.gpa..p.gpa + p.mem_len).contains(&entry))
    {
        return Err(alloc::format!(
            "the ELF entry point {entry:#x} is not in a loaded segment"
        ));
    }
    Ok(Placed {
        format: Format::Elf,
        pieces,
        entry,
        span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn arm64_image_at_text_offset() {
        let p = place(&image(0x8_0000, 0x20_0000, 0xa), RAM, None).unwrap();
        assert_eq!(p.format, Format::Arm64Image);
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
    fn refuses_compressed_kernels() {
        assert!(detect(&[0x1f, 0x8b, 8, 0]).unwrap_err().contains("gzip"));
        assert!(detect(b"MZ\0\0zimg....").unwrap_err().contains("zboot"));
        assert_eq!(detect(b"\x7fELF\x02").unwrap(), Format::Elf);
        assert!(detect(b"\x7fELF\x01").unwrap_err().contains("32-bit"));
        assert_eq!(detect(b"raw bytes").unwrap(), Format::Raw);
    }

    fn elf(entry: u64, segs: &[(u64, u64, u64)]) -> Vec<u8> {
        let mut f = alloc::vec![0u8; 64 + 56 * segs.len()];
        f[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
        f[20..24].copy_from_slice(&1u32.to_le_bytes());
        f[18..20].copy_from_slice(&EM_AARCH64.to_le_bytes());
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
    fn raw_images() {
        let p = place(b"\x00\x00\x00\x14", RAM, Some(0x8100_0000)).unwrap();
        assert_eq!((p.format, p.entry), (Format::Raw, 0x8100_0000));
        assert!(place(b"abcd", RAM, Some(0x100)).is_err());
    }
}
