//! `shell`: the host shell. It prints the prompt `qhv# `, reads a line and
//! runs it: its own commands (`help`, `pidin`, `slay`, `exit`; see
//! [`shell::command::HELP`]; `dump` asks a `qvm` for a guest core dump)
//! or a launcher line, as a startup line
//! (`ulib::launch`: `shm=`, `dev=`, `irq=`, `allow=` prefixes, a program in
//! `/bin`, its arguments, `&` for the background). `pidin` needs the shell
//! to have been started with `allow=info`, `slay` of another's process
//! with `allow=slay`.
//!
//! A background job's pid is printed as `[PID]` when the shell can tell it
//! (the one new process after the start); its end is reported at the next
//! prompt after it has left the process list.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use shell::command::{self, Command, View};
use shell::{pidin, slay};
use ulib::launch::{Job, Launcher, line};
use ulib::{device, info, print, println, process, sys};

/// A background job and its pid, if the shell could tell it.
type Jobs = Vec<(Option<u64>, Job)>;

#[unsafe(no_mangle)]
fn main(_args: &[&str]) -> usize {
    let mut launcher = Launcher::new("shell");
    let mut jobs = Jobs::new();
    loop {
        reap(&launcher, &mut jobs);
        print!("qhv# ");
        let Some(text) = ulib::io::read_line() else {
            return 0;
        };
        match command::parse(&text) {
            Command::Empty => {}
            Command::Help => print!("{}", command::HELP),
            Command::Exit => return 0,
            Command::Pidin(view) => show(view),
            Command::Slay(target) => slay_target(target),
            Command::Dump(target) => dump_target(target),
            Command::Usage(message) => println!("{message}"),
            Command::Launch(text) => launch(&mut launcher, &mut jobs, text),
        }
    }
}

/// Runs a launcher line; a background job is kept, with its pid.
fn launch(launcher: &mut Launcher, jobs: &mut Jobs, text: &str) {
    let before = process::list();
    let Some(job) = launcher.run(text) else {
        return;
    };
    let program = line::split(text)
        .words
        .into_iter()
        .find(|w| line::prefix(w).is_none())
        .map_or("", |w| w.rsplit('/').next().unwrap_or(w));
    let fresh: Vec<_> = process::list()
        .into_iter()
        .filter(|p| !before.iter().any(|b| b.pid == p.pid))
        .collect();
    let pid = match fresh.as_slice() {
        [one] => Some(one.pid),
        _ => fresh
            .iter()
            .find(|p| shell::text(&p.name) == program)
            .map(|p| p.pid),
    };
    if let Some(pid) = pid {
        println!("[{pid}]");
    }
    jobs.push((pid, job));
}

/// Reports the background jobs that have left the process list.
fn reap(launcher: &Launcher, jobs: &mut Jobs) {
    if jobs.iter().all(|(pid, _)| pid.is_none()) {
        return;
    }
    let live = process::list();
    let ended = |pid: &Option<u64>| {
        pid.is_some_and(|pid| !live.iter().any(|p| p.pid == pid && p.threads > 0))
    };
    let (done, running): (Jobs, Jobs) = jobs.drain(..).partition(|(pid, _)| ended(pid));
    *jobs = running;
    for (_, job) in done {
        launcher.finish(job);
    }
}

/// Prints a `pidin` view.
fn show(view: View) {
    let procs = process::list();
    let table = match view {
        View::Threads(only) => info::threads().map(|t| pidin::threads::table(&t, &procs, only)),
        View::Irqs => info::irqs().map(|i| pidin::irqs::table(&i, &procs)),
        View::Asinfo => info::phys_map().map(|a| pidin::asinfo::table(&a, &procs)),
        View::Info => Ok(pidin::info::summary(&sys::sysinfo())),
        View::Mem(only) => return show_mem(&procs, only),
    };
    match table {
        Ok(table) => print!("{table}"),
        Err(e) => println!("{}", pidin::error(e)),
    }
}

/// Prints `pidin mem` for process `only`, or every process.
fn show_mem(procs: &[abi::ProcessInfo], only: Option<u64>) {
    let devices = device::list("").unwrap_or_default();
    let mut pids: Vec<u64> = match only {
        Some(pid) => alloc::vec![pid],
        None => procs.iter().map(|p| p.pid).collect(),
    };
    pids.sort_unstable();
    let mut header = Some(pidin::mem::header());
    for pid in pids {
        match info::regions(pid) {
            Ok(regions) => print!(
                "{}{}",
                header.take().unwrap_or_default(),
                pidin::mem::block(pid, shell::process_name(procs, pid), &regions, &devices)
            ),
            Err(e @ (abi::Error::AccessDenied | abi::Error::NoSys)) => {
                return println!("{}", pidin::error(e));
            }
            Err(e) => println!("pidin: {pid}: {}", e.name()),
        }
    }
}

/// Ends every process `target` names and waits until each has ended.
fn slay_target(target: &str) {
    let pids = match slay::targets("slay", target, &process::list()) {
        Ok(pids) => pids,
        Err(message) => return println!("{message}"),
    };
    for pid in pids {
        // Opened to wait as well: `slay` returns once the process is gone
        // (its memory, devices and interrupts given back).
        let rights = abi::Rights::KILL | abi::Rights::WAIT;
        let result = info::process_open(pid, rights).and_then(|h| {
            let killed = process::kill(h, abi::STATUS_KILLED).and_then(|_| process::wait(h));
            let _ = sys::handle_close(h);
            killed
        });
        if let Err(e) = result {
            println!("slay: {pid}: {}", e.name());
        }
    }
}

/// Asks each `qvm` the target means for a core dump of its guest (the
/// pulse `abi::PULSE_DUMP`; `qvm` says on the console what it wrote).
fn dump_target(target: &str) {
    let pids = match slay::targets("dump", target, &process::list()) {
        Ok(pids) => pids,
        Err(message) => return println!("{message}"),
    };
    for pid in pids {
        let result = info::process_open(pid, abi::Rights::KILL).and_then(|h| {
            let sent = process::pulse(h, abi::PULSE_DUMP);
            let _ = sys::handle_close(h);
            sent
        });
        match result {
            Ok(_) => println!("dump: asked process {pid} for a core dump"),
            Err(e) => println!("dump: {pid}: {}", e.name()),
        }
    }
}
