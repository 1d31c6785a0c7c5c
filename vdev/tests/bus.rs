//! The MMIO bus: placement and overlap checks, lookups, routing of reads
//! and writes, device faults, downcasting, and interrupt-level polling.

use vdev::pl011::Pl011;
use vdev::pl011::regs::{INT_RX, UARTDR, UARTIMSC};
use vdev::{AccessError, Bus, DeviceId, Fault, OverlapError, Vdev};

/// A scratch device: eight bytes of memory; any access of 1..=8 bytes
/// inside them works; its line is asserted while byte 0 is non-zero.
#[derive(Default)]
struct Scratch([u8; 8]);

impl Vdev for Scratch {
    fn kind(&self) -> &'static str {
        "scratch"
    }

    fn read(&mut self, offset: u64, size: usize) -> Result<u64, Fault> {
        let bytes = self.0.get(offset as usize..offset as usize + size);
        let bytes = bytes.ok_or(Fault::Unsupported)?;
        Ok(bytes.iter().rev().fold(0, |v, &b| v << 8 | u64::from(b)))
    }

    fn write(&mut self, offset: u64, size: usize, value: u64) -> Result<(), Fault> {
        let bytes = self.0.get_mut(offset as usize..offset as usize + size);
        let bytes = bytes.ok_or(Fault::Unsupported)?;
        bytes.copy_from_slice(&value.to_le_bytes()[..size]);
        Ok(())
    }

    fn irq_level(&self) -> bool {
        self.0[0] != 0
    }
}

fn scratch() -> Box<dyn Vdev> {
    Box::new(Scratch::default())
}

#[test]
fn ids_follow_insertion_order() {
    let mut bus = Bus::new();
    assert!(bus.is_empty());
    let a = bus.add(0x3000, 8, scratch()).unwrap();
    let b = bus.add(0x1000, 8, scratch()).unwrap();
    let c = bus.add(0x2000, 8, scratch()).unwrap();
    assert_eq!([a.index(), b.index(), c.index()], [0, 1, 2]);
    assert_eq!(bus.len(), 3);
    assert_eq!(bus.region(b), Some((0x1000, 8)));
    let kinds: Vec<_> = bus.iter().map(|(id, d)| (id.index(), d.kind())).collect();
    assert_eq!(kinds, [(0, "scratch"), (1, "scratch"), (2, "scratch")]);
}

#[test]
fn overlaps_and_bad_ranges_are_refused() {
    let mut bus = Bus::new();
    let a = bus.add(0x1000, 0x1000, scratch()).unwrap();
    let b = bus.add(0x4000, 0x1000, scratch()).unwrap();
    for (base, size, with) in [
        (0x1000, 0x1000, a),
        (0x0800, 0x0801, a),
        (0x1FFF, 1, a),
        (0x1800, 0x10, a),
        (0x3000, 0x1001, b),
        (0x0, u64::MAX, a),
    ] {
        let err = bus.add(base, size, scratch()).unwrap_err();
        assert_eq!(
            err,
            OverlapError {
                base,
                size,
                with: Some(with)
            },
            "{base:#x}+{size:#x}"
        );
    }
    assert_eq!(bus.add(0x9000, 0, scratch()).unwrap_err().with, None);
    assert_eq!(bus.add(u64::MAX, 2, scratch()).unwrap_err().with, None);
    // Touching neighbours are fine, and so is the very top of the space.
    bus.add(0x0800, 0x800, scratch()).unwrap();
    bus.add(0x2000, 0x2000, scratch()).unwrap();
    bus.add(u64::MAX, 1, scratch()).unwrap();
    assert_eq!(bus.len(), 5);
    let msg = bus.add(0x1000, 4, scratch()).unwrap_err().to_string();
    assert_eq!(msg, "MMIO range 0x1000+0x4 overlaps device 0");
}

#[test]
fn find_uses_the_right_range() {
    let mut bus = Bus::new();
    let ids: Vec<DeviceId> = [0x5000u64, 0x1000, 0x3000]
        .iter()
        .map(|&base| bus.add(base, 0x100, scratch()).unwrap())
        .collect();
    assert_eq!(bus.find(0x0FFF), None);
    assert_eq!(bus.find(0x1000), Some((ids[1], 0)));
    assert_eq!(bus.find(0x10FF), Some((ids[1], 0xFF)));
    assert_eq!(bus.find(0x1100), None);
    assert_eq!(bus.find(0x3080), Some((ids[2], 0x80)));
    assert_eq!(bus.find(0x5000), Some((ids[0], 0)));
    assert_eq!(bus.find(u64::MAX), None);
}

