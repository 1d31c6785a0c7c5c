//! The two ends in two threads over one buffer, the driver a RAM disk
//! that checks every request as `vblk` does.

extern crate std;

use super::*;
use core::sync::atomic::{AtomicU32, Ordering};

use std::boxed::Box;
use std::time::{Duration, Instant};
use std::vec;
use std::vec::Vec;

/// A futex that spins (with sleeps) instead of sleeping in a kernel.
struct Spin;

impl Futex for Spin {
    fn wait(&self, word: &AtomicU32, expected: u32, timeout_ns: u64) -> bool {
        let start = Instant::now();
        while word.load(Ordering::Acquire) == expected {
            if timeout_ns != 0 && start.elapsed() > Duration::from_nanos(timeout_ns) {
                return false;
            }
            std::thread::sleep(Duration::from_micros(20));
        }
        true
    }
    fn wake(&self, _word: &AtomicU32, _count: usize) {}
}

/// A channel's memory (8-byte aligned).
fn memory() -> &'static mut [u64] {
    Box::leak(vec![0u64; CHANNEL_SIZE / 8].into_boxed_slice())
}

fn channel(mem: &mut [u64]) -> Channel {
    // SAFETY: CHANNEL_SIZE bytes, aligned, leaked (lives for ever).
    unsafe { Channel::new(mem.as_mut_ptr().cast()) }
}

/// Serves `count` requests on a RAM disk of `sectors` sectors; returns
/// the disk and how many flushes it saw.
fn driver(ch: &Channel, sectors: u64, count: usize) -> (Vec<u8>, usize) {
    let mut disk = vec![0u8; sectors as usize * 512];
    let mut id = [0; ID_BYTES];
    id[..5].copy_from_slice(b"ramdk");
    let facts = Facts {
        capacity: sectors,
        read_only: false,
        id,
    };
    ch.serve(&facts, &Spin);
    let (mut last, mut flushes) = (0, 0);
    let mut buf = vec![0u8; DATA_MAX];
    for _ in 0..count {
        let (seq, op, sector, len) = ch.next_request(last, &Spin);
        last = seq;
        let status = match check(op, sector, len, sectors, false) {
            Err(s) => s,
            Ok(c) => {
                let at = c.sector as usize * 512;
                match c.op {
                    Op::Read => ch.write_data(&disk[at..at + c.len]),
                    Op::Write => {
                        ch.read_data(&mut buf[..c.len]);
                        disk[at..at + c.len].copy_from_slice(&buf[..c.len]);
                    }
                    Op::Flush => flushes += 1,
                    Op::GetId => ch.write_data(&id),
                }
                Status::Ok
            }
        };
        ch.answer(seq, status, &Spin);
    }
    (disk, flushes)
}

#[test]
fn requests_round_trip() {
    let mem = memory();
    let ch = channel(mem);
    std::thread::scope(|s| {
        let server = s.spawn(|| driver(&ch, 64, 7));
        let facts = ch.connect(&Spin, 0).unwrap();
        assert_eq!(facts.capacity, 64);
        assert!(!facts.read_only);
        assert_eq!(&facts.id[..5], b"ramdk");
        let pattern: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 3) as u8).collect();
        let t = 1_000_000_000;
        assert_eq!(
            ch.request(&Spin, Op::Write, 8, &pattern, &mut [], t),
            Status::Ok
        );
        assert_eq!(ch.request(&Spin, Op::Flush, 0, &[], &mut [], t), Status::Ok);
        let mut back = vec![0u8; 4096];
        assert_eq!(
            ch.request(&Spin, Op::Read, 8, &[], &mut back, t),
            Status::Ok
        );
        assert_eq!(back, pattern);
        let mut id = [0u8; ID_BYTES];
        assert_eq!(ch.request(&Spin, Op::GetId, 0, &[], &mut id, t), Status::Ok);
        assert_eq!(&id[..5], b"ramdk");
        // Past the end, and an odd length: refused, the disk untouched.
        let mut sector = vec![0u8; 512];
        assert_eq!(
            ch.request(&Spin, Op::Read, 64, &[], &mut sector, t),
            Status::Invalid
        );
        assert_eq!(
            ch.request(&Spin, Op::Write, 0, &[1; 100], &mut [], t),
            Status::Invalid
        );
        assert_eq!(
            ch.request(&Spin, Op::Read, 9, &[], &mut sector, t),
            Status::Ok
        );
        assert_eq!(sector, pattern[512..1024]);
        let (disk, flushes) = server.join().unwrap();
        assert_eq!(&disk[8 * 512..8 * 512 + 4096], &pattern[..]);
        assert_eq!(flushes, 1);
    });
}

#[test]
fn garbage_fields_get_error_answers() {
    let mem = memory();
    let ch = channel(mem);
    std::thread::scope(|s| {
        let server = s.spawn(|| driver(&ch, 16, 3));
        ch.connect(&Spin, 0).unwrap();
        // A client writing raw fields: an unknown op, a huge length, a
        // sector that wraps.
        let raw = |op: u32, sector: u64, len: u32| {
            let mem = ch.base;
            // SAFETY: the channel's memory, aligned fields.
            unsafe {
                AtomicU32::from_ptr(mem.add(layout::OP).cast()).store(op, Ordering::Relaxed);
                core::sync::atomic::AtomicU64::from_ptr(mem.add(layout::SECTOR).cast())
                    .store(sector, Ordering::Relaxed);
                AtomicU32::from_ptr(mem.add(layout::LEN).cast()).store(len, Ordering::Relaxed);
                let seq = AtomicU32::from_ptr(mem.add(layout::REQ_SEQ).cast());
                let n = seq.fetch_add(1, Ordering::AcqRel) + 1;
                let done = AtomicU32::from_ptr(mem.add(layout::DONE_SEQ).cast());
                Spin.wait(done, n - 1, 0);
                Status::from_number(
                    AtomicU32::from_ptr(mem.add(layout::STATUS).cast()).load(Ordering::Relaxed),
                )
            }
        };
        assert_eq!(raw(0xdead, 0, 512), Status::Invalid);
        assert_eq!(raw(1, 0, u32::MAX), Status::Invalid);
        assert_eq!(raw(2, u64::MAX, 512), Status::Invalid);
        server.join().unwrap();
    });
}

#[test]
fn no_driver_times_out() {
    let mem = memory();
    let ch = channel(mem);
    assert_eq!(ch.connect(&Spin, 1_000_000), None);
}
