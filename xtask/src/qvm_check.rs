//! `cargo xtask qvm-check FILE.qvmconf [--dtb OUT]`: parse, place and build
//! the device tree of a VM configuration with the code `qvm` itself runs,
//! print the `dryrun` report, and write the device tree if asked. A bad
//! configuration, or an option `qvm` refuses to run without carrying out
//! (`qvm::honour`), prints `file:line: message` and exits 65, as `qvm`
//! does; what `qvm` warns about is printed as a note. `pass` regions are
//! checked against the target's device list only by `qvm` at run time
//! (their nodes are not in the tree written here).
//!
//! `@FILE` and `fdt load FILE` names are read relative to the folder of the
//! checked file (absolute names as they are). An `fdt load` file that is not
//! on the build host is reported and left out of the tree; the initrd's
//! place is `qvm`'s choice at run time, so `/chosen` has no initrd here.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use qvm::config::{Config, parse_args};
use qvm::fdt::{Chosen, Overlay, build_with_overlays};
use qvm::layout::{VmLayout, place};

/// `qvm`'s exit status for a bad configuration.
pub const EXIT_BAD_CONFIG: u8 = 65;

/// Arguments of `cargo xtask qvm-check`.
#[derive(Args)]
pub struct QvmCheckArgs {
    /// The VM configuration (`*.qvmconf`).
    pub file: PathBuf,
    /// Write the guest device tree (DTB) here.
    #[arg(long, value_name = "OUT")]
    pub dtb: Option<PathBuf>,
}

/// A configuration that `qvm` would accept.
pub struct Checked {
    /// What it says.
    pub config: Config,
    /// Where everything goes.
    pub layout: VmLayout,
    /// The guest device tree.
    pub dtb: Vec<u8>,
    /// Things left out on the build host (`fdt load` files not found).
    pub notes: Vec<String>,
}

