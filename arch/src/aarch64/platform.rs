//! [`Aarch64`] as the kernel's platform: the CPU, the EL2 physical timer,
//! stage-2 translation, traps from host processes and the GIC, PL011 and
//! PSCI drivers the board description selects.

use super::cadence_uart::CadenceUart;
use super::esr;
use super::gic::Gic;
use super::mini_uart::MiniUart;
use super::pl011::Pl011;
use super::trap_frame::TrapFrame;
use super::virt_if::VirtIf;
use super::{Aarch64, cpu, stage2, timer};
use crate::board::{Firmware, IrqControllerInfo, PsciMethod, UartKind};
use crate::platform::{Cpu, HostTimer, HostTrap, Translation, Traps};
use crate::{Platform, UserContext};
use core::fmt;

/// Vector kinds (`vectors.rs`): synchronous, IRQ, FIQ, SError; +4 from
/// AArch32.
const KIND_SYNC: u64 = 0;
const KIND_IRQ: u64 = 1;
const KIND_FIQ: u64 = 2;
const KIND_SERROR: u64 = 3;

impl Cpu for Aarch64 {
    #[inline]
    fn index() -> usize {
        cpu::per_cpu()
    }

    fn set_index(index: usize) {
        cpu::set_per_cpu(index);
    }

    fn hw_id() -> u64 {
        cpu::mpidr()
    }

    #[inline]
    fn counter() -> u64 {
        cpu::counter()
    }

    fn counter_hz() -> u64 {
        cpu::counter_frequency()
    }

    #[inline]
    fn spin_hint() {
        cpu::spin_hint();
    }

    fn wait_for_interrupt() {
        cpu::wait_for_interrupt();
    }

    fn wait_for_event() {
        cpu::wait_for_event();
    }

    #[inline(always)]
    fn frame_pointer() -> usize {
        cpu::frame_pointer()
    }

    unsafe fn zero_ram(addr: usize, len: usize) {
        // SAFETY: the caller's promise (Normal memory it owns).
        unsafe { cpu::zero_normal(addr, len) };
    }
}

impl HostTimer for Aarch64 {
    #[inline]
    fn set_deadline(deadline: u64) {
        timer::set_deadline(deadline);
    }

    #[inline]
    fn stop() {
        timer::stop();
    }
}

impl Translation for Aarch64 {
    type Format = stage2::Stage2;
    type GuestFormat = stage2::Stage2;
    const SPACE_ADDRESS_BITS: u32 = 64 - stage2::VTCR_T0SZ_39 as u32;

    #[inline]
    fn root(table: usize, tag: u16) -> u64 {
        stage2::vttbr(table, tag)
    }

    fn guest_root(table: usize, tag: u16) -> u64 {
        stage2::vttbr(table, tag)
    }

    #[inline]
    fn activate(root: u64) {
        cpu::set_vttbr(root);
    }

    fn active() -> u64 {
        cpu::vttbr()
    }

    fn prepare_process_space(_table: usize) {}

    fn release_process_space(_table: usize) {}

    fn flush_active() {
        cpu::tlb_flush_current_vmid();
    }

    fn flush_page(addr: usize) {
        cpu::tlb_flush_ipa(addr);
    }
}

/// Why a host process faulted, as its one-line report says it.
pub enum ProcessFault {
    /// An abort: class, access, syndrome, address, PC.
    Abort { esr: u64, far: u64, pc: u64 },
    /// PC or SP misaligned.
    Alignment { esr: u64, far: u64, pc: u64 },
    /// Any other synchronous exception.
    Other { esr: u64, pc: u64 },
    /// An SError.
    SError { pc: u64 },
    /// An exception from AArch32 state.
    Aarch32 { pc: u64 },
}

impl fmt::Display for ProcessFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ProcessFault::Abort { esr: e, far, pc } => {
                let (class, iss) = (esr::class(e), esr::iss(e));
                let access = if class == esr::EC_IABT_LOWER {
                    "execute"
                } else if iss & esr::ISS_WNR != 0 {
                    "write"
                } else {
                    "read"
                };
                write!(
                    f,
                    "{} ({}, {} level {}) at {far:#x}, pc {pc:#x}",
                    esr::class_name(class),
                    access,
                    esr::fault_status_name(iss),
                    esr::fault_level(iss).unwrap_or(0),
                )
            }
            ProcessFault::Alignment { esr: e, far, pc } => {
                write!(
                    f,
                    "{} at {far:#x}, pc {pc:#x}",
                    esr::class_name(esr::class(e))
                )
            }
            ProcessFault::Other { esr: e, pc } => {
                write!(
                    f,
                    "{} (ESR {e:#x}) at pc {pc:#x}",
                    esr::class_name(esr::class(e))
                )
            }
            ProcessFault::SError { pc } => write!(f, "SError at pc {pc:#x}"),
            ProcessFault::Aarch32 { pc } => write!(f, "exception from AArch32 state at pc {pc:#x}"),
        }
    }
}

/// An exception the kernel took at EL2, as its panic report says it.
pub struct KernelFault {
    kind: u64,
    esr: u64,
    far: u64,
    elr: u64,
}

impl fmt::Display for KernelFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kinds = ["synchronous", "IRQ", "FIQ", "SError"];
        write!(
            f,
            "{} exception in the kernel: {} (ESR {:#x}, {}), FAR {:#x}, ELR {:#x}",
            kinds[(self.kind & 3) as usize],
            esr::class_name(esr::class(self.esr)),
            self.esr,
            esr::fault_status_name(esr::iss(self.esr)),
            self.far,
            self.elr,
        )
    }
}

