//! What a guest learns from its device tree: RAM, the console UART, the
//! GIC, the architected timer's interrupts, the CPUs and the PSCI conduit
//! ([`Platform`]).
//!
//! [`parse`] is pure (it only reads the tree's bytes), so it builds on the
//! build host too. The tree must be the one the boot loader or hypervisor
//! handed over, its NOP tokens taken out first ([`nops::strip`]): the
//! `fdt` crate trusts it. Device addresses go through the `ranges` of the
//! buses above them ([`bus`]), as on the Raspberry Pi 4.

pub mod bus;
pub mod nops;
mod platform;
pub mod uart;

pub use platform::{
    ADDRESS_LIMIT, BOOTARGS_LEN, Conduit, GicInfo, MAX_DEVICES, MAX_RAM, Platform, Region,
    TimerIrqs,
};
pub use uart::{Uart, UartKind};

use crate::MAX_CPUS;
use core::ops::ControlFlow;
use fdt::Fdt;
use fdt::node::FdtNode;
use platform::MODEL_LEN;

/// A GICv2 CPU interface (GICC, GICV) region of this size has each of its
/// 4 KiB pages repeated every 64 KiB (the ZynqMP's GIC-400): its 8 KiB
/// interface is contiguous only from [`GIC_ALIASED_OFFSET`], as Linux's
/// GIC driver uses it.
const GIC_ALIASED_FRAME: usize = 0x2_0000;
const GIC_ALIASED_OFFSET: usize = 0xf000;

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

/// Whether a node's `compatible` lists `name`.
fn is_compatible(node: &FdtNode<'_, '_>, name: &str) -> bool {
    node.compatible()
        .is_some_and(|c| c.all().any(|s| s == name))
}

/// Whether a node's `status` is absent or okay.
fn is_okay(node: &FdtNode<'_, '_>) -> bool {
    node.property("status")
        .and_then(|s| s.as_str())
        .is_none_or(|s| s == "okay" || s == "ok")
}

/// Copies the first string of a property's value into `out`, cut at a
/// character boundary to leave a NUL at the end.
fn keep_text(value: &[u8], out: &mut [u8]) {
    let text = value.split(|&b| b == 0).next().unwrap_or(&[]);
    let mut n = text.len().min(out.len().saturating_sub(1));
    while n > 0 && core::str::from_utf8(&text[..n]).is_err() {
        n -= 1;
    }
    out[..n].copy_from_slice(&text[..n]);
}

/// A device node: its first register range and its first interrupt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceNode {
    /// The first `reg` range, at its CPU address.
    pub reg: Region,
    /// The INTID of its first interrupt (a GIC specifier), if it has one.
    pub intid: Option<u32>,
}

/// Every okay node of the tree at `dtb` whose `compatible` lists `name`
/// and whose first register range has a CPU address, in the tree's order,
/// stored into `out` as far as it goes. Returns how many there are, which
/// is more than `out.len()` when some did not fit.
pub fn compatible_devices(
    dtb: &[u8],
    name: &str,
    out: &mut [DeviceNode],
) -> Result<usize, &'static str> {
    let fdt = Fdt::new(dtb).map_err(|_| "not a valid device tree")?;
    let mut n = 0;
    bus::walk(&fdt, &mut |node, bus| {
        if !is_okay(node) || !is_compatible(node, name) {
            return ControlFlow::Continue(());
        }
        if let [Some(reg)] = bus.first_regs::<1>(node) {
            if let Some(slot) = out.get_mut(n) {
                *slot = DeviceNode {
                    reg,
                    intid: uart::intid_of_node(node),
                };
            }
            n += 1;
        }
        ControlFlow::Continue(())
    });
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
        console: None,
        uart: None,
        uart_intid: None,
        gic: GicInfo::None,
        timer: TimerIrqs::default(),
        cpus: [0; MAX_CPUS],
        release: [0; MAX_CPUS],
        cpu_count: 0,
        cpus_in_tree: 0,
        boot_cpu: 0,
        psci: Conduit::None,
        model: [0; MODEL_LEN],
        bootargs: [0; BOOTARGS_LEN],
    };
    if let Some(model) = fdt.find_node("/").and_then(|n| n.property("model")) {
        keep_text(model.value, &mut p.model);
    }
    if let Some(args) = fdt
        .find_node("/chosen")
        .and_then(|c| c.property("bootargs"))
    {
        keep_text(args.value, &mut p.bootargs);
    }

    bus::walk(&fdt, &mut |node, bus| {
        let is_memory = node
            .property("device_type")
            .and_then(|t| t.as_str())
            .is_some_and(|t| t == "memory");
        let is_cpu = node.name.starts_with("cpu@") || node.name == "cpus";
        for region in bus.regs(node).flatten() {
            if is_memory && region.end > region.start && p.ram_count < MAX_RAM {
                p.ram[p.ram_count] = region;
                p.ram_count += 1;
            } else if !is_memory && !is_cpu && p.device_count < MAX_DEVICES {
                p.devices[p.device_count] = region;
                p.device_count += 1;
            }
        }
        ControlFlow::Continue(())
    });
    if p.ram_count == 0 {
        return Err("the device tree has no memory");
    }

    read_cpus(&fdt, &mut p, mpidr);
    if p.cpu_count == 0 {
        return Err("the device tree has no CPUs");
    }
    p.gic = read_gic(&fdt);

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

    p.console = uart::console(&fdt);
    let pl011 = p
        .console
        .filter(|u| u.kind == UartKind::Pl011)
        .or_else(|| uart::first(&fdt, Some(UartKind::Pl011)));
    p.uart = pl011.map(|u| u.base);
    p.uart_intid = pl011.and_then(|u| u.intid);

    if let Some(psci) = fdt.find_compatible(&["arm,psci-1.0", "arm,psci-0.2", "arm,psci"]) {
        p.psci = match psci.property("method").and_then(|m| m.as_str()) {
            Some("hvc") => Conduit::Hvc,
            Some("smc") => Conduit::Smc,
            _ => Conduit::None,
        };
    }
    Ok(p)
}

