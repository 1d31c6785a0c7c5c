//! A line of text built in a fixed buffer (the guest has no heap).

use core::fmt;

/// Bytes a [`Line`] holds; what does not fit is dropped.
const LINE_LEN: usize = 400;

/// Text up to [`LINE_LEN`] bytes.
pub struct Line {
    buf: [u8; LINE_LEN],
    len: usize,
}

impl Line {
    /// An empty line.
    pub fn new() -> Line {
        Line {
            buf: [0; LINE_LEN],
            len: 0,
        }
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The text (cut at a character boundary if it overflowed).
    pub fn as_str(&self) -> &str {
        let mut n = self.len;
        while n > 0 && core::str::from_utf8(&self.buf[..n]).is_err() {
            n -= 1;
        }
        core::str::from_utf8(&self.buf[..n]).unwrap_or("")
    }
}

impl fmt::Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let n = s.len().min(LINE_LEN - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::ops::Deref for Line {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}
