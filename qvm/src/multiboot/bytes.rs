//! Little-endian fields of images and boot information, read without
//! panicking: the bottom of the multiboot files.

/// Reads the little-endian `u32` at `off`, if the bytes are there.
pub fn u32_at(data: &[u8], off: usize) -> Option<u32> {
    let end = off.checked_add(4)?;
    let b = data.get(off..end)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Reads the little-endian `u16` at `off`, if the bytes are there.
pub fn u16_at(data: &[u8], off: usize) -> Option<u16> {
    let end = off.checked_add(2)?;
    let b = data.get(off..end)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}