/// The okay `/cpus` nodes: their affinities, which one `mpidr` is, and
/// their spin-table release addresses.
fn read_cpus(fdt: &Fdt<'_>, p: &mut Platform, mpidr: u64) {
    let Some(cpus) = fdt.find_node("/cpus") else {
        return;
    };
    for cpu in cpus.children().filter(|c| c.name.starts_with("cpu@")) {
        let Some(reg) = cpu.property("reg") else {
            continue;
        };
        if !is_okay(&cpu) {
            continue;
        }
        p.cpus_in_tree += 1;
        let affinity = cells(reg.value).fold(0u64, |a, c| (a << 32) | u64::from(c));
        let spin_table = cpu
            .property("enable-method")
            .and_then(|m| m.as_str())
            .is_some_and(|m| m == "spin-table");
        let release = cpu
            .property("cpu-release-addr")
            .filter(|_| spin_table)
            .map_or(0, |r| {
                cells(r.value).fold(0u64, |a, c| (a << 32) | u64::from(c)) as usize
            });
        if p.cpu_count < MAX_CPUS {
            if affinity == mpidr {
                p.boot_cpu = p.cpu_count;
            }
            p.cpus[p.cpu_count] = affinity;
            p.release[p.cpu_count] = release;
            p.cpu_count += 1;
        }
    }
}

/// The GIC: the first `arm,gic-v3` (distributor, first redistributor
/// region), else the first GICv2 (distributor, CPU interface: from
/// [`GIC_ALIASED_OFFSET`] in a [`GIC_ALIASED_FRAME`]).
fn read_gic(fdt: &Fdt<'_>) -> GicInfo {
    let v3 = |n: &FdtNode<'_, '_>| is_compatible(n, "arm,gic-v3");
    if let Some((_, [gicd, gicr])) = bus::find::<2>(fdt, &v3) {
        return match (gicd, gicr) {
            (Some(d), Some(r)) => GicInfo::V3 {
                gicd: d.start,
                gicr: r.start,
            },
            _ => GicInfo::None,
        };
    }
    let v2 = |n: &FdtNode<'_, '_>| {
        [
            "arm,cortex-a15-gic",
            "arm,gic-400",
            "arm,cortex-a9-gic",
            "arm,cortex-a7-gic",
        ]
        .iter()
        .any(|c| is_compatible(n, c))
    };
    match bus::find::<2>(fdt, &v2) {
        Some((_, [Some(d), Some(c)])) => {
            let aliased = c.end - c.start == GIC_ALIASED_FRAME;
            GicInfo::V2 {
                gicd: d.start,
                gicc: c.start + if aliased { GIC_ALIASED_OFFSET } else { 0 },
            }
        }
        _ => GicInfo::None,
    }
}

#[cfg(test)]
mod board_tests;
#[cfg(test)]
mod tests;
