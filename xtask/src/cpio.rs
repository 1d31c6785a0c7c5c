//! A writer of `newc` cpio archives, the format of Linux initramfs images
//! (Documentation/driver-api/early-userspace/buffer-format.rst).

/// An archive being built.
#[derive(Default)]
pub struct Archive {
    bytes: Vec<u8>,
    inode: u32,
}

impl Archive {
    /// An empty archive.
    pub fn new() -> Archive {
        Archive {
            bytes: Vec::new(),
            inode: 1,
        }
    }

    fn entry(mut self, name: &str, mode: u32, data: &[u8]) -> Archive {
        let header = format!(
            "070701{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
            self.inode,
            mode,
            0,
            0,
            1,
            0,
            data.len(),
            0,
            0,
            0,
            0,
            name.len() + 1,
            0
        );
        self.inode += 1;
        self.bytes.extend_from_slice(header.as_bytes());
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes.push(0);
        self.pad();
        self.bytes.extend_from_slice(data);
        self.pad();
        self
    }

    fn pad(&mut self) {
        while !self.bytes.len().is_multiple_of(4) {
            self.bytes.push(0);
        }
    }

    /// Adds a directory.
    pub fn dir(self, name: &str) -> Archive {
        self.entry(name, 0o040_755, &[])
    }

    /// Adds a regular file with permission bits `perm`.
    pub fn file(self, name: &str, perm: u32, data: &[u8]) -> Archive {
        self.entry(name, 0o100_000 | perm, data)
    }

    /// The archive with its trailer.
    pub fn finish(self) -> Vec<u8> {
        self.entry("TRAILER!!!", 0, &[]).bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newc_layout() {
        let a = Archive::new()
            .dir("bin")
            .file("init", 0o755, b"#!/bin/sh\n")
            .finish();
        assert!(a.starts_with(b"070701"));
        // Header 110 bytes + "bin\0" padded to 116.
        assert_eq!(&a[110..114], b"bin\0");
        let init = 116;
        assert_eq!(&a[init..init + 6], b"070701");
        assert_eq!(&a[init + 14..init + 22], b"000081ed"); // regular file, 0755
        assert_eq!(&a[init + 54..init + 62], b"0000000a"); // size 10
        assert!(a.windows(10).any(|w| w == b"TRAILER!!!"));
        assert_eq!(a.len() % 4, 0);
    }
}
