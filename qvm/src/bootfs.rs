//! Files from the bootfs: configurations, guest images, disks. A file's
//! length is found first ([`qvm::file_length`]), so a whole file is read
//! into one buffer of its size, and images go straight into guest RAM
//! ([`read_into`]) without a copy in the heap.

use abi::Error;
use alloc::string::String;
use alloc::vec::Vec;
use ulib::sys;

/// Most bytes one `bootfs_read` copies.
const MAX_READ: usize = 64 * 1024;

fn cannot_read(path: &str, e: Error) -> String {
    alloc::format!("cannot read {path}: {}", e.name())
}

/// The length of a bootfs file, in bytes.
pub fn file_len(path: &str) -> Result<usize, String> {
    let mut byte = [0u8; 1];
    qvm::file_length::find_length(|offset| match sys::bootfs_read(path, &mut byte, offset) {
        Ok(_) => Ok(true),
        Err(Error::InvalidArgument) => Ok(false),
        Err(e) => Err(cannot_read(path, e)),
    })
}

/// Fills `buf` with the bytes of `path` from `offset`; fails if the file
/// ends before `buf` is full.
pub fn read_into(path: &str, offset: usize, buf: &mut [u8]) -> Result<(), String> {
    let mut done = 0;
    while done < buf.len() {
        let end = buf.len().min(done + MAX_READ);
        match sys::bootfs_read(path, &mut buf[done..end], offset + done) {
            Ok(0) => {
                return Err(alloc::format!(
                    "cannot read {path}: it is shorter than expected"
                ));
            }
            Ok(n) => done += n,
            Err(e) => return Err(cannot_read(path, e)),
        }
    }
    Ok(())
}

/// Reads a whole bootfs file into a buffer of its length, with room for
/// `spare` more bytes (so that growing it by that much does not move it).
pub fn read_file_with_spare(path: &str, spare: usize) -> Result<Vec<u8>, String> {
    let len = file_len(path)?;
    let mut data = Vec::new();
    data.try_reserve_exact(len.saturating_add(spare))
        .map_err(|_| alloc::format!("cannot read {path}: no memory for its {len} bytes"))?;
    data.resize(len, 0);
    read_into(path, 0, &mut data)?;
    Ok(data)
}

/// Reads a whole bootfs file.
pub fn read_file(path: &str) -> Result<Vec<u8>, String> {
    read_file_with_spare(path, 0)
}

/// Copies `len` bytes of the bootfs file `path` from `offset` straight
/// into guest memory at `gpa`.
pub fn load_file(
    mem: &mut crate::guestmem::GuestMem,
    path: &str,
    offset: usize,
    len: usize,
    gpa: u64,
) -> Result<(), String> {
    let dst = mem.slice_mut(gpa, len as u64).ok_or_else(|| {
        alloc::format!("{path}: {len} bytes at {gpa:#x} are not inside guest RAM")
    })?;
    read_into(path, offset, dst)
}
