//! The shared-memory `peer` link between two virtio-net cards: frames both
//! ways in order across the ring's wrap, back-pressure and the doorbell,
//! the sleep protocol, a broken or hostile other end, two threads pumping
//! frames, and two cards linked end to end through the transport.

mod vq;

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use vdev::virtio::net::ring::{BadRegion, RingLink, SharedMemory, bell_at, region_size};
use vdev::virtio::net::{self, MAX_FRAME, Net, NetLink, VIRTIO_NET_HDR_LEN};
use vq::*;

/// A region both ends share, with a count of wakes per word.
#[derive(Clone)]
struct Region {
    bytes: Arc<Mutex<Vec<u8>>>,
    wakes: Arc<Vec<AtomicUsize>>,
}

impl Region {
    fn new(cap: usize) -> Self {
        let len = region_size(cap);
        Region {
            bytes: Arc::new(Mutex::new(vec![0; len])),
            wakes: Arc::new((0..len / 4).map(|_| AtomicUsize::new(0)).collect()),
        }
    }
    fn wakes(&self, offset: usize) -> usize {
        self.wakes[offset / 4].load(SeqCst)
    }
    fn poke(&self, offset: usize, value: u32) {
        self.store(offset, value)
    }
}

impl SharedMemory for Region {
    fn len(&self) -> usize {
        self.bytes.lock().unwrap().len()
    }
    fn load(&self, offset: usize) -> u32 {
        let b = self.bytes.lock().unwrap();
        u32::from_le_bytes(b[offset..offset + 4].try_into().unwrap())
    }
    fn store(&self, offset: usize, value: u32) {
        self.bytes.lock().unwrap()[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
    }
    fn fetch_add(&self, offset: usize, value: u32) -> u32 {
        let mut b = self.bytes.lock().unwrap();
        let old = u32::from_le_bytes(b[offset..offset + 4].try_into().unwrap());
        b[offset..offset + 4].copy_from_slice(&old.wrapping_add(value).to_le_bytes());
        old
    }
    fn read(&self, offset: usize, buf: &mut [u8]) {
        buf.copy_from_slice(&self.bytes.lock().unwrap()[offset..offset + buf.len()]);
    }
    fn write(&self, offset: usize, data: &[u8]) {
        self.bytes.lock().unwrap()[offset..offset + data.len()].copy_from_slice(data);
    }
    fn wake(&self, offset: usize) {
        self.wakes[offset / 4].fetch_add(1, SeqCst);
    }
}

fn pair(cap: usize) -> (Region, RingLink<Region>, RingLink<Region>) {
    let r = Region::new(cap);
    let a = RingLink::attach(r.clone(), 0).unwrap();
    let b = RingLink::attach(r.clone(), 1).unwrap();
    (r, a, b)
}

fn frame(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(7) ^ seed).collect()
}

fn take(l: &mut RingLink<Region>) -> Option<Vec<u8>> {
    let len = l.peek()?;
    let mut buf = vec![0; len];
    l.recv(&mut buf);
    Some(buf)
}

#[test]
fn frames_go_both_ways_in_order_across_the_wrap() {
    let (_, mut a, mut b) = pair(4096);
    // Odd sizes so records straddle the ring's end many times.
    for round in 0..200u32 {
        let len = 1 + (round as usize * 37) % 1500;
        let (fa, fb) = (frame(len, round as u8), frame(len / 2 + 1, !round as u8));
        assert!(a.send(&fa));
        assert!(b.send(&fb));
        a.flush();
        b.flush();
        assert_eq!(take(&mut b), Some(fa), "round {round}");
        assert_eq!(take(&mut a), Some(fb), "round {round}");
        assert_eq!(take(&mut a), None);
    }
    assert_eq!((a.errors(), b.errors()), (0, 0));
}

#[test]
fn a_full_ring_says_no_and_room_rings_the_bell() {
    let (r, mut a, mut b) = pair(4096);
    let f = frame(1000, 1);
    let mut sent = 0;
    while a.send(&f) {
        sent += 1;
    }
    assert_eq!(sent, 4, "4 records of 1004 bytes fit in 4096");
    a.flush();
    let bell_a = r.load(bell_at(0));
    // a's waiter goes to sleep; b takes one frame: a is rung and woken.
    let wa = a.waiter();
    let v = wa.value();
    assert!(wa.should_sleep(v));
    assert_eq!(take(&mut b), Some(f.clone()));
    b.flush();
    assert_eq!(r.load(bell_at(0)), bell_a.wrapping_add(1));
    assert_eq!(r.wakes(bell_at(0)), 1);
    wa.woke();
    assert!(a.send(&f));
    // Taking more without a blocked sender does not ring a again.
    assert!(take(&mut b).is_some());
    b.flush();
    assert_eq!(r.load(bell_at(0)), bell_a.wrapping_add(1));
}

