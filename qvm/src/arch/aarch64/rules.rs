//! What the configuration's words mean for an AArch64 guest: the one
//! `vdev gic` (implicit, as QNX's, when none is named), `intr gic:N` (an
//! INTID), `loc mem:ADDR`; x86 devices and `pass loc io:` are refused.

use alloc::borrow::Cow;
use alloc::format;

use crate::config::{Config, ConfigError, Intr, Location, Origin, VdevConfig, VdevKind};
use crate::layout::AddressSpace;
use crate::layout::space::Space;

/// The UART the guest's console is (the first serial with `hostdev -`).
pub const UART: VdevKind = VdevKind::Pl011;

/// The device types `qvm` has a model for on this architecture (besides
/// the interrupt controller, which the kernel emulates).
pub const MODELLED: &[VdevKind] = &[
    UART,
    VdevKind::VirtioConsole,
    VdevKind::VirtioBlk,
    VdevKind::VirtioNet,
    VdevKind::VirtioEntropy,
    VdevKind::WdtSp805,
    VdevKind::Shmem,
];

/// Whether a `vdev` of `kind` is the interrupt controller (placed apart).
pub fn is_irq_chip(kind: VdevKind) -> bool {
    kind == VdevKind::Gic
}

/// The one `vdev gic`. A configuration that names none gets one with every
/// option at its default, as QNX's `qvm` adds its implicit `vdev gic`: the
/// caller's version (the host's), the default layout; its origin is the
/// configuration's start.
pub fn find_irq_chip(config: &Config) -> Result<Cow<'_, VdevConfig>, ConfigError> {
    let mut gics = config.vdevs.iter().filter(|d| is_irq_chip(d.kind));
    let Some(gic) = gics.next() else {
        return Ok(Cow::Owned(VdevConfig::new(
            VdevKind::Gic,
            config.start.clone(),
        )));
    };
    if let Some(second) = gics.next() {
        return Err(second.origin.error(format!(
            "vdev gic: a VM has one GIC (the first is at {})",
            gic.origin
        )));
    }
    Ok(Cow::Borrowed(gic))
}

/// Whether `config` names no `vdev gic` (the GIC is the implicit one).
pub fn irq_chip_is_implicit(config: &Config) -> bool {
    !config.vdevs.iter().any(|d| is_irq_chip(d.kind))
}

/// The INTID of `intr`, which must name the GIC (`gic` or its `name`).
pub fn irq_line(
    intr: &Intr,
    gic: &VdevConfig,
    what: &str,
    at: &Origin,
) -> Result<u32, ConfigError> {
    if intr.controller == "gic" || gic.name.as_deref() == Some(intr.controller.as_str()) {
        return Ok(intr.line);
    }
    Err(at.error(format!(
        "{what}: 'intr' names the controller '{}', but this VM's is 'gic' (gic:<intid>)",
        intr.controller
    )))
}

/// A `loc` on ARM: a memory address.
pub fn device_address(
    loc: &Location,
    what: &str,
    at: &Origin,
) -> Result<(AddressSpace, u64), ConfigError> {
    match *loc {
        Location::Mem(addr) => Ok((AddressSpace::Memory, addr)),
        Location::Io(port) => Err(at.error(format!(
            "{what}: 'loc' io:{port:#x} is x86 only; an ARM device takes a mem: address"
        ))),
        Location::Pci { .. } => Err(at.error(format!(
            "{what}: 'loc' pci: needs a PCI host bridge, which this VM does not have"
        ))),
    }
}

/// Every ARM device is in memory ([`device_address`] refuses the rest).
pub fn check_device_space(
    _dev: &VdevConfig,
    _space: AddressSpace,
    _what: &str,
    _at: &Origin,
) -> Result<(), ConfigError> {
    Ok(())
}

/// An ARM device takes its one slot and nothing beside it.
pub fn claim_companions(
    _dev: &VdevConfig,
    _base: u64,
    _space: &mut Space,
) -> Result<(), ConfigError> {
    Ok(())
}

/// Refuses the device types of x86 guests.
pub fn check_vdev_kind(dev: &VdevConfig, what: &str) -> Result<(), ConfigError> {
    if dev.kind.is_x86_only() {
        return Err(dev
            .origin
            .error(format!("{what}: an x86 device, and this VM is ARM")));
    }
    Ok(())
}

/// A `pass loc io:` entry: x86 only.
pub fn check_pass_io(at: &Origin) -> Result<(), ConfigError> {
    Err(at.error("pass: 'loc' io: is x86 only; on ARM pass mem: regions"))
}
