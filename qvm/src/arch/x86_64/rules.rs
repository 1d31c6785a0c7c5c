//! What the configuration's words mean for an x86 guest: the one `vdev
//! ioapic`, `intr NAME:PIN` (an I/O APIC pin), `loc io:PORT` for the PC's
//! legacy devices and `loc mem:ADDR` for the rest; ARM devices are
//! refused.

use alloc::borrow::Cow;
use alloc::format;

use super::layout::{I8042_DATA_PORT, I8042_STATUS_PORT, PIC_MASTER_PORT, PIC_SLAVE_PORT};
use crate::config::{Config, ConfigError, Intr, Location, Origin, VdevConfig, VdevKind};
use crate::layout::AddressSpace;
use crate::layout::space::Space;

/// The UART the guest's console is (the first serial with `hostdev -`).
pub const UART: VdevKind = VdevKind::Ser8250;

/// The device types `qvm` has a model for on x86 (besides the APICs,
/// which the kernel emulates).
pub const MODELLED: &[VdevKind] = &[
    UART,
    VdevKind::Timer8254,
    VdevKind::Mc146818,
    VdevKind::PcKeyboard,
    VdevKind::I8259,
    VdevKind::VirtioConsole,
    VdevKind::VirtioBlk,
    VdevKind::VirtioNet,
    VdevKind::VirtioEntropy,
    VdevKind::WdtIb700,
    VdevKind::Shmem,
];

/// The I/O-port devices: their `loc` is `io:PORT`.
fn is_port_device(kind: VdevKind) -> bool {
    matches!(
        kind,
        VdevKind::Ser8250
            | VdevKind::Timer8254
            | VdevKind::Mc146818
            | VdevKind::PcKeyboard
            | VdevKind::I8259
            | VdevKind::WdtIb700
    )
}

/// Whether a `vdev` of `kind` is the interrupt controller (placed apart).
pub fn is_irq_chip(kind: VdevKind) -> bool {
    kind == VdevKind::Ioapic
}

/// The one `vdev ioapic`.
pub fn find_irq_chip(config: &Config) -> Result<Cow<'_, VdevConfig>, ConfigError> {
    let mut chips = config.vdevs.iter().filter(|d| is_irq_chip(d.kind));
    let Some(chip) = chips.next() else {
        return Err(config.start.error(
            "no 'vdev ioapic': an x86 VM needs one (e.g. 'vdev ioapic loc 0xfec00000 intr apic name ioapic')",
        ));
    };
    if let Some(second) = chips.next() {
        return Err(second.origin.error(format!(
            "vdev ioapic: a VM has one I/O APIC (the first is at {})",
            chip.origin
        )));
    }
    Ok(Cow::Borrowed(chip))
}

/// The I/O APIC pin of `intr`, which must name the I/O APIC (`ioapic` or
/// its `name`).
pub fn irq_line(
    intr: &Intr,
    ioapic: &VdevConfig,
    what: &str,
    at: &Origin,
) -> Result<u32, ConfigError> {
    if intr.controller == "ioapic" || ioapic.name.as_deref() == Some(intr.controller.as_str()) {
        return Ok(intr.line);
    }
    let name = ioapic.name.as_deref().unwrap_or("ioapic");
    Err(at.error(format!(
        "{what}: 'intr' names the controller '{}', but this VM's I/O APIC is '{name}' ({name}:<pin>)",
        intr.controller
    )))
}

/// A `loc` on x86: an I/O port or a memory address.
pub fn device_address(
    loc: &Location,
    what: &str,
    at: &Origin,
) -> Result<(AddressSpace, u64), ConfigError> {
    match *loc {
        Location::Mem(addr) => Ok((AddressSpace::Memory, addr)),
        Location::Io(port) => Ok((AddressSpace::Io, u64::from(port))),
        Location::Pci { .. } => Err(at.error(format!(
            "{what}: 'loc' pci: needs a PCI host bridge, which this VM does not have"
        ))),
    }
}

/// The legacy devices are at ports, the rest in memory.
pub fn check_device_space(
    dev: &VdevConfig,
    space: AddressSpace,
    what: &str,
    at: &Origin,
) -> Result<(), ConfigError> {
    match (is_port_device(dev.kind), space) {
        (true, AddressSpace::Io) | (false, AddressSpace::Memory) => Ok(()),
        (true, AddressSpace::Memory) => Err(at.error(format!(
            "{what}: a PC device is at I/O ports: 'loc io:PORT'"
        ))),
        (false, AddressSpace::Io) => Err(at.error(format!(
            "{what}: a memory-mapped device: 'loc' takes a memory address, not io:"
        ))),
    }
}

/// The ports a device takes besides its slot: the 8042's status port
/// (4 above its data port), the secondary 8259 beside the primary.
pub fn claim_companions(dev: &VdevConfig, base: u64, space: &mut Space) -> Result<(), ConfigError> {
    let what = dev.describe();
    let at = dev.loc.as_ref().map_or(&dev.origin, |(_, at)| at);
    match dev.kind {
        VdevKind::PcKeyboard => {
            space.claim_ports(base + (I8042_STATUS_PORT - I8042_DATA_PORT), 1, &what, at)
        }
        VdevKind::I8259 if base == PIC_MASTER_PORT => {
            space.claim_ports(PIC_SLAVE_PORT, 2, &format!("{what} (secondary)"), at)
        }
        VdevKind::I8259 => Err(at.error(format!(
            "{what}: the 8259 pair is at io:{PIC_MASTER_PORT:#x} (and {PIC_SLAVE_PORT:#x})"
        ))),
        _ => Ok(()),
    }
}

/// Refuses the device types of ARM guests, and the PC devices `qvm` has
/// no model for.
pub fn check_vdev_kind(dev: &VdevConfig, what: &str) -> Result<(), ConfigError> {
    match dev.kind {
        VdevKind::Gic | VdevKind::Pl011 | VdevKind::WdtSp805 => Err(dev
            .origin
            .error(format!("{what}: an ARM device, and this VM is x86"))),
        VdevKind::Hpet => Err(dev.origin.error(format!(
            "{what}: not modelled (the guest has the 8254 and the local APIC timer)"
        ))),
        _ => Ok(()),
    }
}

/// A `pass loc io:` entry: the kernel cannot give a VM host ports yet.
pub fn check_pass_io(at: &Origin) -> Result<(), ConfigError> {
    Err(at.error("pass: 'loc' io: (host I/O ports) is not supported yet; pass mem: regions"))
}
