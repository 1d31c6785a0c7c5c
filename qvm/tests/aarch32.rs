//! Starting a 32-bit ARM guest (`qvm::arch::aarch64`): the VM's AArch32
//! flag, the boot vCPU's registers by Documentation/arch/arm/booting.rst,
//! the message for a CPU without AArch32 at EL1, the refusal of a layout
//! a 32-bit kernel cannot start in, and where the device tree and the
//! ramdisk go (`place_boot_data`) for it and for an arm64 guest, the
//! machine of its core dumps.

// The ARM guest's layout: not with feature `guest-x86_64`.
#![cfg(not(feature = "guest-x86_64"))]

mod common;

use abi::{Error, VM_FLAG_AARCH32};
use common::{parse, place_text};
use qvm::arch::aarch64::{
    BootData, VM_CONFIG_REFUSED, boot_regs, check_image_layout, dump_machine, place_boot_data,
    vm_config, vm_config_refused,
};
use qvm::dump::Machine;
use qvm::layout::place;
use qvm::loader::{Format, Piece, Placed, Ram};

const MIB: u64 = 1 << 20;

#[test]
fn a_32_bit_image_makes_an_aarch32_vm() {
    let layout = place_text("ram 256M\nvdev gic\n").unwrap();
    let flags = |f| vm_config(&layout, f).unwrap().flags;
    assert_eq!(flags(Format::ZImage), VM_FLAG_AARCH32);
    assert_eq!(flags(Format::Elf32), VM_FLAG_AARCH32);
    for f in [Format::KernelImage, Format::Elf, Format::Raw] {
        assert_eq!(flags(f), 0);
    }
    // Its core dumps are 32-bit ARM ones.
    assert_eq!(dump_machine(Format::ZImage), Machine::Arm);
    assert_eq!(dump_machine(Format::Elf32), Machine::Arm);
    assert_eq!(dump_machine(Format::KernelImage), Machine::Aarch64);
}

#[test]
fn a_32_bit_kernel_starts_in_svc_mode_with_r2_the_tree() {
    let r = boot_regs(Format::ZImage, 0x8200_0000, 0x8800_0000);
    assert_eq!((r.pc, r.pstate), (0x8200_0000, 0x1D3));
    assert_eq!(&r.x[..3], &[0, 0xFFFF_FFFF, 0x8800_0000]);
    assert!(r.x[3..].iter().all(|&x| x == 0));
    // A Thumb entry point: the T bit, the PC even.
    let t = boot_regs(Format::Elf32, 0x8000_8001, 0x8800_0000);
    assert_eq!((t.pc, t.pstate), (0x8000_8000, 0x1F3));
    // An arm64 kernel as before: x0 the tree, PSTATE 0 (EL1h, masked).
    let a = boot_regs(Format::KernelImage, 0x8008_0000, 0x9fe0_0000);
    assert_eq!(
        (a.pc, a.pstate, a.x[0], a.x[1]),
        (0x8008_0000, 0, 0x9fe0_0000, 0)
    );
}

#[test]
fn enotsup_names_the_32_bit_image() {
    assert_eq!(
        vm_config_refused(Error::NotSupported, "/guests/zImage", Format::ZImage),
        "this CPU has no AArch32 at EL1: the 32-bit guest /guests/zImage cannot run here (on \
         QEMU use -cpu cortex-a57 or cortex-a72)"
    );
    assert_eq!(
        vm_config_refused(Error::InvalidArgument, "/guests/zImage", Format::ZImage),
        format!("{VM_CONFIG_REFUSED}: EINVAL")
    );
    assert_eq!(
        vm_config_refused(Error::NotSupported, "/guests/Image", Format::KernelImage),
        format!("{VM_CONFIG_REFUSED}: ENOTSUP")
    );
}

#[test]
fn a_32_bit_image_needs_its_first_ram_below_4_gib() {
    let text = "ram 0x100000000,512M\nvdev gic\nload /guests/zImage\n";
    let config = parse(text);
    let layout = place(&config).unwrap();
    assert_eq!(
        check_image_layout(&config, &layout, Format::ZImage)
            .unwrap_err()
            .to_string(),
        "t.qvmconf:1: 'ram' at 0x100000000: the guest image (/guests/zImage at t.qvmconf:3) is \
         a 32-bit ARM zImage, which starts with 32-bit addresses: its first RAM region must \
         start below 4 GiB"
    );
    assert!(
        check_image_layout(&config, &layout, Format::Elf32)
            .unwrap_err()
            .message
            .contains("an ELF32 ARM image")
    );
    assert!(check_image_layout(&config, &layout, Format::KernelImage).is_ok());
    // RAM above 4 GiB after a first region below it is the kernel's.
    let two = parse("ram 0x80000000,512M\nram 0x100000000,1G\nvdev gic\nload /z\n");
    let layout = place(&two).unwrap();
    assert!(check_image_layout(&two, &layout, Format::ZImage).is_ok());
}

