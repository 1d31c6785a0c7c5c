//! The console UART the device tree names: `/chosen/stdout-path` (a path,
//! or an alias, before any `:options`) if the guest drives its kind, else
//! the first UART in tree order that it drives and whose `status` is okay.
//! The kinds: the Arm PL011 (QEMU `virt`, qvm), the BCM2835 mini UART of
//! the Raspberry Pi (its `stdout-path` is `serial1`, the mini UART), and
//! the Cadence UART of the Zynq UltraScale+ (ZCU102).

use super::bus::{self, Bus};
use super::{Region, intid_of, is_okay};
use core::ops::ControlFlow;
use fdt::Fdt;
use fdt::node::FdtNode;

/// A kind of UART the console drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UartKind {
    /// Arm PL011 (`arm,pl011`).
    Pl011,
    /// The BCM2835/BCM2711 auxiliary mini UART (`brcm,bcm2835-aux-uart`).
    MiniUart,
    /// The Cadence UART (`cdns,uart-r1p12`, `xlnx,xuartps`).
    Cadence,
}

impl UartKind {
    /// The name the guests print.
    pub fn name(self) -> &'static str {
        match self {
            UartKind::Pl011 => "PL011",
            UartKind::MiniUart => "mini UART",
            UartKind::Cadence => "Cadence UART",
        }
    }

    /// The kind a node is, if it is one the console drives.
    pub fn of(node: &FdtNode<'_, '_>) -> Option<UartKind> {
        node.compatible()?.all().find_map(|c| match c {
            "arm,pl011" => Some(UartKind::Pl011),
            "brcm,bcm2835-aux-uart" => Some(UartKind::MiniUart),
            "cdns,uart-r1p12" | "xlnx,xuartps" => Some(UartKind::Cadence),
            _ => None,
        })
    }
}

/// A UART: its kind, the CPU address of its registers, its interrupt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Uart {
    /// What it is.
    pub kind: UartKind,
    /// Its first `reg` range's CPU address.
    pub base: usize,
    /// The INTID of its first interrupt, if the tree gives one.
    pub intid: Option<u32>,
}

/// The UART of `node` (on the bus that gave `reg`), if the console drives
/// its kind and its registers have a CPU address.
fn uart_of(node: &FdtNode<'_, '_>, reg: Option<Region>) -> Option<Uart> {
    Some(Uart {
        kind: UartKind::of(node)?,
        base: reg?.start,
        intid: intid_of_node(node),
    })
}

/// The INTID of a node's first interrupt (a GIC specifier).
pub(super) fn intid_of_node(node: &FdtNode<'_, '_>) -> Option<u32> {
    let value = node.property("interrupts")?.value;
    let mut cells = super::cells(value);
    Some(intid_of(cells.next()?, cells.next()?))
}

/// The absolute path `stdout-path` names: a path, or an alias resolved
/// through `/aliases`; any `:options` dropped.
fn stdout_path<'a>(fdt: &Fdt<'a>) -> Option<&'a str> {
    let chosen = fdt.find_node("/chosen")?;
    let value = chosen.property("stdout-path")?.as_str()?;
    let path = value.split(':').next()?;
    if path.starts_with('/') {
        return Some(path);
    }
    fdt.find_node("/aliases")?.property(path)?.as_str()
}

/// The console's UART (the module's rule), if the tree has one.
pub fn console(fdt: &Fdt<'_>) -> Option<Uart> {
    let named = stdout_path(fdt)
        .and_then(|path| bus::find_path::<1>(fdt, path))
        .and_then(|(node, [reg])| uart_of(&node, reg));
    named.or_else(|| first(fdt, None))
}

/// The first okay UART in tree order of `kind` (any kind the console
/// drives with `None`).
pub fn first(fdt: &Fdt<'_>, kind: Option<UartKind>) -> Option<Uart> {
    let mut found = None;
    bus::walk(fdt, &mut |node: &FdtNode<'_, '_>, bus: &Bus<'_, '_>| {
        let wanted = UartKind::of(node).is_some_and(|k| kind.is_none_or(|want| k == want));
        if wanted && is_okay(node) {
            let [reg] = bus.first_regs::<1>(node);
            if let Some(uart) = uart_of(node, reg) {
                found = Some(uart);
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    });
    found
}
