//! The `net_ring` target: one end of a `peer` link whose shared region a
//! hostile other process writes: the region starts with bytes from the
//! input, and between our operations the input may store any word or byte
//! anywhere in it. An honest second end shares the region too, so frames
//! must also arrive whole and in order while nobody tampers.
//!
//! Checked on every access: words are aligned and in the header, an end
//! copies bytes only into the ring it writes and out of the ring it reads,
//! nothing outside the region is touched, and a received frame is never
//! longer than `MAX_FRAME`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::vec::Vec;

use vdev::virtio::net::ring::{RING_HEADER, RingLink, SharedMemory, region_size};
use vdev::virtio::net::{MAX_FRAME, NetLink};

use crate::input::Input;

/// The shared bytes.
#[derive(Default)]
struct Shared {
    bytes: Vec<u8>,
    cap: usize,
}

/// One end's view of the region: checks what that end touches.
#[derive(Clone)]
struct View {
    shared: Arc<Mutex<Shared>>,
    end: usize,
}

impl View {
    fn with<R>(&self, f: impl FnOnce(&mut Shared) -> R) -> R {
        let mut s = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut s)
    }

    fn word(&self, s: &Shared, offset: usize) {
        assert!(
            offset.is_multiple_of(4) && offset + 4 <= RING_HEADER && offset + 4 <= s.bytes.len(),
            "end {}: word at {offset:#x}",
            self.end
        );
    }

    /// The data bytes of ring `ring`.
    fn ring(s: &Shared, ring: usize) -> (usize, usize) {
        let start = RING_HEADER + ring * s.cap;
        (start, start + s.cap)
    }
}

impl SharedMemory for View {
    fn len(&self) -> usize {
        self.with(|s| s.bytes.len())
    }
    fn load(&self, offset: usize) -> u32 {
        self.with(|s| {
            self.word(s, offset);
            u32::from_le_bytes(s.bytes[offset..offset + 4].try_into().unwrap_or_default())
        })
    }
    fn store(&self, offset: usize, value: u32) {
        self.with(|s| {
            self.word(s, offset);
            s.bytes[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
        })
    }
    fn fetch_add(&self, offset: usize, value: u32) -> u32 {
        let old = self.load(offset);
        self.store(offset, old.wrapping_add(value));
        old
    }
    fn read(&self, offset: usize, buf: &mut [u8]) {
        self.with(|s| {
            let (start, end) = View::ring(s, 1 - self.end);
            assert!(
                offset >= start && offset + buf.len() <= end,
                "end {} read {} bytes at {offset:#x}, outside the ring it reads",
                self.end,
                buf.len()
            );
            buf.copy_from_slice(&s.bytes[offset..offset + buf.len()]);
        })
    }
    fn write(&self, offset: usize, data: &[u8]) {
        self.with(|s| {
            let (start, end) = View::ring(s, self.end);
            assert!(
                offset >= start && offset + data.len() <= end,
                "end {} wrote {} bytes at {offset:#x}, outside the ring it writes",
                self.end,
                data.len()
            );
            s.bytes[offset..offset + data.len()].copy_from_slice(data);
        })
    }
    fn wake(&self, offset: usize) {
        self.with(|s| self.word(s, offset));
    }
}

fn frame(len: usize, tag: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8) ^ tag).collect()
}

/// Receives one frame if the link has one; checks its length.
fn take(l: &mut RingLink<View>, short: bool) -> Option<Vec<u8>> {
    let len = l.peek()?;
    assert!(len <= MAX_FRAME, "peek says {len} bytes");
    let mut buf = std::vec![0; if short { len / 2 } else { len }];
    l.recv(&mut buf);
    (!short).then_some(buf)
}

/// Runs the program in `data` against end 0 (the hostile end is the input,
/// the honest one end 1).
pub fn net_ring(data: &[u8]) {
    let mut inp = Input::new(data);
    let cap = 4096usize << (inp.u8() % 3);
    let mut len = region_size(cap);
    match inp.u8() {
        0 => len -= 4,
        1 => len += 4096,
        2 => len = usize::from(inp.u16()),
        _ => {}
    }
    let shared = Arc::new(Mutex::new(Shared {
        bytes: std::vec![0; len],
        cap,
    }));
    // The region as the other process left it.
    {
        let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
        let n = usize::from(inp.u8()) * 4;
        for _ in 0..n / 4 {
            let off = (inp.below(len as u64 / 4) * 4) as usize;
            let v = inp.u32();
            if off + 4 <= len {
                s.bytes[off..off + 4].copy_from_slice(&v.to_le_bytes());
            }
        }
    }
    let view = |end| View {
        shared: shared.clone(),
        end,
    };
    let Ok(mut ours) = RingLink::attach(view(0), 0) else {
        assert_ne!(len, region_size(cap), "a right-sized region refused");
        return;
    };
    // The ring size attach found (the input may have sized the region for
    // another one).
    shared.lock().unwrap_or_else(|e| e.into_inner()).cap = (len - RING_HEADER) / 2;
    let Ok(mut theirs) = RingLink::attach(view(1), 1) else {
        panic!("end 1 refused a region end 0 took");
    };
    // Frames each end sent and the other has not taken; checked while the
    // region was not tampered with (attach dropped what was there before).
    let mut to_ours: VecDeque<Vec<u8>> = VecDeque::new();
    let mut to_theirs: VecDeque<Vec<u8>> = VecDeque::new();
    let mut tampered = false;
    let mut ops = 0;
    while !inp.is_empty() && ops < 2000 {
        ops += 1;
        match inp.u8() % 10 {
            0 => {
                let off = (inp.below(len as u64 / 4) * 4) as usize;
                let v = inp.u32();
                let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
                s.bytes[off..off + 4].copy_from_slice(&v.to_le_bytes());
                tampered = true;
            }
            1 => {
                let off = inp.below(len as u64) as usize;
                let b = inp.u8();
                shared.lock().unwrap_or_else(|e| e.into_inner()).bytes[off] = b;
                tampered = true;
            }
            2 | 3 => {
                let n = match inp.u8() % 8 {
                    0 => MAX_FRAME + usize::from(inp.u8() % 3),
                    1 => usize::from(inp.u16()),
                    _ => usize::from(inp.u16() % 1600),
                };
                let f = frame(n, inp.u8());
                let lost = ours.lost();
                if ours.send(&f) && n <= MAX_FRAME && ours.lost() == lost {
                    to_theirs.push_back(f);
                }
            }
            4 => {
                let n = usize::from(inp.u16() % 3000);
                let f = frame(n, inp.u8());
                if theirs.send(&f) {
                    to_ours.push_back(f);
                }
            }
            5 | 6 => {
                let short = inp.u8() == 0;
                let got = take(&mut ours, short);
                let want = to_ours.pop_front();
                if !tampered && !short {
                    assert_eq!(got, want, "end 0 received another frame than end 1 sent");
                }
            }
            7 => {
                let got = take(&mut theirs, false);
                let want = to_theirs.pop_front();
                if !tampered {
                    assert_eq!(got, want, "end 1 received another frame than end 0 sent");
                }
            }
            8 => {
                ours.flush();
                theirs.flush();
            }
            _ => {
                if inp.bool() {
                    ours.set_peer_down();
                } else {
                    let w = ours.waiter();
                    let v = w.value();
                    if w.should_sleep(v) {
                        w.woke();
                    }
                }
            }
        }
    }
}
