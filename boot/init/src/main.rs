//! `init`, the first host process: reads `/etc/startup` from the bootfs and
//! runs it line by line with `ulib::launch` (a program and its arguments,
//! prefixes `shm=NAME`, `dev=SELECTOR`, `irq=N`, `allow=POWERS` before it,
//! a trailing `&` for the background). Foreground programs are waited for;
//! a non-zero status is reported. When the script is done, `init` waits for
//! the background programs and exits.
//!
//! `init` holds every device and interrupt the kernel does not use, and
//! every power: a line hands on only what its prefixes name.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use ulib::launch::Launcher;
use ulib::{println, sys};

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
    let mut launcher = Launcher::new("init");
    let mut background = Vec::new();
    for line in script
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        if let Some(job) = launcher.run(line) {
            background.push(job);
        }
    }
    println!("init: startup script done");
    for job in background {
        launcher.finish(job);
    }
    0
}
