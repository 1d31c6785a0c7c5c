//! Placement: where the guest's memory, interrupt controller and devices go.
//!
//! [`place`] applies the guest architecture's default layout (`crate::arch`;
//! for AArch64 that of `shared/qvmconf.md`) to what the configuration
//! leaves out, and checks what it gives: page alignment, overlaps between
//! RAM, ROM, the interrupt controller, vdevs, `pass` regions and `reserve`d
//! ranges, interrupt line conflicts, the vCPU count, and the host kernel's
//! limits ([`limits`]). Every error names the option at fault and the
//! limit.

mod devices;
mod host;
pub mod limits;
pub mod links;
pub(crate) mod space;
mod types;

use alloc::string::String;
use alloc::vec::Vec;

use crate::arch::guest;
use crate::config::{Config, ConfigError, CpuConfig, MemKind, Pass};
use limits::PAGE_SIZE;
use space::Space;

pub use crate::arch::guest::PlaceOptions;
pub use space::range;
pub use types::{AddressSpace, MemRegion, Region, Vcpu, VdevLayout};

/// The guest machine after placement: what the VM is assembled from and what
/// the device tree describes.
///
/// `Chip` is the guest architecture's interrupt controller layout; code for
/// one architecture names it (`VmLayout<GicLayout>`), the rest takes the
/// chosen architecture's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmLayout<Chip = guest::IrqChipLayout> {
    /// `system` name, if given.
    pub name: Option<String>,
    /// RAM and ROM, in config order.
    pub memory: Vec<MemRegion>,
    /// vCPUs, index order (at least one).
    pub cpus: Vec<Vcpu>,
    /// The interrupt controller, as the guest architecture places it (on
    /// AArch64 the GIC: the name of the field, which tools read).
    pub gic: Chip,
    /// The other devices, in config order.
    pub vdevs: Vec<VdevLayout>,
    /// Pass-through entries, in config order (checked, unchanged).
    pub passes: Vec<Pass>,
}

impl<Chip> VmLayout<Chip> {
    /// The RAM regions.
    pub fn ram(&self) -> impl Iterator<Item = &MemRegion> {
        self.memory.iter().filter(|m| m.kind == MemKind::Ram)
    }
}

/// Places `config` with the default options (on AArch64: GICv3 when not
/// said).
pub fn place(config: &Config) -> Result<VmLayout, ConfigError> {
    place_with(config, &PlaceOptions::default())
}

/// Places `config` for a guest of [`crate::arch::guest`]'s architecture.
pub fn place_with(config: &Config, opts: &PlaceOptions) -> Result<VmLayout, ConfigError> {
    let chip_config = guest::find_irq_chip(config)?;
    links::check(config)?;
    let mut space = Space::default();
    // Reserved ranges go first: every later claim is checked against them.
    devices::claim_reserves(config, &chip_config, &mut space)?;

    // Guest memory: `ram`, or host RAM passed through (`pass ... m`).
    let passed_ram = config
        .passes
        .iter()
        .any(|p| matches!(p.kind, crate::config::PassKind::Mem { attrs, .. } if attrs.ram));
    if !passed_ram && !config.memory.iter().any(|m| m.kind == MemKind::Ram) {
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
                .unwrap_or(guest::RAM_BASE),
        };
        space.claim(base, m.size, m.kind.keyword(), &m.origin)?;
        memory.push(MemRegion {
            kind: m.kind,
            region: Region { base, size: m.size },
            origin: m.origin.clone(),
        });
    }

    let cpus = vcpus(config);
    let mut chip = guest::place_irq_chip(config, &chip_config, opts, &cpus, &mut space)?;
    let mut vdevs = devices::place_vdevs(config, &chip_config, &mut space)?;
    place_shared(&mut vdevs, &mut space)?;
    guest::note_lines_used(&mut chip, &space);
    Ok(VmLayout {
        name: config.system.clone(),
        memory,
        cpus,
        gic: chip,
        vdevs,
        passes: config.passes.clone(),
    })
}

/// Where `shmem` regions go in guest-physical memory: the first free
/// range of their size at or above this (256 GiB), in config order.
pub const SHMEM_BASE: u64 = 0x40_0000_0000;

/// Places each `shmem`'s region (`create NAME,SIZE`) from [`SHMEM_BASE`].
fn place_shared(vdevs: &mut [VdevLayout], space: &mut Space) -> Result<(), ConfigError> {
    for d in vdevs.iter_mut() {
        let crate::config::DeviceOptions::Shmem {
            create: Some((_, size)),
            ..
        } = &d.config.options
        else {
            continue;
        };
        let what = d.config.describe();
        let base = space.free_slot(SHMEM_BASE, *size).ok_or_else(|| {
            d.config
                .origin
                .error(alloc::format!("{what}: no room for its region"))
        })?;
        space.claim(base, *size, "shmem region", &d.config.origin)?;
        d.shared = Some(Region { base, size: *size });
    }
    Ok(())
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
