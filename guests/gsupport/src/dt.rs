//! What a guest learns from its device tree: RAM, the PL011, the GIC, the
//! architected timer's interrupts, the CPUs and the PSCI conduit.
//!
//! [`parse`] is pure (it only reads the tree's bytes), so it builds on the
//! build host too. The tree must be the one the boot loader or hypervisor
//! handed over: the `fdt` crate trusts it.

use crate::MAX_CPUS;
use fdt::Fdt;
use fdt::node::FdtNode;

/// Most RAM ranges kept.
pub const MAX_RAM: usize = 8;
/// Most device register ranges kept (QEMU `virt` has about 45).
pub const MAX_DEVICES: usize = 96;
/// Length of the model string kept.
const MODEL_LEN: usize = 64;
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
    ram: [Region; MAX_RAM],
    ram_count: usize,
    devices: [Region; MAX_DEVICES],
    device_count: usize,
    /// The PL011 console's base address, if any.
    pub uart: Option<usize>,
    /// The PL011's interrupt, if the tree gives one.
    pub uart_intid: Option<u32>,
    /// The GIC.
    pub gic: GicInfo,
    /// Timer interrupts.
    pub timer: TimerIrqs,
    cpus: [u64; MAX_CPUS],
    cpu_count: usize,
    /// CPU nodes in the tree, including any beyond [`MAX_CPUS`].
    pub cpus_in_tree: usize,
    /// Index (in [`Platform::cpus`]) of the CPU that booted.
    pub boot_cpu: usize,
    /// PSCI conduit.
    pub psci: Conduit,
    model: [u8; MODEL_LEN],
    bootargs: [u8; BOOTARGS_LEN],
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

/// The INTID of a GIC interrupt specifier (type 0 SPI, 1 PPI); a number
/// too large for any GIC gives an INTID no GIC has, not an overflow.
fn intid_of(kind: u32, number: u32) -> u32 {
    let base = if kind == 1 { 16 } else { 32 };
    number.saturating_add(base)
}

/// Big-endian 32-bit cells of a property.
fn cells(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
}

/// The register ranges of a node.
fn regs<'b, 'a: 'b>(node: &FdtNode<'b, 'a>) -> impl Iterator<Item = Region> + 'b {
    node.reg().into_iter().flatten().map(|r| {
        let start = r.starting_address as usize;
        Region {
            start,
            end: start.saturating_add(r.size.unwrap_or(0)),
        }
    })
}

/// Whether a node's `compatible` lists `name`.
fn is_compatible(node: &FdtNode<'_, '_>, name: &str) -> bool {
    node.compatible()
        .is_some_and(|c| c.all().any(|s| s == name))
}

/// A device node: its first register range and its first interrupt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceNode {
    /// The first `reg` range.
    pub reg: Region,
    /// The INTID of its first interrupt (a GIC specifier), if it has one.
    pub intid: Option<u32>,
}

/// Every node of the tree at `dtb` whose `compatible` lists `name` and
/// whose `status` is absent or `"okay"`, in the tree's order, stored into
/// `out` as far as it goes. Returns how many there are, which is more than
/// `out.len()` when some did not fit.
pub fn compatible_devices(
    dtb: &[u8],
    name: &str,
    out: &mut [DeviceNode],
) -> Result<usize, &'static str> {
    let fdt = Fdt::new(dtb).map_err(|_| "not a valid device tree")?;
    let mut n = 0;
    for node in fdt.all_nodes() {
        let okay = node
            .property("status")
            .and_then(|s| s.as_str())
            .is_none_or(|s| s == "okay" || s == "ok");
        if !okay || !is_compatible(&node, name) {
            continue;
        }
        let Some(reg) = regs(&node).next() else {
            continue;
        };
        if let Some(slot) = out.get_mut(n) {
            *slot = DeviceNode {
                reg,
                intid: node.property("interrupts").and_then(|i| {
                    let mut c = cells(i.value);
                    Some(intid_of(c.next()?, c.next()?))
                }),
            };
        }
        n += 1;
    }
    Ok(n)
}

