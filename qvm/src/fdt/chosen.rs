//! What the device tree gets from `qvm` at run time rather than from the
//! layout: `/chosen`'s command line and the initrd's place, and the nodes
//! of the devices passed through (described by the host's device list).

use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;

use crate::layout::Region;

/// One interrupt of a device passed through, as the guest sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PassedIrq {
    /// The guest's INTID (an SPI).
    pub intid: u32,
    /// Edge-triggered, as the host's node says (else level-sensitive).
    pub edge: bool,
}

/// A host device passed through (`pass loc mem`), as the guest's tree
/// shows it: the host node's name and first `compatible` string, at its
/// guest-physical place, with the guest INTIDs that `pass intr` bound to
/// the host node's interrupts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassedDevice {
    /// The host node's name without its unit address (`pl031`).
    pub name: String,
    /// The host node's first `compatible` string.
    pub compatible: String,
    /// Where the guest finds it.
    pub region: Region,
    /// Its interrupts in the guest (SPIs, in the host node's order).
    pub irqs: Vec<PassedIrq>,
}

use crate::config::Config;

/// What goes into `/chosen` besides the console.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chosen {
    /// `bootargs`: the `cmdline` option.
    pub bootargs: Option<String>,
    /// `linux,initrd-start` and `linux,initrd-end` (exclusive): where the
    /// loader put the `initrd load` file.
    pub initrd: Option<Range<u64>>,
    /// Devices passed through.
    pub passed: Vec<PassedDevice>,
    /// The timer node's `clock-frequency`: the host's counter frequency
    /// when the host's own tree gave it (firmware that leaves
    /// `CNTFRQ_EL0` unset, `abi::SysInfo::tree_counter_hz`), else none.
    pub counter_hz: Option<u32>,
}

impl Chosen {
    /// `bootargs` from the config's `cmdline`; no initrd yet.
    pub fn from_config(config: &Config) -> Self {
        Chosen {
            bootargs: config.cmdline.clone(),
            initrd: None,
            passed: Vec::new(),
            counter_hz: None,
        }
    }
}
