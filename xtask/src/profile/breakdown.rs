//! One exit site broken down: its host instructions per exit by function
//! or by source line.

use std::collections::HashMap;
use std::fmt::Write;

use super::sites::SiteRow;
use super::symbols::Symbols;
use super::trace::Site;
use crate::bench::thousands;

/// Most functions listed under a site in the report file.
pub const FUNCTIONS: usize = 40;
/// Most source lines listed under a site in the report file.
pub const LINES: usize = 40;

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
    use super::super::fixtures::{profile, symbols};
    use super::super::sites::ranked;
    use super::*;

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
