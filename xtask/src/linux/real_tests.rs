//! The real preparation of the three Linux guests (ignored: it downloads
//! the Debian packages), checked by reading back what it made.

use super::*;

/// The files of a `newc` cpio archive: name and contents.
fn cpio_files(mut a: &[u8]) -> Vec<(String, Vec<u8>)> {
    let field = |h: &[u8], i: usize| {
        usize::from_str_radix(std::str::from_utf8(&h[6 + 8 * i..14 + 8 * i]).unwrap(), 16).unwrap()
    };
    let up4 = |n: usize| n.div_ceil(4) * 4;
    let mut files = Vec::new();
    loop {
        assert!(a.starts_with(b"070701"));
        let (size, namesize) = (field(a, 6), field(a, 11));
        let name = String::from_utf8(a[110..110 + namesize - 1].to_vec()).unwrap();
        let data = up4(110 + namesize);
        if name == "TRAILER!!!" {
            return files;
        }
        files.push((name, a[data..data + size].to_vec()));
        a = &a[up4(data + size)..];
    }
}

/// Prepares the three guests for real and checks what came out: each
/// kernel file is its architecture's ([`LinuxArch::is_kernel`]), each
/// initramfs has its architecture's busybox, `/init` and the modules
/// (`cargo test -p xtask -- --ignored linux::real_tests`).
#[test]
#[ignore = "downloads the Debian packages (~175 MB) and unpacks them"]
fn prepares_all() {
    let root = crate::build::root();
    for arch in LinuxArch::ALL {
        prepare_arch(&root, arch).unwrap();
        let kernel = std::fs::read(arch.kernel(&root)).unwrap();
        let initrd = std::fs::read(arch.initrd(&root)).unwrap();
        let files = cpio_files(&initrd);
        let file = |name: &str| {
            &files
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("{arch:?}: no {name} in the initramfs"))
                .1
        };
        // ELF's e_machine: 183 is aarch64, 62 x86-64, 40 32-bit ARM.
        let expected_machine = match arch {
            LinuxArch::Arm64 => 183,
            LinuxArch::Amd64 => 62,
            LinuxArch::Armhf => 40,
        };
        let is_elf_for_arch = |elf: &[u8]| {
            elf.starts_with(b"\x7fELF")
                && u16::from_le_bytes([elf[18], elf[19]]) == expected_machine
        };
        assert!(is_elf_for_arch(file("bin/busybox")), "{arch:?}: busybox");
        let modules = String::from_utf8(file("etc/modules").clone()).unwrap();
        for m in MODULES {
            assert!(modules.lines().any(|l| l == *m), "{arch:?}: {m} not loaded");
        }
        let watchdog = String::from_utf8(file("etc/watchdog-module").clone()).unwrap();
        assert_eq!(
            watchdog.lines().last(),
            Some(match arch {
                LinuxArch::Arm64 | LinuxArch::Armhf => "sp805_wdt",
                LinuxArch::Amd64 => "ib700wdt",
            })
        );
        for m in modules.lines().chain(watchdog.lines()) {
            let ko = file(&format!("lib/modules/{m}.ko"));
            assert!(is_elf_for_arch(ko), "{arch:?}: {m}.ko");
        }
        assert_eq!(
            file("init"),
            &std::fs::read(root.join("guests/linux/init")).unwrap()
        );
        assert_eq!(
            std::fs::metadata(arch.disk(&root)).unwrap().len(),
            DISK_BYTES as u64
        );
        assert!(arch.is_kernel(&kernel), "{arch:?}: not its kernel file");
        eprintln!("{arch:?}: modules {}", modules.replace('\n', " "));
    }
}
