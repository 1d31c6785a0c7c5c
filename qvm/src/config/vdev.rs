//! `vdev TYPE` contexts: device types and their options.

use alloc::string::String;
use alloc::vec::Vec;

use super::Origin;
use super::common_vdev::CommonVdevOptions;
use super::loc::{Intr, Location};

/// The device types `vdev` knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VdevKind {
    /// `gic`: the ARM interrupt controller.
    Gic,
    /// `pl011`: ARM PL011 UART.
    Pl011,
    /// `ser8250`: 8250/16550 UART.
    Ser8250,
    /// `ioapic` (x86).
    Ioapic,
    /// `8259` (x86).
    I8259,
    /// `timer8254` (x86).
    Timer8254,
    /// `mc146818` (x86 RTC).
    Mc146818,
    /// `pckeyboard` (x86 i8042).
    PcKeyboard,
    /// `hpet` (x86).
    Hpet,
    /// `virtio-console`.
    VirtioConsole,
    /// `virtio-blk`.
    VirtioBlk,
    /// `virtio-net`.
    VirtioNet,
    /// `virtio-entropy`.
    VirtioEntropy,
    /// `shmem`: shared memory between VMs.
    Shmem,
    /// `wdt-sp805`: ARM SP805 watchdog.
    WdtSp805,
    /// `wdt-ib700`: the IB700 board's watchdog (x86).
    WdtIb700,
}

/// The SP805's clock without `frequency`: QNX's default for `vdev
/// wdt-sp805` (25 MHz; the TRM leaves `WDOGCLK` to the system).
pub const WDT_SP805_DEFAULT_HZ: u64 = 25_000_000;

/// Every device type, in the order of the spec's table.
pub const VDEV_KINDS: &[VdevKind] = &[
    VdevKind::Gic,
    VdevKind::Pl011,
    VdevKind::Ser8250,
    VdevKind::Ioapic,
    VdevKind::I8259,
    VdevKind::Timer8254,
    VdevKind::Mc146818,
    VdevKind::PcKeyboard,
    VdevKind::Hpet,
    VdevKind::VirtioConsole,
    VdevKind::VirtioBlk,
    VdevKind::VirtioNet,
    VdevKind::VirtioEntropy,
    VdevKind::Shmem,
    VdevKind::WdtSp805,
    VdevKind::WdtIb700,
];

impl VdevKind {
    /// The type as written after `vdev`.
    pub fn name(self) -> &'static str {
        match self {
            VdevKind::Gic => "gic",
            VdevKind::Pl011 => "pl011",
            VdevKind::Ser8250 => "ser8250",
            VdevKind::Ioapic => "ioapic",
            VdevKind::I8259 => "8259",
            VdevKind::Timer8254 => "timer8254",
            VdevKind::Mc146818 => "mc146818",
            VdevKind::PcKeyboard => "pckeyboard",
            VdevKind::Hpet => "hpet",
            VdevKind::VirtioConsole => "virtio-console",
            VdevKind::VirtioBlk => "virtio-blk",
            VdevKind::VirtioNet => "virtio-net",
            VdevKind::VirtioEntropy => "virtio-entropy",
            VdevKind::Shmem => "shmem",
            VdevKind::WdtSp805 => "wdt-sp805",
            VdevKind::WdtIb700 => "wdt-ib700",
        }
    }

    /// The type named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        VDEV_KINDS.iter().copied().find(|k| k.name() == name)
    }

    /// Whether the device exists only in x86 VMs.
    pub fn is_x86_only(self) -> bool {
        matches!(
            self,
            VdevKind::Ioapic
                | VdevKind::I8259
                | VdevKind::Timer8254
                | VdevKind::Mc146818
                | VdevKind::PcKeyboard
                | VdevKind::Hpet
                | VdevKind::WdtIb700
        )
    }

    /// Whether the device is a watchdog (`action` says what its bite
    /// does).
    pub fn is_watchdog(self) -> bool {
        matches!(self, VdevKind::WdtSp805 | VdevKind::WdtIb700)
    }

    /// Whether the device uses the virtio-mmio transport.
    pub fn is_virtio(self) -> bool {
        matches!(
            self,
            VdevKind::VirtioConsole
                | VdevKind::VirtioBlk
                | VdevKind::VirtioNet
                | VdevKind::VirtioEntropy
        )
    }

    /// The device options (besides `loc`, `intr`, `name`) the type takes.
    pub fn options(self) -> &'static [&'static str] {
        match self {
            VdevKind::Gic => &["version"],
            VdevKind::Pl011 | VdevKind::Ser8250 | VdevKind::VirtioConsole => &["hostdev"],
            VdevKind::VirtioBlk => &["hostdev"],
            VdevKind::VirtioNet => &["mac", "peer"],
            VdevKind::Shmem => &["create", "allow", "deny"],
            VdevKind::WdtSp805 => &["action", "frequency"],
            VdevKind::WdtIb700 => &["action"],
            _ => &[],
        }
    }
}

