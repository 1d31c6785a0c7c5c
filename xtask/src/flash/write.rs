//! Writing the image and reading it back, with a progress bar.
//!
//! A block device is opened with `O_EXCL`, which Linux refuses (`EBUSY`)
//! while the device is mounted or otherwise claimed, a last check after
//! the ones in [`super::checks`]. After the write comes `fsync`; before the
//! read-back, `blockdev --flushbufs` drops the device's cached blocks, so
//! the bytes compared come from the card, not from memory.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::build::run;

/// Bytes per write and per read.
const CHUNK: usize = 4 << 20;
/// Characters in the bar.
const BAR_WIDTH: usize = 30;

/// One progress line (no line end): label, bar, percentage, MiB done of
/// MiB in all, and the rate so far.
pub fn bar(label: &str, done: u64, total: u64, elapsed: Duration) -> String {
    let fraction = if total == 0 {
        1.0
    } else {
        done as f64 / total as f64
    };
    let filled = ((fraction * BAR_WIDTH as f64) as usize).min(BAR_WIDTH);
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { mib(done) / secs } else { 0.0 };
    format!(
        "{label:<6} [{}{}] {:>3}% {:.1}/{:.1} MiB {rate:.1} MiB/s",
        "#".repeat(filled),
        " ".repeat(BAR_WIDTH - filled),
        (fraction * 100.0) as u32,
        mib(done),
        mib(total)
    )
}

/// Where progress goes: redrawn in place on a terminal (`live`), else one
/// line when done, so logs are not filled with bars.
pub struct Progress<'a> {
    /// The output.
    pub out: &'a mut dyn Write,
    /// Whether it is a terminal.
    pub live: bool,
}

impl Progress<'_> {
    fn show(&mut self, label: &str, done: u64, total: u64, start: Instant) -> Result<()> {
        let line = bar(label, done, total, start.elapsed());
        match (self.live, done == total) {
            (true, false) => write!(self.out, "\r{line}")?,
            (true, true) => writeln!(self.out, "\r{line}")?,
            (false, false) => {}
            (false, true) => writeln!(self.out, "{line}")?,
        }
        Ok(())
    }
}

/// Writes `image` at the start of `dest` (a block device if `block`),
/// syncs it, and reads it back to compare.
pub fn write_and_verify(
    image: &[u8],
    dest: &Path,
    block: bool,
    progress: &mut Progress<'_>,
) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true);
    if block {
        options.custom_flags(libc::O_EXCL);
    }
    let mut file = options.open(dest).with_context(|| {
        format!(
            "cannot open {} for writing{}",
            dest.display(),
            if block {
                " (EBUSY: something has it mounted or open)"
            } else {
                ""
            }
        )
    })?;
    let total = image.len() as u64;
    let start = Instant::now();
    let mut done = 0u64;
    for chunk in image.chunks(CHUNK) {
        file.write_all(chunk)
            .with_context(|| format!("writing {} at byte {done}", dest.display()))?;
        done += chunk.len() as u64;
        if done < total {
            progress.show("write", done, total, start)?;
        }
    }
    file.sync_all()
        .with_context(|| format!("fsync of {}", dest.display()))?;
    progress.show("write", done, total, start)?;
    drop(file);
    if block {
        run(Command::new("blockdev").arg("--flushbufs").arg(dest))
            .context("cannot drop the device's cached blocks before reading back")?;
    }
    verify(image, dest, progress)
}

/// Reads `image.len()` bytes from `dest` and compares them with `image`.
pub fn verify(image: &[u8], dest: &Path, progress: &mut Progress<'_>) -> Result<()> {
    let mut file = File::open(dest).with_context(|| format!("cannot open {}", dest.display()))?;
    let total = image.len() as u64;
    let start = Instant::now();
    let mut buf = vec![0u8; CHUNK];
    let mut done = 0usize;
    for want in image.chunks(CHUNK) {
        let got = &mut buf[..want.len()];
        file.read_exact(got)
            .with_context(|| format!("reading {} back at byte {done}", dest.display()))?;
        if let Some(i) = got.iter().zip(want).position(|(a, b)| a != b) {
            if progress.live {
                writeln!(progress.out)?;
            }
            bail!(
                "{} differs from the image at byte {}: read {:#04x}, wrote {:#04x}",
                dest.display(),
                done + i,
                got[i],
                want[i]
            );
        }
        done += want.len();
        progress.show("verify", done as u64, total, start)?;
    }
    Ok(())
}
