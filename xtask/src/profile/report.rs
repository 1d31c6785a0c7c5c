//! The profile as text: the exit sites ranked by the host instructions
//! charged to them, each with its functions and, on request, its source
//! lines.

use std::collections::HashMap;
use std::fmt::Write;

use super::symbols::Symbols;
use super::trace::{Profile, Site};
use crate::bench::thousands;

/// Most functions listed under a site.
pub const FUNCTIONS: usize = 40;
/// Most source lines listed under a site.
pub const LINES: usize = 40;

/// One exit site, ranked.
#[derive(Debug, PartialEq)]
pub struct SiteRow {
    /// The guest PC.
    pub pc: u64,
    /// Its function, `g:NAME`.
    pub name: String,
    /// Exits.
    pub exits: u64,
    /// Host instructions of all its exits.
    pub instructions: u64,
}

impl SiteRow {
    /// Host instructions per exit.
    pub fn per_exit(&self) -> f64 {
        self.instructions as f64 / self.exits.max(1) as f64
    }

    /// `g:NAME (0xPC)`.
    pub fn label(&self) -> String {
        format!("{} ({:#x})", self.name, self.pc)
    }
}

/// The sites, most instructions first (then by PC).
pub fn ranked(profile: &Profile, symbols: &Symbols) -> Vec<SiteRow> {
    let mut rows: Vec<SiteRow> = profile
        .sites
        .iter()
        .filter(|(_, site)| site.exits > 0)
        .map(|(&pc, site)| SiteRow {
            pc,
            name: symbols.name(pc),
            exits: site.exits,
            instructions: site.instructions(),
        })
        .collect();
    rows.sort_by_key(|r| (std::cmp::Reverse(r.instructions), r.pc));
    rows
}

/// The sites `spec` names: the first `count` if it is empty, else those
/// whose PC is `spec` (hex, `0x` optional) or whose name contains it.
pub fn select<'a>(rows: &'a [SiteRow], spec: &str, count: usize) -> Vec<&'a SiteRow> {
    if spec.is_empty() {
        return rows.iter().take(count).collect();
    }
    let pc = u64::from_str_radix(spec.trim_start_matches("0x"), 16).ok();
    rows.iter()
        .filter(|r| Some(r.pc) == pc || r.name.contains(spec))
        .collect()
}

