//! A virtio-blk disk backed by a host block driver (`hostdev /dev/NAME`):
//! the driver process (`boot/vblk`) serves the block channel NAME
//! (`boot/blkchan`) in this process's shared-memory namespace; each read,
//! write and flush of the guest's disk is a request on it, answered once
//! the device has done it, so a `FLUSH` the guest sees succeed is on the
//! host's disk.

use alloc::format;
use alloc::string::String;
use blkchan::{CHANNEL_SIZE, Channel, DATA_MAX, Futex, ID_BYTES, Op, SECTOR, Status};
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use qvm::config::Partition;
use ulib::sys;
use vdev::virtio::blk::{BlockStorage, IoError};

/// Where `qvm` maps block channels, apart from the `peer` links' window
/// (from the bottom of the process's range, as that window).
const DISK_WINDOW: usize = abi::USER_BASE + 0x58_0000_0000;
/// The next free address in that window.
static NEXT_VA: AtomicUsize = AtomicUsize::new(DISK_WINDOW);
/// How long `qvm` waits for the driver to serve the channel.
const CONNECT_NS: u64 = qvm::config::DRIVER_WAIT_SECONDS * 1_000_000_000;
/// How long one request may take before the guest gets an I/O error.
const REQUEST_NS: u64 = 30_000_000_000;

/// `futex_wait`/`futex_wake` on the channel's words (keyed by physical
/// address: they reach the driver's threads).
struct SysFutex;

impl Futex for SysFutex {
    fn wait(&self, word: &AtomicU32, expected: u32, timeout_ns: u64) -> bool {
        !matches!(
            sys::futex_wait(word, expected, timeout_ns),
            Err(ulib::abi::Error::TimedOut)
        )
    }
    fn wake(&self, word: &AtomicU32, count: usize) {
        let _ = sys::futex_wake(word, count);
    }
}

/// The driver's disk, or a range of it, as a virtio-blk disk's storage.
pub struct DriverDisk {
    channel: Channel,
    /// The guest's sector 0 on the driver's disk.
    first: u64,
    sectors: u64,
    /// Whether the driver refuses writes.
    pub read_only: bool,
    /// The device's ID string, NUL-padded (empty if it has none).
    pub id: [u8; ID_BYTES],
}

impl DriverDisk {
    /// Opens the block channel `name` and waits for its driver; the
    /// guest sees `partition` of the disk (`None`: all of it).
    pub fn open(name: &str, partition: Option<Partition>) -> Result<DriverDisk, String> {
        let handle = sys::shm_open(name, CHANNEL_SIZE)
            .map_err(|e| format!("cannot open the block channel {name}: {}", e.name()))?;
        let va = NEXT_VA.fetch_add(CHANNEL_SIZE.next_multiple_of(2 << 20), Ordering::SeqCst);
        let mapped = sys::shm_map(handle, va, ulib::abi::prot::READ | ulib::abi::prot::WRITE);
        // The mapping keeps the object for the rest of this process.
        let _ = sys::handle_close(handle);
        mapped.map_err(|e| format!("cannot map the block channel {name}: {}", e.name()))?;
        // SAFETY: the kernel mapped CHANNEL_SIZE bytes at the page-aligned
        // `va` read-write for the rest of the process, in a window nothing
        // else uses; the driver touches them only from its own process.
        let channel = unsafe { Channel::new(va as *mut u8) };
        let facts = channel.connect(&SysFutex, CONNECT_NS).ok_or_else(|| {
            format!(
                "no block driver serves {name} (started with `shm=NAME` like this qvm, \
                 `vblk {name} ...`?)"
            )
        })?;
        let (first, sectors) = match partition {
            None => (0, facts.capacity),
            Some(p)
                if p.first
                    .checked_add(p.sectors)
                    .is_some_and(|e| e <= facts.capacity) =>
            {
                (p.first, p.sectors)
            }
            Some(p) => {
                return Err(format!(
                    "{name}@{},{}: sectors {} to {} are past the disk's end ({} sectors)",
                    p.first,
                    p.sectors,
                    p.first,
                    p.first.saturating_add(p.sectors),
                    facts.capacity
                ));
            }
        };
        Ok(DriverDisk {
            channel,
            first,
            sectors,
            read_only: facts.read_only,
            id: facts.id,
        })
    }

    /// Moves `len` bytes at byte `offset` in requests of at most the
    /// data area's size.
    fn each_chunk(
        &mut self,
        offset: u64,
        len: usize,
        mut step: impl FnMut(&Channel, u64, usize, usize) -> Status,
    ) -> Result<(), IoError> {
        if !offset.is_multiple_of(SECTOR) || !(len as u64).is_multiple_of(SECTOR) {
            return Err(IoError);
        }
        let mut done = 0;
        while done < len {
            let n = (len - done).min(DATA_MAX);
            let sector = self.first + (offset + done as u64) / SECTOR;
            if step(&self.channel, sector, done, n) != Status::Ok {
                return Err(IoError);
            }
            done += n;
        }
        Ok(())
    }
}

impl BlockStorage for DriverDisk {
    fn len(&self) -> u64 {
        self.sectors * SECTOR
    }

    fn read(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), IoError> {
        let len = buf.len();
        self.each_chunk(offset, len, |ch, sector, at, n| {
            ch.request(
                &SysFutex,
                Op::Read,
                sector,
                &[],
                &mut buf[at..at + n],
                REQUEST_NS,
            )
        })
    }

    fn write(&mut self, offset: u64, data: &[u8]) -> Result<(), IoError> {
        self.each_chunk(offset, data.len(), |ch, sector, at, n| {
            ch.request(
                &SysFutex,
                Op::Write,
                sector,
                &data[at..at + n],
                &mut [],
                REQUEST_NS,
            )
        })
    }

    fn flush(&mut self) -> Result<(), IoError> {
        match self
            .channel
            .request(&SysFutex, Op::Flush, 0, &[], &mut [], REQUEST_NS)
        {
            Status::Ok => Ok(()),
            _ => Err(IoError),
        }
    }
}
