//! A Linux test guest booted bare on QEMU `virt`, with no hypervisor: one
//! architecture's Debian kernel and initramfs ([`LinuxArch`]) through
//! QEMU's own loader (`-kernel`, `-initrd`, `-append`) and, for `/init`'s
//! default run, QEMU's own virtio-mmio devices where `qvm` would give the
//! VM its emulated ones (the disk is the case's, [`super::cases::Case::disk`]).

use std::path::Path;

use crate::linux::LinuxArch;

/// The chardev id of the console shared by the PL011 and a virtio-console.
const CONSOLE: &str = "console";

/// The MAC of the virtio-net card, the one `qvm` gives the Linux VM
/// (`guests/linux/linux.qvmconf`).
pub const MAC: &str = "52:54:00:00:01:02";

/// What a bare Linux case boots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinuxBare {
    /// Whose kernel (`LinuxArch::kernel`) and initramfs.
    pub arch: LinuxArch,
    /// The kernel command line.
    pub cmdline: String,
    /// QEMU's virtio-mmio entropy source, network card (MAC [`MAC`], on
    /// a user-mode network that reaches nothing: `restrict=on`) and
    /// virtio-console; the console on stdio shared by the PL011 and the
    /// virtio-console. QEMU gives typed keys to the virtio-console (the
    /// multiplexer's focus goes to the device attached last), as `qvm`
    /// gives them to the first virtio-console of the VM.
    pub virtio: bool,
}

impl LinuxBare {
    /// QEMU's arguments after the machine's (which carry the kernel and
    /// the disk).
    pub fn qemu_args(&self, root: &Path) -> Vec<String> {
        let mut args = vec![
            "-initrd".into(),
            self.arch.initrd(root).display().to_string(),
            "-append".into(),
            self.cmdline.clone(),
        ];
        if self.virtio {
            args.extend([
                "-device".into(),
                "virtio-rng-device".into(),
                "-netdev".into(),
                "user,id=net0,restrict=on".into(),
                "-device".into(),
                format!("virtio-net-device,netdev=net0,mac={MAC}"),
                "-chardev".into(),
                format!("stdio,mux=on,id={CONSOLE}"),
                "-serial".into(),
                format!("chardev:{CONSOLE}"),
                "-device".into(),
                "virtio-serial-device".into(),
                "-device".into(),
                format!("virtconsole,chardev={CONSOLE}"),
            ]);
        }
        args
    }

    /// The name of the image the case boots, one per architecture.
    pub fn image_key(&self) -> String {
        format!("linux bare ({})", self.arch.debian())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qemu::serial_in_args;

    #[test]
    fn the_devices_come_with_the_shared_console() {
        let root = Path::new("/r");
        let plain = LinuxBare {
            arch: LinuxArch::Arm64,
            cmdline: "console=ttyAMA0 rdinit=/init".into(),
            virtio: false,
        };
        assert_eq!(
            plain.qemu_args(root).join(" "),
            "-initrd /r/target/linux/initrd.cpio -append console=ttyAMA0 rdinit=/init"
        );
        assert!(!serial_in_args(&plain.qemu_args(root)));
        let full = LinuxBare {
            arch: LinuxArch::Armhf,
            virtio: true,
            ..plain.clone()
        };
        let args = full.qemu_args(root);
        assert_eq!(args[1], "/r/target/linux-armhf/initrd.cpio");
        assert!(serial_in_args(&args));
        let joined = args.join(" ");
        for device in [
            "virtio-rng-device",
            "virtio-net-device,netdev=net0,mac=52:54:00:00:01:02",
            "virtio-serial-device",
            "virtconsole,chardev=console",
        ] {
            assert!(joined.contains(&format!("-device {device}")), "{device}");
        }
        assert!(joined.contains("-chardev stdio,mux=on,id=console -serial chardev:console"));
        assert_eq!(plain.image_key(), "linux bare (arm64)");
        assert_eq!(full.image_key(), "linux bare (armhf)");
    }
}