/// One `vdev` context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VdevConfig {
    /// The device type.
    pub kind: VdevKind,
    /// `loc`, and the line it was given on.
    pub loc: Option<(Location, Origin)>,
    /// `intr`, and the line it was given on.
    pub intr: Option<(Intr, Origin)>,
    /// `name`.
    pub name: Option<String>,
    /// The type's own options.
    pub options: DeviceOptions,
    /// QNX's options common to every type (`hostvector`, `delayed`).
    pub common: CommonVdevOptions,
    /// The `vdev` option.
    pub origin: Origin,
}

impl VdevConfig {
    /// A device of `kind` with no options yet.
    pub fn new(kind: VdevKind, origin: Origin) -> Self {
        let options = match kind {
            VdevKind::Gic => DeviceOptions::Gic { version: None },
            VdevKind::Pl011 | VdevKind::Ser8250 | VdevKind::VirtioConsole => {
                DeviceOptions::Serial { hostdev: None }
            }
            VdevKind::VirtioBlk => DeviceOptions::Block { hostdev: None },
            VdevKind::VirtioNet => DeviceOptions::Net {
                mac: None,
                peer: None,
            },
            VdevKind::Shmem => DeviceOptions::Shmem {
                create: None,
                allow: Vec::new(),
                deny: Vec::new(),
            },
            VdevKind::WdtSp805 | VdevKind::WdtIb700 => DeviceOptions::Watchdog {
                dump: false,
                frequency: None,
            },
            _ => DeviceOptions::None,
        };
        VdevConfig {
            kind,
            loc: None,
            intr: None,
            name: None,
            options,
            common: CommonVdevOptions::default(),
            origin,
        }
    }

    /// `vdev TYPE` or `vdev TYPE (name NAME)`, for messages.
    pub fn describe(&self) -> String {
        let mut s = String::from("vdev ");
        s.push_str(self.kind.name());
        if let Some(name) = &self.name {
            s.push_str(" (name ");
            s.push_str(name);
            s.push(')');
        }
        s
    }
}

/// The options particular to a device type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceOptions {
    /// Types with no options of their own.
    None,
    /// `gic`.
    Gic {
        /// `version 2|3`; `None` leaves the choice to placement.
        version: Option<GicVersion>,
    },
    /// `pl011`, `ser8250`, `virtio-console`.
    Serial {
        /// `hostdev`.
        hostdev: Option<HostDev>,
    },
    /// `virtio-blk`.
    Block {
        /// `hostdev [<]FILE`.
        hostdev: Option<HostDev>,
    },
    /// `virtio-net`.
    Net {
        /// `mac XX:XX:XX:XX:XX:XX`.
        mac: Option<[u8; 6]>,
        /// `peer VM/NAME`.
        peer: Option<Peer>,
    },
    /// `shmem`.
    Shmem {
        /// `create NAME,SIZE`.
        create: Option<(String, u64)>,
        /// `allow GLOB`, in order.
        allow: Vec<String>,
        /// `deny GLOB`, in order.
        deny: Vec<String>,
    },
    /// `wdt-sp805`, `wdt-ib700`.
    Watchdog {
        /// `action dump,terminate`: write a guest core dump first.
        dump: bool,
        /// `frequency HZ`: the watchdog clock (SP805 only; default
        /// [`WDT_SP805_DEFAULT_HZ`]).
        frequency: Option<u64>,
    },
}

/// GIC architecture version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GicVersion {
    /// GICv2: distributor and memory-mapped CPU interface.
    V2,
    /// GICv3: distributor, redistributors, system-register CPU interface.
    V3,
}

impl GicVersion {
    /// 2 or 3.
    pub fn number(self) -> u32 {
        match self {
            GicVersion::V2 => 2,
            GicVersion::V3 => 3,
        }
    }
}

/// `hostdev [<|>]PATH`: the host side of a serial device or disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostDev {
    /// Which way data flows.
    pub dir: HostDir,
    /// The host file, or the VM's console (`-`).
    pub path: HostPath,
}

/// The direction prefix of `hostdev`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostDir {
    /// No prefix: both ways.
    Both,
    /// `<`: input only (a read-only disk).
    In,
    /// `>`: output only.
    Out,
}

/// What `hostdev` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostPath {
    /// `-`: the VM's console (its lines go to the host console with the
    /// VM's name in front).
    Console,
    /// A host file or device.
    File(String),
}

/// `peer VM/NAME`: the other end of a virtio-net link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    /// The other VM's `system` name.
    pub vm: String,
    /// The `name` of its virtio-net.
    pub name: String,
}
