//! The `blk_channel` target: the block channel (`boot/blkchan`) between
//! the host block driver and its clients, each end facing a hostile other
//! process that may write any word of the shared page at any time (here:
//! whenever an end waits on a futex word).
//!
//! The driver's end: every request it takes from the page is checked
//! ([`blkchan::check`]); one that passes must name a known op and lie
//! inside the disk and the data area. The client's end: a request ends
//! with some status whatever the page says (a driver that never answers
//! times out), and never reads more than it asked for.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::vec::Vec;

use blkchan::{CHANNEL_SIZE, Channel, DATA_MAX, Futex, ID_BYTES, Op, SECTOR, Status, check};

use crate::input::Input;

/// The hostile other process: writes words of the page from the input on
/// every wait; "times out" once the input is used up (and then, for the
/// driver's wait, bumps `req_seq` so that it goes on).
struct Hostile<'a> {
    input: RefCell<Input<'a>>,
    page: *mut u8,
}

impl Hostile<'_> {
    fn word(&self, offset: usize) -> &AtomicU32 {
        assert!(offset.is_multiple_of(4) && offset + 4 <= CHANNEL_SIZE);
        // SAFETY: inside the channel's memory (8-aligned, CHANNEL_SIZE
        // bytes, alive for the whole run), touched only atomically.
        unsafe { AtomicU32::from_ptr(self.page.add(offset).cast()) }
    }
}

impl Futex for Hostile<'_> {
    fn wait(&self, word: &AtomicU32, _expected: u32, _timeout_ns: u64) -> bool {
        let mut inp = self.input.borrow_mut();
        if inp.is_empty() {
            self.word(blkchan::layout::REQ_SEQ)
                .fetch_add(1, Ordering::Relaxed);
            return false;
        }
        for _ in 0..=inp.u8() % 4 {
            // Mostly the control words; sometimes anywhere in the page.
            let offset = if inp.bool() {
                (inp.below(32) * 4) as usize
            } else {
                (inp.below((blkchan::CONTROL / 4) as u64) * 4) as usize
            };
            self.word(offset).store(inp.u32(), Ordering::Relaxed);
        }
        if inp.bool() {
            word.fetch_add(1, Ordering::Relaxed);
        }
        true
    }
    fn wake(&self, _word: &AtomicU32, _count: usize) {}
}

/// Runs the program in `data`.
pub fn blk_channel(data: &[u8]) {
    let mut inp = Input::new(data);
    let capacity = match inp.u8() % 4 {
        0 => 0,
        1 => u64::MAX,
        _ => inp.u64() % (1 << 40),
    };
    let read_only = inp.bool();
    let as_driver = inp.bool();
    let mut memory: Vec<u64> = std::vec![0; CHANNEL_SIZE / 8];
    let page = memory.as_mut_ptr().cast::<u8>();
    // SAFETY: CHANNEL_SIZE bytes, 8-aligned, alive until the end of this
    // function; the hostile end touches them only atomically.
    let channel = unsafe { Channel::new(page) };
    let hostile = Hostile {
        input: RefCell::new(Input::new(inp.rest())),
        page,
    };
    if as_driver {
        let facts = blkchan::Facts {
            capacity,
            read_only,
            id: [7; ID_BYTES],
        };
        channel.serve(&facts, &hostile);
        let mut last = 0;
        for _ in 0..64 {
            let (seq, op, sector, len) = channel.next_request(last, &hostile);
            last = seq;
            let status = match check(op, sector, len, capacity, read_only) {
                Ok(r) => {
                    assert!(r.len <= DATA_MAX, "{r:?}");
                    if matches!(r.op, Op::Read | Op::Write) {
                        assert!(r.len > 0 && (r.len as u64).is_multiple_of(SECTOR));
                        let end = r.sector.checked_add(r.len as u64 / SECTOR);
                        assert!(end.is_some_and(|e| e <= capacity), "{r:?} on {capacity}");
                        assert!(!(read_only && r.op == Op::Write));
                    }
                    Status::Ok
                }
                Err(s) => s,
            };
            channel.answer(seq, status, &hostile);
            if hostile.input.borrow().is_empty() {
                break;
            }
        }
    } else {
        let _ = channel.connect(&hostile, 1);
        let mut out = std::vec![0u8; 1024];
        for n in 0..16u64 {
            let op = [Op::Read, Op::Write, Op::Flush, Op::GetId][(n % 4) as usize];
            let _ = channel.request(&hostile, op, n, &[1; 512], &mut out[..512], 1);
            assert!(out[512..].iter().all(|&b| b == 0), "read past its buffer");
            if hostile.input.borrow().is_empty() {
                break;
            }
        }
    }
}