#[test]
fn sending_rings_the_other_end_and_wakes_it_only_when_asleep() {
    let (r, mut a, b) = pair(4096);
    assert_eq!(b.waiter().bell(), bell_at(1));
    assert!(a.send(&frame(60, 0)));
    a.flush();
    assert_eq!((r.load(bell_at(1)), r.wakes(bell_at(1))), (1, 0));
    let wb = b.waiter();
    let v = wb.value();
    assert!(wb.should_sleep(v));
    assert!(a.send(&frame(60, 0)));
    a.flush();
    assert_eq!(r.wakes(bell_at(1)), 1);
    // A waiter that read the bell before it moved does not sleep.
    wb.woke();
    let v = wb.value();
    assert!(a.send(&frame(60, 0)));
    a.flush();
    assert!(!wb.should_sleep(v));
    // Flushing with nothing done rings nothing.
    a.flush();
    assert_eq!(r.load(bell_at(1)), 3);
}

#[test]
fn attaching_drops_stale_frames_but_keeps_what_it_sent() {
    let r = Region::new(4096);
    let mut a = RingLink::attach(r.clone(), 0).unwrap();
    let mut b = RingLink::attach(r.clone(), 1).unwrap();
    assert!(a.send(&frame(100, 1)));
    assert!(b.send(&frame(80, 2)));
    // b's VM restarts: what a sent before is dropped, what b sent stays.
    let mut b = RingLink::attach(r.clone(), 1).unwrap();
    assert_eq!(take(&mut b), None);
    assert_eq!(take(&mut a), Some(frame(80, 2)));
    assert!(a.send(&frame(10, 3)));
    assert_eq!(take(&mut b), Some(frame(10, 3)));
}

#[test]
fn regions_of_the_wrong_size_are_refused() {
    for len in [
        0,
        4096,
        4096 + 2 * 2048,
        4096 + 2 * 6000,
        region_size(8192) + 4,
    ] {
        let r = Region {
            bytes: Arc::new(Mutex::new(vec![0; len])),
            wakes: Arc::new(Vec::new()),
        };
        assert_eq!(RingLink::attach(r, 0).err(), Some(BadRegion { len }));
    }
    assert!(RingLink::attach(Region::new(4096), 2).is_err());
    assert!(RingLink::attach(Region::new(1 << 20), 1).is_ok());
}

#[test]
fn a_broken_other_end_costs_its_frames_not_the_card() {
    let (r, _, mut b) = pair(4096);
    // Head past what the ring can hold.
    r.poke(64, 5000);
    assert_eq!(b.peek(), None);
    assert_eq!(b.errors(), 1);
    // b dropped up to that head; a (restarted) goes on from it.
    let mut a = RingLink::attach(r.clone(), 0).unwrap();
    // A record longer than a frame can be.
    assert!(a.send(&frame(10, 0)));
    let len_at = 4096 + (r.load(64) as usize - 16) % 4096;
    r.write(len_at, &(MAX_FRAME as u32 + 1).to_le_bytes());
    assert_eq!(b.peek(), None);
    assert_eq!(b.errors(), 2);
    // A tail the sender could not have: sends find no room, never panic.
    r.poke(128, r.load(64).wrapping_add(8000));
    assert!(!a.send(&frame(10, 0)));
    // Random words everywhere in the header: no panic, lengths stay sane.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..2000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let off = (x as usize % 64) * 4 + 64;
        r.poke(off, (x >> 32) as u32);
        if let Some(len) = b.peek() {
            assert!(len <= MAX_FRAME);
            let mut buf = vec![0; len];
            b.recv(&mut buf);
        }
        let _ = a.send(&frame((x % 1600) as usize, 0));
        a.flush();
        b.flush();
    }
}

