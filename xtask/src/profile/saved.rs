//! The counts of a run in a text file (`target/profile/counts.txt`), so
//! that `cargo xtask profile --saved` reports again (another `--sites`,
//! other `--lines`) without running QEMU, and two runs can be compared.
//!
//! Lines: `totals LINES GUEST HOST`, then for each exit site
//! `site PC EXITS` followed by its host instructions, `PC COUNT` (PCs in
//! hex); `#` starts a comment.

use std::fmt::Write;

use anyhow::{Context, Result, bail};

use super::trace::{Profile, Site};

/// The text of `profile`'s counts, sites and PCs in order.
pub fn write(profile: &Profile) -> String {
    let mut out =
        String::from("# cargo xtask profile: exit-site counts (see xtask/src/profile/saved.rs)\n");
    let _ = writeln!(
        out,
        "totals {} {} {}",
        profile.lines, profile.guest_instructions, profile.host_instructions
    );
    let mut sites: Vec<(&u64, &Site)> = profile.sites.iter().collect();
    sites.sort_by_key(|(pc, _)| **pc);
    for (pc, site) in sites {
        let _ = writeln!(out, "site {pc:x} {}", site.exits);
        let mut pcs: Vec<(&u64, &u64)> = site.pcs.iter().collect();
        pcs.sort();
        for (host_pc, count) in pcs {
            let _ = writeln!(out, "{host_pc:x} {count}");
        }
    }
    out
}

/// The profile [`write`] wrote.
pub fn read(text: &str) -> Result<Profile> {
    let mut profile = Profile::new(0..0);
    let mut site: Option<u64> = None;
    for (n, line) in text.lines().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if take(&mut profile, &mut site, &words).is_none() {
            bail!("line {}: cannot read `{line}`", n + 1);
        }
    }
    Ok(profile)
}

/// Takes the `words` of one line into `profile`; `site` is the site of
/// the lines that follow a `site` line.
fn take(profile: &mut Profile, site: &mut Option<u64>, words: &[&str]) -> Option<()> {
    match words {
        [] => {}
        [w, ..] if w.starts_with('#') => {}
        ["totals", lines, guest, host] => {
            profile.lines = lines.parse().ok()?;
            profile.guest_instructions = guest.parse().ok()?;
            profile.host_instructions = host.parse().ok()?;
        }
        ["site", pc, exits] => {
            let pc = u64::from_str_radix(pc, 16).ok()?;
            profile.sites.entry(pc).or_default().exits += exits.parse::<u64>().ok()?;
            *site = Some(pc);
        }
        [pc, count] => {
            let entry = profile.sites.get_mut(&(*site)?)?;
            let pc = u64::from_str_radix(pc, 16).ok()?;
            *entry.pcs.entry(pc).or_insert(0) += count.parse::<u64>().ok()?;
        }
        _ => return None,
    }
    Some(())
}

/// [`read`] of a file.
pub fn read_file(path: &std::path::Path) -> Result<Profile> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read {} (run `cargo xtask profile` without --saved first)",
            path.display()
        )
    })?;
    read(&text).with_context(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_the_counts() {
        let mut p = Profile::new(0x8000_0000..0x8001_0000);
        p.take_line(b"not an instruction");
        for (cpu, pc) in [
            (0, 0x8000_0104),
            (0, 0x4020_0000),
            (0, 0x20_0000),
            (0, 0x4020_0000),
            (1, 0x8000_0200),
            (1, 0x4020_0004),
            (0, 0x8000_0108),
            (1, 0x8000_0204),
        ] {
            p.take(cpu, pc);
        }
        let text = write(&p);
        assert_eq!(
            text.lines().skip(1).collect::<Vec<_>>(),
            [
                "totals 1 4 4",
                "site 80000104 1",
                "200000 1",
                "40200000 2",
                "site 80000200 1",
                "40200004 1"
            ]
        );
        let back = read(&text).unwrap();
        assert_eq!(back.sites, p.sites);
        assert_eq!(
            (back.lines, back.guest_instructions, back.host_instructions),
            (1, 4, 4)
        );
        assert_eq!(back.unattributed(), 0);
    }

    #[test]
    fn refuses_what_it_did_not_write() {
        assert!(read("40200000 1\n").is_err()); // a PC before any site
        assert!(read("site 8000zz 1\n").is_err());
        assert!(read("totals 1 2\n").is_err());
        assert!(read("# only a comment\n\n").is_ok());
    }
}
