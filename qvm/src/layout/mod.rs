//! Placement: where the guest's memory, GIC and devices go.
//!
//! [`place`] applies the default ARM layout of `shared/qvmconf.md` to what
//! the configuration leaves out, and checks what it gives: page alignment,
//! overlaps between RAM, ROM, the GIC, vdevs, `pass` regions and `reserve`d
//! ranges, INTID conflicts, the vCPU count, and the host kernel's limits
//! ([`limits`]). Every error names the option at fault and the limit.

pub mod defaults;
mod devices;
pub mod limits;
pub mod links;
mod space;

use alloc::string::String;
use alloc::vec::Vec;

use crate::config::{
    Config, ConfigError, CpuConfig, GicVersion, MemKind, Origin, Pass, VdevConfig,
};
use defaults::RAM_BASE;
use limits::PAGE_SIZE;
use space::Space;
pub use space::range;

/// A guest-physical range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// First address.
    pub base: u64,
    /// Size in bytes.
    pub size: u64,
}

impl Region {
    /// One past the last address.
    pub fn end(&self) -> u64 {
        self.base + self.size
    }
}

/// A RAM or ROM region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemRegion {
    /// RAM or ROM.
    pub kind: MemKind,
    /// Where.
    pub region: Region,
    /// The `ram` or `rom` option.
    pub origin: Origin,
}

/// One vCPU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vcpu {
    /// 0, 1, ...: also its MPIDR Aff0 and device tree `reg`.
    pub index: u32,
    /// Its `cpu` options (defaults for the implicit single vCPU).
    pub config: CpuConfig,
}

impl Vcpu {
    /// The MPIDR_EL1 affinity value the guest reads (Aff0 = index).
    pub fn mpidr(&self) -> u64 {
        u64::from(self.index)
    }
}

/// The placed GIC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GicLayout {
    /// 2 or 3.
    pub version: GicVersion,
    /// Distributor (GICD).
    pub gicd: Region,
    /// GICv2 CPU interface (GICC), where the virtual CPU interface is mapped.
    pub gicc: Option<Region>,
    /// GICv3 redistributors (GICR): one 128 KiB frame pair per vCPU.
    pub gicr: Option<Region>,
    /// Highest INTID a device or `pass` uses (31 if none): the distributor
    /// needs to implement at least up to here.
    pub max_intid: u32,
    /// The `vdev gic` context.
    pub config: VdevConfig,
}

impl GicLayout {
    /// The SPIs the distributor offers (`vm_configure`'s `spis`): a
    /// multiple of 32 covering [`GicLayout::max_intid`], at least 32; at
    /// most `abi::VM_SPIS_MAX`, as placement keeps INTIDs within it.
    pub fn spis(&self) -> u64 {
        (u64::from(self.max_intid.max(63)) + 1 - 32).next_multiple_of(32)
    }
}

/// A placed device (anything but the GIC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VdevLayout {
    /// Its `vdev` options.
    pub config: VdevConfig,
    /// Its slot: a 4 KiB page, all trapped to `qvm`.
    pub slot: Region,
    /// The register window the guest is told about (0x200 for virtio-mmio,
    /// else the slot's size).
    pub reg_size: u64,
    /// Its SPI.
    pub intid: u32,
}

/// The guest machine after placement: what the VM is assembled from and what
/// the device tree describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmLayout {
    /// `system` name, if given.
    pub name: Option<String>,
    /// RAM and ROM, in config order.
    pub memory: Vec<MemRegion>,
    /// vCPUs, index order (at least one).
    pub cpus: Vec<Vcpu>,
    /// The interrupt controller.
    pub gic: GicLayout,
    /// The other devices, in config order.
    pub vdevs: Vec<VdevLayout>,
    /// Pass-through entries, in config order (checked, unchanged).
    pub passes: Vec<Pass>,
}

impl VmLayout {
    /// The RAM regions.
    pub fn ram(&self) -> impl Iterator<Item = &MemRegion> {
        self.memory.iter().filter(|m| m.kind == MemKind::Ram)
    }
}

/// Choices placement makes when the configuration does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaceOptions {
    /// GIC version of a `vdev gic` without `version` (`qvm` passes the
    /// host's: the virtual CPU interface needs the same kind).
    pub default_gic: GicVersion,
}

impl Default for PlaceOptions {
    fn default() -> Self {
        PlaceOptions {
            default_gic: GicVersion::V3,
        }
    }
}

/// Places `config` with the default options (GICv3 when not said).
pub fn place(config: &Config) -> Result<VmLayout, ConfigError> {
    place_with(config, &PlaceOptions::default())
}

/// Places `config` for an ARM guest.
pub fn place_with(config: &Config, opts: &PlaceOptions) -> Result<VmLayout, ConfigError> {
    let gic_config = devices::find_gic(config)?;
    links::check(config)?;
    let mut space = Space::default();
    // Reserved ranges go first: every later claim is checked against them.
    devices::claim_reserves(config, gic_config, &mut space)?;

    if !config.memory.iter().any(|m| m.kind == MemKind::Ram) {
        return Err(config
            .start
            .error("no 'ram': the guest needs memory (e.g. 'ram 512M')"));
    }
    limits::check_memory(config)?;
    let mut memory: Vec<MemRegion> = Vec::new();
    for m in &config.memory {
        let base = match m.gpa {
            Some(gpa) => gpa,
            None => memory
                .iter()
                .map(|r| r.region.end().next_multiple_of(PAGE_SIZE))
                .max()
                .unwrap_or(RAM_BASE),
        };
        space.claim(base, m.size, m.kind.keyword(), &m.origin)?;
        memory.push(MemRegion {
            kind: m.kind,
            region: Region { base, size: m.size },
            origin: m.origin.clone(),
        });
    }

    let cpus = vcpus(config);
    let mut gic = devices::place_gic(config, gic_config, opts, &cpus, &mut space)?;
    let vdevs = devices::place_vdevs(config, gic_config, &mut space)?;
    gic.max_intid = space.max_intid().unwrap_or(31);
    Ok(VmLayout {
        name: config.system.clone(),
        memory,
        cpus,
        gic,
        vdevs,
        passes: config.passes.clone(),
    })
}

fn vcpus(config: &Config) -> Vec<Vcpu> {
    let configs = if config.cpus.is_empty() {
        Vec::from([CpuConfig::default()])
    } else {
        config.cpus.clone()
    };
    configs
        .into_iter()
        .zip(0u32..)
        .map(|(config, index)| Vcpu { index, config })
        .collect()
}
