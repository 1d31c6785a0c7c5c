//! 32-bit ARM guest images on the ARM guest's loader: Linux's `zImage`
//! (`qvm::arch::aarch64::zimage`: recognized by its header, placed by
//! Documentation/arch/arm/booting.rst) and ELF32 ARM images (the ELF
//! loader with the ARM guest's `ELF_KINDS`), built here as small synthetic
//! files. The ARM functions are called directly, so these run in both
//! feature builds; what `qvm::loader::place` does is checked by feature.

use elf::abi::{EM_386, EM_ARM, PT_LOAD};
use qvm::arch::aarch64::zimage::{ZIMAGE_MAGIC, ZIMAGE_OFFSET, ZIMAGE_WORK};
use qvm::arch::aarch64::{ELF_KINDS, kernel_image, place_kernel_image};
use qvm::loader::{Format, Piece, Ram, place_elf};

const MIB: u64 = 1 << 20;
/// 256 MiB at the ARM guest's default RAM base.
const RAM: Ram = Ram {
    base: 0x8000_0000,
    size: 256 * MIB,
};

/// A little-endian zImage header of an image of `len` bytes (`_edata` =
/// `len`, linked at 0), padded to `file` bytes.
fn zimage(len: u32, file: usize) -> Vec<u8> {
    let mut f = vec![0u8; file.max(0x40)];
    for i in 0..8 {
        // mov r0, r0
        f[4 * i..4 * i + 4].copy_from_slice(&0xE1A0_0000u32.to_le_bytes());
    }
    f[0x24..0x28].copy_from_slice(&ZIMAGE_MAGIC.to_le_bytes());
    f[0x2C..0x30].copy_from_slice(&len.to_le_bytes());
    f[0x30..0x34].copy_from_slice(&0x0403_0201u32.to_le_bytes());
    f
}

#[test]
fn a_zimage_is_recognized_by_its_magic() {
    assert_eq!(kernel_image(&zimage(0x1000, 0x1000)), Some(Format::ZImage));
    let mut not = zimage(0x1000, 0x1000);
    not[0x24] ^= 1;
    assert_eq!(kernel_image(&not), None);
    assert_eq!(kernel_image(&[0; 0x27]), None);
}

#[test]
fn a_zimage_goes_32_mib_into_ram() {
    let len = 5 * MIB as u32 + 0x123;
    let p = place_kernel_image(&zimage(len, 0x40), len as usize, RAM, None).unwrap();
    assert_eq!(p.format, Format::ZImage);
    let gpa = RAM.base + ZIMAGE_OFFSET;
    assert_eq!((p.entry, gpa), (0x8200_0000, 0x8200_0000));
    assert_eq!(
        p.pieces,
        [Piece {
            gpa,
            offset: 0,
            file_len: len as usize,
            mem_len: u64::from(len)
        }]
    );
    // From where the kernel is decompressed to the decompressor's end.
    assert_eq!(p.span, (RAM.base, gpa + u64::from(len) + ZIMAGE_WORK));
    // A device tree appended to the image is copied with it.
    let p = place_kernel_image(&zimage(0x1000, 0x40), 0x3000, RAM, None).unwrap();
    assert_eq!(p.pieces[0].file_len, 0x3000);
}

#[test]
fn a_load_address_moves_it_within_the_first_128_mib() {
    let head = zimage(0x1000, 0x40);
    let p = place_kernel_image(&head, 0x1000, RAM, Some(0x8000_8000)).unwrap();
    assert_eq!((p.entry, p.span.0), (0x8000_8000, RAM.base));
    let last = RAM.base + 128 * MIB - 4;
    assert!(place_kernel_image(&head, 0x1000, RAM, Some(last)).is_ok());
    let cases = [
        (
            0x8000_8002,
            "a zImage must be loaded at a multiple of 4, not 0x80008002",
        ),
        (
            RAM.base + 128 * MIB,
            "a zImage must be loaded within the first 128 MiB of RAM (from 0x80000000), not at \
             0x88000000",
        ),
        (
            0x7000_0000,
            "a zImage must be loaded within the first 128 MiB of RAM (from 0x80000000), not at \
             0x70000000",
        ),
    ];
    for (at, want) in cases {
        assert_eq!(
            place_kernel_image(&head, 0x1000, RAM, Some(at)).unwrap_err(),
            want
        );
    }
}

#[test]
fn ram_a_zimage_cannot_use_is_refused() {
    let head = zimage(0x1000, 0x40);
    let small = Ram {
        base: 0x8000_0000,
        size: 32 * MIB,
    };
    assert_eq!(
        place_kernel_image(&head, 0x1000, small, None).unwrap_err(),
        "the zImage (4096 bytes, and 1 MiB for its decompressor) does not fit in RAM at \
         0x82000000"
    );
    let high = Ram {
        base: 0x1_0000_0000,
        size: 512 * MIB,
    };
    assert_eq!(
        place_kernel_image(&head, 0x1000, high, None).unwrap_err(),
        "the zImage would end at 0x102101000: a 32-bit kernel must lie below 4 GiB"
    );
    // RAM reaching 4 GiB, the zImage's place past it.
    let top = Ram {
        base: 0xFE00_0000,
        size: 64 * MIB,
    };
    assert!(
        place_kernel_image(&head, 0x1000, top, None)
            .unwrap_err()
            .contains("below 4 GiB")
    );
}

