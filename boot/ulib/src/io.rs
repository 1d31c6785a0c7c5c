//! Console output (`print!`, `println!`) and line input.

use alloc::string::String;
use alloc::vec::Vec;
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

/// What [`read_line`] read past the end of a line, kept for the next
/// call (type-ahead, pasted lines); and whether the last line ended with
/// `\r`, so that the `\n` of a `\r\n` does not end an empty line.
static PENDING: spin::Mutex<(Vec<u8>, bool)> = spin::Mutex::new((Vec::new(), false));

/// What a typed byte did to the line.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// The line goes on.
    More,
    /// The line is done.
    Line,
    /// End of input (Ctrl-D on an empty line).
    End,
}

/// Applies byte `b` to `line`, adding what to echo to `echo`; `after_cr`
/// says whether the byte before it ended a line with `\r`.
fn edit(line: &mut String, b: u8, after_cr: bool, echo: &mut Vec<u8>) -> Step {
    match b {
        b'\n' if after_cr => {}
        b'\r' | b'\n' => {
            echo.push(b'\n');
            return Step::Line;
        }
        0x7f | 0x08 if line.pop().is_some() => echo.extend_from_slice(b"\x08 \x08"),
        0x04 if line.is_empty() => return Step::End,
        0x20..=0x7e => {
            line.push(b as char);
            echo.push(b);
        }
        _ => {}
    }
    Step::More
}

/// Reads a line (without its end), echoing what is typed; `None` at end of
/// input. Bytes typed past the line's end are kept for the next call.
pub fn read_line() -> Option<String> {
    let mut line = String::new();
    let (mut buf, mut after_cr) = core::mem::take(&mut *PENDING.lock());
    let mut echo = Vec::new();
    let mut at = 0;
    loop {
        while let Some(&b) = buf.get(at) {
            at += 1;
            let step = edit(&mut line, b, after_cr, &mut echo);
            after_cr = b == b'\r';
            if step != Step::More {
                let _ = crate::sys::console_write(&echo);
                *PENDING.lock() = (buf.split_off(at), after_cr);
                return (step == Step::Line).then_some(line);
            }
        }
        let _ = crate::sys::console_write(&echo);
        echo.clear();
        buf.resize(64, 0);
        let n = crate::sys::console_read(&mut buf).ok()?;
        buf.truncate(n);
        at = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines `input` makes, and what is echoed.
    fn lines(input: &[u8]) -> (alloc::vec::Vec<String>, Vec<u8>) {
        let (mut out, mut echo, mut line, mut after_cr) =
            (Vec::new(), Vec::new(), String::new(), false);
        for &b in input {
            match edit(&mut line, b, after_cr, &mut echo) {
                Step::Line => out.push(core::mem::take(&mut line)),
                Step::End => out.push(String::from("<end>")),
                Step::More => {}
            }
            after_cr = b == b'\r';
        }
        (out, echo)
    }

    #[test]
    fn lines_end_at_cr_or_lf_but_once_at_crlf() {
        let (out, echo) = lines(b"pidin\rexit\r\nls\n\n");
        assert_eq!(out, ["pidin", "exit", "ls", ""]);
        assert_eq!(echo, b"pidin\nexit\nls\n\n");
    }

    #[test]
    fn backspace_and_end_of_input() {
        let (out, echo) = lines(b"ab\x7fc\x08\x08\x08d\r\x04");
        assert_eq!(out, ["d", "<end>"]);
        assert_eq!(echo, b"ab\x08 \x08c\x08 \x08\x08 \x08d\n");
        let (out, _) = lines(b"x\x04\x01\ty\r");
        assert_eq!(out, ["xy"]);
    }
}
