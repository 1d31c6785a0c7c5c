//! Starting programs from launcher lines, as `init` does for the startup
//! script and the host shell for what is typed: a line is a program
//! (looked up in `/bin` unless its path is absolute) and its arguments; a
//! trailing `&` runs it in the background. Foreground programs are waited
//! for and a non-zero status is reported.
//!
//! Prefix words before the program, in any order, each as often as needed:
//! - `shm=NAME`: programs started with the same NAME share one
//!   shared-memory namespace (two `qvm`s whose virtio-net cards are linked
//!   must); every other program gets a namespace of its own, so no program
//!   can open another's objects by guessing names;
//! - `dev=SELECTOR` and `irq=N` grant it device regions and interrupts
//!   ([`grants`]); without them it gets none;
//! - `allow=info,slay` gives it powers: `info` ([`abi::POWER_INFO`]) to
//!   read other processes' details, `slay` ([`abi::POWER_SLAY`]) to end
//!   any process.
//!
//! Messages start with the launcher's name (`init: cannot start 'LINE':
//! ...`).

mod grants;
pub mod line;

use abi::{Grants, SysResult};
use alloc::string::String;
use alloc::vec::Vec;

use crate::{println, process, sys};
use line::Prefix;

/// A program started in the background.
#[derive(Debug)]
pub struct Job {
    /// Its process handle (every right).
    pub handle: usize,
    /// Its line, without the `&`.
    pub line: String,
}

/// Runs lines; keeps the shared-memory namespaces made for `shm=NAME`
/// prefixes, by name, so later lines with the same NAME share them.
pub struct Launcher {
    who: &'static str,
    spaces: Vec<(String, usize)>,
}

impl Launcher {
    /// A launcher whose messages start with `who`.
    pub fn new(who: &'static str) -> Launcher {
        Launcher {
            who,
            spaces: Vec::new(),
        }
    }

    /// Runs one line (trimmed): a foreground program is waited for; a
    /// background one is returned. `None` too when nothing started (an
    /// empty line, or a message said why).
    pub fn run(&mut self, line: &str) -> Option<Job> {
        let parsed = line::split(line);
        let text = parsed.text;
        let mut space = abi::SHM_SPACE_PRIVATE;
        let mut granted = Grants::NONE;
        let mut words = &parsed.words[..];
        while let Some((&word, rest)) = words.split_first() {
            let Some(prefix) = line::prefix(word) else {
                break;
            };
            if let Err(message) = prefix.and_then(|p| self.apply(word, p, &mut granted, &mut space))
            {
                self.cannot_start(text, &message);
                return None;
            }
            words = rest;
        }
        let (&program, _) = words.split_first()?;
        let path = line::program_path(program);
        let grants = (!granted.is_empty()).then_some(&granted);
        let handle = match process::spawn_granted(&path, words, space, grants) {
            Ok(h) => h,
            Err(e) => {
                self.cannot_start(text, e.name());
                return None;
            }
        };
        if parsed.background {
            return Some(Job {
                handle,
                line: String::from(text),
            });
        }
        self.report(text, process::wait(handle));
        let _ = sys::handle_close(handle);
        None
    }

    /// Waits for a background job to end, reports how, and closes its
    /// handle.
    pub fn finish(&self, job: Job) {
        let status = process::wait(job.handle);
        self.report(&job.line, status);
        if let Ok(status) = status {
            println!(
                "{}: background job '{}' ended with status {status}",
                self.who, job.line
            );
        }
        let _ = sys::handle_close(job.handle);
    }

    /// Adds what prefix `p` (the word `word`) gives to the grants or picks
    /// the namespace.
    fn apply(
        &mut self,
        word: &str,
        p: Prefix,
        granted: &mut Grants,
        space: &mut usize,
    ) -> Result<(), String> {
        match p {
            Prefix::Dev(selector) => grants::add_devices(self.who, word, selector, granted)?,
            Prefix::Irq(n) => granted.add_irq(n),
            Prefix::Allow(powers) => granted.powers |= powers,
            Prefix::Shm(name) => {
                *space = self
                    .space_for(name)
                    .map_err(|e| alloc::format!("shm_space_create: {}", e.name()))?
            }
        }
        Ok(())
    }

    /// The namespace handle for `name`, made on first use.
    fn space_for(&mut self, name: &str) -> Result<usize, abi::Error> {
        if let Some((_, h)) = self.spaces.iter().find(|(n, _)| n == name) {
            return Ok(*h);
        }
        let h = sys::shm_space_create()?;
        self.spaces.push((String::from(name), h));
        Ok(h)
    }

    fn cannot_start(&self, line: &str, why: &str) {
        println!("{}: cannot start '{line}': {why}", self.who);
    }

    /// Reports a non-zero exit status or a failed wait.
    fn report(&self, line: &str, status: SysResult) {
        let who = self.who;
        match status {
            Ok(0) => {}
            Ok(status) => println!("{who}: '{line}' exited with status {status:#x}"),
            Err(e) => println!("{who}: waiting for '{line}' failed: {}", e.name()),
        }
    }
}
