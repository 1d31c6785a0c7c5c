//! The [`AcpiMachine`] of a placed VM: the PC's ([`AcpiMachine::pc`])
//! with its vCPUs, its I/O APIC's place, the legacy devices it has, and
//! the devices the DSDT describes because an x86 guest has no device
//! tree: its virtio-mmio devices and its `vdev shmem` devices.

use alloc::string::String;

use super::devices::VirtioMmio;
use super::machine::AcpiMachine;
use super::shmem::{REGS_SIZE, SharedMemory};
use crate::arch::x86_64::apic::ApicLayout;
use crate::config::VdevKind;
use crate::layout::{VdevLayout, VmLayout};

/// The ACPI machine of `layout`. The FADT says an 8042 and a CMOS RTC
/// are there, and the DSDT describes the 8042, only when the VM has them
/// (`vdev pckeyboard`, `vdev mc146818`). A virtio or shmem device must
/// have its registers below 4 GiB (32-bit descriptors) and an interrupt.
pub fn machine_of(layout: &VmLayout<ApicLayout>) -> Result<AcpiMachine, String> {
    let mut m = AcpiMachine::pc(layout.cpus.len() as u32);
    m.ioapic.base = layout.gic.ioapic.base as u32;
    let has = |kind: VdevKind| layout.vdevs.iter().any(|d| d.config.kind == kind);
    m.legacy.i8042 = has(VdevKind::PcKeyboard);
    m.legacy.cmos_rtc = has(VdevKind::Mc146818);
    for d in &layout.vdevs {
        if d.config.kind.is_virtio() {
            let (base, gsi) = low_with_line(d, "virtio")?;
            m.virtio.push(VirtioMmio {
                base,
                size: d.reg_size as u32,
                gsi,
            });
        } else if d.config.kind == VdevKind::Shmem {
            let (regs, gsi) = low_with_line(d, "shmem")?;
            let region = d.shared.ok_or_else(|| {
                alloc::format!("{}: a shmem device without a region", d.config.origin)
            })?;
            debug_assert_eq!(d.reg_size, u64::from(REGS_SIZE));
            m.shmem.push(SharedMemory {
                regs,
                gsi,
                region: region.base,
                size: region.size,
            });
        }
    }
    Ok(m)
}

/// The register window's 32-bit address and the interrupt of `d`, a
/// `kind` device.
fn low_with_line(d: &VdevLayout, kind: &str) -> Result<(u32, u32), String> {
    match (u32::try_from(d.slot.base), d.intid) {
        (Ok(base), Some(gsi)) => Ok((base, gsi)),
        _ => Err(alloc::format!(
            "{}: a {kind} device at {:#x}{}: ACPI describes {kind} devices below 4 GiB with \
             an interrupt",
            d.config.origin,
            d.slot.base,
            if d.intid.is_none() {
                " without an interrupt"
            } else {
                ""
            }
        )),
    }
}
