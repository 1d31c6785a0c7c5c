//! The SD-card images read back with the crates that wrote them: the MBR
//! entry, the FAT32 file system, the files and what they say; the U-Boot
//! script image against bytes `mkimage` made; the firmware help text.

use super::disk::{self, BootFile, FAT32_LBA, MIN_PARTITION, PARTITION_START, SECTOR};
use super::*;

/// A stand-in boot image: an arm64 `Image` header's magic and some bytes.
fn kernel() -> Vec<u8> {
    let mut k: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    k[0x38..0x3c].copy_from_slice(b"ARM\x64");
    k
}

/// The `key=value` settings of a `config.txt`, comments and blanks left out.
fn settings(config: &str) -> Vec<(&str, &str)> {
    config
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_once('=').expect("a setting is key=value"))
        .collect()
}

#[test]
fn the_pi_card_has_one_bootable_fat32_partition_with_the_boot_files() {
    let dtb = b"\xd0\x0d\xfe\xed fake tree".to_vec();
    let files = boot_files(Board::Rpi4, kernel(), Some(dtb.clone()), Vec::new()).unwrap();
    let image = disk::build(&files).unwrap();
    let card = disk::read(&image).unwrap();
    assert_eq!(card.partition_type, FAT32_LBA);
    assert!(card.bootable);
    assert_eq!(u64::from(card.start_lba) * SECTOR, PARTITION_START);
    assert_eq!(
        PARTITION_START + u64::from(card.sectors) * SECTOR,
        image.len() as u64,
        "the partition runs to the image's end"
    );
    assert_eq!(card.fat_type, fatfs::FatType::Fat32);
    assert_eq!(card.file(KERNEL_FILE), Some(kernel().as_slice()));
    assert_eq!(card.file("bcm2711-rpi-4-b.dtb"), Some(dtb.as_slice()));
    assert_eq!(card.file("config.txt"), Some(RPI4_CONFIG.as_bytes()));
    assert_eq!(card.files.len(), 3, "no firmware without --with-firmware");
}

#[test]
fn the_pi_config_starts_our_kernel_in_64_bit_with_the_gic() {
    let set = settings(RPI4_CONFIG);
    for wanted in [
        ("arm_64bit", "1"),
        ("kernel", KERNEL_FILE),
        ("enable_gic", "1"),
        ("kernel_address", "0x200000"),
    ] {
        assert!(
            set.contains(&wanted),
            "config.txt lacks {wanted:?}: {set:?}"
        );
    }
    // The firmware's own stub enters at EL2; these would change that.
    for key in ["armstub", "kernel_old"] {
        assert!(set.iter().all(|(k, _)| *k != key), "config.txt sets {key}");
    }
    let address = u64::from_str_radix("200000", 16).unwrap();
    assert_eq!(address % (2 << 20), 0, "the kernel needs a 2 MiB boundary");
}

#[test]
fn firmware_files_go_on_the_pi_card() {
    let firmware = vec![
        BootFile::new("start4.elf", vec![1u8; 5000]),
        BootFile::new("fixup4.dat", vec![2u8; 700]),
    ];
    let files = boot_files(Board::Rpi4, kernel(), Some(vec![0xd0]), firmware).unwrap();
    let card = disk::read(&disk::build(&files).unwrap()).unwrap();
    assert_eq!(card.file("start4.elf"), Some(&[1u8; 5000][..]));
    assert_eq!(card.file("FIXUP4.DAT"), Some(&[2u8; 700][..]));
}

#[test]
fn the_zcu102_card_has_a_script_that_loads_and_boots_the_kernel() {
    let dtb = b"\xd0\x0d\xfe\xed zcu102".to_vec();
    let files = boot_files(Board::Zcu102, kernel(), Some(dtb.clone()), Vec::new()).unwrap();
    let card = disk::read(&disk::build(&files).unwrap()).unwrap();
    assert_eq!(card.partition_type, FAT32_LBA);
    assert_eq!(card.file(KERNEL_FILE), Some(kernel().as_slice()));
    assert_eq!(card.file("zynqmp-zcu102-rev1.0.dtb"), Some(dtb.as_slice()));
    assert_eq!(card.file("boot.cmd"), Some(ZCU102_SCRIPT.as_bytes()));
    let scr = card.file("boot.scr").expect("boot.scr");
    let script = uimage::read_script(scr).unwrap();
    assert_eq!(script, ZCU102_SCRIPT);
    let commands: Vec<&str> = script
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .collect();
    let loads_kernel = format!("${{kernel_addr_r}} {KERNEL_FILE}");
    assert!(
        commands
            .iter()
            .any(|l| l.starts_with("load ") && l.ends_with(&loads_kernel))
    );
    assert!(
        commands
            .iter()
            .any(|l| l.contains(Board::Zcu102.dtb_file()))
    );
    assert!(commands.contains(&"booti ${kernel_addr_r} - ${fdt_addr_r}"));
}

#[test]
fn a_zcu102_card_without_a_device_tree_still_has_the_script() {
    let files = boot_files(Board::Zcu102, kernel(), None, Vec::new()).unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, [KERNEL_FILE, "boot.scr", "boot.cmd"]);
}

