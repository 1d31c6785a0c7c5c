//! What the kernel learns about the board from the firmware's device tree:
//! RAM, reserved ranges, CPUs, the GIC, the console UART, the EL2 timer's
//! interrupt and the PSCI conduit. One kernel binary serves every board.
//! On x86 the same [`Board`] comes from the boot hand-off and the ACPI
//! tables ([`x86::from_firmware`]).

pub use arch::board::{Firmware, IrqControllerInfo, PsciMethod, UartKind};

#[cfg(test)]
mod memory_tests;
pub mod nops;
#[cfg(test)]
mod spin_tests;
#[cfg(test)]
mod stdout_tests;
#[cfg(test)]
mod testtree;
#[cfg(test)]
mod timer_tests;
pub mod translate;
pub mod x86;
use heapless::Vec;

/// Most CPUs the kernel drives.
pub const MAX_CPUS: usize = 64;
/// Most RAM or reserved ranges kept.
pub const MAX_RANGES: usize = 16;

/// A physical address range `[start, end)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Range {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// The console UART.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UartInfo {
    /// Register base.
    pub base: usize,
    /// Its interrupt (INTID), if the tree names one.
    pub intid: Option<u32>,
    /// Kind of UART.
    pub kind: UartKind,
}

/// Everything the kernel reads from the device tree.
#[derive(Clone, Debug, Default)]
pub struct Board {
    /// The root `model`.
    pub model: [u8; 32],
    /// RAM ranges.
    pub ram: Vec<Range, MAX_RANGES>,
    /// Ranges that must not be used (`/memreserve/`, `/reserved-memory`).
    pub reserved: Vec<Range, MAX_RANGES>,
    /// MPIDR affinity of each CPU, in tree order (CPU index = position).
    pub cpus: Vec<u64, MAX_CPUS>,
    /// Each CPU's spin-table release address (`enable-method =
    /// "spin-table"`, `cpu-release-addr`: the Raspberry Pi firmware's and
    /// QEMU `raspi4b`'s way), or `None` to start it through PSCI.
    pub cpu_release: Vec<Option<usize>, MAX_CPUS>,
    /// The GIC.
    pub gic: IrqControllerInfo,
    /// The console.
    pub uart: Option<UartInfo>,
    /// INTID of the EL2 (hypervisor) physical timer.
    pub hyp_timer_intid: u32,
    /// The system counter's frequency from the timer node's
    /// `clock-frequency`, for boards whose firmware leaves `CNTFRQ_EL0`
    /// unset or wrong (the `arm,armv8-timer` binding); `None`: the
    /// counter's own register rules.
    pub counter_hz: Option<u64>,
    /// The PSCI conduit (ARM); the start-up page and ACPI power-off (x86).
    pub firmware: Firmware,
    /// The initrd from `/chosen`, if any.
    pub initrd: Option<Range>,
    /// The bootfs when the loader placed it apart from the kernel (x86:
    /// the first boot module); on ARM it follows the kernel image.
    pub bootfs: Option<Range>,
}

/// Why a device tree cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoardError {
    /// Not a device tree.
    BadTree,
    /// No memory node.
    NoMemory,
    /// No CPU nodes.
    NoCpus,
    /// More reserved ranges than [`MAX_RANGES`]: memory the kernel must not
    /// hand out would be lost track of.
    TooManyReserved,
}

impl Board {
    /// The model string.
    pub fn model(&self) -> &str {
        let len = self
            .model
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.model.len());
        core::str::from_utf8(&self.model[..len]).unwrap_or("?")
    }

    /// Total RAM bytes.
    pub fn ram_bytes(&self) -> usize {
        self.ram.as_slice().iter().map(|r| r.end - r.start).sum()
    }
}

/// GIC interrupt specifier: (type, number, flags) with type 0 = SPI, 1 = PPI.
fn intid_of(kind: usize, number: usize) -> u32 {
    (if kind == 1 { number + 16 } else { number + 32 }) as u32
}

