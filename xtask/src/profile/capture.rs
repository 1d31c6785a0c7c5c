//! One QEMU run of the benchmark image with the exec trace on. QEMU writes
//! the trace (many GB) into a FIFO that this process reads as it comes;
//! the console goes to a log and is watched for the line that ends the
//! run, at which QEMU itself (not only `timeout` around it) is stopped.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, ensure};

use crate::bench::{self, ICOUNT};
use crate::build;
use crate::qemu::{self, EntryLevel, Gic, Machine};

/// Bytes of the trace read at once.
const READ_BUFFER: usize = 1 << 20;

/// QEMU's `-dfilter`: the PC ranges (end excluded) as `START+SIZE`.
pub fn dfilter(ranges: &[Range<u64>]) -> String {
    let parts: Vec<String> = ranges
        .iter()
        .map(|r| format!("{:#x}+{:#x}", r.start, r.end - r.start))
        .collect();
    parts.join(",")
}

/// The command: `cargo xtask bench`'s machine and `-icount`, one
/// instruction per translation block and no chaining (so every instruction
/// executed is one trace line), the trace of `ranges` into `fifo`, the
/// console on stdout; under `timeout`.
pub fn command(
    image: &Path,
    gic: Gic,
    fifo: &Path,
    ranges: &[Range<u64>],
    seconds: u64,
) -> Command {
    let machine = Machine {
        gic,
        ..bench::machine(2, EntryLevel::El2)
    };
    let mut cmd = Command::new("timeout");
    cmd.args(["--kill-after=10", &seconds.to_string(), qemu::QEMU])
        .args(machine.args(image))
        .args(["-icount", ICOUNT])
        .args(["-accel", "tcg,one-insn-per-tb=on"])
        .args(["-d", "exec,nochain", "-dfilter", &dfilter(ranges)])
        .arg("-D")
        .arg(fifo)
        .args(["-display", "none", "-serial", "stdio", "-monitor", "none"])
        .arg("-no-reboot");
    cmd
}

/// How the run ended.
#[derive(Debug)]
pub struct Outcome {
    /// The console showed the `until` line (and QEMU was stopped).
    pub stopped: bool,
    /// `timeout`'s status.
    pub status: ExitStatus,
    /// What QEMU printed on stderr.
    pub stderr: String,
    /// Time from start to end.
    pub elapsed: Duration,
}

/// Runs `cmd` (from [`command`], writing its trace into `fifo`), the
/// console into `console_log`, until a console line contains `until`;
/// `read` takes the trace as QEMU writes it.
pub fn run(
    mut cmd: Command,
    fifo: &Path,
    until: &str,
    console_log: &Path,
    read: impl FnOnce(BufReader<File>) -> io::Result<()>,
) -> Result<Outcome> {
    make_fifo(fifo)?;
    let start = Instant::now();
    eprintln!("xtask: profile: {}", build::describe(&cmd));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start `{}`", build::describe(&cmd)))?;
    let pid = child.id();
    let stdout = child.stdout.take().context("no stdout")?;
    let stderr = child.stderr.take().context("no stderr")?;
    let log = File::create(console_log)
        .with_context(|| format!("cannot create {}", console_log.display()))?;
    let until = until.to_string();
    let console = std::thread::spawn(move || watch(stdout, log, &until, || stop(pid)));
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = BufReader::new(stderr).read_to_string(&mut text);
        text
    });
    // Opening the FIFO waits for QEMU to open it; should QEMU end first,
    // the waiter opens it instead so that this open returns.
    let opened = Arc::new(AtomicBool::new(false));
    let waiter = {
        let (opened, fifo) = (opened.clone(), fifo.to_path_buf());
        std::thread::spawn(move || {
            let status = child.wait();
            if !opened.load(Ordering::SeqCst) {
                let _ = OpenOptions::new().write(true).open(&fifo);
            }
            status
        })
    };
    let trace = File::open(fifo).with_context(|| format!("cannot open {}", fifo.display()))?;
    opened.store(true, Ordering::SeqCst);
    let read_result = read(BufReader::with_capacity(READ_BUFFER, trace));
    if read_result.is_err() {
        stop(pid);
    }
    let status = waiter
        .join()
        .map_err(|_| anyhow!("waiter panicked"))?
        .context("cannot wait for QEMU")?;
    let stopped = console.join().map_err(|_| anyhow!("console panicked"))?;
    let stderr = errors.join().map_err(|_| anyhow!("stderr panicked"))?;
    let _ = std::fs::remove_file(fifo);
    read_result.context("reading the trace")?;
    Ok(Outcome {
        stopped,
        status,
        stderr,
        elapsed: start.elapsed(),
    })
}

