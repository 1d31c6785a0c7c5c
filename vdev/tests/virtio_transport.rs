//! The virtio-mmio transport and split virtqueues, with the entropy device
//! as the simplest backend: identification, feature negotiation, queue
//! setup, reset, bad chains, event-index suppression, `DEVICE_NEEDS_RESET`.

mod vq;

use vdev::Vdev;
use vdev::virtio::mmio::regs::*;
use vdev::virtio::queue::*;
use vdev::virtio::rng::{Rng, XorShift};
use vdev::virtio::*;
use vq::*;

fn rng(accept: u64) -> Drv<Rng<XorShift>> {
    Drv::new(Rng::new(XorShift::new(1)), accept)
}

#[test]
fn identification_and_access_sizes() {
    let mut d = Drv::raw(Rng::new(XorShift::new(1)));
    assert_eq!(d.r(VIRTIO_MMIO_MAGIC_VALUE), 0x7472_6976);
    assert_eq!(d.r(VIRTIO_MMIO_VERSION), 2);
    assert_eq!(d.r(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
    assert_eq!(d.r(VIRTIO_MMIO_STATUS), 0);
    assert_eq!(d.dev.read(0, 2), Err(vdev::Fault::Unsupported));
    assert_eq!(d.dev.read(2, 4), Err(vdev::Fault::Unsupported));
    assert_eq!(d.dev.read(0x101, 2), Err(vdev::Fault::Unsupported));
    assert_eq!(d.dev.read(0x200, 4), Err(vdev::Fault::Unsupported));
    assert_eq!(d.dev.read(0x100, 1), Ok(0));
    let f = d.features();
    for b in [
        VIRTIO_F_VERSION_1,
        VIRTIO_F_INDIRECT_DESC,
        VIRTIO_F_EVENT_IDX,
    ] {
        assert_ne!(f & bit(b), 0);
    }
}

#[test]
fn features_ok_needs_version_1_and_offered_bits() {
    let mut d = Drv::raw(Rng::new(XorShift::new(1)));
    let st = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
    d.w(VIRTIO_MMIO_STATUS, st);
    d.set_features(0);
    d.w(VIRTIO_MMIO_STATUS, st | VIRTIO_CONFIG_S_FEATURES_OK);
    assert_eq!(d.r(VIRTIO_MMIO_STATUS), st);
    d.set_features(bit(VIRTIO_F_VERSION_1) | bit(40));
    d.w(VIRTIO_MMIO_STATUS, st | VIRTIO_CONFIG_S_FEATURES_OK);
    assert_eq!(d.r(VIRTIO_MMIO_STATUS), st);
    d.set_features(bit(VIRTIO_F_VERSION_1) | bit(VIRTIO_F_EVENT_IDX));
    d.w(VIRTIO_MMIO_STATUS, st | VIRTIO_CONFIG_S_FEATURES_OK);
    assert_eq!(d.r(VIRTIO_MMIO_STATUS), st | VIRTIO_CONFIG_S_FEATURES_OK);
    assert_eq!(
        d.dev.driver_features(),
        bit(VIRTIO_F_VERSION_1) | bit(VIRTIO_F_EVENT_IDX)
    );
}

#[test]
fn queue_setup_reads_back_and_reset_clears() {
    let mut d = rng(!0);
    d.w(VIRTIO_MMIO_QUEUE_SEL, 0);
    assert_eq!(d.r(VIRTIO_MMIO_QUEUE_NUM_MAX), u32::from(QUEUE_SIZE_MAX));
    assert_eq!(d.r(VIRTIO_MMIO_QUEUE_DESC_LOW), desc(0) as u32);
    assert_eq!(d.r(VIRTIO_MMIO_QUEUE_AVAIL_LOW), avail(0) as u32);
    assert_eq!(d.r(VIRTIO_MMIO_QUEUE_USED_HIGH), 0);
    // A queue that does not exist.
    d.w(VIRTIO_MMIO_QUEUE_SEL, 5);
    assert_eq!(d.r(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
    d.w(VIRTIO_MMIO_QUEUE_READY, 1);
    assert_eq!(d.r(VIRTIO_MMIO_QUEUE_READY), 0);
    // Work, then reset.
    let b = d.alloc(8, &[]);
    d.chain(0, &[(b, 8, true)]);
    d.notify(0);
    assert!(d.dev.irq_level());
    d.w(VIRTIO_MMIO_STATUS, 0);
    assert!(!d.dev.irq_level());
    assert_eq!(d.r(VIRTIO_MMIO_STATUS), 0);
    d.w(VIRTIO_MMIO_QUEUE_SEL, 0);
    assert_eq!(
        (
            d.r(VIRTIO_MMIO_QUEUE_READY),
            d.r(VIRTIO_MMIO_QUEUE_DESC_LOW)
        ),
        (0, 0)
    );
    assert_eq!(d.dev.driver_features(), 0);
    // A non-power-of-two size is not made ready.
    d.w(VIRTIO_MMIO_QUEUE_NUM, 12);
    d.w(VIRTIO_MMIO_QUEUE_READY, 1);
    assert_eq!(d.r(VIRTIO_MMIO_QUEUE_READY), 0);
}

#[test]
fn rng_fills_buffers() {
    let mut d = rng(!0);
    let (a, b) = (d.alloc(100, &[]), d.alloc(3000, &[]));
    let h = d.chain(0, &[(a, 100, true), (b, 3000, true)]);
    d.notify(0);
    assert_eq!(d.used(0), Some((h.into(), 3100)));
    let got = d.get(a, 100);
    assert!(got.iter().filter(|&&x| x == 0).count() < 10);
    assert_ne!(d.get(b, 3000)[2900..], [0; 100]);
    assert_eq!(d.ack(), VIRTIO_MMIO_INT_VRING);
}

fn bad_chain(d: &mut Drv<Rng<XorShift>>) {
    d.notify(0);
    assert_eq!(d.used(0).map(|u| u.1), Some(0));
    assert!(d.dev.is_running());
}

#[test]
fn bad_chains_fail_alone() {
    let mut d = rng(!0);
    let b = d.alloc(16, &[]);
    // A loop: 0 -> 1 -> 0.
    d.desc_at(desc(0), 0, b, 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    d.desc_at(desc(0), 1, b, 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
    d.publish(0, 0);
    bad_chain(&mut d);
    // Head and next past the table.
    d.publish(0, QSIZE);
    bad_chain(&mut d);
    d.desc_at(
        desc(0),
        2,
        b,
        4,
        VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
        999,
    );
    d.publish(0, 2);
    bad_chain(&mut d);
    // Readable after writable.
    d.desc_at(desc(0), 3, b, 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 4);
    d.desc_at(desc(0), 4, b, 4, 0, 0);
    d.publish(0, 3);
    bad_chain(&mut d);
    // Indirect: nested, with NEXT, bad length, table outside RAM.
    let t = d.alloc(32, &[]);
    d.desc_at(t, 0, t, 16, VIRTQ_DESC_F_INDIRECT, 0);
    for (flags, len, addr) in [
        (VIRTQ_DESC_F_INDIRECT, 16, t),
        (VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 16, t),
        (VIRTQ_DESC_F_INDIRECT, 24, t),
        (VIRTQ_DESC_F_INDIRECT, 16 * 2000, t),
        (VIRTQ_DESC_F_INDIRECT, 16, 0x10),
    ] {
        d.desc_at(desc(0), 5, addr, len, flags, 6);
        d.publish(0, 5);
        bad_chain(&mut d);
    }
    assert_eq!(d.dev.queue(0).unwrap().bad_chains(), 9);
    // The queue still works.
    d.chain(0, &[(b, 16, true)]);
    d.notify(0);
    assert_eq!(d.used(0).map(|u| u.1), Some(16));
}

#[test]
fn avail_index_jump_needs_reset() {
    let mut d = rng(!0);
    d.ack();
    d.put16(avail(0) + 2, QSIZE + 1);
    d.notify(0);
    assert_ne!(d.r(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET, 0);
    assert_eq!(d.r(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
    assert!(!d.dev.is_running());
    d.w(VIRTIO_MMIO_STATUS, 0);
    assert_eq!(d.r(VIRTIO_MMIO_STATUS), 0);
    // A new driver starts from ring index 0 and is served.
    d.init(!0);
    let b = d.alloc(8, &[]);
    d.chain(0, &[(b, 8, true)]);
    d.notify(0);
    assert_eq!(d.used(0).map(|u| u.1), Some(8));
    assert!(d.dev.is_running());
}

#[test]
fn no_interrupt_flag_without_event_idx() {
    let mut d = rng(0);
    let b = d.alloc(8, &[]);
    d.put16(avail(0), VIRTQ_AVAIL_F_NO_INTERRUPT);
    d.chain(0, &[(b, 8, true)]);
    d.notify(0);
    assert!(d.used(0).is_some());
    assert!(!d.dev.irq_level());
    d.put16(avail(0), 0);
    d.chain(0, &[(b, 8, true)]);
    d.notify(0);
    assert!(d.dev.irq_level());
}

#[test]
fn event_idx_suppression() {
    let mut d = rng(!0);
    let b = d.alloc(8, &[]);
    let used_event = avail(0) + 4 + 2 * u64::from(QSIZE);
    let avail_event = used(0) + 4 + 8 * u64::from(QSIZE);
    // used_event = 2: interrupt only when the used index passes 2 -> 3.
    d.put16(used_event, 2);
    for (i, want) in [false, false, true, false].into_iter().enumerate() {
        d.chain(0, &[(b, 8, true)]);
        d.notify(0);
        assert_eq!(d.get16(avail_event), i as u16 + 1, "avail_event follows");
        assert_eq!(d.dev.irq_level(), want, "request {i}");
        d.ack_if(want);
    }
    // Two requests in one notify crossing used_event: one interrupt.
    d.put16(used_event, 4);
    d.chain(0, &[(b, 8, true)]);
    d.chain(0, &[(b, 8, true)]);
    d.notify(0);
    assert!(d.dev.irq_level());
}

trait AckIf {
    fn ack_if(&mut self, yes: bool);
}
impl AckIf for Drv<Rng<XorShift>> {
    fn ack_if(&mut self, yes: bool) {
        if yes {
            assert_eq!(self.ack(), VIRTIO_MMIO_INT_VRING);
        }
    }
}
