//! The `pc_devices` target: the PC's device models an x86 VM's guest
//! drives (`vdev::ser8250`, `vdev::pit8254`, `vdev::pc`: the 16550A COM
//! port, the 8254 timer with port 0x61, the MC146818 RTC and CMOS, the
//! i8042, the 8259A, the ACPI PM1 block and the 0xCF9 reset register),
//! each fed guest accesses of every width at any offset with any value,
//! host input, and time moving forward by any amount.
//!
//! Checked: nothing panics; a refused access is `Fault::Unsupported` and
//! every other width than 1 is refused (the PM1 block takes 2 and 4 bytes
//! too, naturally aligned, inside its window); reads fit the access; the
//! UART takes no more input than it has room for; the timers' edges and
//! next events never lie in the past; the RTC's seconds, minutes and hours
//! read as valid BCD or binary in range; PM1_CNT's SCI_EN always reads 1.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use vdev::pc::{AcpiPm, ResetControl};
use vdev::{Fault, I8042, Mc146818, Pic8259, Pit8254, Ser8250, Vdev};

use crate::input::Input;

/// The widths an access may have (3 is not one).
const WIDTHS: [usize; 5] = [1, 2, 4, 8, 3];

/// One access to `dev` at an offset below `window + 2` (past its end too).
fn access(dev: &mut dyn Vdev, window: u64, input: &mut Input) {
    let offset = input.below(window + 2);
    let size = WIDTHS[input.below(WIDTHS.len() as u64) as usize];
    let write = input.bool();
    let value = input.u64();
    let result = if write {
        dev.write(offset, size, value).map(|()| 0)
    } else {
        dev.read(offset, size)
    };
    match result {
        Ok(v) => {
            assert_eq!(size, 1, "{}: a {size}-byte access was taken", dev.kind());
            assert!(
                v <= 0xFF,
                "{}: read {v:#x} from a byte register",
                dev.kind()
            );
        }
        Err(Fault::Unsupported) => {}
    }
    let _ = dev.irq_level();
}

/// One access to the PM1 block, which takes 1, 2 and 4 bytes.
fn pm_access(pm: &mut AcpiPm, input: &mut Input) {
    let offset = input.below(AcpiPm::SIZE + 2);
    let size = WIDTHS[input.below(WIDTHS.len() as u64) as usize];
    let value = input.u64();
    let result = if input.bool() {
        pm.write(offset, size, value).map(|()| 0)
    } else {
        pm.read(offset, size)
    };
    if let Ok(v) = result {
        assert!(matches!(size, 1 | 2 | 4), "acpipm: a {size}-byte access");
        assert_eq!(offset % size as u64, 0, "acpipm: unaligned at {offset}");
        assert!(offset + size as u64 <= AcpiPm::SIZE, "acpipm: past the end");
        assert!(v >> (8 * size) == 0, "acpipm: read {v:#x} in {size} bytes");
    }
    let _ = pm.irq_level();
    let _ = pm.take_power_off_request();
    assert_eq!(pm.read(4, 1).map(|cnt| cnt & 1), Ok(1), "SCI_EN");
}

/// A BCD or binary time field in `0..=max`.
fn field_ok(raw: u8, bcd: bool, max: u8) -> bool {
    let v = if bcd {
        if raw & 0xF > 9 || raw >> 4 > 9 {
            return false;
        }
        (raw >> 4) * 10 + (raw & 0xF)
    } else {
        raw
    };
    v <= max
}

/// Reads RTC register `index` through the index and data ports.
fn rtc_read(rtc: &mut Mc146818, index: u8) -> u8 {
    let _ = rtc.write(0, 1, u64::from(index));
    rtc.read(1, 1).unwrap_or(0) as u8
}

/// The target.
pub fn pc_devices(data: &[u8]) {
    let mut input = Input::new(data);
    let now = Arc::new(AtomicU64::new(0));
    let clock = |now: &Arc<AtomicU64>| {
        let now = now.clone();
        Box::new(move || now.load(Ordering::Relaxed))
    };
    let mut uart = Ser8250::new(Vec::<u8>::new());
    let mut pit = Pit8254::new(clock(&now));
    let mut rtc = Mc146818::new(clock(&now), u64::from(input.u32()));
    let mut kbd = I8042::new();
    let mut pic = Pic8259::new();
    let mut pm = AcpiPm::new(clock(&now), input.u8());
    let mut reset = ResetControl::new();
    while !input.is_empty() {
        match input.below(10) {
            0 => access(&mut uart, Ser8250::<Vec<u8>>::SIZE, &mut input),
            1 => access(&mut pit, Pit8254::SIZE, &mut input),
            2 => access(&mut rtc, Mc146818::SIZE, &mut input),
            3 => access(&mut kbd, I8042::SIZE, &mut input),
            4 => access(&mut pic, Pic8259::SIZE, &mut input),
            5 => {
                let len = input.below(40) as usize;
                let bytes: Vec<u8> = (0..len).map(|_| input.u8()).collect();
                let room = uart.rx_space();
                let taken = uart.push_input(&bytes);
                assert!(
                    taken <= room.min(len),
                    "took {taken} of {len} with room for {room}"
                );
            }
            6 => {
                if input.bool() {
                    pit.port61_write(input.u8());
                } else {
                    let _ = pit.port61_read();
                }
                let _ = kbd.take_reset_request();
                pic.set_irq(input.below(10) as u8, input.bool());
                let _ = kbd.push_scancode(input.u8());
            }
            7 => pm_access(&mut pm, &mut input),
            8 => {
                access(&mut reset, ResetControl::SIZE, &mut input);
                let _ = reset.take_reset_request();
                if input.bool() {
                    pm.press_power_button();
                } else {
                    pm.reset();
                }
            }
            _ => {
                let step = match input.below(4) {
                    0 => input.below(1_000),
                    1 => input.below(1_000_000),
                    2 => input.below(2_000_000_000),
                    _ => u64::from(input.u32()) << input.below(12),
                };
                let t = now.load(Ordering::Relaxed).saturating_add(step);
                now.store(t, Ordering::Relaxed);
                let _ = pit.take_irq_edges();
                let events = [
                    pit.next_edge_ns(),
                    pit.next_event_ns(),
                    rtc.next_irq_ns(),
                    pm.next_irq_ns(),
                ];
                for next in events.into_iter().flatten() {
                    assert!(next >= t, "an event at {next} before now ({t})");
                }
            }
        }
    }
    // The time fields read back valid in the format register B says (SET
    // may hold whatever the guest wrote: left alone then).
    let b = rtc_read(&mut rtc, 0x0B);
    if b & 0x80 == 0 {
        let bcd = b & 0x04 == 0;
        let twelve = b & 0x02 == 0;
        let hours = rtc_read(&mut rtc, 4) & if twelve { 0x7F } else { 0xFF };
        assert!(field_ok(rtc_read(&mut rtc, 0), bcd, 59), "seconds");
        assert!(field_ok(rtc_read(&mut rtc, 2), bcd, 59), "minutes");
        assert!(field_ok(hours, bcd, if twelve { 12 } else { 23 }), "hours");
    }
}
