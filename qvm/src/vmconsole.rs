//! A VM's console output: guest bytes from its UART, shown on the host
//! console line by line with the VM's name in front, so several VMs can
//! share one console.
//!
//! The line is gathered behind the prefix in one buffer, reserved once:
//! a byte is a push, and a line one `console_write` of the buffer, with no
//! allocation (a guest's console output is one MMIO exit per byte).

use alloc::vec::Vec;

/// Most bytes held back waiting for the end of a line.
const LINE_LIMIT: usize = 512;

/// Line-buffered, name-prefixed output of one guest device.
pub struct PrefixedOutput {
    /// The prefix, then the line so far.
    buf: Vec<u8>,
    /// Where the line starts in `buf` (the prefix's length).
    start: usize,
    /// Whether output is shown at all (`hostdev <-`: input only).
    shown: bool,
}

impl PrefixedOutput {
    /// Output shown as `NAME: line`.
    pub fn new(name: &str) -> PrefixedOutput {
        let prefix = alloc::format!("{name}: ");
        let mut buf = Vec::with_capacity(prefix.len() + LINE_LIMIT + 1);
        buf.extend_from_slice(prefix.as_bytes());
        PrefixedOutput {
            start: buf.len(),
            buf,
            shown: true,
        }
    }

    /// Output that is dropped (a device whose `hostdev <-` takes the
    /// console's input only).
    pub fn dropped() -> PrefixedOutput {
        PrefixedOutput {
            buf: Vec::new(),
            start: 0,
            shown: false,
        }
    }

    /// Writes the prefix and the line so far as one console line.
    fn flush(&mut self) {
        self.buf.push(b'\n');
        let _ = ulib::sys::console_write(&self.buf);
        self.buf.truncate(self.start);
    }
}

impl vdev::chardev::CharSink for PrefixedOutput {
    fn write_bytes(&mut self, bytes: &[u8]) {
        if !self.shown {
            return;
        }
        for &b in bytes {
            match b {
                b'\n' => self.flush(),
                b'\r' => {}
                _ => {
                    self.buf.push(b);
                    if self.buf.len() - self.start >= LINE_LIMIT {
                        self.flush();
                    }
                }
            }
        }
    }
}
