//! The facts a guest keeps from its device tree ([`super::parse`]): RAM,
//! the devices' register ranges, the console UART, the GIC, the timer's
//! interrupts, the CPUs (with their spin-table release addresses) and the
//! PSCI conduit.

use super::uart::Uart;
use crate::MAX_CPUS;

/// Most RAM ranges kept.
pub const MAX_RAM: usize = 8;
/// Most device register ranges kept (QEMU `virt` has about 45).
pub const MAX_DEVICES: usize = 96;
/// Length of the model string kept.
pub(super) const MODEL_LEN: usize = 64;
/// Length of the `/chosen/bootargs` string kept.
pub const BOOTARGS_LEN: usize = 256;
const MIB2: usize = 1 << 21;
/// The identity map covers addresses below this (39 bits).
pub const ADDRESS_LIMIT: usize = 1 << 39;

/// A range of physical addresses, `start..end`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Region {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Region {
    /// Whether `addr` lies in the range.
    pub fn contains(&self, addr: usize) -> bool {
        self.start <= addr && addr < self.end
    }

    /// Whether the two ranges share a byte.
    pub fn overlaps(&self, other: &Region) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// The interrupt controller the tree describes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GicInfo {
    /// None found.
    #[default]
    None,
    /// GICv2: distributor and CPU interface.
    V2 {
        /// GICD base.
        gicd: usize,
        /// GICC base.
        gicc: usize,
    },
    /// GICv3: distributor and the first redistributor region.
    V3 {
        /// GICD base.
        gicd: usize,
        /// GICR base.
        gicr: usize,
    },
}

/// How PSCI is called.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Conduit {
    /// No PSCI node.
    #[default]
    None,
    /// `hvc #0` (a hypervisor, or QEMU's built-in PSCI at EL1).
    Hvc,
    /// `smc #0` (firmware at EL3, or QEMU with `virtualization=on`).
    Smc,
}

impl Conduit {
    /// The name the device tree uses (`"hvc"`, `"smc"`, or `"none"`).
    pub fn name(self) -> &'static str {
        match self {
            Conduit::None => "none",
            Conduit::Hvc => "hvc",
            Conduit::Smc => "smc",
        }
    }
}

/// INTIDs of the architected timer (the `arm,armv8-timer` node's four
/// interrupts, in its order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerIrqs {
    /// Secure EL1 physical timer.
    pub secure_phys: u32,
    /// Non-secure EL1 physical timer.
    pub phys: u32,
    /// EL1 virtual timer: the guest's own.
    pub virt: u32,
    /// EL2 physical timer.
    pub hyp: u32,
}

impl Default for TimerIrqs {
    /// The usual PPIs 13, 14, 11, 10.
    fn default() -> TimerIrqs {
        TimerIrqs {
            secure_phys: 29,
            phys: 30,
            virt: 27,
            hyp: 26,
        }
    }
}

/// Everything the guest knows about its machine.
#[derive(Clone, Debug)]
pub struct Platform {
    /// Where the device tree is, and its size.
    pub dtb: Region,
    /// Where this image is loaded (code, data, `.bss`, stacks).
    pub image: Region,
    pub(super) ram: [Region; MAX_RAM],
    pub(super) ram_count: usize,
    pub(super) devices: [Region; MAX_DEVICES],
    pub(super) device_count: usize,
    /// The console's UART ([`super::uart`]: `stdout-path`'s, else the
    /// first one of a kind the console drives).
    pub console: Option<Uart>,
    /// A PL011's base address: the console's if it is one, else the first
    /// okay `arm,pl011` in the tree (the guests that use a PL011 as a
    /// device of their own take this one).
    pub uart: Option<usize>,
    /// That PL011's interrupt, if the tree gives one.
    pub uart_intid: Option<u32>,
    /// The GIC.
    pub gic: GicInfo,
    /// Timer interrupts.
    pub timer: TimerIrqs,
    pub(super) cpus: [u64; MAX_CPUS],
    /// Each CPU's spin-table release address (`enable-method =
    /// "spin-table"`, `cpu-release-addr`), 0 for one started with PSCI.
    pub(super) release: [usize; MAX_CPUS],
    pub(super) cpu_count: usize,
    /// CPU nodes in the tree, including any beyond [`MAX_CPUS`].
    pub cpus_in_tree: usize,
    /// Index (in [`Platform::cpus`]) of the CPU that booted.
    pub boot_cpu: usize,
    /// PSCI conduit.
    pub psci: Conduit,
    pub(super) model: [u8; MODEL_LEN],
    pub(super) bootargs: [u8; BOOTARGS_LEN],
}

impl Platform {
    /// RAM ranges, in the tree's order.
    pub fn ram(&self) -> &[Region] {
        &self.ram[..self.ram_count]
    }

    /// Register ranges of every device node (not memory, not CPUs).
    pub fn devices(&self) -> &[Region] {
        &self.devices[..self.device_count]
    }

    /// The MPIDR affinity (`reg`) of each usable CPU; its index is the
    /// guest's CPU number.
    pub fn cpus(&self) -> &[u64] {
        &self.cpus[..self.cpu_count]
    }

    /// The spin-table release address of guest CPU `cpu`, if the tree
    /// says to start it that way (the Raspberry Pi's firmware and QEMU's
    /// `raspi4b` park the other CPUs on such words) rather than by PSCI.
    pub fn spin_table(&self, cpu: usize) -> Option<usize> {
        self.release[..self.cpu_count]
            .get(cpu)
            .copied()
            .filter(|&a| a != 0)
    }

    /// The root node's `model`.
    pub fn model(&self) -> &str {
        let len = self.model.iter().position(|&b| b == 0).unwrap_or(MODEL_LEN);
        core::str::from_utf8(&self.model[..len]).unwrap_or("?")
    }

    /// `/chosen/bootargs` (qvm's `cmdline`), empty if there is none; cut
    /// at [`BOOTARGS_LEN`] - 1 bytes.
    pub fn bootargs(&self) -> &str {
        let len = self
            .bootargs
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(BOOTARGS_LEN);
        core::str::from_utf8(&self.bootargs[..len]).unwrap_or("")
    }

    /// A 2 MiB-aligned address above RAM that no RAM range and no device
    /// in the tree covers: touching it is a reference to nothing.
    pub fn unused_address(&self) -> Option<usize> {
        let top = self.ram().iter().map(|r| r.end).max()?;
        let mut addr = top.checked_add(MIB2 - 1)? & !(MIB2 - 1);
        while addr < ADDRESS_LIMIT {
            let probe = Region {
                start: addr,
                end: addr + MIB2,
            };
            let used = self
                .ram()
                .iter()
                .chain(self.devices())
                .any(|r| r.overlaps(&probe));
            if !used {
                return Some(addr);
            }
            addr += MIB2;
        }
        None
    }
}