#[test]
fn zimages_qvm_cannot_start_are_refused_with_the_reason() {
    let mut big_endian = zimage(0x1000, 0x1000);
    big_endian[0x30..0x34].copy_from_slice(&0x0102_0304u32.to_le_bytes());
    let mut rom = zimage(0x1000, 0x1000);
    rom[0x28..0x2C].copy_from_slice(&0x0010_0000u32.to_le_bytes());
    let cases: [(Vec<u8>, usize, &str); 5] = [
        (
            big_endian,
            0x1000,
            "a big-endian zImage: only little-endian ARM kernels can be loaded",
        ),
        (
            rom,
            0x1000,
            "a zImage linked to run at 0x100000 (CONFIG_ZBOOT_ROM): only position-independent \
             zImages (start 0) can be loaded",
        ),
        (
            zimage(0x2000, 0x1000),
            0x1000,
            "a truncated zImage: its header says 8192 bytes, the file has 4096",
        ),
        (
            zimage(0, 0x1000),
            0x1000,
            "a malformed zImage header (its end address is 0)",
        ),
        (
            zimage(0x1000, 0x40)[..0x2C].to_vec(),
            0x1000,
            "a truncated zImage header",
        ),
    ];
    for (head, len, want) in cases {
        assert_eq!(place_kernel_image(&head, len, RAM, None).unwrap_err(), want);
    }
}

/// An ELF32 little-endian executable for `machine` with one `PT_LOAD`
/// segment of `len` bytes at `paddr` (file offset 0x100).
fn elf32(machine: u16, entry: u32, paddr: u32, len: u32) -> Vec<u8> {
    let mut f = vec![0u8; 0x100 + len as usize];
    f[..7].copy_from_slice(b"\x7fELF\x01\x01\x01");
    f[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    f[18..20].copy_from_slice(&machine.to_le_bytes());
    f[20..24].copy_from_slice(&1u32.to_le_bytes());
    f[24..28].copy_from_slice(&entry.to_le_bytes());
    f[28..32].copy_from_slice(&52u32.to_le_bytes()); // e_phoff
    f[40..42].copy_from_slice(&52u16.to_le_bytes()); // e_ehsize
    f[42..44].copy_from_slice(&32u16.to_le_bytes()); // e_phentsize
    f[44..46].copy_from_slice(&1u16.to_le_bytes()); // e_phnum
    let ph = [PT_LOAD, 0x100, paddr, paddr, len, len, 7, 0x1000];
    for (j, v) in ph.into_iter().enumerate() {
        f[52 + 4 * j..56 + 4 * j].copy_from_slice(&v.to_le_bytes());
    }
    f
}

#[test]
fn elf32_arm_images_load_at_their_physical_addresses() {
    let f = elf32(EM_ARM, 0x8000_8000, 0x8000_8000, 0x1000);
    let p = place_elf(&f, f.len(), RAM, ELF_KINDS).unwrap();
    assert_eq!(p.format, Format::Elf32);
    assert_eq!((p.entry, p.span), (0x8000_8000, (0x8000_8000, 0x8000_9000)));
    // An odd entry point is Thumb code: kept as it is (boot_regs sets T).
    let thumb = elf32(EM_ARM, 0x8000_8001, 0x8000_8000, 0x1000);
    assert_eq!(
        place_elf(&thumb, thumb.len(), RAM, ELF_KINDS)
            .unwrap()
            .entry,
        0x8000_8001
    );
    let i386 = elf32(EM_386, 0x8000_8000, 0x8000_8000, 0x1000);
    assert_eq!(
        place_elf(&i386, i386.len(), RAM, ELF_KINDS).unwrap_err(),
        "an ELF32 file for another machine than 32-bit ARM (e_machine 3, not 40)"
    );
}

/// `load` on the ARM guest takes both; the x86 guest neither.
#[test]
fn the_guest_decides() {
    let z = zimage(0x1000, 0x1000);
    let e = elf32(EM_ARM, 0x8000_8000, 0x8000_8000, 0x1000);
    let (z, e) = (
        qvm::loader::place(&z, RAM, None),
        qvm::loader::place(&e, RAM, None),
    );
    if cfg!(feature = "guest-x86_64") {
        assert_eq!(z.unwrap().format, Format::Raw);
        assert_eq!(
            e.unwrap_err(),
            "an ELF32 file for another machine than i386 (e_machine 40, not 3)"
        );
    } else {
        assert_eq!(z.unwrap().format, Format::ZImage);
        assert_eq!(e.unwrap().format, Format::Elf32);
    }
}
