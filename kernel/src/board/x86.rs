//! The [`Board`] of an x86 machine, from what its boot hand-off and ACPI
//! tables say ([`crate::x86_firmware::X86Board`]): RAM at and above
//! 1 MiB, everything the kernel must not hand out (the firmware's ranges,
//! the hand-off structures, the boot modules), the CPUs by APIC ID with
//! the boot CPU first, the local APIC and the first I/O APIC, COM1 as the
//! console (the PC's fixed port 0x3F8 and ISA IRQ 4, through its
//! interrupt source override), the local APIC timer as the kernel's timer,
//! the page where other CPUs start, how ACPI turns the machine off (the
//! FADT's PM1 control blocks and the DSDT's S5 sleep type), and the first
//! boot module as the bootfs.

use super::{Board, BoardError, Range, UartInfo, UartKind};
use crate::x86_firmware::{Polarity, X86Board};
use arch::board::{AcpiSleep, Firmware, IoApicInfo, IrqControllerInfo, X86_TIMER_PPI, spi_of_gsi};

/// COM1's I/O port base.
pub const COM1_PORT: usize = 0x3F8;
/// COM1's ISA IRQ.
pub const COM1_IRQ: u8 = 4;
/// The board's name in the banner.
const MODEL: &[u8] = b"x86 PC (ACPI)";

/// The board `firmware` describes, booted on the CPU with APIC ID
/// `boot_apic_id`.
pub fn from_firmware(mut firmware: X86Board, boot_apic_id: u32) -> Result<Board, BoardError> {
    let mut board = Board::default();
    board.model[..MODEL.len()].copy_from_slice(MODEL);
    if firmware.ram.is_empty() {
        return Err(BoardError::NoMemory);
    }
    board.ram = firmware.ram.clone();
    let modules = firmware.modules.iter().map(|m| Range {
        start: m.start as usize,
        end: m.end as usize,
    });
    let keep = firmware
        .reserved
        .iter()
        .chain(&firmware.boot_data)
        .copied()
        .chain(modules.clone());
    for r in keep {
        board
            .reserved
            .push(r)
            .map_err(|_| BoardError::TooManyReserved)?;
    }
    board.bootfs = modules.clone().next();

    firmware.boot_cpu_first(boot_apic_id);
    for cpu in firmware.cpus.iter().filter(|c| c.enabled) {
        let _ = board.cpus.push(u64::from(cpu.apic_id));
    }
    if board.cpus.is_empty() {
        return Err(BoardError::NoCpus);
    }

    let ioapic = firmware.ioapics.first().map(|io| IoApicInfo {
        base: io.address as usize,
        gsi_base: io.gsi_base,
        active_low: firmware
            .overrides
            .iter()
            .filter(|o| o.polarity == Polarity::Low && o.gsi < 64)
            .fold(0, |bits, o| bits | 1 << o.gsi),
    });
    board.gic = IrqControllerInfo::Apic {
        lapic: firmware.lapic_base as usize,
        ioapic,
    };
    board.uart = Some(UartInfo {
        base: COM1_PORT,
        intid: Some(spi_of_gsi(firmware.isa_irq(COM1_IRQ).gsi)),
        kind: UartKind::Ns16550,
    });
    board.hyp_timer_intid = X86_TIMER_PPI;
    let acpi_off = match (firmware.pm1_control, firmware.s5) {
        (Some((pm1a_control, pm1b_control)), Some((sleep_type_a, sleep_type_b))) => {
            Some(AcpiSleep {
                pm1a_control,
                pm1b_control,
                sleep_type_a,
                sleep_type_b,
            })
        }
        _ => None,
    };
    board.firmware = Firmware {
        startup_page: firmware.low_page().map(|p| p as usize),
        acpi_off,
        ..Firmware::default()
    };
    Ok(board)
}