/// Reads a board from the firmware's device tree.
pub fn parse(dtb: &[u8]) -> Result<Board, BoardError> {
    let fdt = fdt::Fdt::new(dtb).map_err(|_| BoardError::BadTree)?;
    let mut board = Board::default();
    // Read here, not with `Root::model`, which panics on a tree without
    // one.
    let model = fdt
        .find_node("/")
        .and_then(|root| root.property("model"))
        .and_then(|p| p.as_str())
        .unwrap_or("")
        .as_bytes();
    let n = model.len().min(board.model.len() - 1);
    board.model[..n].copy_from_slice(&model[..n]);

    for node in fdt.find_all_nodes("/memory") {
        for region in node.reg().into_iter().flatten() {
            let start = region.starting_address as usize;
            // RAM past MAX_RANGES ranges is left unused, and so is a range
            // that would wrap the address space.
            if let Some(end) = region
                .size
                .filter(|&s| s > 0)
                .and_then(|size| start.checked_add(size))
            {
                let _ = board.ram.push(Range { start, end });
            }
        }
    }
    if board.ram.is_empty() {
        return Err(BoardError::NoMemory);
    }
    for r in fdt.memory_reservations() {
        let start = r.address() as usize;
        board
            .reserved
            .push(Range {
                start,
                // A range past the end reserves up to it.
                end: start.saturating_add(r.size()),
            })
            .map_err(|_| BoardError::TooManyReserved)?;
    }
    if let Some(reserved) = fdt.find_node("/reserved-memory") {
        for child in reserved.children() {
            for region in child.reg().into_iter().flatten() {
                let start = region.starting_address as usize;
                board
                    .reserved
                    .push(Range {
                        start,
                        end: start.saturating_add(region.size.unwrap_or(0)),
                    })
                    .map_err(|_| BoardError::TooManyReserved)?;
            }
        }
    }

    for cpu in fdt.cpus() {
        if cpu
            .property("status")
            .and_then(|p| p.as_str())
            .is_some_and(|s| s != "okay")
        {
            continue;
        }
        // CPUs past MAX_CPUS are not started.
        let spin_table = cpu
            .property("enable-method")
            .and_then(|p| p.as_str())
            .is_some_and(|m| m == "spin-table");
        let release = cpu
            .property("cpu-release-addr")
            .and_then(|p| p.as_usize())
            .filter(|_| spin_table);
        if board.cpus.push(cpu.ids().first() as u64).is_ok() {
            let _ = board.cpu_release.push(release);
        }
    }
    if board.cpus.is_empty() {
        return Err(BoardError::NoCpus);
    }

    // Devices' `reg` is on their bus: `translate` gives CPU addresses
    // (the same on QEMU `virt`; through `/soc`'s `ranges` on the Pi 4).
    let cpu_regs = |node: &fdt::node::FdtNode, path: &translate::BusPath| {
        let regs: Vec<usize, 8> = node
            .reg()
            .into_iter()
            .flatten()
            .filter_map(|r| path.to_cpu(r.starting_address as u64))
            .map(|a| a as usize)
            .take(8)
            .collect();
        regs
    };
    if let Some((gic, path)) = translate::find_compatible(&fdt, &["arm,gic-v3"]) {
        let mut regs = cpu_regs(&gic, &path).into_iter();
        if let (Some(gicd), Some(gicr)) = (regs.next(), regs.next()) {
            board.gic = IrqControllerInfo::V3 { gicd, gicr };
        }
    } else if let Some((gic, path)) = translate::find_compatible(
        &fdt,
        &[
            "arm,cortex-a15-gic",
            "arm,gic-400",
            "arm,cortex-a9-gic",
            "arm,cortex-a7-gic",
        ],
    ) {
        let mut regs = cpu_regs(&gic, &path).into_iter();
        // A GIC-400 whose CPU interface frames take 128 KiB (the ZynqMP's)
        // repeats each 4 KiB page over 64 KiB: the 8 KiB interface is then
        // whole only from 0xf000 (its second page at 0x10000), as Linux's
        // GIC driver uses it.
        let sizes: Vec<usize, 8> = gic
            .reg()
            .into_iter()
            .flatten()
            .map(|r| r.size.unwrap_or(0))
            .take(8)
            .collect();
        let frame = |i: usize, base: usize| {
            if sizes.get(i) == Some(&GIC_ALIASED_FRAME) {
                base + GIC_ALIASED_OFFSET
            } else {
                base
            }
        };
        if let (Some(gicd), Some(gicc)) = (regs.next(), regs.next()) {
            board.gic = IrqControllerInfo::V2 {
                gicd,
                gicc: frame(1, gicc),
                gich: regs.next(),
                gicv: regs.next().map(|v| frame(3, v)),
            };
        }
    }

    // The EL2 physical timer is the fourth interrupt of the architected
    // timer node (secure, non-secure, virtual, hypervisor).
    board.hyp_timer_intid = 26;
    if let Some(timer) = fdt.find_compatible(&["arm,armv8-timer", "arm,armv7-timer"])
        && let Some(p) = timer.property("interrupts")
    {
        let cells: Vec<u32, 16> = be_cells(p.value);
        if let [.., kind, number, _] = cells.as_slice().get(..12).unwrap_or(&[]) {
            board.hyp_timer_intid = intid_of(*kind as usize, *number as usize);
        }
    }
    board.counter_hz = fdt
        .find_compatible(&["arm,armv8-timer", "arm,armv7-timer"])
        .and_then(|timer| timer.property("clock-frequency"))
        .and_then(|p| match be_cells::<1>(p.value).as_slice() {
            [hz] if *hz != 0 && p.value.len() == 4 => Some(u64::from(*hz)),
            _ => None,
        });

    // The console: `stdout-path`'s UART if the kernel drives its kind,
    // else the first it does that is not disabled. (The node is found
    // again with its bus path: the same node has the same name in the
    // blob.)
    let uart_node = stdout_node(&fdt)
        .filter(|n| uart_kind(n).is_some())
        .and_then(|stdout| {
            translate::find(&fdt, &|n: &fdt::node::FdtNode| {
                core::ptr::eq(n.name.as_ptr(), stdout.name.as_ptr())
            })
        })
        .or_else(|| {
            translate::find(&fdt, &|n: &fdt::node::FdtNode| {
                uart_kind(n).is_some() && !is_disabled(n)
            })
        });
    if let Some((node, path)) = uart_node
        && let Some(kind) = uart_kind(&node)
        && let Some(&base) = cpu_regs(&node, &path).first()
    {
        let intid = node.property("interrupts").and_then(|p| {
            let cells: Vec<u32, 3> = be_cells(p.value);
            match cells.as_slice() {
                [kind, number, _] => Some(intid_of(*kind as usize, *number as usize)),
                _ => None,
            }
        });
        board.uart = Some(UartInfo { base, intid, kind });
    }

    if let Some(psci) = fdt.find_compatible(&["arm,psci-1.0", "arm,psci-0.2", "arm,psci"]) {
        board.firmware.psci = match psci.property("method").and_then(|p| p.as_str()) {
            Some("smc") => PsciMethod::Smc,
            Some("hvc") => PsciMethod::Hvc,
            _ => PsciMethod::None,
        };
    }

    let chosen = fdt.find_node("/chosen");
    let prop = |name| {
        chosen
            .and_then(|c| c.property(name))
            .and_then(|p| p.as_usize())
    };
    if let (Some(start), Some(end)) = (prop("linux,initrd-start"), prop("linux,initrd-end")) {
        board.initrd = Some(Range { start, end });
    }
    Ok(board)
}

