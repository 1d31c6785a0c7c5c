//! Serving the block channel: each request a client wrote is checked
//! against the disk (`blkchan::check`: a bad op, length or sector is an
//! error answer) and carried out on the device.

use crate::disk::{Disk, VIRTIO_BLK_T_GET_ID, VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT};
use blkchan::{Channel, Checked, Facts, Futex, ID_BYTES, Op, Status};
use core::sync::atomic::AtomicU32;
use ulib::{println, sys};

/// `futex_wait`/`futex_wake` on the channel's words (the kernel keys them
/// by physical address, so they work across processes).
pub struct SysFutex;

impl Futex for SysFutex {
    fn wait(&self, word: &AtomicU32, expected: u32, timeout_ns: u64) -> bool {
        !matches!(
            sys::futex_wait(word, expected, timeout_ns),
            Err(abi::Error::TimedOut)
        )
    }
    fn wake(&self, word: &AtomicU32, count: usize) {
        let _ = sys::futex_wake(word, count);
    }
}

/// Serves `channel` for ever.
pub fn run(disk: &mut Disk, channel: &Channel, name: &str) -> usize {
    let mut id = [0u8; ID_BYTES];
    if disk.run(VIRTIO_BLK_T_GET_ID, 0, ID_BYTES, true) == Status::Ok {
        id.copy_from_slice(&disk.data()[..ID_BYTES]);
    }
    let facts = Facts {
        capacity: disk.capacity,
        read_only: disk.read_only,
        id,
    };
    channel.serve(&facts, &SysFutex);
    println!("vblk: serving {name}");
    let mut last = 0;
    loop {
        let (seq, op, sector, len) = channel.next_request(last, &SysFutex);
        last = seq;
        let status = match blkchan::check(op, sector, len, disk.capacity, disk.read_only) {
            Ok(request) => carry_out(disk, channel, request),
            Err(refused) => refused,
        };
        channel.answer(seq, status, &SysFutex);
    }
}

/// One checked request on the device.
fn carry_out(disk: &mut Disk, channel: &Channel, r: Checked) -> Status {
    match r.op {
        Op::Read => {
            let status = disk.run(VIRTIO_BLK_T_IN, r.sector, r.len, true);
            if status == Status::Ok {
                channel.write_data(&disk.data()[..r.len]);
            }
            status
        }
        Op::Write => {
            channel.read_data(&mut disk.data()[..r.len]);
            disk.run(VIRTIO_BLK_T_OUT, r.sector, r.len, false)
        }
        Op::Flush => disk.flush(),
        Op::GetId => {
            let status = disk.run(VIRTIO_BLK_T_GET_ID, 0, ID_BYTES, true);
            if status == Status::Ok {
                channel.write_data(&disk.data()[..ID_BYTES]);
            }
            status
        }
    }
}
