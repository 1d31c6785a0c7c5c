//! `init`, the first host process: reads `/etc/startup` from the bootfs and
//! runs it line by line. A line is a program (looked up in `/bin`) and its
//! arguments; a trailing `&` runs it in the background. Foreground programs
//! are waited for; a non-zero status is reported. When the script is done,
//! `init` waits for the background programs and exits.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use ulib::{println, process, sys};

const STARTUP: &str = "/etc/startup";

fn read_file(path: &str) -> Result<Vec<u8>, abi::Error> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 512];
    loop {
        let n = sys::bootfs_read(path, &mut chunk, data.len())?;
        if n == 0 {
            return Ok(data);
        }
        data.extend_from_slice(&chunk[..n]);
    }
}

/// Runs one script line; returns a background process handle, if any.
fn run_line(line: &str) -> Option<(usize, String)> {
    let (line, background) = match line.strip_suffix('&') {
        Some(rest) => (rest.trim_end(), true),
        None => (line, false),
    };
    let words: Vec<&str> = line.split_whitespace().collect();
    let (&program, _) = words.split_first()?;
    let path = if program.starts_with('/') {
        String::from(program)
    } else {
        format!("/bin/{program}")
    };
    let handle = match process::spawn(&path, &words) {
        Ok(h) => h,
        Err(e) => {
            println!("init: cannot start '{line}': {}", e.name());
            return None;
        }
    };
    if background {
        return Some((handle, String::from(line)));
    }
    report(line, process::wait(handle));
    let _ = sys::handle_close(handle);
    None
}

fn report(line: &str, status: abi::SysResult) {
    match status {
        Ok(0) => {}
        Ok(status) => println!("init: '{line}' exited with status {status:#x}"),
        Err(e) => println!("init: waiting for '{line}' failed: {}", e.name()),
    }
}

#[unsafe(no_mangle)]
fn main(_args: &[&str]) -> usize {
    let script = match read_file(STARTUP) {
        Ok(s) => s,
        Err(e) => {
            println!("init: cannot read {STARTUP}: {}", e.name());
            return 1;
        }
    };
    let script = String::from_utf8_lossy(&script);
    println!("init: running {STARTUP}");
    let mut background = Vec::new();
    for line in script
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        if let Some(job) = run_line(line) {
            background.push(job);
        }
    }
    println!("init: startup script done");
    for (handle, line) in background {
        let status = process::wait(handle);
        report(&line, status);
        if let Ok(status) = status {
            println!("init: background job '{line}' ended with status {status}");
        }
        let _ = sys::handle_close(handle);
    }
    0
}
