//! The watchdogs of a VM (`vdev wdt-sp805`, `wdt-ib700`; the models are
//! `vdev::wdt`): one thread sleeps until the next thing one of them does
//! by itself (an SP805's interrupt, a bite), or until the guest touches
//! one, brings the interrupt lines up to date, and when one bites carries
//! out its `action`: `terminate` ends the VM with status 4
//! (`status::EXIT_WATCHDOG`) and says why. (`action dump,terminate` is
//! refused before the VM is built: there are no guest core dumps yet.)

use crate::vm::{Vm, raise_changed_lines};
use alloc::format;
use alloc::string::String;
use core::sync::atomic::Ordering;
use qvm::layout::{AddressSpace, VdevLayout};
use vdev::bus::DeviceId;

/// One watchdog of the VM: where it is, and what to call it.
#[derive(Clone, Debug)]
pub struct Slot {
    /// Its bus (MMIO, or the ports on x86).
    pub space: AddressSpace,
    /// Its id there.
    pub id: DeviceId,
    /// Its first address or port.
    pub base: u64,
    /// Its window's size.
    pub size: u64,
    /// `vdev wdt-sp805 at 0x1c0f0000 (FILE:LINE)`, for the message.
    pub what: String,
}

impl Slot {
    /// The watchdog `dev`, `id` on its bus.
    pub fn new(dev: &VdevLayout, id: DeviceId) -> Slot {
        let at = match dev.space {
            AddressSpace::Memory => format!("{:#x}", dev.slot.base),
            AddressSpace::Io => format!("I/O port {:#x}", dev.slot.base),
        };
        Slot {
            space: dev.space,
            id,
            base: dev.slot.base,
            size: dev.slot.size,
            what: format!("{} at {at} ({})", dev.config.describe(), dev.config.origin),
        }
    }
}

/// After the guest's access to `addr` in `space`: if a watchdog is
/// there, wakes its thread (the access may have moved its deadline).
#[inline(always)]
pub fn touched(vm: &Vm, space: AddressSpace, addr: u64) {
    if !vm.watchdogs.is_empty() {
        kick_if_watchdog(vm, space, addr);
    }
}

#[inline(never)]
fn kick_if_watchdog(vm: &Vm, space: AddressSpace, addr: u64) {
    let hit = vm
        .watchdogs
        .iter()
        .any(|w| w.space == space && addr.wrapping_sub(w.base) < w.size);
    if hit {
        vm.wdt_kick.fetch_add(1, Ordering::Release);
        let _ = ulib::sys::futex_wake(&vm.wdt_kick, 1);
    }
}

/// The watchdogs' thread: until one bites, sleeps until the earliest
/// next event of any (or a guest access), then raises the lines that
/// changed; a bite ends the VM.
pub fn thread(vm: &Vm) {
    crate::ports::timer_loop(&vm.wdt_kick, || {
        let mut shared = vm.shared.lock();
        raise_changed_lines(vm, &mut shared);
        let mut next: Option<u64> = None;
        for w in &vm.watchdogs {
            let bus = match w.space {
                AddressSpace::Memory => &shared.bus,
                AddressSpace::Io => &shared.ports,
            };
            let dog = bus.get(w.id).and_then(vdev::wdt::as_watchdog)?;
            if let Some(bite) = dog.bite() {
                log::error!(
                    "qvm: {}: watchdog expired: {}: {bite}; ending the VM (action terminate, \
                     status {})",
                    vm.name,
                    w.what,
                    crate::status::EXIT_WATCHDOG
                );
                ulib::sys::exit(crate::status::EXIT_WATCHDOG);
            }
            next = match (next, dog.next_event_ns()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Some(next)
    });
}
