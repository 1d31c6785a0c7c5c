//! The host shell: a typed line (`shell::command::parse`, and for a
//! launcher line `ulib::launch::line`'s words and prefixes), and the
//! `pidin` tables over whatever rows the kernel could return (any field
//! value: a range that wraps, a pid nobody has, a kind that does not
//! exist, names that are not UTF-8).

use crate::input::Input;
use abi::{IrqInfo, PhysArea, ProcessInfo, RegionInfo, ThreadInfo};
use shell::command::{self, Command};
use ulib::launch::line::{self, Prefix};

/// Checks what a launcher line comes apart into.
fn launcher_line(text: &str) {
    let parts = line::split(text);
    assert!(
        parts
            .words
            .iter()
            .all(|w| !w.is_empty() && !w.contains(char::is_whitespace)),
        "{parts:?}"
    );
    for word in &parts.words {
        match line::prefix(word) {
            Some(Ok(Prefix::Irq(n))) => assert!(n < abi::MAX_INTID, "{word}"),
            Some(Ok(Prefix::Allow(bits))) => {
                assert!(bits != 0 && bits & !abi::POWERS_ALL == 0, "{word}")
            }
            Some(Ok(Prefix::Shm(name))) => assert!(!name.is_empty()),
            Some(Ok(Prefix::Dev(_))) | Some(Err(_)) => {}
            None => {
                let path = line::program_path(word);
                assert!(path.starts_with('/') && path.ends_with(*word));
                break;
            }
        }
    }
}

/// A name of 32 bytes from the input (any bytes, NUL-padded or not).
fn name<const N: usize>(input: &mut Input) -> [u8; N] {
    core::array::from_fn(|_| input.u8())
}

fn process(input: &mut Input) -> ProcessInfo {
    ProcessInfo {
        pid: u64::from(input.u8() % 8),
        parent: u64::from(input.u8() % 8),
        threads: input.u64(),
        memory: input.u64(),
        name: name(input),
    }
}

/// Some small numbers (pids, kinds) so rows meet the processes and kinds
/// that exist; other values stay whatever the input says.
fn small_or_any(input: &mut Input) -> u64 {
    match input.u8() {
        b if b < 200 => u64::from(b % 12),
        _ => input.u64(),
    }
}

/// Formats every `pidin` table of rows read from the input.
fn tables(input: &mut Input) {
    let procs: Vec<ProcessInfo> = (0..input.u8() % 6).map(|_| process(input)).collect();
    let rows = usize::from(input.u8() % 12);
    let threads: Vec<ThreadInfo> = (0..rows)
        .map(|_| ThreadInfo {
            pid: small_or_any(input),
            tid: input.u32(),
            state: small_or_any(input) as u32,
            priority: input.u32(),
            cpu: input.u32(),
            vcpu: input.u32(),
            affinity: input.u32(),
        })
        .collect();
    let only = input.bool().then(|| small_or_any(input));
    let _ = shell::pidin::threads::table(&threads, &procs, only);
    let irqs: Vec<IrqInfo> = (0..rows)
        .map(|_| IrqInfo {
            intid: input.u32(),
            kind: small_or_any(input) as u32,
            owner: small_or_any(input),
            count: input.u64(),
            cpu: input.u32(),
            virq: input.u32(),
            masked: input.u32(),
            edge: input.u32(),
        })
        .collect();
    let _ = shell::pidin::irqs::table(&irqs, &procs);
    let areas: Vec<PhysArea> = (0..rows)
        .map(|_| PhysArea {
            base: input.u64(),
            size: input.u64(),
            free: input.u64(),
            owner: small_or_any(input),
            kind: small_or_any(input) as u32,
            flags: input.u32(),
            name: name(input),
        })
        .collect();
    let _ = shell::pidin::asinfo::table(&areas, &procs);
    let regions: Vec<RegionInfo> = (0..rows)
        .map(|_| RegionInfo {
            address: input.u64(),
            physical: input.u64(),
            size: input.u64(),
            kind: small_or_any(input) as u32,
            flags: input.u32(),
            vm: input.u32(),
            device: input.u32(),
        })
        .collect();
    let pid = small_or_any(input);
    let _ = shell::pidin::mem::block(pid, shell::process_name(&procs, pid), &regions, &[]);
}

/// The first line of `data` (lossily UTF-8) is typed at the prompt; the
/// rest are rows for the tables.
pub fn shell_line(data: &[u8]) {
    let end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let text = String::from_utf8_lossy(&data[..end]);
    match command::parse(&text) {
        Command::Launch(text) => {
            assert!(!text.is_empty() && text.trim() == text);
            launcher_line(text);
        }
        Command::Slay(target) => assert!(!target.is_empty()),
        _ => {}
    }
    tables(&mut Input::new(data.get(end + 1..).unwrap_or_default()));
}
