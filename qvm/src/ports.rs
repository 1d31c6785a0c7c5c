//! I/O port exits (x86 guests; an ARM VM has no ports and its bus stays
//! empty): the port bus, the PC's system control port B (0x61, the 8254's
//! counter 2 gate and output, which belongs to no device on the bus), the
//! 8042's reset line, and the threads that give the PC's timers their
//! interrupts in time: the 8254's counter 0 as IRQ 0 edges, the RTC's
//! periodic, alarm and update-ended interrupts on IRQ 8 (their loop:
//! `timer.rs`).

use crate::timer::{kick, timer_loop};
use crate::vm::{Platform, Vm, irq_line, raise_changed_lines};
use abi::VcpuExit;
use qvm::config::UnsupportedAction;
use vdev::Mc146818;
use vdev::pc::{AcpiPm, I8042, ResetControl};
use vdev::pit8254::Pit8254;

/// System control port B (NMI status and control): counter 2's gate and
/// output, the speaker (IBM PC/AT Technical Reference; `vdev::pit8254`).
const SYSTEM_CONTROL_B: u64 = 0x61;

/// What a read of `size` bytes from a port nothing decodes returns.
fn all_ones(size: usize) -> u64 {
    match size {
        1..=7 => (1 << (8 * size)) - 1,
        _ => u64::MAX,
    }
}

/// An IN or OUT: the device at the port, port 0x61, or nothing. A port
/// no device decodes reads all ones and takes writes without effect, as
/// on a PC's bus (there is no fault for it on x86: a guest probing for a
/// PCI host bridge at 0xCF8, or for a device, relies on that), under the
/// `unsupported reference` policies `fail` and `ignore`; `abort` ends the
/// VM. `Some(status)` ends the VM.
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
        if vm.unsupported.reference == UnsupportedAction::Abort {
            let what = alloc::format!(
                "{} of {size} bytes at I/O port {port:#x} with nothing there (pc {:#x})",
                if write { "OUT" } else { "IN" },
                exit.pc
            );
            return crate::respond::policy(vm, UnsupportedAction::Abort, what, exit);
        }
        exit.value = all_ones(size);
        return None;
    };
    exit.value = value;
    crate::watchdog::touched(vm, qvm::layout::AddressSpace::Io, port);
    // Any access to the RTC may change when its line next rises (a read
    // of register C clears the flags).
    if let Some((_, base)) = shared.platform.rtc
        && (base..base + Mc146818::SIZE).contains(&port)
    {
        kick(&vm.rtc_kick);
    }
    if write {
        if let Some((_, base, _)) = pit
            && (port == SYSTEM_CONTROL_B || (base..base + Pit8254::SIZE).contains(&port))
        {
            kick(&vm.pit_kick);
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
    timer_loop(&vm.pit_kick, || {
        let (edges, next) = {
            let mut shared = vm.shared.lock();
            let pit = shared.ports.downcast_mut::<Pit8254>(id)?;
            (pit.take_irq_edges(), pit.next_edge_ns())
        };
        if edges > 0 {
            irq_line(vm, pin, true);
            irq_line(vm, pin, false);
        }
        Some(next)
    });
}

/// The RTC's IRQ 8: sleeps until its line next rises by itself
/// (`Mc146818::next_irq_ns`: periodic, alarm or update-ended interrupt)
/// or the guest touched it, and sets the line as the model has it (the
/// guest lowers it by reading register C).
pub fn rtc_thread(vm: &Vm) {
    let Some((id, _)) = vm.shared.lock().platform.rtc else {
        return;
    };
    timer_loop(&vm.rtc_kick, || {
        let mut shared = vm.shared.lock();
        raise_changed_lines(vm, &mut shared);
        let rtc = shared.ports.downcast_mut::<Mc146818>(id)?;
        Some(rtc.next_irq_ns())
    });
}