/// An image of `format` covering `span` (one piece from its start).
fn image(format: Format, span: (u64, u64)) -> Placed {
    Placed {
        format,
        pieces: vec![Piece {
            gpa: span.0,
            offset: 0,
            file_len: 0x1000,
            mem_len: 0x1000,
        }],
        entry: span.0,
        span,
    }
}

/// `size` bytes of RAM at the default base.
fn ram(size: u64) -> Ram {
    Ram {
        base: 0x8000_0000,
        size,
    }
}

#[test]
fn a_32_bit_kernel_finds_its_tree_at_128_mib_and_the_ramdisk_above() {
    let z = image(Format::ZImage, (0x8000_0000, 0x8260_0000));
    let got = place_boot_data(&z, ram(512 * MIB), Some((0x40_0000, None)), None).unwrap();
    assert_eq!(
        got,
        BootData {
            fdt: 0x8800_0000,
            initrd: Some((0x8820_0000, 0x8860_0000)),
        }
    );
    // Too little RAM for that: right above the image (here the zImage's
    // decompressor's working space).
    let got = place_boot_data(&z, ram(64 * MIB), Some((0x1234, None)), None).unwrap();
    assert_eq!(got.fdt, 0x8260_0000);
    assert_eq!(got.initrd, Some((0x8280_0000, 0x8280_1234)));
    // Configured places are taken as they are.
    let got = place_boot_data(
        &z,
        ram(512 * MIB),
        Some((0x10, Some(0x9000_0000))),
        Some(0x9100_0000),
    )
    .unwrap();
    assert_eq!(got.fdt, 0x9100_0000);
    assert_eq!(got.initrd, Some((0x9000_0000, 0x9000_0010)));
}

#[test]
fn what_a_32_bit_kernel_cannot_reach_is_refused() {
    let z = image(Format::ZImage, (0x8000_0000, 0x8260_0000));
    let cases = [
        (
            ram(64 * MIB),
            Some((64 * MIB, None)),
            None,
            "the device tree (2 MiB set aside) and the ramdisk (67108864 bytes) do not fit in RAM above the image (from 0x82600000)",
        ),
        (
            ram(2048 * MIB),
            Some((700 * MIB, None)),
            None,
            "the device tree (2 MiB set aside) and the ramdisk (734003200 bytes) would end at 0xb3e00000, past the first 760 MiB of RAM, which a 32-bit Linux maps as low memory: give `initrd load` or `fdt load` an address",
        ),
        (
            ram(512 * MIB),
            Some((0x10, Some(0x8100_0000))),
            None,
            "the ramdisk (16 bytes at 0x81000000) must lie above the image and what its start writes (up to 0x82600000)",
        ),
        (
            ram(512 * MIB),
            None,
            Some(0x1_0000_0000),
            "the device tree at 0x100000000: a 32-bit kernel finds it through r2, below 4 GiB",
        ),
        (
            ram(512 * MIB),
            Some((0x10, Some(0xFFFF_FFF8))),
            None,
            "the ramdisk (16 bytes at 0xfffffff8) must lie below 4 GiB for a 32-bit kernel",
        ),
    ];
    for (ram, initrd, fdt, want) in cases {
        assert_eq!(place_boot_data(&z, ram, initrd, fdt).unwrap_err(), want);
    }
}

#[test]
fn an_arm64_kernel_finds_its_tree_at_the_end_of_ram() {
    let a = image(Format::KernelImage, (0x8008_0000, 0x8208_0000));
    let got = place_boot_data(&a, ram(512 * MIB), Some((0x1800, None)), None).unwrap();
    assert_eq!(
        got,
        BootData {
            fdt: 0x9fe0_0000,
            initrd: Some((0x9fdf_e000, 0x9fdf_f800)),
        }
    );
    assert_eq!(
        place_boot_data(&a, ram(32 * MIB), Some((0x100_0000, None)), None).unwrap_err(),
        "the ramdisk (16777216 bytes) does not fit between the image and the device tree"
    );
    // An ELF64 image's tree may go above 4 GiB.
    let high = Ram {
        base: 0x1_0000_0000,
        size: 64 * MIB,
    };
    let e = image(Format::Elf, (0x1_0000_0000, 0x1_0010_0000));
    assert_eq!(
        place_boot_data(&e, high, None, None).unwrap().fdt,
        0x1_03e0_0000
    );
}