/// Counts of `site`'s instructions grouped by `key` of their PC, most
/// first (then by key).
pub fn grouped(site: &Site, mut key: impl FnMut(u64) -> String) -> Vec<(String, u64)> {
    let mut groups: HashMap<String, u64> = HashMap::new();
    for (&pc, &count) in &site.pcs {
        *groups.entry(key(pc)).or_insert(0) += count;
    }
    let mut out: Vec<(String, u64)> = groups.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The opening lines: what the trace held and what was charged.
pub fn header(profile: &Profile, rows: &[SiteRow]) -> String {
    let charged: u64 = rows.iter().map(|r| r.instructions).sum();
    let exits: u64 = rows.iter().map(|r| r.exits).sum();
    format!(
        "trace: {} lines, {} guest and {} host instructions\n\
         {} exits at {} exit sites: {} host instructions ({} not after a guest \
         instruction on their CPU, or after the last one)\n",
        thousands(profile.lines as f64),
        thousands(profile.guest_instructions as f64),
        thousands(profile.host_instructions as f64),
        thousands(exits as f64),
        rows.len(),
        thousands(charged as f64),
        thousands(profile.unattributed() as f64),
    )
}

/// The table of the first `count` sites.
pub fn site_table(rows: &[SiteRow], count: usize) -> String {
    let total: u64 = rows.iter().map(|r| r.instructions).sum();
    let mut out = String::from("  instructions      exits  per exit   share  exit site\n");
    for row in rows.iter().take(count) {
        let share = 100.0 * row.instructions as f64 / total.max(1) as f64;
        let _ = writeln!(
            out,
            "{:>14} {:>10} {:>9} {:>6.1}%  {}",
            thousands(row.instructions as f64),
            thousands(row.exits as f64),
            thousands(row.per_exit()),
            share,
            row.label()
        );
    }
    if rows.len() > count {
        let rest: u64 = rows[count..].iter().map(|r| r.instructions).sum();
        let _ = writeln!(
            out,
            "{:>14} {:>10} {:>9} {:>6.1}%  ({} more sites)",
            thousands(rest as f64),
            thousands(rows[count..].iter().map(|r| r.exits).sum::<u64>() as f64),
            "",
            100.0 * rest as f64 / total.max(1) as f64,
            rows.len() - count
        );
    }
    out
}

/// A table of counts per exit: the first `max` groups, then one line for
/// the rest.
pub fn per_exit_table(title: &str, groups: &[(String, u64)], exits: u64, max: usize) -> String {
    let exits = exits.max(1) as f64;
    let mut out = format!("  per exit  {title}\n");
    for (name, count) in groups.iter().take(max) {
        let _ = writeln!(out, "  {:>8.1}  {name}", *count as f64 / exits);
    }
    if groups.len() > max {
        let rest: u64 = groups[max..].iter().map(|(_, c)| c).sum();
        let _ = writeln!(
            out,
            "  {:>8.1}  ({} more)",
            rest as f64 / exits,
            groups.len() - max
        );
    }
    out
}

/// One site's function table.
pub fn site_functions(row: &SiteRow, site: &Site, symbols: &Symbols, max: usize) -> String {
    let groups = grouped(site, |pc| symbols.name(pc));
    format!(
        "== exit site {}: {} exits, {} instructions each\n{}",
        row.label(),
        thousands(row.exits as f64),
        thousands(row.per_exit()),
        per_exit_table("function", &groups, row.exits, max)
    )
}

/// One site's source-line table; `locations` gives each host PC's
/// `TAG FILE:LINE`, a PC without one is charged to its function.
pub fn site_lines(
    row: &SiteRow,
    site: &Site,
    symbols: &Symbols,
    locations: &HashMap<u64, String>,
    max: usize,
) -> String {
    let exits = row.exits.max(1) as f64;
    let mut by_image: Vec<(&str, u64)> = Vec::new();
    for image in &symbols.images {
        let count: u64 = site
            .pcs
            .iter()
            .filter(|(pc, _)| image.code.contains(pc))
            .map(|(_, c)| c)
            .sum();
        if count > 0 {
            by_image.push((image.tag, count));
        }
    }
    let split: Vec<String> = by_image
        .iter()
        .map(|(tag, count)| format!("{tag}: {:.1}", *count as f64 / exits))
        .collect();
    let groups = grouped(site, |pc| {
        locations
            .get(&pc)
            .cloned()
            .unwrap_or_else(|| format!("{} (no line)", symbols.name(pc)))
    });
    format!(
        "-- source lines of exit site {}: per exit {}\n{}",
        row.label(),
        split.join(", "),
        per_exit_table("line", &groups, row.exits, max)
    )
}

#[cfg(test)]
mod tests {
    use super::super::symbols::Image;
    use super::*;

    fn symbols() -> Symbols {
        Symbols {
            images: vec![
                Image::new(
                    "k",
                    "kernel".into(),
                    0x4020_0000,
                    0..0x1000,
                    vec![(0, "entry".into()), (0x800, "run".into())],
                ),
                Image::new(
                    "q",
                    "qvm".into(),
                    0,
                    0x20_0000..0x20_1000,
                    vec![(0x20_0000, "main".into())],
                ),
                Image::new(
                    "g",
                    "bench".into(),
                    0x8000_0000,
                    0..0x1000,
                    vec![(0x100, "hvc".into()), (0x200, "mmio".into())],
                ),
            ],
        }
    }

    /// hvc at 0x80000104 exits twice (3 instructions each), mmio at
    /// 0x80000200 once (10 instructions).
    fn profile() -> Profile {
        let mut p = Profile::new(0x8000_0000..0x8000_1000);
        for _ in 0..2 {
            p.take(0, 0x8000_0104);
            p.take(0, 0x4020_0000);
            p.take(0, 0x4020_0800);
            p.take(0, 0x4020_0804);
        }
        p.take(0, 0x8000_0200);
        for i in 0..4 {
            p.take(0, 0x4020_0800 + 4 * i);
        }
        for i in 0..6 {
            p.take(0, 0x20_0000 + 4 * i);
        }
        p.take(0, 0x8000_0204);
        p
    }

    #[test]
    fn ranks_sites_by_instructions() {
        let rows = ranked(&profile(), &symbols());
        assert_eq!(
            rows,
            vec![
                SiteRow {
                    pc: 0x8000_0200,
                    name: "g:mmio".into(),
                    exits: 1,
                    instructions: 10
                },
                SiteRow {
                    pc: 0x8000_0104,
                    name: "g:hvc".into(),
                    exits: 2,
                    instructions: 6
                },
            ]
        );
        assert_eq!(rows[1].per_exit(), 3.0);
        assert_eq!(rows[1].label(), "g:hvc (0x80000104)");
    }

    #[test]
    fn selects_sites() {
        let rows = ranked(&profile(), &symbols());
        let pcs = |spec: &str, count: usize| -> Vec<u64> {
            select(&rows, spec, count).iter().map(|r| r.pc).collect()
        };
        assert_eq!(pcs("", 1), [0x8000_0200]);
        assert_eq!(pcs("", 5), [0x8000_0200, 0x8000_0104]);
        assert_eq!(pcs("0x80000104", 1), [0x8000_0104]);
        assert_eq!(pcs("80000104", 1), [0x8000_0104]);
        assert_eq!(pcs("hvc", 1), [0x8000_0104]);
        assert_eq!(pcs("g:", 1), [0x8000_0200, 0x8000_0104]);
        assert!(pcs("nothing", 1).is_empty());
    }

    #[test]
    fn prints_the_site_table() {
        let p = profile();
        let rows = ranked(&p, &symbols());
        let text = site_table(&rows, 1);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines[1].ends_with("    10          1        10   62.5%  g:mmio (0x80000200)"),
            "{text}"
        );
        assert!(
            lines[2].ends_with("     6          2             37.5%  (1 more sites)"),
            "{text}"
        );
        let header = header(&p, &rows);
        assert!(
            header.contains("3 exits at 2 exit sites: 16 host instructions (0 not after"),
            "{header}"
        );
        assert!(
            header.starts_with("trace: 0 lines, 4 guest and 16 host instructions"),
            "{header}"
        );
    }

    #[test]
    fn breaks_a_site_down_by_function() {
        let p = profile();
        let s = symbols();
        let rows = ranked(&p, &s);
        let text = site_functions(&rows[0], &p.sites[&0x8000_0200], &s, 1);
        assert_eq!(
            text,
            "== exit site g:mmio (0x80000200): 1 exits, 10 instructions each\n  \
             per exit  function\n       6.0  q:main\n       4.0  (1 more)\n"
        );
        let text = site_functions(&rows[1], &p.sites[&0x8000_0104], &s, 40);
        assert!(
            text.ends_with("       2.0  k:run\n       1.0  k:entry\n"),
            "{text}"
        );
    }

    #[test]
    fn breaks_a_site_down_by_line() {
        let p = profile();
        let s = symbols();
        let rows = ranked(&p, &s);
        let mut locations = HashMap::new();
        for i in 0..4 {
            locations.insert(
                0x4020_0800 + 4 * i,
                format!("k kernel/src/run.rs:{}", 10 + i / 2),
            );
        }
        let text = site_lines(&rows[0], &p.sites[&0x8000_0200], &s, &locations, 40);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "-- source lines of exit site g:mmio (0x80000200): per exit k: 4.0, q: 6.0"
        );
        assert_eq!(lines[2], "       6.0  q:main (no line)");
        assert_eq!(lines[3], "       2.0  k kernel/src/run.rs:10");
        assert_eq!(lines[4], "       2.0  k kernel/src/run.rs:11");
    }
}