#[test]
fn reads_and_writes_reach_the_device() {
    let mut bus = Bus::new();
    let id = bus.add(0x1000, 8, scratch()).unwrap();
    bus.write(0x1000, 8, 0x0807_0605_0403_0201).unwrap();
    assert_eq!(bus.read(0x1002, 2), Ok(0x0403));
    assert_eq!(bus.read(0x1000, 8), Ok(0x0807_0605_0403_0201));
    assert_eq!(bus.read(0x2000, 4), Err(AccessError::Unmapped));
    assert_eq!(bus.write(0x0FFF, 1, 0), Err(AccessError::Unmapped));
    // Running past the end of the range is refused by the bus.
    let past = AccessError::Fault(id, Fault::Unsupported);
    assert_eq!(bus.read(0x1006, 4), Err(past));
    assert_eq!(bus.write(0x1007, 2, 0), Err(past));
}

#[test]
fn device_faults_carry_the_device() {
    let mut bus = Bus::new();
    let id = bus
        .add(
            0x9000_0000,
            Pl011::<Vec<u8>>::SIZE,
            Box::new(Pl011::new(Vec::new())),
        )
        .unwrap();
    let fault = AccessError::Fault(id, Fault::Unsupported);
    assert_eq!(bus.read(0x9000_0000, 8), Err(fault));
    assert_eq!(bus.write(0x9000_0001, 4, 0), Err(fault));
}

#[test]
fn downcast_reaches_the_pl011() {
    let mut bus = Bus::new();
    bus.add(0x1000, 8, scratch()).unwrap();
    let uart = bus
        .add(0x1c09_0000, 0x1000, Box::new(Pl011::new(Vec::new())))
        .unwrap();
    bus.write(0x1c09_0000 + UARTDR, 4, u64::from(b'h')).unwrap();
    bus.write(0x1c09_0000 + UARTDR, 1, u64::from(b'i')).unwrap();
    let dev = bus.downcast_mut::<Pl011<Vec<u8>>>(uart).unwrap();
    assert_eq!(dev.sink().as_slice(), b"hi");
    assert!(bus.downcast_mut::<Scratch>(uart).is_none());
    assert!(bus.downcast_ref::<Scratch>(uart).is_none());
    assert_eq!(bus.get(uart).map(|d| d.kind()), Some("pl011"));
}

#[test]
fn irq_changes_are_reported_once() {
    let mut bus = Bus::new();
    let a = bus.add(0x1000, 8, scratch()).unwrap();
    let b = bus.add(0x2000, 8, scratch()).unwrap();
    assert_eq!(bus.irq_change(a), None, "starts deasserted");
    bus.write(0x1000, 1, 1).unwrap();
    assert_eq!(bus.irq_change(a), Some(true));
    assert_eq!(bus.irq_change(a), None);
    bus.write(0x2000, 1, 1).unwrap();
    bus.write(0x1000, 1, 0).unwrap();
    let mut seen = Vec::new();
    bus.poll_irqs(|id, level| seen.push((id, level)));
    assert_eq!(seen, [(a, false), (b, true)]);
    seen.clear();
    bus.poll_irqs(|id, level| seen.push((id, level)));
    assert!(seen.is_empty());
}

#[test]
fn console_input_through_the_bus() {
    let mut bus = Bus::new();
    let base = 0x1c09_0000;
    let uart = bus
        .add(base, 0x1000, Box::new(Pl011::new(Vec::new())))
        .unwrap();
    bus.write(base + UARTIMSC, 4, INT_RX.into()).unwrap();
    assert_eq!(bus.irq_change(uart), None);
    let dev = bus.downcast_mut::<Pl011<Vec<u8>>>(uart).unwrap();
    assert_eq!(dev.push_input(b"y"), 1);
    assert_eq!(bus.irq_change(uart), Some(true));
    assert_eq!(bus.read(base + UARTDR, 4), Ok(u64::from(b'y')));
    assert_eq!(bus.irq_change(uart), Some(false));
}
