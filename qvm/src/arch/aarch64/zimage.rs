//! Linux's 32-bit ARM `zImage`, the self-decompressing kernel of Debian's
//! armhf `linux-image-armmp` (Documentation/arch/arm/booting.rst; the
//! header is the start of arch/arm/boot/compressed/head.S, its words come
//! from vmlinux.lds.S): how it is recognized and where it goes. A zImage
//! runs at AArch32 EL1, so a VM that loads one is an AArch32 VM
//! (`aarch32.rs`); where its device tree and ramdisk go is `boot_data.rs`.

use alloc::string::String;

use crate::loader::{Format, Piece, Placed, Ram};

/// Offset of the zImage magic word (after the eight `mov r0, r0` and the
/// branch that start the image).
const ZIMAGE_MAGIC_OFFSET: usize = 0x24;
/// The zImage magic, little-endian in the file whatever the kernel's
/// endianness.
pub const ZIMAGE_MAGIC: u32 = 0x016F_2818;
/// Offsets of the words that follow the magic: the address the zImage is
/// linked to run at (`_start`: 0 for a position-independent zImage, else
/// the `CONFIG_ZBOOT_ROM_TEXT` address of a kernel run from flash), the
/// end of the image (`_edata`), and the endianness flag.
const ZIMAGE_START_OFFSET: usize = 0x28;
const ZIMAGE_END_OFFSET: usize = 0x2C;
const ZIMAGE_ENDIAN_OFFSET: usize = 0x30;
/// The endianness flag of a big-endian (BE8) kernel; a little-endian one
/// has 0x04030201, and kernels before the flag have code there.
const ZIMAGE_BIG_ENDIAN: u32 = 0x0102_0304;

/// Where in RAM the zImage goes: booting.rst 6, "It is recommended that it
/// is loaded above 32MiB in order to avoid the need to relocate prior to
/// decompression" (the kernel is decompressed to the start of RAM).
pub const ZIMAGE_OFFSET: u64 = 32 << 20;
/// booting.rst 6: "The kernel should be placed in the first 128MiB of
/// RAM": a multi-platform kernel (`AUTO_ZRELADDR`) is decompressed to the
/// 128 MiB boundary below the zImage (plus `TEXT_OFFSET`).
pub const ZIMAGE_WINDOW: u64 = 128 << 20;
/// What the decompressor uses past the end of the image (`_edata`): its
/// `.bss`, its 4 KiB stack and 64 KiB `malloc` arena (head.S). Nothing
/// else of the guest's goes there; 1 MiB covers them with room to spare.
pub const ZIMAGE_WORK: u64 = 1 << 20;
/// A zImage starts with the MMU off and runs with 32-bit addresses: it
/// and everything it reads lie below 4 GiB.
pub const AARCH32_LIMIT: u64 = 1 << 32;
/// A zImage is ARM code: it starts at a multiple of 4.
const ZIMAGE_ALIGN: u64 = 4;

/// The little-endian `u32` at `at`, if `data` has it.
fn le32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(*data.get(at..)?.first_chunk()?))
}

/// Whether `data` is a zImage (its magic at 0x24).
pub fn is_zimage(data: &[u8]) -> bool {
    le32(data, ZIMAGE_MAGIC_OFFSET) == Some(ZIMAGE_MAGIC)
}

/// The image's length as its header gives it (`_edata - _start`),
/// refusing what `qvm` cannot start: a big-endian kernel, one linked to
/// run from a fixed address, a header that does not match the file of
/// `file_len` bytes (which may be longer: a device tree appended).
fn image_len(head: &[u8], file_len: usize) -> Result<u64, String> {
    let truncated = || String::from("a truncated zImage header");
    let start = le32(head, ZIMAGE_START_OFFSET).ok_or_else(truncated)?;
    let end = le32(head, ZIMAGE_END_OFFSET).ok_or_else(truncated)?;
    if le32(head, ZIMAGE_ENDIAN_OFFSET) == Some(ZIMAGE_BIG_ENDIAN) {
        return Err("a big-endian zImage: only little-endian ARM kernels can be loaded".into());
    }
    if start != 0 {
        return Err(alloc::format!(
            "a zImage linked to run at {start:#x} (CONFIG_ZBOOT_ROM): only \
             position-independent zImages (start 0) can be loaded"
        ));
    }
    let len = u64::from(end);
    if len == 0 {
        return Err("a malformed zImage header (its end address is 0)".into());
    }
    if len > file_len as u64 {
        return Err(alloc::format!(
            "a truncated zImage: its header says {len} bytes, the file has {file_len}"
        ));
    }
    Ok(len)
}

/// Places the zImage of `file_len` bytes whose header `head` starts in
/// `ram`: [`ZIMAGE_OFFSET`] into RAM, or at `at` if the configuration
/// says, a multiple of 4 inside the first [`ZIMAGE_WINDOW`] of RAM. The
/// whole file is copied (a device tree appended to it included); the span
/// runs from the start of the 128 MiB window the kernel is decompressed
/// into to the end of the decompressor's working space ([`ZIMAGE_WORK`]),
/// so that nothing else is put where the boot will write. It starts at
/// its first byte, in the A32 instruction set (booting.rst 6).
pub fn place_zimage(
    head: &[u8],
    file_len: usize,
    ram: Ram,
    at: Option<u64>,
) -> Result<Placed, String> {
    image_len(head, file_len)?;
    let gpa = match at {
        Some(a) if a % ZIMAGE_ALIGN != 0 => {
            return Err(alloc::format!(
                "a zImage must be loaded at a multiple of 4, not {a:#x}"
            ));
        }
        Some(a) => a,
        None => ram.base.saturating_add(ZIMAGE_OFFSET),
    };
    let len = file_len as u64;
    let end = gpa.saturating_add(len).saturating_add(ZIMAGE_WORK);
    if end > AARCH32_LIMIT {
        return Err(alloc::format!(
            "the zImage would end at {end:#x}: a 32-bit kernel must lie below 4 GiB"
        ));
    }
    if gpa < ram.base || gpa - ram.base >= ZIMAGE_WINDOW {
        return Err(alloc::format!(
            "a zImage must be loaded within the first 128 MiB of RAM (from {:#x}), not at \
             {gpa:#x}",
            ram.base
        ));
    }
    if !ram.fits(gpa, len + ZIMAGE_WORK) {
        return Err(alloc::format!(
            "the zImage ({len} bytes, and 1 MiB for its decompressor) does not fit in RAM at \
             {gpa:#x}"
        ));
    }
    let window = (gpa & !(ZIMAGE_WINDOW - 1)).max(ram.base);
    Ok(Placed {
        format: Format::ZImage,
        pieces: alloc::vec![Piece {
            gpa,
            offset: 0,
            file_len,
            mem_len: len,
        }],
        entry: gpa,
        span: (window, end),
    })
}
