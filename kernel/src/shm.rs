//! Named shared memory objects (`shm_open`, `shm_map`): the argument rules
//! and the reference count. The kernel binary owns the frames' allocation,
//! the mappings and the TLB maintenance.

use abi::{Error, PAGE_SIZE, SHM_NAME_MAX, SHM_SIZE_MAX, prot};
use alloc::string::String;
use alloc::vec::Vec;

/// A shared memory object: zeroed frames under a name, alive while
/// something refers to it (an open handle, or a process that mapped it).
pub struct Shm {
    space: u64,
    name: String,
    frames: Vec<usize>,
    refs: usize,
}

impl Shm {
    /// An object named `name` in namespace `space`, with no reference yet,
    /// over `frames`.
    pub fn new(space: u64, name: String, frames: Vec<usize>) -> Shm {
        Shm {
            space,
            name,
            frames,
            refs: 0,
        }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether it is `name` in namespace `space`.
    pub fn is(&self, space: u64, name: &str) -> bool {
        self.space == space && self.name == name
    }

    /// Its size in bytes (whole pages).
    pub fn size(&self) -> usize {
        self.frames.len() * PAGE_SIZE
    }

    /// Its frames, one per page, in order.
    pub fn frames(&self) -> &[usize] {
        &self.frames
    }

    /// Gives the frames up (when the last reference has gone).
    pub fn into_frames(self) -> Vec<usize> {
        self.frames
    }

    /// References held.
    pub fn refs(&self) -> usize {
        self.refs
    }

    /// Counts one more reference.
    pub fn retain(&mut self) {
        self.refs += 1;
    }

    /// Drops a reference; true if none is left.
    pub fn release(&mut self) -> bool {
        self.refs = self.refs.saturating_sub(1);
        self.refs == 0
    }
}

/// A valid object name: 1 to [`SHM_NAME_MAX`] bytes of UTF-8.
pub fn check_name(bytes: &[u8]) -> Result<&str, Error> {
    if bytes.is_empty() || bytes.len() > SHM_NAME_MAX {
        return Err(Error::InvalidArgument);
    }
    core::str::from_utf8(bytes).map_err(|_| Error::InvalidArgument)
}

/// `size` rounded up to whole pages, if it is not 0 and at most
/// [`SHM_SIZE_MAX`].
pub fn round_size(size: usize) -> Result<usize, Error> {
    let rounded = size
        .checked_next_multiple_of(PAGE_SIZE)
        .ok_or(Error::InvalidArgument)?;
    if size == 0 || rounded > SHM_SIZE_MAX {
        return Err(Error::InvalidArgument);
    }
    Ok(rounded)
}

/// Whether a `shm_map` protection asks for write access: `READ` is
/// required, `WRITE` optional, anything else (`EXEC` too) refused.
pub fn writable(protection: usize) -> Result<bool, Error> {
    if protection & !(prot::READ | prot::WRITE) != 0 || protection & prot::READ == 0 {
        return Err(Error::InvalidArgument);
    }
    Ok(protection & prot::WRITE != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_utf8() {
        assert_eq!(check_name(b"ktest-shm"), Ok("ktest-shm"));
        assert_eq!(check_name("ü".as_bytes()), Ok("ü"));
        assert_eq!(
            check_name(&[b'a'; SHM_NAME_MAX]).map(str::len),
            Ok(SHM_NAME_MAX)
        );
        assert_eq!(check_name(b""), Err(Error::InvalidArgument));
        assert_eq!(
            check_name(&[b'a'; SHM_NAME_MAX + 1]),
            Err(Error::InvalidArgument)
        );
        assert_eq!(check_name(&[0xff, 0xfe]), Err(Error::InvalidArgument));
    }

    #[test]
    fn sizes_round_up_to_pages() {
        assert_eq!(round_size(1), Ok(PAGE_SIZE));
        assert_eq!(round_size(PAGE_SIZE), Ok(PAGE_SIZE));
        assert_eq!(round_size(PAGE_SIZE + 1), Ok(2 * PAGE_SIZE));
        assert_eq!(round_size(SHM_SIZE_MAX), Ok(SHM_SIZE_MAX));
        assert_eq!(round_size(SHM_SIZE_MAX - 1), Ok(SHM_SIZE_MAX));
        assert_eq!(round_size(0), Err(Error::InvalidArgument));
        assert_eq!(round_size(SHM_SIZE_MAX + 1), Err(Error::InvalidArgument));
        assert_eq!(round_size(usize::MAX), Err(Error::InvalidArgument));
    }

    #[test]
    fn protection_needs_read_and_never_exec() {
        assert_eq!(writable(prot::READ), Ok(false));
        assert_eq!(writable(prot::READ | prot::WRITE), Ok(true));
        assert_eq!(writable(0), Err(Error::InvalidArgument));
        assert_eq!(writable(prot::WRITE), Err(Error::InvalidArgument));
        assert_eq!(
            writable(prot::READ | prot::EXEC),
            Err(Error::InvalidArgument)
        );
        assert_eq!(writable(prot::READ | 0x80), Err(Error::InvalidArgument));
    }

    #[test]
    fn the_last_reference_reports_itself() {
        let mut shm = Shm::new(1, "x".into(), vec![0x1000, 0x5000]);
        assert!(shm.is(1, "x") && !shm.is(2, "x") && !shm.is(1, "y"));
        assert_eq!(
            (shm.name(), shm.size(), shm.refs()),
            ("x", 2 * PAGE_SIZE, 0)
        );
        shm.retain();
        shm.retain();
        assert!(!shm.release());
        assert!(shm.release());
        assert!(shm.release());
        assert_eq!(shm.into_frames(), vec![0x1000, 0x5000]);
    }
}
