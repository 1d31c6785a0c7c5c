//! The interrupt controllers of one x86 VM together: a virtual local APIC
//! per vCPU ([`crate::vlapic`]) and the virtual I/O APIC
//! ([`crate::vioapic`]), their guest-physical windows, and the routing
//! between them: an I/O APIC message or an IPI reaches the local APICs its
//! destination names (Intel SDM Vol. 3A 10.6.2 "Determining IPI
//! Destination"; lowest priority goes to the target of lowest PPR,
//! 10.6.2.4), a level-triggered EOI goes back to the I/O APIC (10.8.5).
//! Pure: the VM layer (`vm/apic.rs` in the kernel binary) calls it on the
//! exit path and kicks the vCPUs it names; tested on the build host.
//!
//! INIT and start-up IPIs are handed to the VM layer, which starts
//! application processors with them ([`Access::inits`],
//! [`Access::startup`]). Not delivered yet: NMI, SMI and ExtINT messages
//! and I/O APIC INIT messages, which bypass the IRR; they are counted in
//! [`VmApic::dropped`].

use crate::vioapic::{self, DeliveryMode, VIoApic};
use crate::vlapic::{Delivery, DestMode, Effect, Gp, Ipi, LapicConfig, TimerClock, VLapic};
use alloc::vec::Vec;

/// The APIC bus clock the VM's local APIC timers count (1 GHz: one tick
/// a nanosecond, as KVM offers).
pub const BUS_HZ: u64 = 1_000_000_000;

/// vCPUs, by index, as bits (a VM has at most 64).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Targets(pub u64);

impl Targets {
    fn add(&mut self, index: usize) {
        if index < 64 {
            self.0 |= 1 << index;
        }
    }

    /// The vCPU indexes, lowest first.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        (0..64).filter(move |i| self.0 & (1 << i) != 0)
    }

    /// Adds `other`'s.
    pub fn merge(&mut self, other: Targets) {
        self.0 |= other.0;
    }
}

/// What a guest access to one of the windows did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Access {
    /// A load's value.
    pub value: u64,
    /// vCPUs that may have a new interrupt to take.
    pub targets: Targets,
    /// The accessing vCPU's timer changed.
    pub timer_changed: bool,
    /// vCPUs an INIT IPI reached (their local APICs are reset already):
    /// they wait for a start-up IPI.
    pub inits: Targets,
    /// vCPUs a start-up IPI reached, and its vector (the start page
    /// number: real mode at `vector << 12`).
    pub startup: Option<(Targets, u8)>,
}

/// The interrupt controllers of one VM.
#[derive(Clone, Debug)]
pub struct VmApic {
    pub ioapic: VIoApic,
    pub lapics: Vec<VLapic>,
    /// The I/O APIC's window.
    pub ioapic_base: u64,
    /// Messages and IPIs not delivered (NMI, SMI, INIT, start-up, ExtINT).
    pub dropped: u64,
}

impl VmApic {
    /// The controllers of a VM with `vcpus` vCPUs, `pins` I/O APIC pins at
    /// `ioapic_base`, whose local APIC timers count against a TSC of
    /// `tsc_hz`; `None` if the I/O APIC cannot have that many pins.
    pub fn new(vcpus: usize, pins: usize, ioapic_base: u64, tsc_hz: u64) -> Option<VmApic> {
        let clock = TimerClock::new(tsc_hz, BUS_HZ)?;
        // The I/O APIC's ID follows the CPUs' (as firmware numbers them).
        let ioapic = VIoApic::new((vcpus & 0xF) as u8, pins).ok()?;
        let lapics = (0..vcpus)
            .map(|i| {
                // x2APIC, TSC-deadline mode and EOI-broadcast suppression
                // (the I/O APIC has its EOI register) are all offered.
                VLapic::with_config(LapicConfig::new(i as u32, i == 0, clock))
            })
            .collect();
        Some(VmApic {
            ioapic,
            lapics,
            ioapic_base,
            dropped: 0,
        })
    }

    /// vCPU `index`'s local APIC window (its IA32_APIC_BASE), if `gpa`
    /// is in it: the page offset.
    pub fn lapic_offset(&self, index: usize, gpa: u64) -> Option<u64> {
        let base = self.lapics.get(index)?.base_address();
        gpa.checked_sub(base).filter(|&o| o < 0x1000)
    }

    /// The page offset of `gpa` in the I/O APIC's window, if it is there.
    pub fn ioapic_offset(&self, gpa: u64) -> Option<u64> {
        gpa.checked_sub(self.ioapic_base).filter(|&o| o < 0x1000)
    }

    /// A guest access by vCPU `index` at `offset` of its local APIC page
    /// at guest TSC `now`: only aligned 32-bit accesses reach a register
    /// (others read 0 and write nothing, as the SDM's 10.4.1 allows).
    pub fn lapic_access(
        &mut self,
        index: usize,
        offset: u64,
        width: u8,
        write: Option<u64>,
        now: u64,
    ) -> Access {
        let mut out = Access::default();
        let Some(lapic) = self.lapics.get_mut(index) else {
            return out;
        };
        if width != 4 {
            return out;
        }
        let Some(value) = write else {
            out.value = lapic.read(offset, now).into();
            return out;
        };
        let effect = lapic.write(offset, value as u32, now);
        self.apply(index, effect, &mut out);
        // A write of the TPR or an EOI may let a pending one through.
        out.targets.add(index);
        out
    }

