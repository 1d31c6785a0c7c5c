//! What pass-through planning works on: the host's regions as the device
//! list shows them, and the plan's steps.

use alloc::string::String;
use alloc::vec::Vec;

use crate::config::{ConfigError, Origin};
use crate::fdt::PassedDevice;

/// A host device region as the device list shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostRegion {
    /// Its number (what `vm_map_device` takes).
    pub index: u32,
    /// Physical base address.
    pub base: u64,
    /// Size in bytes, as the host's device tree says.
    pub size: u64,
    /// The node's interrupts (INTIDs).
    pub irqs: Vec<u32>,
    /// Which of them are edge-triggered (same order).
    pub edge: Vec<bool>,
    /// The node's path (`/pl031@9010000`).
    pub path: String,
    /// Its first `compatible` string.
    pub compatible: String,
    /// Host RAM set aside at boot (`[reserve]`), not a device.
    pub ram: bool,
    /// A DMA master (the host's node is `dma-coherent`).
    pub dma: bool,
}

/// One region to map: host region `index` at guest-physical `gpa`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapStep {
    /// The host region's number.
    pub index: u32,
    /// Where the guest finds it.
    pub gpa: u64,
    /// Its size in bytes.
    pub size: u64,
    /// Host RAM (`m`): guest memory, which `qvm` maps too, to load the
    /// guest into it.
    pub ram: bool,
    /// The `pass` line, for messages.
    pub what: String,
    /// Where it was written.
    pub origin: Origin,
}

/// One interrupt to bind: host INTID `host` raises guest INTID `guest`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IrqStep {
    /// Host INTID.
    pub host: u32,
    /// Guest INTID.
    pub guest: u32,
    /// The `pass` line, for messages.
    pub what: String,
    /// Where it was written.
    pub origin: Origin,
}

/// What `qvm` does for the `pass` entries of a configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Regions to map.
    pub maps: Vec<MapStep>,
    /// Interrupts to bind.
    pub irqs: Vec<IrqStep>,
    /// The guest's device-tree nodes of the regions.
    pub nodes: Vec<PassedDevice>,
    /// What the user should know: a device passed without one of its
    /// interrupts (its guest node does not list it).
    pub notes: Vec<ConfigError>,
}
