//! The exit sites of a profile, ranked by the host instructions charged
//! to them, and the choice of sites by `--lines`.

use std::collections::HashMap;

use super::symbols::Symbols;
use super::trace::Profile;

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
    /// Its source line in the guest (`FILE:LINE`), if known.
    pub line: Option<String>,
}

impl SiteRow {
    /// Host instructions per exit.
    pub fn per_exit(&self) -> f64 {
        self.instructions as f64 / self.exits.max(1) as f64
    }

    /// `g:NAME (0xPC)`, or `g:NAME (0xPC, FILE:LINE)`.
    pub fn label(&self) -> String {
        match &self.line {
            Some(line) => format!("{} ({:#x}, {line})", self.name, self.pc),
            None => format!("{} ({:#x})", self.name, self.pc),
        }
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
            line: None,
        })
        .collect();
    rows.sort_by_key(|r| (std::cmp::Reverse(r.instructions), r.pc));
    rows
}

/// Gives the rows their guest source line from `lines` (by PC).
pub fn add_lines(rows: &mut [SiteRow], lines: &HashMap<u64, String>) {
    for row in rows {
        row.line = lines.get(&row.pc).cloned();
    }
}

/// The sites `spec` names: the first `count` if it is empty, else those
/// whose PC is `spec` (hex, `0x` optional) or whose name or source line
/// contains it.
pub fn select<'a>(rows: &'a [SiteRow], spec: &str, count: usize) -> Vec<&'a SiteRow> {
    if spec.is_empty() {
        return rows.iter().take(count).collect();
    }
    let pc = u64::from_str_radix(spec.trim_start_matches("0x"), 16).ok();
    rows.iter()
        .filter(|r| {
            Some(r.pc) == pc
                || r.name.contains(spec)
                || r.line.as_deref().is_some_and(|l| l.contains(spec))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{profile, symbols};
    use super::*;

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
                    instructions: 10,
                    line: None,
                },
                SiteRow {
                    pc: 0x8000_0104,
                    name: "g:hvc".into(),
                    exits: 2,
                    instructions: 6,
                    line: None,
                },
            ]
        );
        assert_eq!(rows[1].per_exit(), 3.0);
        assert_eq!(rows[1].label(), "g:hvc (0x80000104)");
    }

    #[test]
    fn selects_sites() {
        let mut rows = ranked(&profile(), &symbols());
        let locations = HashMap::from([(
            0x8000_0104,
            "gsupport/src/mmio.rs:17 < bench/src/paths.rs:12".to_string(),
        )]);
        add_lines(&mut rows, &locations);
        assert_eq!(
            rows[1].line.as_deref(),
            Some("gsupport/src/mmio.rs:17 < bench/src/paths.rs:12")
        );
        assert_eq!(
            rows[1].label(),
            "g:hvc (0x80000104, gsupport/src/mmio.rs:17 < bench/src/paths.rs:12)"
        );
        assert_eq!(rows[0].line, None);
        let pcs = |spec: &str, count: usize| -> Vec<u64> {
            select(&rows, spec, count).iter().map(|r| r.pc).collect()
        };
        assert_eq!(pcs("", 1), [0x8000_0200]);
        assert_eq!(pcs("", 5), [0x8000_0200, 0x8000_0104]);
        assert_eq!(pcs("0x80000104", 1), [0x8000_0104]);
        assert_eq!(pcs("80000104", 1), [0x8000_0104]);
        assert_eq!(pcs("hvc", 1), [0x8000_0104]);
        assert_eq!(pcs("paths.rs:12", 1), [0x8000_0104]);
        assert_eq!(pcs("g:", 1), [0x8000_0200, 0x8000_0104]);
        assert!(pcs("nothing", 1).is_empty());
    }
}