#[test]
fn two_threads_move_frames_with_back_pressure() {
    let (_, mut a, mut b) = pair(8192);
    const FRAMES: u32 = 3000;
    let received = Arc::new(AtomicU32::new(0));
    let got = received.clone();
    let reader = std::thread::spawn(move || {
        let mut next = 0u32;
        while next < FRAMES {
            match take(&mut b) {
                Some(f) => {
                    assert_eq!(f, frame(1 + (next as usize * 13) % 1514, next as u8));
                    next += 1;
                    got.store(next, SeqCst);
                }
                None => std::thread::yield_now(),
            }
            b.flush();
        }
    });
    let mut full = 0;
    for i in 0..FRAMES {
        let f = frame(1 + (i as usize * 13) % 1514, i as u8);
        while !a.send(&f) {
            full += 1;
            std::thread::yield_now();
        }
        a.flush();
    }
    reader.join().unwrap();
    assert_eq!(received.load(SeqCst), FRAMES);
    assert!(
        full > 0,
        "the reader should have fallen behind at least once"
    );
}

#[test]
fn frames_to_a_peer_that_is_down_are_dropped_until_it_reads_again() {
    let (_, mut a, mut b) = pair(4096);
    let f = frame(1000, 3);
    while a.send(&f) {}
    a.set_peer_down();
    // No room, peer down: taken and dropped, not held.
    assert!(a.send(&f) && a.send(&f));
    assert_eq!(a.lost(), 2);
    // The peer reads again: frames are held for room again.
    assert_eq!(take(&mut b), Some(f.clone()));
    assert!(a.send(&f));
    assert!(!a.peer_down());
    assert!(!a.send(&f));
    assert_eq!(a.lost(), 2);
}

/// Two cards, each with its test driver, on one link.
#[test]
fn two_cards_talk_through_the_link() {
    let (r, a, b) = pair(4096);
    let mut da = Drv::new(Net::new([2, 0, 0, 0, 0, 1], a), !0);
    let mut db = Drv::new(Net::new([2, 0, 0, 0, 0, 2], b), !0);
    let hdr = da.alloc(VIRTIO_NET_HDR_LEN, &[]);
    let payload = frame(1400, 9);
    let f = da.alloc(1400, &payload);
    // A sends 4 frames; only 2 fit (1404-byte records in 4096 bytes), so
    // the third stalls with its buffer held and the fourth waits.
    for _ in 0..4 {
        da.chain(net::TRANSMITQ, &[(hdr, 12, false), (f, 1400, false)]);
    }
    da.notify(net::TRANSMITQ);
    assert!(da.used(net::TRANSMITQ).is_some() && da.used(net::TRANSMITQ).is_some());
    assert_eq!(da.used(net::TRANSMITQ), None);
    assert_eq!(da.dev.backend().stats().tx_stalls, 1);
    assert!(da.dev.backend().tx_stalled());
    assert_eq!(r.load(bell_at(1)), 1);
    // B has no buffers yet: nothing is taken, nothing lost.
    assert!(db.dev.poll_link());
    assert_eq!(db.dev.backend().stats().rx, 0);
    let bufs: Vec<u64> = (0..4).map(|_| db.alloc(1526, &[])).collect();
    for &buf in &bufs {
        db.chain(net::RECEIVEQ, &[(buf, 1526, true)]);
    }
    db.notify(net::RECEIVEQ);
    assert_eq!(db.used(net::RECEIVEQ).map(|u| u.1), Some(1412));
    assert_eq!(db.used(net::RECEIVEQ).map(|u| u.1), Some(1412));
    assert_eq!(db.get(bufs[0] + 12, 1400), payload);
    // B freed room for a blocked A: A's bell rang; A's poll sends the rest.
    assert_eq!(r.load(bell_at(0)), 1);
    assert!(da.dev.poll_link());
    assert!(da.used(net::TRANSMITQ).is_some() && da.used(net::TRANSMITQ).is_some());
    assert!(db.dev.poll_link());
    assert!(db.used(net::RECEIVEQ).is_some() && db.used(net::RECEIVEQ).is_some());
    assert_eq!(da.dev.backend().stats().tx, 4);
    assert_eq!(db.dev.backend().stats().rx, 4);
    assert_eq!(db.dev.backend().stats().dropped, 0);
    // A reset card drops its held frame and polls nothing.
    da.w(0x070, 0);
    assert!(!da.dev.poll_link());
}