    /// A guest RDMSR (`write` `None`) or WRMSR by vCPU `index` of its
    /// local APIC's MSRs (IA32_APIC_BASE, IA32_TSC_DEADLINE, the x2APIC
    /// registers) at guest TSC `now`; `Err` is the #GP the guest takes,
    /// with nothing changed.
    pub fn msr_access(
        &mut self,
        index: usize,
        msr: u32,
        write: Option<u64>,
        now: u64,
    ) -> Result<Access, Gp> {
        let mut out = Access::default();
        let lapic = self.lapics.get_mut(index).ok_or(Gp)?;
        match write {
            None => out.value = lapic.read_msr(msr, now)?,
            Some(value) => {
                let effect = lapic.write_msr(msr, value, now)?;
                self.apply(index, effect, &mut out);
                out.targets.add(index);
            }
        }
        Ok(out)
    }

    /// Carries out what a write to vCPU `index`'s local APIC asked for.
    fn apply(&mut self, index: usize, effect: Effect, out: &mut Access) {
        match effect {
            Effect::None => {}
            Effect::Timer => out.timer_changed = true,
            Effect::Ipi(ipi) if ipi.delivery == Delivery::Init => {
                // INIT de-assert (level, de-assert) does nothing on the
                // processors since the Pentium 4 (10.6.1).
                if !ipi.is_init_deassert() {
                    out.inits = self.ipi_targets(index, &ipi);
                    for i in out.inits.iter() {
                        self.lapics[i].reset();
                    }
                }
            }
            Effect::Ipi(ipi) if ipi.delivery == Delivery::StartUp => {
                out.startup = Some((self.ipi_targets(index, &ipi), ipi.vector));
            }
            Effect::Ipi(ipi) => out.targets = self.send_ipi(index, &ipi),
            Effect::Eoi {
                vector, broadcast, ..
            } => {
                if broadcast {
                    let deliveries = self.ioapic.eoi(vector);
                    for d in &deliveries {
                        out.targets.merge(self.deliver_message(d));
                    }
                }
            }
        }
    }

    /// A guest access at `offset` of the I/O APIC's window.
    pub fn ioapic_access(&mut self, offset: u64, width: u8, write: Option<u64>) -> Access {
        let mut out = Access::default();
        match write {
            None => out.value = self.ioapic.read(offset, width),
            Some(value) => {
                let deliveries = self.ioapic.write(offset, width, value);
                for d in &deliveries {
                    out.targets.merge(self.deliver_message(d));
                }
            }
        }
        out
    }

    /// A device drives I/O APIC pin `pin` to `level`; `None` if there is
    /// no such pin.
    pub fn set_line(&mut self, pin: usize, level: bool) -> Option<Targets> {
        let message = self.ioapic.set_line(pin, level).ok()?;
        Some(message.map_or(Targets::default(), |d| self.deliver_message(&d)))
    }

    /// The local APICs an I/O APIC message reaches take it.
    pub fn deliver_message(&mut self, d: &vioapic::Delivery) -> Targets {
        let mode = if d.logical {
            DestMode::Logical
        } else {
            DestMode::Physical
        };
        let dest = u32::from(d.destination);
        match d.delivery_mode {
            DeliveryMode::Fixed => self.accept_all(
                |l, _| l.matches_destination(mode, dest),
                d.vector,
                d.level_triggered,
            ),
            DeliveryMode::LowestPriority => self.accept_lowest(
                |l, _| l.matches_destination(mode, dest),
                d.vector,
                d.level_triggered,
            ),
            _ => {
                self.dropped += 1;
                Targets::default()
            }
        }
    }

    /// An IPI vCPU `from` sent.
    pub fn send_ipi(&mut self, from: usize, ipi: &Ipi) -> Targets {
        let level = false;
        match ipi.delivery {
            Delivery::Fixed => {
                self.accept_all(|l, i| l.is_ipi_target(ipi, i == from), ipi.vector, level)
            }
            Delivery::LowestPriority => {
                self.accept_lowest(|l, i| l.is_ipi_target(ipi, i == from), ipi.vector, level)
            }
            _ => {
                self.dropped += 1;
                Targets::default()
            }
        }
    }

    /// The vCPUs whose local APIC `matches` names.
    fn matching(&self, matches: impl Fn(&VLapic, usize) -> bool) -> Targets {
        let mut targets = Targets::default();
        for (i, l) in self.lapics.iter().enumerate() {
            if matches(l, i) {
                targets.add(i);
            }
        }
        targets
    }

    /// The vCPUs `ipi` from vCPU `from` reaches (for INIT and start-up,
    /// which bypass the IRR).
    fn ipi_targets(&self, from: usize, ipi: &Ipi) -> Targets {
        self.matching(|l, i| l.is_ipi_target(ipi, i == from))
    }

    /// Every local APIC `matches` names takes `vector`; those that did.
    fn accept_all(
        &mut self,
        matches: impl Fn(&VLapic, usize) -> bool,
        vector: u8,
        level: bool,
    ) -> Targets {
        let mut accepted = Targets::default();
        for i in self.matching(matches).iter() {
            if self.lapics[i].accept(vector, level) {
                accepted.add(i);
            }
        }
        accepted
    }

    fn accept_lowest(
        &mut self,
        matches: impl Fn(&VLapic, usize) -> bool,
        vector: u8,
        level: bool,
    ) -> Targets {
        let mut targets = Targets::default();
        let chosen = (0..self.lapics.len())
            .filter(|&i| matches(&self.lapics[i], i) && self.lapics[i].is_enabled())
            .min_by_key(|&i| self.lapics[i].ppr());
        if let Some(i) = chosen
            && self.lapics[i].accept(vector, level)
        {
            targets.add(i);
        }
        targets
    }
}

#[cfg(test)]
mod tests;
