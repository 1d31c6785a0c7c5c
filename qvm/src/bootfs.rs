//! Files from the bootfs: configurations, guest images, disks.

use alloc::string::String;
use alloc::vec::Vec;
use ulib::sys;

/// Reads a whole bootfs file.
pub fn read_file(path: &str) -> Result<Vec<u8>, String> {
    let mut data = Vec::new();
    let mut chunk = alloc::vec![0u8; 64 * 1024];
    loop {
        match sys::bootfs_read(path, &mut chunk, data.len()) {
            Ok(0) => return Ok(data),
            Ok(n) => data.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(alloc::format!("cannot read {path}: {}", e.name())),
        }
    }
}
