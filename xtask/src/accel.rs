//! `--accel kvm`: QEMU on the host's KVM (`-accel kvm -cpu host`) instead
//! of TCG, and whether this host can do it for the hypervisor.
//!
//! The hypervisor runs inside the machine QEMU makes and needs
//! virtualization there, so KVM must offer nested virtualization: on x86
//! the `nested` parameter of `kvm_intel` or `kvm_amd`; on arm64 KVM's
//! `kvm-arm.mode=nested` and a CPU with FEAT_NV2. Each check is a pure
//! function of what it reads (file contents), tested on the build host;
//! [`check`] reads the real files.

use std::io;

use clap::ValueEnum;

use crate::build::Arch;

/// How QEMU runs the machine's CPUs (`cargo xtask run --accel`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Accel {
    /// QEMU's TCG: every instruction emulated; any architecture and CPU
    /// model, slow.
    #[default]
    #[value(name = "tcg")]
    Tcg,
    /// The host's KVM with the host's own CPU (`-accel kvm -cpu host`):
    /// only the host's architecture, and only with nested virtualization.
    #[value(name = "kvm")]
    Kvm,
}

/// KVM's device.
pub const DEV_KVM: &str = "/dev/kvm";
/// Whether `kvm_intel` offers VMX to its guests (`Y` or `N`; `1` or `0`
/// on old kernels).
pub const INTEL_NESTED: &str = "/sys/module/kvm_intel/parameters/nested";
/// Whether `kvm_amd` offers SVM to its guests (`1` or `0`).
pub const AMD_NESTED: &str = "/sys/module/kvm_amd/parameters/nested";
/// The CPU's vendor and flags.
const CPUINFO: &str = "/proc/cpuinfo";
/// The host kernel's command line (arm64: `kvm-arm.mode=nested`).
const CMDLINE: &str = "/proc/cmdline";
/// The arm64 kernel parameter that lets KVM run a guest at EL2.
const ARM_NESTED_MODE: &str = "kvm-arm.mode=nested";

/// What the checks read on a host.
#[derive(Debug)]
pub struct Host {
    /// The host's architecture, as Rust names it (`x86_64`, `aarch64`).
    pub arch: String,
    /// Opening [`DEV_KVM`] for reading and writing.
    pub dev_kvm: io::Result<()>,
    /// `/proc/cpuinfo`, if readable.
    pub cpuinfo: Option<String>,
    /// [`INTEL_NESTED`], if there.
    pub intel_nested: Option<String>,
    /// [`AMD_NESTED`], if there.
    pub amd_nested: Option<String>,
    /// `/proc/cmdline`, if readable.
    pub cmdline: Option<String>,
}

impl Host {
    /// Reads this host's files.
    pub fn read() -> Host {
        let read = |path: &str| std::fs::read_to_string(path).ok();
        Host {
            arch: std::env::consts::ARCH.into(),
            dev_kvm: std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(DEV_KVM)
                .map(drop),
            cpuinfo: read(CPUINFO),
            intel_nested: read(INTEL_NESTED),
            amd_nested: read(AMD_NESTED),
            cmdline: read(CMDLINE),
        }
    }
}

/// Whether QEMU can run `arch`'s machine on this host's KVM, with nested
/// virtualization if `nested` (the hypervisor needs it; a guest booted
/// bare does not): why not, if not.
pub fn check(arch: Arch, nested: bool) -> Result<(), String> {
    verdict(&Host::read(), arch, nested)
}

/// [`check`] on what was read from `host`.
pub fn verdict(host: &Host, arch: Arch, nested: bool) -> Result<(), String> {
    arch_state(&host.arch, arch)?;
    dev_kvm_state(&host.dev_kvm)?;
    if !nested {
        return Ok(());
    }
    match arch {
        Arch::X86_64 => x86_nested_state(
            host.cpuinfo.as_deref().unwrap_or(""),
            host.intel_nested.as_deref(),
            host.amd_nested.as_deref(),
        ),
        Arch::Aarch64 => arm_nested_state(host.cmdline.as_deref()),
    }
}

/// The name `--arch` takes.
fn arch_name(arch: Arch) -> &'static str {
    match arch {
        Arch::Aarch64 => "aarch64",
        Arch::X86_64 => "x86_64",
    }
}

/// KVM runs only the host's own architecture: `host` (Rust's name for
/// it) must be `arch`.
pub fn arch_state(host: &str, arch: Arch) -> Result<(), String> {
    let want = arch_name(arch);
    if host == want {
        Ok(())
    } else {
        Err(format!(
            "this host is {host}, not {want}: KVM runs only the host's own architecture"
        ))
    }
}