/// A new FIFO at `path` (an old file there is removed).
fn make_fifo(path: &Path) -> Result<()> {
    let _ = std::fs::remove_file(path);
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .context("cannot run mkfifo")?;
    ensure!(status.success(), "mkfifo {} failed", path.display());
    Ok(())
}

/// Copies the console into `log` until its end; once a line contains
/// `until`, calls `stop`. Whether it did.
fn watch(stdout: impl Read, log: File, until: &str, mut stop: impl FnMut()) -> bool {
    let mut log = io::BufWriter::new(log);
    let mut seen = false;
    let mut line = Vec::new();
    let mut input = BufReader::new(stdout);
    while matches!(input.read_until(b'\n', &mut line), Ok(n) if n > 0) {
        let _ = log.write_all(&line).and_then(|()| log.flush());
        if !seen && String::from_utf8_lossy(&line).contains(until) {
            seen = true;
            stop();
        }
        line.clear();
    }
    seen
}

/// Sends SIGTERM to QEMU, the child of `timeout` `pid` (or to `timeout`,
/// which passes it on, if its child cannot be found).
fn stop(pid: u32) {
    if pid <= 1 {
        return;
    }
    let children = children(pid);
    let targets = if children.is_empty() {
        vec![pid]
    } else {
        children
    };
    for target in targets.into_iter().filter(|&p| p > 1) {
        let _ = Command::new("kill")
            .args(["-TERM", &target.to_string()])
            .status();
    }
}

/// The child processes of `pid`.
fn children(pid: u32) -> Vec<u32> {
    let path = PathBuf::from(format!("/proc/{pid}/task/{pid}/children"));
    std::fs::read_to_string(path)
        .map(|text| parse_pids(&text))
        .unwrap_or_default()
}

/// The PIDs of a `/proc/PID/task/PID/children` file.
fn parse_pids(text: &str) -> Vec<u32> {
    text.split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_the_three_programs() {
        let ranges = [
            0x4020_0000..0x4022_5618,
            0x20_0000..0x23_278c,
            0x8000_0000..0x8000_cd0c,
        ];
        assert_eq!(
            dfilter(&ranges),
            "0x40200000+0x25618,0x200000+0x3278c,0x80000000+0xcd0c"
        );
    }

    #[test]
    fn the_gic_version_is_the_one_asked_for() {
        let cmd = command(
            Path::new("/i.img"),
            Gic::V2,
            Path::new("/f"),
            &[0..4, 8..12],
            9,
        );
        let line = build::describe(&cmd);
        assert!(line.contains("gic-version=2 -cpu max"), "{line}");
    }

    #[test]
    fn traces_every_instruction_under_timeout() {
        let cmd = command(
            Path::new("/r/target/images/qemu-virt-bench.img"),
            Gic::V3,
            Path::new("/r/target/profile/trace.fifo"),
            &[0x4020_0000..0x4020_1000, 0x20_0000..0x20_0100],
            600,
        );
        let line = build::describe(&cmd);
        assert!(
            line.starts_with("timeout --kill-after=10 600 qemu-system-aarch64 "),
            "{line}"
        );
        for part in [
            "-M virt,virtualization=on,gic-version=3 -cpu max -smp 2 -m 1G",
            "-kernel /r/target/images/qemu-virt-bench.img",
            "-icount shift=0,sleep=off -accel tcg,one-insn-per-tb=on",
            "-d exec,nochain -dfilter 0x40200000+0x1000,0x200000+0x100 -D /r/target/profile/trace.fifo",
            "-serial stdio",
        ] {
            assert!(line.contains(part), "{part}: {line}");
        }
    }

    #[test]
    fn reads_child_pids() {
        assert_eq!(parse_pids("6654 10756 \n"), vec![6654, 10756]);
        assert!(parse_pids("").is_empty());
        // No such process.
        assert!(children(u32::MAX).is_empty());
    }

    #[test]
    fn stops_at_the_line_and_keeps_the_console() {
        let dir = std::env::temp_dir().join(format!("xtask-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("console.log");
        let console: &[u8] = b"boot\nbench: bench: mmio-write min 1\nmore\nbench: mmio-write\n";
        let mut stops = 0;
        let seen = watch(
            console,
            File::create(&log).unwrap(),
            "bench: mmio-write",
            || stops += 1,
        );
        assert!(seen);
        assert_eq!(stops, 1);
        assert_eq!(std::fs::read(&log).unwrap(), console);
        let seen = watch(&b"a\nb"[..], File::create(&log).unwrap(), "c", || {
            stops += 1
        });
        assert!(!seen);
        assert_eq!(stops, 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