/// A GICv2 CPU interface (GICC, GICV) region of this size has its 4 KiB
/// pages repeated every 64 KiB; its 8 KiB interface is contiguous from
/// this offset.
const GIC_ALIASED_FRAME: usize = 0x2_0000;
const GIC_ALIASED_OFFSET: usize = 0xf000;

/// The node `/chosen/stdout-path` names (Devicetree Specification 0.4,
/// 3.6 "/chosen Node"): a full path or an alias, the options after a `:`
/// (`serial1:115200n8`, the Raspberry Pi 4's) dropped. (`fdt`'s
/// `Chosen::stdout` keeps the options, so finds no node for such a path,
/// and panics on an empty property.)
fn stdout_node<'b, 'a>(fdt: &'b fdt::Fdt<'a>) -> Option<fdt::node::FdtNode<'b, 'a>> {
    let value = fdt.find_node("/chosen")?.property("stdout-path")?.value;
    let text = core::str::from_utf8(value).ok()?.trim_end_matches('\0');
    let name = text.split(':').next().filter(|n| !n.is_empty())?;
    fdt.find_node(name)
}

/// The node's `status` says it is not there to use (`disabled`, `fail`).
fn is_disabled(node: &fdt::node::FdtNode) -> bool {
    node.property("status")
        .and_then(|p| p.as_str())
        .is_some_and(|s| s != "okay" && s != "ok")
}

