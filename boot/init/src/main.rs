//! `init`, the first host process: reads `/etc/startup` from the bootfs and
//! runs it line by line. A line is a program (looked up in `/bin`) and its
//! arguments; a trailing `&` runs it in the background. Foreground programs
//! are waited for; a non-zero status is reported. When the script is done,
//! `init` waits for the background programs and exits.
//!
//! Shared memory: a line may start with `shm=NAME`. Programs started with
//! the same NAME share one shared-memory namespace (two `qvm`s whose
//! virtio-net cards are linked must); every other program gets a namespace
//! of its own, so no program can open another's objects by guessing names.
//!
//! Devices: `dev=SELECTOR` and `irq=N` words before the program grant it
//! device regions and interrupts (`grants.rs`); without them it gets none.
//! The prefixes come in any order.
#![no_std]
#![no_main]

extern crate alloc;

mod grants;

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
/// Shared-memory namespaces made for `shm=NAME` prefixes, by name.
type Spaces = Vec<(String, usize)>;

/// The namespace handle for `name`, made on first use.
fn space_for(spaces: &mut Spaces, name: &str) -> Result<usize, abi::Error> {
    if let Some((_, h)) = spaces.iter().find(|(n, _)| n == name) {
        return Ok(*h);
    }
    let h = sys::shm_space_create()?;
    spaces.push((String::from(name), h));
    Ok(h)
}

fn run_line(line: &str, spaces: &mut Spaces) -> Option<(usize, String)> {
    let (line, background) = match line.strip_suffix('&') {
        Some(rest) => (rest.trim_end(), true),
        None => (line, false),
    };
    let mut words: Vec<&str> = line.split_whitespace().collect();
    let mut space = abi::SHM_SPACE_PRIVATE;
    let mut granted = abi::Grants::NONE;
    while let Some(&word) = words.first() {
        match grants::add(word, &mut granted) {
            Ok(true) => {
                words.remove(0);
            }
            Ok(false) if word.starts_with("shm=") => {
                space = shm_prefix(line, word, spaces)?;
                words.remove(0);
            }
            Ok(false) => break,
            Err(message) => {
                println!("init: cannot start '{line}': {message}");
                return None;
            }
        }
    }
    let (&program, _) = words.split_first()?;
    let path = if program.starts_with('/') {
        String::from(program)
    } else {
        format!("/bin/{program}")
    };
    let grants = (!granted.is_empty()).then_some(&granted);
    let handle = match process::spawn_granted(&path, &words, space, grants) {
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

/// The namespace of a `shm=NAME` word; `None` (and a message) if it has no
/// name or none can be made.
fn shm_prefix(line: &str, word: &str, spaces: &mut Spaces) -> Option<usize> {
    let name = word.strip_prefix("shm=")?;
    match space_for(spaces, name) {
        Ok(h) if !name.is_empty() => Some(h),
        Ok(_) => {
            println!("init: cannot start '{line}': shm= needs a name");
            None
        }
        Err(e) => {
            println!(
                "init: cannot start '{line}': shm_space_create: {}",
                e.name()
            );
            None
        }
    }
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
    let mut spaces = Spaces::new();
    for line in script
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        if let Some(job) = run_line(line, &mut spaces) {
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
