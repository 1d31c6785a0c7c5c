//! Helpers shared by the test files.
#![allow(dead_code)]

use std::path::PathBuf;

use qvm::config::{Config, parse_args, parse_str};
use qvm::layout::{VmLayout, place};

/// The folder of the example configs.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// Reads `name` from the example folder, as `qvm` reads `@name`.
pub fn read(name: &str) -> Result<String, String> {
    std::fs::read_to_string(data_dir().join(name)).map_err(|e| e.to_string())
}

/// Parses the example `name` as `qvm @name` would.
pub fn example(name: &str) -> Config {
    let arg = format!("@{name}");
    parse_args(&[&arg], &mut read).unwrap_or_else(|e| panic!("{e}"))
}

/// Parses `text` as the file `t.qvmconf`; panics with the message on error.
pub fn parse(text: &str) -> Config {
    parse_str("t.qvmconf", text).unwrap_or_else(|e| panic!("{e}"))
}

/// The error message of parsing `text` as `t.qvmconf`.
pub fn err(text: &str) -> String {
    match parse_str("t.qvmconf", text) {
        Ok(c) => panic!("parsed, expected an error: {c:?}"),
        Err(e) => e.to_string(),
    }
}

/// Parses and places `text`.
pub fn place_text(text: &str) -> Result<VmLayout, String> {
    place(&parse(text)).map_err(|e| e.to_string())
}

/// The placement error of `text`.
pub fn place_err(text: &str) -> String {
    match place_text(text) {
        Ok(l) => panic!("placed, expected an error: {l:?}"),
        Err(e) => e,
    }
}

/// A minimal valid VM, to which tests add lines.
pub const BASE: &str = "ram 64M\nvdev gic\n";

/// Runs a table of error cases (`CONFIG => LINE: MESSAGE` per line, `\n`
/// for line breaks, `#` comments) from `file` through `check`, which
/// returns the error text of a config; fails listing every mismatch, or if
/// the table has fewer than `min` cases.
pub fn check_error_table(file: &str, min: usize, check: impl Fn(&str) -> String) {
    let cases = std::fs::read_to_string(data_dir().join(file)).unwrap();
    let mut failed = Vec::new();
    let mut count = 0;
    for line in cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (text, want) = line.split_once(" => ").expect("CONFIG => MESSAGE");
        let got = check(&text.replace("\\n", "\n"));
        let want = format!("t.qvmconf:{want}");
        if got != want {
            failed.push(format!("{text}\n   got: {got}\n  want: {want}"));
        }
        count += 1;
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert!(count >= min, "only {count} cases");
}

/// The warnings `qvm::honour::check` gives for `BASE` plus `extra` (which
/// must not be refused).
pub fn warnings(extra: &str) -> Vec<String> {
    let c = parse(&format!("{BASE}{extra}"));
    match qvm::honour::check(&c) {
        Ok(w) => w.iter().map(|e| e.to_string()).collect(),
        Err(e) => panic!("refused: {e}"),
    }
}

/// The refusal `qvm::honour::check` gives for `BASE` plus `extra`.
pub fn refused(extra: &str) -> String {
    let c = parse(&format!("{BASE}{extra}"));
    match qvm::honour::check(&c) {
        Ok(w) => panic!("accepted with warnings {w:?}"),
        Err(e) => e.to_string(),
    }
}