/// The kind of console UART `node` is, if the kernel drives it.
fn uart_kind(node: &fdt::node::FdtNode) -> Option<UartKind> {
    let compatible = node.compatible()?;
    compatible.all().find_map(|c| match c {
        "arm,pl011" => Some(UartKind::Pl011),
        "cdns,uart-r1p12" | "xlnx,xuartps" => Some(UartKind::Cadence),
        "brcm,bcm2835-aux-uart" => Some(UartKind::MiniUart),
        _ => None,
    })
}

/// The first `N` big-endian 32-bit cells of a property.
fn be_cells<const N: usize>(bytes: &[u8]) -> Vec<u32, N> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .take(N)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str) -> Option<std::vec::Vec<u8>> {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/dtb")
                .join(name),
        )
        .ok()
    }

    #[test]
    fn qemu_virt_gicv3_four_cpus() {
        let dtb = load("virt-gicv3-smp4.dtb").expect("tests/dtb/virt-gicv3-smp4.dtb");
        let board = parse(&dtb).unwrap();
        assert_eq!(
            board.ram.as_slice(),
            &[Range {
                start: 0x4000_0000,
                end: 0x8000_0000
            }]
        );
        assert_eq!(board.cpus.as_slice(), &[0, 1, 2, 3]);
        assert_eq!(
            board.gic,
            IrqControllerInfo::V3 {
                gicd: 0x0800_0000,
                gicr: 0x080a_0000
            }
        );
        assert_eq!(
            board.uart,
            Some(UartInfo {
                base: 0x0900_0000,
                intid: Some(33),
                kind: UartKind::Pl011
            })
        );
        assert_eq!(board.hyp_timer_intid, 26);
        assert_eq!(board.firmware.psci, PsciMethod::Smc);
        assert_eq!(board.ram_bytes(), 1 << 30);
    }

    #[test]
    fn qemu_virt_gicv2_one_cpu() {
        let dtb = load("virt-gicv2-smp1.dtb").expect("tests/dtb/virt-gicv2-smp1.dtb");
        let board = parse(&dtb).unwrap();
        assert_eq!(board.cpus.as_slice(), &[0]);
        assert_eq!(
            board.gic,
            IrqControllerInfo::V2 {
                gicd: 0x0800_0000,
                gicc: 0x0801_0000,
                gich: Some(0x0803_0000),
                gicv: Some(0x0804_0000)
            }
        );
    }

    #[test]
    fn garbage_is_refused() {
        assert_eq!(parse(&[0u8; 64]).unwrap_err(), BoardError::BadTree);
        assert_eq!(parse(&[]).unwrap_err(), BoardError::BadTree);
    }
}