impl Traps for Aarch64 {
    type Frame = TrapFrame;
    type Fault = ProcessFault;
    type KernelFault = KernelFault;

    fn host_trap(frame: &mut TrapFrame, kind: u64) -> HostTrap<ProcessFault> {
        let pc = frame.elr;
        match kind {
            KIND_IRQ => HostTrap::Interrupt,
            KIND_FIQ => HostTrap::Nothing,
            KIND_SERROR => HostTrap::Fault(ProcessFault::SError { pc }),
            KIND_SYNC => {
                let (e, far, _) = cpu::fault_registers();
                match esr::class(e) {
                    esr::EC_SVC64 => HostTrap::SystemCall,
                    esr::EC_WFX => {
                        frame.elr += esr::instruction_length(e) as u64;
                        HostTrap::Yield
                    }
                    esr::EC_DABT_LOWER | esr::EC_IABT_LOWER => {
                        HostTrap::Fault(ProcessFault::Abort { esr: e, far, pc })
                    }
                    esr::EC_PC_ALIGN | esr::EC_SP_ALIGN => {
                        HostTrap::Fault(ProcessFault::Alignment { esr: e, far, pc })
                    }
                    _ => HostTrap::Fault(ProcessFault::Other { esr: e, pc }),
                }
            }
            _ => HostTrap::Fault(ProcessFault::Aarch32 { pc }),
        }
    }

    fn kernel_fault(frame: &TrapFrame, kind: u64) -> KernelFault {
        let (esr, far, _) = cpu::fault_registers();
        KernelFault {
            kind,
            esr,
            far,
            elr: frame.pc() as u64,
        }
    }

    fn saved_frame_pointer(frame: &TrapFrame) -> usize {
        frame.x[29] as usize
    }
}

impl Platform for Aarch64 {
    type IrqChip = Gic;
    type VirtIf = VirtIf;
    type Console = BoardUart;
    const GUEST_TIMER_INTID: u32 = 27;
    const MAINTENANCE_INTID: u32 = super::vgic_v3::MAINTENANCE_INTID;

    fn level_name() -> &'static str {
        match super::entry::entry_level() {
            3 => "EL2 (entered at EL3)",
            _ => "EL2",
        }
    }

    fn set_firmware(firmware: &Firmware) {
        // `hvc` from EL2 would trap to this kernel: only SMC reaches
        // firmware, and only where the tree says PSCI is there.
        super::boot::set_conduit(match firmware.psci {
            PsciMethod::Smc => Some(super::psci::Conduit::Smc),
            PsciMethod::Hvc => Some(super::psci::Conduit::Hvc),
            PsciMethod::None => None,
        });
    }

    fn irq_chip(info: &IrqControllerInfo, cpus: &[u64]) -> Option<Gic> {
        match *info {
            // SAFETY: the device tree names these regions; the kernel map
            // covers them as device memory and only this driver uses them.
            IrqControllerInfo::V2 { gicd, gicc, .. } => Some(unsafe { Gic::new_v2(gicd, gicc) }),
            // SAFETY: as above.
            IrqControllerInfo::V3 { gicd, gicr } => unsafe { Gic::new_v3(gicd, gicr, cpus) },
            IrqControllerInfo::Missing | IrqControllerInfo::Apic { .. } => None,
        }
    }

    fn init_irq_chip(chip: &mut Gic) {
        chip.init_distributor();
    }

    fn virtual_interface(info: &IrqControllerInfo) -> Option<VirtIf> {
        match *info {
            IrqControllerInfo::V3 { .. } => Some(VirtIf::V3(super::vgic_v3::IchV3)),
            IrqControllerInfo::V2 {
                gich: Some(gich),
                gicv: Some(gicv),
                ..
            } => Some(VirtIf::V2(
                // SAFETY: the device tree names the GICH frame; the kernel
                // map covers it as device memory and only the vGIC code
                // uses it.
                unsafe { super::vgic_v2::GichV2::new(gich, gicv) },
            )),
            _ => None,
        }
    }

    unsafe fn console(base: usize, kind: UartKind) -> BoardUart {
        match kind {
            // SAFETY: the caller guarantees the address and the kind.
            UartKind::Cadence => BoardUart::Cadence(unsafe { CadenceUart::new(base) }),
            // SAFETY: as above.
            UartKind::MiniUart => BoardUart::Mini(unsafe { MiniUart::new(base) }),
            // SAFETY: as above.
            _ => BoardUart::Pl011(unsafe { Pl011::new(base) }),
        }
    }
}

/// The console UART of an ARM board, of the kind its device tree names.
pub enum BoardUart {
    /// An Arm PL011.
    Pl011(Pl011),
    /// A Cadence UART (Zynq UltraScale+).
    Cadence(CadenceUart),
    /// The BCM2711's mini UART (Raspberry Pi 4).
    Mini(MiniUart),
}

impl crate::Uart for BoardUart {
    fn put(&mut self, byte: u8) {
        match self {
            BoardUart::Pl011(u) => u.put(byte),
            BoardUart::Cadence(u) => u.put(byte),
            BoardUart::Mini(u) => u.put(byte),
        }
    }

    fn get(&mut self) -> Option<u8> {
        match self {
            BoardUart::Pl011(u) => u.get(),
            BoardUart::Cadence(u) => u.get(),
            BoardUart::Mini(u) => u.get(),
        }
    }

    fn enable_rx_interrupt(&mut self) {
        match self {
            BoardUart::Pl011(u) => u.enable_rx_interrupt(),
            BoardUart::Cadence(u) => u.enable_rx_interrupt(),
            BoardUart::Mini(u) => u.enable_rx_interrupt(),
        }
    }
}
