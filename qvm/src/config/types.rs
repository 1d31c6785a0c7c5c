//! What a configuration says, option by option, before placement.

use alloc::string::String;
use alloc::vec::Vec;

use super::Origin;
use super::loc::Intr;
pub use super::sched::{MAX_PRIORITY, QNX_MAX_PRIORITY, Sched, SchedPolicy, Sporadic};
use super::settings::{Logger, Unsupported, Vars};
use super::vdev::VdevConfig;

/// A whole VM configuration: every source read, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// `system NAME`.
    pub system: Option<String>,
    /// `ram` and `rom` lines, in the order written (placement of a region
    /// without a GPA depends on the regions before it).
    pub memory: Vec<MemOption>,
    /// `cpu` lines: one vCPU each (none means one, with default settings).
    pub cpus: Vec<CpuConfig>,
    /// `load`, `initrd load`, `fdt load`, `data load`, in order.
    pub loads: Vec<Load>,
    /// `cmdline`: the last one given.
    pub cmdline: Option<String>,
    /// `vdev` contexts, in order.
    pub vdevs: Vec<VdevConfig>,
    /// `pass` entries: one per `loc` or `intr` of a `pass` context.
    pub passes: Vec<Pass>,
    /// `reserve` entries: one per `loc` or `intr` of a `reserve` context.
    pub reserves: Vec<Reserve>,
    /// `unsupported` policies.
    pub unsupported: Unsupported,
    /// `logger` lines, in order.
    pub loggers: Vec<Logger>,
    /// `set` variables.
    pub vars: Vars,
    /// `dryrun`.
    pub dryrun: bool,
    /// `dump DIR`: the last one given.
    pub dump_dir: Option<String>,
    /// Where the settings that keep no origin of their own were last given,
    /// by key: `set VAR`, `unsupported WHAT`, `dump` (see [`Config::given_at`]).
    pub given: Vec<(String, Origin)>,
    /// Where the configuration starts (the first option), for errors about
    /// something missing altogether (no `vdev gic`, no `ram`).
    pub start: Origin,
}

impl Config {
    /// An empty configuration whose missing-option errors point at `start`.
    pub fn new(start: Origin) -> Self {
        Config {
            system: None,
            memory: Vec::new(),
            cpus: Vec::new(),
            loads: Vec::new(),
            cmdline: None,
            vdevs: Vec::new(),
            passes: Vec::new(),
            reserves: Vec::new(),
            unsupported: Unsupported::default(),
            loggers: Vec::new(),
            vars: Vars::default(),
            dryrun: false,
            dump_dir: None,
            given: Vec::new(),
            start,
        }
    }

    /// Records that the setting `key` (`set VAR`, `unsupported WHAT`,
    /// `dump`) was given at `at`, replacing an earlier place.
    pub fn note_given(&mut self, key: String, at: Origin) {
        self.given.retain(|(k, _)| *k != key);
        self.given.push((key, at));
    }

    /// Where the setting `key` was last given (the start of the
    /// configuration if it was not).
    pub fn given_at(&self, key: &str) -> &Origin {
        self.given
            .iter()
            .find(|(k, _)| k == key)
            .map_or(&self.start, |(_, at)| at)
    }

    /// The guest image (`load` without prefix), if any.
    pub fn image(&self) -> Option<&Load> {
        self.loads.iter().find(|l| l.kind == LoadKind::Image)
    }

    /// The ramdisk (`initrd load`), if any.
    pub fn initrd(&self) -> Option<&Load> {
        self.loads.iter().find(|l| l.kind == LoadKind::Initrd)
    }

    /// The `fdt load` overlays, in order.
    pub fn fdt_overlays(&self) -> impl Iterator<Item = &Load> {
        self.loads.iter().filter(|l| l.kind == LoadKind::Fdt)
    }
}

/// `ram [GPA,]SIZE` or `rom [GPA,]SIZE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemOption {
    /// RAM or ROM.
    pub kind: MemKind,
    /// Guest-physical address, if given.
    pub gpa: Option<u64>,
    /// Size in bytes.
    pub size: u64,
    /// The option.
    pub origin: Origin,
}

/// Kind of guest memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemKind {
    /// `ram`: read, write, execute.
    Ram,
    /// `rom`: read and execute; filled by `load`.
    Rom,
}

impl MemKind {
    /// The option's keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            MemKind::Ram => "ram",
            MemKind::Rom => "rom",
        }
    }
}

/// One `cpu` context.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CpuConfig {
    /// `sched PRIO[r|f]`.
    pub sched: Option<Sched>,
    /// `runmask N[,N...]` as a bit mask of host CPUs (bit N = CPU N).
    pub runmask: Option<u64>,
    /// The `cpu` option (`None` for the implicit vCPU of a config without one).
    pub origin: Option<Origin>,
}

/// `[initrd|fdt|data] load [GPA,]FILE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Load {
    /// What the file is.
    pub kind: LoadKind,
    /// Where to put it, if given.
    pub gpa: Option<u64>,
    /// The host file.
    pub path: String,
    /// The option.
    pub origin: Origin,
}

/// The prefix of `load`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadKind {
    /// `load`: the guest image (ELF, arm64 `Image`, zImage, bzImage or raw).
    Image,
    /// `initrd load`: a ramdisk.
    Initrd,
    /// `fdt load`: a device tree merged into the generated one.
    Fdt,
    /// `data load`: raw bytes.
    Data,
}

impl LoadKind {
    /// How the option is written.
    pub fn keyword(self) -> &'static str {
        match self {
            LoadKind::Image => "load",
            LoadKind::Initrd => "initrd load",
            LoadKind::Fdt => "fdt load",
            LoadKind::Data => "data load",
        }
    }
}

/// Attribute letters of a `pass loc mem:` region.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemAttrs {
    /// `r`.
    pub read: bool,
    /// `w`.
    pub write: bool,
    /// `x`.
    pub exec: bool,
    /// `c`: cacheable (else device memory).
    pub cacheable: bool,
    /// `m`: usable as RAM (listed in the guest's memory map).
    pub ram: bool,
}

/// One pass-through entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PassKind {
    /// `loc mem:GPA,LEN,ATTRS[=HPA]`.
    Mem {
        /// Guest-physical address.
        gpa: u64,
        /// Length in bytes.
        len: u64,
        /// Attributes.
        attrs: MemAttrs,
        /// Host-physical address (`gpa` when `=HPA` is left out).
        hpa: u64,
    },
    /// `loc io:PORT,LEN[=HOSTPORT]` (x86).
    Io {
        /// Guest port.
        port: u16,
        /// Number of ports.
        len: u16,
        /// Host port.
        host: u16,
    },
    /// `intr C:N[=HOSTIRQ]`.
    Intr {
        /// Guest interrupt.
        intr: Intr,
        /// Host interrupt (`intr.line` when left out).
        host: u32,
    },
}

/// A `pass` entry and the line that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pass {
    /// What passes through.
    pub kind: PassKind,
    /// The `loc` or `intr` option.
    pub origin: Origin,
}

/// One reserved range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReserveKind {
    /// `loc mem:GPA,LEN`.
    Mem {
        /// Start.
        gpa: u64,
        /// Length in bytes.
        len: u64,
    },
    /// `intr C:N`.
    Intr(Intr),
}

/// A `reserve` entry and the line that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reserve {
    /// What is kept away from automatic placement.
    pub kind: ReserveKind,
    /// The `loc` or `intr` option.
    pub origin: Origin,
}
