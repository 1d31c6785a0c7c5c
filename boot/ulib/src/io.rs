//! Console output (`print!`, `println!`) and line input.

use alloc::string::String;
use core::fmt::{self, Write};

/// Writes to the console.
pub struct Console;

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        crate::sys::console_write(s.as_bytes())
            .map(|_| ())
            .map_err(|_| fmt::Error)
    }
}

/// Prints formatted text, building the whole message first so lines from
/// several threads or programs do not interleave.
pub fn print_fmt(args: fmt::Arguments) {
    let mut s = String::new();
    let _ = s.write_fmt(args);
    let _ = crate::sys::console_write(s.as_bytes());
}

/// Prints to the console.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::io::print_fmt(format_args!($($arg)*)) };
}

/// Prints a line to the console.
#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => { $crate::io::print_fmt(format_args!("{}\n", format_args!($($arg)*))) };
}

/// Reads a line (without its end), echoing what is typed; `None` at end of
/// input.
pub fn read_line() -> Option<String> {
    let mut line = String::new();
    let mut buf = [0u8; 64];
    loop {
        let n = crate::sys::console_read(&mut buf).ok()?;
        for &b in &buf[..n] {
            match b {
                b'\r' | b'\n' => {
                    let _ = crate::sys::console_write(b"\n");
                    return Some(line);
                }
                0x7f | 0x08 if line.pop().is_some() => {
                    let _ = crate::sys::console_write(b"\x08 \x08");
                }
                0x04 if line.is_empty() => return None,
                0x20..=0x7e => {
                    line.push(b as char);
                    let _ = crate::sys::console_write(&[b]);
                }
                _ => {}
            }
        }
    }
}