/// How opening `/dev/kvm` for reading and writing went.
pub fn dev_kvm_state(open: &io::Result<()>) -> Result<(), String> {
    match open {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(format!(
            "no {DEV_KVM}: this kernel offers no KVM (no KVM module loaded, or \
             virtualization turned off in the firmware)"
        )),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Err(format!(
            "{DEV_KVM} is not readable and writable by this user (add yourself to its \
             group, usually `kvm`, and log in again)"
        )),
        Err(e) => Err(format!("cannot open {DEV_KVM}: {e}")),
    }
}

/// The value of the first `name : value` line of `/proc/cpuinfo`.
fn cpuinfo_field<'a>(cpuinfo: &'a str, name: &str) -> Option<&'a str> {
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == name).then(|| value.trim())
    })
}

/// A KVM module of x86 and what it needs.
struct X86Kvm {
    module: &'static str,
    /// The CPU flag in `/proc/cpuinfo` the module needs.
    flag: &'static str,
    /// Its `nested` parameter's path.
    param: &'static str,
}

const KVM_INTEL: X86Kvm = X86Kvm {
    module: "kvm_intel",
    flag: "vmx",
    param: INTEL_NESTED,
};
const KVM_AMD: X86Kvm = X86Kvm {
    module: "kvm_amd",
    flag: "svm",
    param: AMD_NESTED,
};

/// Whether x86 KVM offers nested virtualization: `cpuinfo` is
/// `/proc/cpuinfo`, `intel_nested` and `amd_nested` the contents of
/// [`INTEL_NESTED`] and [`AMD_NESTED`] if there. The CPU's vendor says
/// which module applies (Intel `kvm_intel`, AMD and Hygon `kvm_amd`); for
/// another vendor, the one module loaded.
pub fn x86_nested_state(
    cpuinfo: &str,
    intel_nested: Option<&str>,
    amd_nested: Option<&str>,
) -> Result<(), String> {
    let unknown = "cannot tell whether nested virtualization is on";
    let vendor = cpuinfo_field(cpuinfo, "vendor_id");
    let (kvm, nested) = match vendor {
        Some("GenuineIntel") => (KVM_INTEL, intel_nested),
        Some("AuthenticAMD" | "HygonGenuine") => (KVM_AMD, amd_nested),
        _ => match (intel_nested, amd_nested) {
            (Some(n), None) => (KVM_INTEL, Some(n)),
            (None, Some(n)) => (KVM_AMD, Some(n)),
            (both, _) => {
                return Err(format!(
                    "{unknown}: the CPU's vendor is {} and {} of kvm_intel and kvm_amd is loaded",
                    vendor.map_or("not in /proc/cpuinfo".into(), |v| format!("{v:?}")),
                    if both.is_some() { "each" } else { "neither" },
                ));
            }
        },
    };
    let cpu = vendor.unwrap_or("x86");
    if let Some(flags) = cpuinfo_field(cpuinfo, "flags")
        && !flags.split_whitespace().any(|f| f == kvm.flag)
    {
        return Err(format!(
            "this {cpu} CPU has no {} flag in /proc/cpuinfo: the KVM here does not run on \
             {}, so it cannot offer it to a guest (nested virtualization is off)",
            kvm.flag,
            kvm.flag.to_uppercase(),
        ));
    }
    let Some(value) = nested else {
        return Err(format!(
            "{unknown}: no {} ({} is not loaded; a {cpu} CPU's KVM is {})",
            kvm.param, kvm.module, kvm.module
        ));
    };
    match value.trim() {
        "Y" | "y" | "1" => Ok(()),
        off @ ("N" | "n" | "0") => Err(format!(
            "{} is {off}: nested virtualization is off (turn it on: `modprobe -r {m}; \
             modprobe {m} nested=1`)",
            kvm.param,
            m = kvm.module,
        )),
        other => Err(format!("{unknown}: {} is {other:?}", kvm.param)),
    }
}