/// Where `name` (as written in `@name` or `fdt load name`) is on this host.
fn resolve(dir: &Path, name: &str) -> PathBuf {
    let p = Path::new(name);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

/// Checks `file` as `qvm @file` would; the error is `qvm`'s message.
pub fn check(file: &Path) -> Result<Checked, String> {
    check_in_image(file, &[])
}

/// As [`check`], for a configuration going into a boot image whose files
/// are `image` (bootfs path, host path): an `@/etc/vm/x.qvmconf` include
/// reads that file of the image, as `qvm` will on the target.
pub fn check_in_image(file: &Path, image: &[(&str, &Path)]) -> Result<Checked, String> {
    let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
    let first = file.to_string_lossy().into_owned();
    let mut read = |name: &str| {
        let path = if name == first {
            file.to_path_buf()
        } else if let Some((_, src)) = image.iter().find(|(dest, _)| *dest == name) {
            src.to_path_buf()
        } else {
            resolve(&dir, name)
        };
        std::fs::read_to_string(&path).map_err(|e| e.to_string())
    };
    let config = parse_args(&[&format!("@{first}")], &mut read).map_err(|e| e.to_string())?;
    let layout = place(&config).map_err(|e| e.to_string())?;
    // What `qvm` refuses to run without carrying out fails the check, as
    // it fails `qvm`; what it warns about is a note.
    let warnings = qvm::honour::check(&config).map_err(|e| e.to_string())?;
    let mut notes: Vec<String> = warnings.iter().map(|w| format!("qvm warns: {w}")).collect();
    let mut blobs = Vec::new();
    for load in config.fdt_overlays() {
        match std::fs::read(resolve(&dir, &load.path)) {
            Ok(dtb) => blobs.push((load, dtb)),
            Err(e) => notes.push(format!(
                "{}: fdt load {}: not merged: {e} (on the build host)",
                load.origin, load.path
            )),
        }
    }
    let overlays: Vec<Overlay> = blobs
        .iter()
        .map(|(load, dtb)| Overlay {
            name: &load.path,
            origin: Some(&load.origin),
            dtb,
        })
        .collect();
    let chosen = Chosen::from_config(&config);
    let dtb = build_with_overlays(&layout, &chosen, &overlays).map_err(|e| e.to_string())?;
    Ok(Checked {
        config,
        layout,
        dtb,
        notes,
    })
}

/// Runs `cargo xtask qvm-check`.
pub fn run(args: &QvmCheckArgs) -> Result<ExitCode> {
    let checked = match check(&args.file) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("{message}");
            return Ok(ExitCode::from(EXIT_BAD_CONFIG));
        }
    };
    for note in &checked.notes {
        eprintln!("note: {note}");
    }
    print!("{}", qvm::report::render(&checked.config, &checked.layout));
    println!("{:<14} {} bytes", "device tree", checked.dtb.len());
    if let Some(out) = &args.dtb {
        std::fs::write(out, &checked.dtb)
            .with_context(|| format!("cannot write {}", out.display()))?;
        println!("wrote {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples() -> PathBuf {
        crate::build::root().join("qvm/tests")
    }

    #[test]
    fn checks_the_examples() {
        for name in ["hello.qvmconf", "linux.qvmconf", "include.qvmconf"] {
            let c = check(&examples().join(name)).unwrap_or_else(|e| panic!("{e}"));
            assert!(c.dtb.starts_with(&[0xd0, 0x0d, 0xfe, 0xed]), "{name}");
        }
        // The spec's example runs with a warning (its writable disk).
        let c = check(&examples().join("linux.qvmconf")).unwrap();
        assert_eq!(c.notes.len(), 1, "{:?}", c.notes);
        assert!(c.notes[0].starts_with("qvm warns: "), "{:?}", c.notes);
        // full.qvmconf has every option, some of which `qvm` refuses: the
        // first is the pl011 with a host file on its line 16.
        let e = check(&examples().join("full.qvmconf")).err().unwrap();
        assert!(
            e.contains("full.qvmconf:16: vdev pl011: 'hostdev </dev/ser2'"),
            "{e}"
        );
    }

    /// Every configuration of `boot/vm/qnx-style/` (QNX's style, issue 14
    /// item 5) is accepted; the notes are the warnings each file's
    /// comments announce, by file.
    #[test]
    fn the_qnx_style_configs_check() {
        let dir = crate::build::root().join("boot/vm/qnx-style");
        let warned = [
            ("linux.qvmconf", "vdev virtio-blk: 'delayed 5'"),
            ("sched.qvmconf", "cpu sched 10f: FIFO is not honoured"),
        ];
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "qvmconf") {
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let c = check(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            let want: Vec<&str> = warned
                .iter()
                .filter(|(file, _)| *file == name)
                .map(|(_, w)| *w)
                .collect();
            assert_eq!(c.notes.len(), want.len(), "{name}: {:?}", c.notes);
            for (note, w) in c.notes.iter().zip(want) {
                assert!(note.contains(w), "{name}: {note}");
            }
            checked += 1;
        }
        assert!(checked >= 5, "only {checked} files in {}", dir.display());
        // Those without a `vdev gic` get QNX's implicit one.
        let c = check(&dir.join("ticker.qvmconf")).unwrap();
        assert!(c.layout.gic.implicit);
    }

    #[test]
    fn an_overlay_missing_on_the_build_host_is_a_note() {
        let dir = std::env::temp_dir().join(format!("xtask-qvm-overlay-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("o.qvmconf");
        std::fs::write(
            &file,
            "ram 64M\ncpu\nvdev gic\nload /hello.img\nfdt load /guests/extra.dtb\n",
        )
        .unwrap();
        let c = check(&file).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(c.notes.len(), 1, "{:?}", c.notes);
        assert!(c.notes[0].contains("fdt load /guests/extra.dtb: not merged"));
    }

    #[test]
    fn includes_of_image_paths_read_the_image_files() {
        let dir = std::env::temp_dir().join(format!("xtask-qvm-image-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("base.qvmconf"), "ram 64M\nvdev gic\n").unwrap();
        std::fs::write(
            dir.join("vm.qvmconf"),
            "@/etc/vm/base.qvmconf\ncmdline \"x\"\n",
        )
        .unwrap();
        let base = dir.join("base.qvmconf");
        let image = [("/etc/vm/base.qvmconf", base.as_path())];
        assert!(check_in_image(&dir.join("vm.qvmconf"), &image).is_ok());
        // Outside an image the bootfs path means nothing on the build host.
        assert!(check(&dir.join("vm.qvmconf")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// What the kernel would refuse at run time is refused here, with exit
    /// status 65: `ram 64G`, a device in the GICv2 window,
    /// above the 39-bit guest-physical top.
    #[test]
    fn the_kernels_limits_are_checked() {
        let dir = std::env::temp_dir().join(format!("xtask-qvm-limits-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cases = [
            (
                "vdev gic\nram 64G\n",
                "2: ram 64G: more than a VM may have (at most 16 GiB, RAM and ROM together)",
            ),
            (
                "ram 64M\nvdev gic version 2\nvdev pl011 loc 0x2c002000\n",
                "3: vdev pl011 0x2c002000-0x2c002fff overlaps vdev gic (GICv2 CPU interface) \
                 0x2c002000-0x2c003fff at FILE:2",
            ),
            (
                "ram 64M\nvdev gic\nvdev pl011 loc 0x8000000000\n",
                "3: vdev pl011 0x8000000000-0x8000000fff: ends above the guest-physical space \
                 (39-bit addresses, below 0x8000000000)",
            ),
        ];
        let file = dir.join("vm.qvmconf");
        for (text, want) in cases {
            std::fs::write(&file, text).unwrap();
            let e = check(&file)
                .err()
                .unwrap_or_else(|| panic!("accepted: {text}"));
            let name = file.display().to_string();
            assert_eq!(e, format!("{name}:{}", want.replace("FILE", &name)));
            let args = QvmCheckArgs {
                file: file.clone(),
                dtb: None,
            };
            assert_eq!(run(&args).unwrap(), ExitCode::from(EXIT_BAD_CONFIG));
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn bad_configs_give_qvms_message() {
        let dir = std::env::temp_dir().join(format!("xtask-qvm-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("part.qvmconf"),
            "vdev gic\nvdev pl011 intr gic37\n",
        )
        .unwrap();
        std::fs::write(dir.join("vm.qvmconf"), "ram 64M\n@part.qvmconf\n").unwrap();
        let e = check(&dir.join("vm.qvmconf")).err().unwrap();
        assert_eq!(
            e,
            "part.qvmconf:2: vdev pl011: 'intr' expects <controller>:<line>, got 'gic37'"
        );
        // No `vdev gic`: QNX's implicit one, the default GICv3 layout.
        std::fs::write(dir.join("vm.qvmconf"), "ram 64M\n").unwrap();
        let c = check(&dir.join("vm.qvmconf")).unwrap();
        assert!(c.layout.gic.implicit);
        assert_eq!(c.layout.gic.gicd.base, 0x2f00_0000);
        std::fs::remove_dir_all(&dir).ok();
    }
}
