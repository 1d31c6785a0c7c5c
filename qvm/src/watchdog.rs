//! The watchdogs of a VM (`vdev wdt-sp805`, `wdt-ib700`; the models are
//! `vdev::wdt`): one thread sleeps until the next thing one of them does
//! by itself (an SP805's interrupt, a bite), or until the guest touches
//! one, brings the interrupt lines up to date, and when one bites carries
//! out its `action`: `dump,terminate` first writes a guest core dump to
//! `dump DIR` (`coredump.rs`; a dump that cannot be written is reported
//! and the VM ends all the same), `terminate` ends the VM with status 4
//! (`status::EXIT_WATCHDOG`) and says why.

use crate::timer::{kick, timer_loop};
use crate::vm::{Vm, raise_changed_lines};
use alloc::format;
use alloc::string::String;
use qvm::layout::AddressSpace;

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
        kick(&vm.wdt_kick);
    }
}

/// The watchdogs' thread: until one bites, sleeps until the earliest
/// next event of any (or a guest access), then raises the lines that
/// changed; a bite ends the VM (after a core dump if its action says).
pub fn thread(vm: &Vm) {
    let mut bitten: Option<(String, bool)> = None;
    timer_loop(&vm.wdt_kick, || {
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
                // Out of the loop and the device lock: the dump needs the
                // vCPU threads, which may be waiting for that lock.
                bitten = Some((format!("{}: {bite}", w.what), w.dump));
                return None;
            }
            next = match (next, dog.next_event_ns()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Some(next)
    });
    let Some((why, dump)) = bitten else {
        return;
    };
    let action = if dump { "dump,terminate" } else { "terminate" };
    log::error!(
        "qvm: {}: watchdog expired: {why}; ending the VM (action {action}, status {})",
        vm.name,
        crate::status::EXIT_WATCHDOG
    );
    if dump {
        let written = match &vm.dump_dir {
            Some(dir) => crate::coredump::write(vm, dir),
            None => Err(String::from(
                "no core written: the configuration gives no 'dump DIR'",
            )),
        };
        match written {
            Ok(done) => log::error!("qvm: {}: {done}", vm.name),
            Err(e) => log::error!("qvm: {}: {e}", vm.name),
        }
    }
    ulib::sys::exit(crate::status::EXIT_WATCHDOG);
}