#[test]
fn the_script_image_is_what_mkimage_makes() {
    // SOURCE_DATE_EPOCH=0 mkimage -A arm64 -O linux -T script -C none
    //   -n qhv -d t.cmd t.scr, with t.cmd = "echo hello\n" (u-boot-tools
    // 2023.01, Debian 12).
    let expected: &[u8] = &[
        0x27, 0x05, 0x19, 0x56, 0xeb, 0xdd, 0x42, 0x7c, 0, 0, 0, 0, 0, 0, 0, 0x13, 0, 0, 0, 0, 0,
        0, 0, 0, 0x3d, 0xb5, 0x5e, 0x6f, 0x05, 0x16, 0x06, 0x00, b'q', b'h', b'v', 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b, 0,
        0, 0, 0, b'e', b'c', b'h', b'o', b' ', b'h', b'e', b'l', b'l', b'o', b'\n',
    ];
    let image = uimage::script_image("qhv", "echo hello\n").unwrap();
    assert_eq!(image, expected);
    assert_eq!(uimage::read_script(&image).unwrap(), "echo hello\n");
}

#[test]
fn a_damaged_script_image_is_refused() {
    let good = uimage::script_image("qhv", "echo hello\n").unwrap();
    for at in [0, 5, 12, 30, 40, 66, 75] {
        let mut bad = good.clone();
        bad[at] ^= 0x40;
        assert!(
            uimage::read_script(&bad).is_err(),
            "a flip at byte {at} passed"
        );
    }
    assert!(uimage::script_image(&"x".repeat(33), "").is_err());
}

#[test]
fn the_partition_grows_with_the_files_and_the_image_is_reproducible() {
    assert_eq!(disk::partition_size(&[]), MIN_PARTITION);
    let big = vec![BootFile::new("big.bin", vec![0x5au8; 70 << 20])];
    let size = disk::partition_size(&big);
    assert!(size > 70 << 20 && size.is_multiple_of(1 << 20), "{size}");
    let image = disk::build(&big).unwrap();
    let card = disk::read(&image).unwrap();
    assert_eq!(card.file("big.bin").map(<[u8]>::len), Some(70 << 20));
    let files = boot_files(Board::Rpi4, kernel(), None, Vec::new()).unwrap();
    assert_eq!(disk::build(&files).unwrap(), disk::build(&files).unwrap());
}

#[test]
fn read_refuses_what_is_not_a_card_image() {
    assert!(disk::read(&[0u8; 4096]).is_err());
    let mut image = disk::build(&[BootFile::new("a", "b")]).unwrap();
    image.truncate(PARTITION_START as usize + 4096);
    assert!(disk::read(&image).is_err(), "a partition past the end");
}

#[test]
fn boards_are_known_by_their_buildfile_names() {
    assert_eq!(Board::from_name("rpi4"), Some(Board::Rpi4));
    assert_eq!(Board::from_name("zcu102"), Some(Board::Zcu102));
    assert_eq!(Board::from_name("qemu-virt"), None);
    assert_eq!(Board::Rpi4.dtb_file(), "bcm2711-rpi-4-b.dtb");
    let root = crate::build::root();
    for board in Board::ALL {
        crate::image::buildfile_path(&root, board.name(), None).unwrap();
        assert!(image_path(&root, board).ends_with(format!("{}-sd.img", board.name())));
    }
}

#[test]
fn the_firmware_help_names_the_source_line_to_add() {
    let mirror = crate::setup::apt::Mirror {
        uri: "http://mirror.example/debian".to_string(),
        signed_by: Some("/usr/share/keyrings/debian-archive-keyring.gpg".to_string()),
    };
    let line = firmware::one_line_source(&mirror, "bookworm", "non-free-firmware");
    assert_eq!(
        line,
        "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] \
         http://mirror.example/debian bookworm non-free-firmware"
    );
    let help = firmware::missing_component_help("bookworm", Some(&line));
    assert!(help.contains(&format!("\n    {line}\n")), "{help}");
    assert!(help.contains("/etc/apt/sources.list") && help.contains("apt-get update"));
    let fallback = firmware::missing_component_help("trixie", None);
    assert!(fallback.contains("deb http://deb.debian.org/debian trixie non-free-firmware"));
}

#[test]
fn file_times_are_a_real_date() {
    let image = disk::build(&[BootFile::new("config.txt", "x=1\n")]).unwrap();
    let part = image[PARTITION_START as usize..].to_vec();
    let fs = fatfs::FileSystem::new(std::io::Cursor::new(part), fatfs::FsOptions::new()).unwrap();
    let entry = fs.root_dir().iter().next().unwrap().unwrap();
    let date = entry.modified().date;
    assert_eq!((date.year, date.month, date.day), (1980, 1, 1));
}

#[test]
fn running_a_board_refuses_the_options_its_model_fixes() {
    let root = Path::new("/nonexistent");
    let given = [("--smp", true), ("--mem", false), ("--gic", true)];
    let err = qemu::run(root, Board::Rpi4, None, &given).to_string();
    assert!(err.contains("--board rpi4"), "{err}");
    assert!(err.ends_with("leave out --smp, --gic"), "{err}");
    let machine = crate::qemu::Machine::board(Board::Zcu102);
    assert_eq!(
        (machine.cpu.sd_board(), machine.smp),
        (Some(Board::Zcu102), 4)
    );
}