/// Reads the tree at `dtb` (the whole blob). `image` is where the guest is
/// loaded, `mpidr` the booting CPU's affinity.
pub fn parse(
    dtb: &[u8],
    dtb_at: usize,
    image: Region,
    mpidr: u64,
) -> Result<Platform, &'static str> {
    let fdt = Fdt::new(dtb).map_err(|_| "not a valid device tree")?;
    let mut p = Platform {
        dtb: Region {
            start: dtb_at,
            end: dtb_at + fdt.total_size(),
        },
        image,
        ram: [Region::default(); MAX_RAM],
        ram_count: 0,
        devices: [Region::default(); MAX_DEVICES],
        device_count: 0,
        uart: None,
        uart_intid: None,
        gic: GicInfo::None,
        timer: TimerIrqs::default(),
        cpus: [0; MAX_CPUS],
        cpu_count: 0,
        cpus_in_tree: 0,
        boot_cpu: 0,
        psci: Conduit::None,
        model: [0; MODEL_LEN],
        bootargs: [0; BOOTARGS_LEN],
    };
    if let Some(model) = fdt.find_node("/").and_then(|n| n.property("model")) {
        let text = model.value.split(|&b| b == 0).next().unwrap_or(&[]);
        let n = text.len().min(MODEL_LEN - 1);
        p.model[..n].copy_from_slice(&text[..n]);
    }
    if let Some(args) = fdt
        .find_node("/chosen")
        .and_then(|c| c.property("bootargs"))
    {
        let text = args.value.split(|&b| b == 0).next().unwrap_or(&[]);
        let mut n = text.len().min(BOOTARGS_LEN - 1);
        // Cut at a character boundary.
        while n > 0 && core::str::from_utf8(&text[..n]).is_err() {
            n -= 1;
        }
        p.bootargs[..n].copy_from_slice(&text[..n]);
    }

    for node in fdt.all_nodes() {
        let is_memory = node
            .property("device_type")
            .and_then(|t| t.as_str())
            .is_some_and(|t| t == "memory");
        let is_cpu = node.name.starts_with("cpu@") || node.name == "cpus";
        for region in regs(&node) {
            if is_memory && region.end > region.start && p.ram_count < MAX_RAM {
                p.ram[p.ram_count] = region;
                p.ram_count += 1;
            } else if !is_memory && !is_cpu && p.device_count < MAX_DEVICES {
                p.devices[p.device_count] = region;
                p.device_count += 1;
            }
        }
    }
    if p.ram_count == 0 {
        return Err("the device tree has no memory");
    }

    if let Some(cpus) = fdt.find_node("/cpus") {
        for cpu in cpus.children().filter(|c| c.name.starts_with("cpu@")) {
            let okay = cpu
                .property("status")
                .and_then(|s| s.as_str())
                .is_none_or(|s| s == "okay");
            let Some(reg) = cpu.property("reg") else {
                continue;
            };
            if !okay {
                continue;
            }
            p.cpus_in_tree += 1;
            let affinity = cells(reg.value).fold(0u64, |a, c| (a << 32) | u64::from(c));
            if p.cpu_count < MAX_CPUS {
                if affinity == mpidr {
                    p.boot_cpu = p.cpu_count;
                }
                p.cpus[p.cpu_count] = affinity;
                p.cpu_count += 1;
            }
        }
    }
    if p.cpu_count == 0 {
        return Err("the device tree has no CPUs");
    }

    if let Some(gic) = fdt.find_compatible(&["arm,gic-v3"]) {
        let mut r = regs(&gic);
        if let (Some(gicd), Some(gicr)) = (r.next(), r.next()) {
            p.gic = GicInfo::V3 {
                gicd: gicd.start,
                gicr: gicr.start,
            };
        }
    } else if let Some(gic) = fdt.find_compatible(&[
        "arm,cortex-a15-gic",
        "arm,gic-400",
        "arm,cortex-a9-gic",
        "arm,cortex-a7-gic",
    ]) {
        let mut r = regs(&gic);
        if let (Some(gicd), Some(gicc)) = (r.next(), r.next()) {
            p.gic = GicInfo::V2 {
                gicd: gicd.start,
                gicc: gicc.start,
            };
        }
    }

    if let Some(timer) = fdt.find_compatible(&["arm,armv8-timer", "arm,armv7-timer"])
        && let Some(irqs) = timer.property("interrupts")
    {
        let mut c = [0u32; 12];
        let mut n = 0;
        for (slot, value) in c.iter_mut().zip(cells(irqs.value)) {
            *slot = value;
            n += 1;
        }
        if n >= 9 {
            p.timer.secure_phys = intid_of(c[0], c[1]);
            p.timer.phys = intid_of(c[3], c[4]);
            p.timer.virt = intid_of(c[6], c[7]);
        }
        if n >= 12 {
            p.timer.hyp = intid_of(c[9], c[10]);
        }
    }

    let stdout = fdt
        .find_node("/chosen")
        .and_then(|c| c.property("stdout-path"))
        .and_then(|s| s.as_str())
        .map(|path| path.split(':').next().unwrap_or(path))
        .and_then(|path| {
            fdt.find_node(path).or_else(|| {
                let alias = fdt.aliases()?.resolve(path)?;
                fdt.find_node(alias)
            })
        })
        .filter(|n| is_compatible(n, "arm,pl011"));
    if let Some(uart) = stdout.or_else(|| fdt.find_compatible(&["arm,pl011"])) {
        p.uart = regs(&uart).next().map(|r| r.start);
        p.uart_intid = uart.property("interrupts").and_then(|i| {
            let mut c = cells(i.value);
            Some(intid_of(c.next()?, c.next()?))
        });
    }

    if let Some(psci) = fdt.find_compatible(&["arm,psci-1.0", "arm,psci-0.2", "arm,psci"]) {
        p.psci = match psci.property("method").and_then(|m| m.as_str()) {
            Some("hvc") => Conduit::Hvc,
            Some("smc") => Conduit::Smc,
            _ => Conduit::None,
        };
    }
    Ok(p)
}

#[cfg(test)]
mod tests;
