//! The report's text: where the counts came from, the totals, the table
//! of exit sites and each site's breakdown by function and, on request,
//! by source line ([`breakdown`](super::breakdown)).

use std::collections::HashMap;
use std::fmt::Write;

use super::breakdown::{site_functions, site_lines};
use super::sites::SiteRow;
use super::symbols::Symbols;
use super::trace::Profile;
use crate::bench::thousands;

/// What a report shows.
pub struct Report<'a> {
    /// Where the counts came from (the first line).
    pub source: &'a str,
    /// The counts.
    pub profile: &'a Profile,
    /// The programs' symbols.
    pub symbols: &'a Symbols,
    /// The sites, [`ranked`].
    pub rows: &'a [SiteRow],
    /// The sites that get a source-line table.
    pub chosen: &'a [&'a SiteRow],
    /// `TAG FILE:LINE` of host PCs (see [`site_lines`]).
    pub locations: &'a HashMap<u64, String>,
}

impl Report<'_> {
    /// The text: the header, the table and the function tables of the
    /// first `sites` sites with `functions` functions each, and the
    /// source-line tables of the chosen sites with `lines` lines each.
    pub fn render(&self, sites: usize, functions: usize, lines: usize) -> String {
        let mut out = format!("cargo xtask profile: {}\n", self.source);
        out.push_str(&header(self.profile, self.rows));
        out.push('\n');
        out.push_str(&site_table(self.rows, sites));
        for row in self.rows.iter().take(sites) {
            let site = &self.profile.sites[&row.pc];
            out.push('\n');
            out.push_str(&site_functions(row, site, self.symbols, functions));
        }
        for row in self.chosen {
            let site = &self.profile.sites[&row.pc];
            out.push('\n');
            out.push_str(&site_lines(row, site, self.symbols, self.locations, lines));
        }
        out
    }
}

/// The opening lines: what the trace held and what was charged.
pub fn header(profile: &Profile, rows: &[SiteRow]) -> String {
    let charged: u64 = rows.iter().map(|r| r.instructions).sum();
    let exits: u64 = rows.iter().map(|r| r.exits).sum();
    format!(
        "trace: {} lines, {} guest and {} host instructions\n\
         {} exits at {} exit sites: {} host instructions ({} more came before \
         their CPU's first guest instruction or after its last)\n",
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

#[cfg(test)]
mod tests {
    use super::super::fixtures::{profile, symbols};
    use super::super::sites::{ranked, select};
    use super::*;

    #[test]
    fn renders_a_report() {
        let p = profile();
        let s = symbols();
        let rows = ranked(&p, &s);
        let chosen = select(&rows, "hvc", 1);
        let locations = HashMap::new();
        let report = Report {
            source: "a test",
            profile: &p,
            symbols: &s,
            rows: &rows,
            chosen: &chosen,
            locations: &locations,
        };
        let text = report.render(1, super::super::breakdown::FUNCTIONS, 40);
        assert!(
            text.starts_with("cargo xtask profile: a test\ntrace: "),
            "{text}"
        );
        assert!(
            text.contains("\n== exit site g:mmio (0x80000200): "),
            "{text}"
        );
        assert!(!text.contains("== exit site g:hvc"), "{text}");
        assert!(
            text.contains("\n-- source lines of exit site g:hvc (0x80000104): "),
            "{text}"
        );
        assert_eq!(
            report.render(2, 40, 40).matches("\n== exit site ").count(),
            2
        );
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
            header.contains("3 exits at 2 exit sites: 16 host instructions (0 more came"),
            "{header}"
        );
        assert!(
            header.starts_with("trace: 0 lines, 4 guest and 16 host instructions"),
            "{header}"
        );
    }
}