/// Whether arm64 KVM offers nested virtualization, from the host
/// kernel's command line (`None`: unreadable). KVM runs a guest at EL2
/// only if booted with `kvm-arm.mode=nested` on a CPU with FEAT_NV2 (and
/// QEMU must support it); the CPU's FEAT_NV2 shows in no file (only KVM's
/// `KVM_CAP_ARM_EL2` says), so with the parameter the answer is "cannot
/// tell".
pub fn arm_nested_state(cmdline: Option<&str>) -> Result<(), String> {
    let unknown = "cannot tell whether nested virtualization is on";
    let Some(cmdline) = cmdline else {
        return Err(format!("{unknown}: cannot read {CMDLINE}"));
    };
    // Words after `--` are init's, not the kernel's.
    let kernel_words = cmdline.split_whitespace().take_while(|w| *w != "--");
    if kernel_words.into_iter().any(|w| w == ARM_NESTED_MODE) {
        Err(format!(
            "{unknown}: the kernel was started with {ARM_NESTED_MODE}, but whether this CPU \
             has FEAT_NV2 (and so KVM can run a guest at EL2) shows in no file under /proc or /sys"
        ))
    } else {
        Err(format!(
            "{CMDLINE} has no {ARM_NESTED_MODE}: nested virtualization is off (arm64 KVM \
             runs a guest at EL2 only in that mode, on a CPU with FEAT_NV2)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INTEL: &str = "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme vmx sse2\n\n\
                         processor\t: 1\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme vmx sse2\n";
    const INTEL_NO_VMX: &str =
        "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme hypervisor sse2\n";
    const AMD: &str = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu svm sse2\n";
    const HYGON: &str = "processor\t: 0\nvendor_id\t: HygonGenuine\nflags\t\t: fpu svm\n";
    const OTHER: &str = "processor\t: 0\nvendor_id\t: CentaurHauls\nflags\t\t: fpu vmx svm\n";

    fn err(r: Result<(), String>) -> String {
        r.unwrap_err()
    }

    #[test]
    fn kvm_runs_the_hosts_architecture_only() {
        arch_state("x86_64", Arch::X86_64).unwrap();
        arch_state("aarch64", Arch::Aarch64).unwrap();
        assert_eq!(
            err(arch_state("x86_64", Arch::Aarch64)),
            "this host is x86_64, not aarch64: KVM runs only the host's own architecture"
        );
        assert!(err(arch_state("riscv64", Arch::X86_64)).contains("riscv64, not x86_64"));
    }

    #[test]
    fn dev_kvm_must_open_for_reading_and_writing() {
        dev_kvm_state(&Ok(())).unwrap();
        let missing = err(dev_kvm_state(&Err(io::ErrorKind::NotFound.into())));
        assert!(missing.starts_with("no /dev/kvm: "), "{missing}");
        let denied = err(dev_kvm_state(&Err(io::ErrorKind::PermissionDenied.into())));
        assert!(
            denied.starts_with("/dev/kvm is not readable and writable by this user"),
            "{denied}"
        );
        let busy = err(dev_kvm_state(&Err(io::Error::other("busy"))));
        assert_eq!(busy, "cannot open /dev/kvm: busy");
    }

    #[test]
    fn intel_nested_parameter() {
        x86_nested_state(INTEL, Some("Y\n"), None).unwrap();
        x86_nested_state(INTEL, Some("1\n"), Some("0\n")).unwrap();
        for off in ["N\n", "0\n"] {
            let e = err(x86_nested_state(INTEL, Some(off), None));
            assert!(
                e.starts_with(&format!(
                    "/sys/module/kvm_intel/parameters/nested is {}: nested virtualization is off",
                    off.trim()
                )),
                "{e}"
            );
            assert!(e.contains("modprobe kvm_intel nested=1"), "{e}");
        }
        let odd = err(x86_nested_state(INTEL, Some("maybe\n"), None));
        assert_eq!(
            odd,
            "cannot tell whether nested virtualization is on: \
             /sys/module/kvm_intel/parameters/nested is \"maybe\""
        );
        // kvm_amd's parameter says nothing about an Intel CPU.
        let absent = err(x86_nested_state(INTEL, None, Some("1\n")));
        assert_eq!(
            absent,
            "cannot tell whether nested virtualization is on: no \
             /sys/module/kvm_intel/parameters/nested (kvm_intel is not loaded; a GenuineIntel \
             CPU's KVM is kvm_intel)"
        );
    }

    #[test]
    fn amd_nested_parameter() {
        x86_nested_state(AMD, None, Some("1\n")).unwrap();
        x86_nested_state(AMD, None, Some("Y\n")).unwrap();
        x86_nested_state(HYGON, None, Some("1\n")).unwrap();
        let off = err(x86_nested_state(AMD, Some("Y\n"), Some("0\n")));
        assert!(
            off.starts_with(
                "/sys/module/kvm_amd/parameters/nested is 0: nested virtualization is off"
            ),
            "{off}"
        );
        assert!(off.contains("modprobe kvm_amd nested=1"), "{off}");
        let absent = err(x86_nested_state(AMD, Some("Y\n"), None));
        assert!(
            absent.starts_with(
                "cannot tell whether nested virtualization is on: no \
                 /sys/module/kvm_amd/parameters/nested"
            ),
            "{absent}"
        );
    }

    #[test]
    fn a_cpu_without_its_flag_has_nothing_to_nest() {
        // As in a VM whose hypervisor passes no VMX on (KVM there is not
        // kvm_intel).
        let e = err(x86_nested_state(INTEL_NO_VMX, None, None));
        assert_eq!(
            e,
            "this GenuineIntel CPU has no vmx flag in /proc/cpuinfo: the KVM here does not \
             run on VMX, so it cannot offer it to a guest (nested virtualization is off)"
        );
        let amd_no_svm = AMD.replace(" svm", "");
        let e = err(x86_nested_state(&amd_no_svm, None, Some("1")));
        assert!(
            e.starts_with("this AuthenticAMD CPU has no svm flag"),
            "{e}"
        );
    }

    #[test]
    fn another_vendor_goes_by_the_loaded_module() {
        x86_nested_state(OTHER, Some("Y"), None).unwrap();
        x86_nested_state(OTHER, None, Some("1")).unwrap();
        let off = err(x86_nested_state(OTHER, None, Some("0")));
        assert!(off.starts_with("/sys/module/kvm_amd/parameters/nested is 0"));
        let neither = err(x86_nested_state(OTHER, None, None));
        assert_eq!(
            neither,
            "cannot tell whether nested virtualization is on: the CPU's vendor is \
             \"CentaurHauls\" and neither of kvm_intel and kvm_amd is loaded"
        );
        let each = err(x86_nested_state(OTHER, Some("Y"), Some("1")));
        assert!(
            each.contains("and each of kvm_intel and kvm_amd is loaded"),
            "{each}"
        );
        // No /proc/cpuinfo at all: no vendor, no flags.
        x86_nested_state("", Some("Y"), None).unwrap();
        let blind = err(x86_nested_state("", None, None));
        assert!(blind.contains("vendor is not in /proc/cpuinfo"), "{blind}");
    }

    #[test]
    fn arm64_nested_mode() {
        let off = err(arm_nested_state(Some("console=ttyAMA0 root=/dev/vda\n")));
        assert!(
            off.starts_with(
                "/proc/cmdline has no kvm-arm.mode=nested: nested virtualization is off"
            ),
            "{off}"
        );
        // A word for init, after `--`, is not the kernel's.
        let init = err(arm_nested_state(Some("quiet -- kvm-arm.mode=nested\n")));
        assert!(init.contains("nested virtualization is off"), "{init}");
        let on = err(arm_nested_state(Some("quiet kvm-arm.mode=nested\n")));
        assert!(
            on.starts_with("cannot tell whether nested virtualization is on: "),
            "{on}"
        );
        assert!(on.contains("FEAT_NV2"), "{on}");
        let unreadable = err(arm_nested_state(None));
        assert_eq!(
            unreadable,
            "cannot tell whether nested virtualization is on: cannot read /proc/cmdline"
        );
    }

    #[test]
    fn the_verdict_checks_in_order() {
        let host = |arch: &str, dev_kvm: io::Result<()>| Host {
            arch: arch.into(),
            dev_kvm,
            cpuinfo: Some(AMD.into()),
            intel_nested: None,
            amd_nested: Some("1\n".into()),
            cmdline: Some("quiet\n".into()),
        };
        verdict(&host("x86_64", Ok(())), Arch::X86_64, true).unwrap();
        // The architecture first, then /dev/kvm, then nesting.
        let arm = err(verdict(
            &host("x86_64", Err(io::ErrorKind::NotFound.into())),
            Arch::Aarch64,
            true,
        ));
        assert!(arm.starts_with("this host is x86_64, not aarch64"), "{arm}");
        let missing = err(verdict(
            &host("x86_64", Err(io::ErrorKind::NotFound.into())),
            Arch::X86_64,
            false,
        ));
        assert!(missing.starts_with("no /dev/kvm"), "{missing}");
        let mut off = host("x86_64", Ok(()));
        off.amd_nested = Some("0\n".into());
        assert!(err(verdict(&off, Arch::X86_64, true)).contains("nested is 0"));
        // A guest booted bare needs no nesting.
        verdict(&off, Arch::X86_64, false).unwrap();
        let arm_host = host("aarch64", Ok(()));
        assert!(err(verdict(&arm_host, Arch::Aarch64, true)).contains("kvm-arm.mode=nested"));
        verdict(&arm_host, Arch::Aarch64, false).unwrap();
    }

    #[test]
    fn reads_this_host_without_panicking() {
        let host = Host::read();
        assert_eq!(host.arch, std::env::consts::ARCH);
        let _ = verdict(&host, Arch::X86_64, true);
    }
}
