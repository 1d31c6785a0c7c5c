//! I/O port exits (x86 guests; an ARM VM has no ports and its bus stays
//! empty): the port bus, the PC's system control port B (0x61, the 8254's
//! counter 2 gate and output, which belongs to no device on the bus), the
//! 8042's reset line, and the thread that turns the 8254's counter 0 into
//! IRQ 0 edges.

use crate::vm::{Platform, Vm, irq_line, raise_changed_lines};
use abi::VcpuExit;
use core::sync::atomic::Ordering;
use vdev::pc::{AcpiPm, I8042, ResetControl};
use vdev::pit8254::Pit8254;

/// System control port B (NMI status and control): counter 2's gate and
/// output, the speaker (IBM PC/AT Technical Reference; `vdev::pit8254`).
const SYSTEM_CONTROL_B: u64 = 0x61;

/// The longest the 8254 thread sleeps without news: a guest that
/// reprograms counter 0 wakes it at once (`Vm::pit_kick`), this bounds
/// what a lost wake-up could cost.
const PIT_IDLE_NS: u64 = 100_000_000;

/// An IN or OUT: the device at the port, port 0x61, or nothing (then the
/// `unsupported reference` policy). `Some(status)` ends the VM.
pub fn port_io(vm: &Vm, exit: &mut VcpuExit) -> Option<usize> {
    let mut shared = vm.shared.lock();
    let (port, size, write) = (exit.address, exit.size as usize, exit.write != 0);
    let pit = shared.platform.pit;
    let result = if port == SYSTEM_CONTROL_B && size == 1 {
        match pit.and_then(|(id, ..)| shared.ports.downcast_mut::<Pit8254>(id)) {
            Some(p) if write => {
                p.port61_write(exit.value as u8);
                Ok(0)
            }
            Some(p) => Ok(u64::from(p.port61_read())),
            None => Err(()),
        }
    } else if write {
        shared
            .ports
            .write(port, size, exit.value)
            .map(|()| 0)
            .map_err(|_| ())
    } else {
        shared.ports.read(port, size).map_err(|_| ())
    };
    let Ok(value) = result else {
        drop(shared);
        let what = alloc::format!(
            "{} of {size} bytes at I/O port {port:#x} with nothing there (pc {:#x})",
            if write { "OUT" } else { "IN" },
            exit.pc
        );
        return crate::respond::policy(vm, vm.unsupported.reference, what, exit);
    };
    exit.value = value;
    if write {
        if let Some((_, base, _)) = pit
            && (port == SYSTEM_CONTROL_B || (base..base + Pit8254::SIZE).contains(&port))
        {
            vm.pit_kick.fetch_add(1, Ordering::Release);
            let _ = ulib::sys::futex_wake(&vm.pit_kick, 1);
        }
        let Platform {
            keyboard,
            pm,
            reset,
            ..
        } = shared.platform;
        let ports = &mut shared.ports;
        if let Some(pm) = pm.and_then(|id| ports.downcast_mut::<AcpiPm>(id))
            && pm.take_power_off_request()
        {
            log::info!("qvm: {}: the guest powered off (ACPI S5)", vm.name);
            return Some(crate::status::EXIT_OK);
        }
        let pulsed = keyboard
            .and_then(|id| ports.downcast_mut::<I8042>(id))
            .is_some_and(|k| k.take_reset_request());
        let written = reset
            .and_then(|id| ports.downcast_mut::<ResetControl>(id))
            .is_some_and(|r| r.take_reset_request());
        if pulsed || written {
            log::info!("qvm: {}: the guest asked for a reset", vm.name);
            return Some(vm.reset_status);
        }
    }
    crate::respond::feed_console(&mut shared);
    raise_changed_lines(vm, &mut shared);
    None
}

/// The 8254's IRQ 0: sleeps until counter 0's output next rises (or the
/// guest reprograms it) and pulses the I/O APIC pin once for the edges
/// since (a masked or slow guest loses the extra edges, as on a PC).
pub fn pit_thread(vm: &Vm) {
    let Some((id, _, Some(pin))) = vm.shared.lock().platform.pit else {
        return;
    };
    loop {
        let seen = vm.pit_kick.load(Ordering::Acquire);
        let (edges, next) = {
            let mut shared = vm.shared.lock();
            let Some(pit) = shared.ports.downcast_mut::<Pit8254>(id) else {
                return;
            };
            (pit.take_irq_edges(), pit.next_edge_ns())
        };
        if edges > 0 {
            irq_line(vm, pin, true);
            irq_line(vm, pin, false);
        }
        let wait = next.map_or(PIT_IDLE_NS, |at| {
            at.saturating_sub(ulib::sys::clock()).clamp(1, PIT_IDLE_NS)
        });
        let _ = ulib::sys::futex_wait(&vm.pit_kick, seen, wait);
    }
}
