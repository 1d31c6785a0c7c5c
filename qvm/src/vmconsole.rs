//! A VM's console output: guest bytes from its UART, shown on the host
//! console line by line with the VM's name in front, so several VMs can
//! share one console.

use alloc::string::String;
use alloc::vec::Vec;

/// Most bytes held back waiting for the end of a line.
const LINE_LIMIT: usize = 512;

/// Line-buffered, name-prefixed output of one guest device.
pub struct PrefixedOutput {
    prefix: String,
    line: Vec<u8>,
    /// Whether output is shown at all (`hostdev <-`: input only).
    shown: bool,
}

impl PrefixedOutput {
    /// Output shown as `NAME: line`.
    pub fn new(name: &str) -> PrefixedOutput {
        PrefixedOutput {
            prefix: alloc::format!("{name}: "),
            line: Vec::new(),
            shown: true,
        }
    }

    /// Output that is dropped (a device whose `hostdev <-` takes the
    /// console's input only).
    pub fn dropped() -> PrefixedOutput {
        PrefixedOutput {
            prefix: String::new(),
            line: Vec::new(),
            shown: false,
        }
    }

    fn flush(&mut self) {
        let mut out = Vec::with_capacity(self.prefix.len() + self.line.len() + 1);
        out.extend_from_slice(self.prefix.as_bytes());
        out.extend_from_slice(&self.line);
        out.push(b'\n');
        let _ = ulib::sys::console_write(&out);
        self.line.clear();
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
                    self.line.push(b);
                    if self.line.len() >= LINE_LIMIT {
                        self.flush();
                    }
                }
            }
        }
    }
}
