//! Host unit tests: `cargo test` of the crates whose logic runs on the build
//! host, with their pass and fail counts read from cargo's output.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, Result};
use regex_lite::Regex;

use crate::Tally;
use crate::build::{cargo, describe};

/// The `cargo test` arguments of each host test run.
pub const HOST_TESTS: &[&[&str]] = &[
    &["-p", "boot", "--features", "std"],
    &["-p", "ulib"],
    &["-p", "arch"],
    &["-p", "abi"],
    &["-p", "kernel", "--lib"],
    &["-p", "xtask"],
    &["-p", "gsupport"],
    &["-p", "vdev"],
    &["-p", "qvm"],
    // The same library with x86 guests (`qvm::arch`).
    &["-p", "qvm", "--features", "guest-x86_64"],
    &["-p", "blkchan"],
    &["-p", "shell", "--lib"],
    // The fuzz targets over their corpus and seeded random inputs
    // (docs/testing.md, "Fuzzing").
    &["-p", "fuzz-harness"],
];

/// Run every entry of [`HOST_TESTS`], echoing its output.
pub fn run_all(root: &Path) -> Result<Tally> {
    println!("== host unit tests");
    let mut tally = Tally::default();
    for args in HOST_TESTS {
        let mut cmd = cargo(root);
        cmd.arg("test").args(*args).arg("--no-fail-fast");
        let line = describe(&cmd);
        println!("-- {line}");
        cmd.stdout(Stdio::piped());
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start `{line}`"))?;
        let mut counts = Counts::default();
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        for text in stdout.split(b'\n') {
            let text = text.with_context(|| format!("reading the output of `{line}`"))?;
            let text = String::from_utf8_lossy(&text);
            println!("{text}");
            counts.add_line(&text);
        }
        let status = child
            .wait()
            .with_context(|| format!("waiting for `{line}`"))?;
        let name = format!("cargo test {}", args.join(" "));
        tally.passed += counts.passed;
        tally.failed += counts.failed;
        if counts.failed > 0 {
            tally
                .failures
                .push(format!("{name}: {} failed", counts.failed));
        } else if !status.success() {
            // It failed before running its tests: count it as one failure.
            tally.failed += 1;
            tally
                .failures
                .push(format!("{name}: {status} (did it build?)"));
        }
        println!(
            "-- {name}: {} passed, {} failed{}",
            counts.passed,
            counts.failed,
            if status.success() {
                ""
            } else {
                " (command failed)"
            }
        );
    }
    Ok(tally)
}

/// Test counts summed over the `test result:` lines of cargo test output.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    passed: usize,
    failed: usize,
}

impl Counts {
    fn add_line(&mut self, line: &str) {
        static RESULT: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
        let re = RESULT.get_or_init(|| {
            Regex::new(r"^test result: \w+\. (\d+) passed; (\d+) failed").expect("valid regex")
        });
        if let Some(caps) = re.captures(line.trim_end()) {
            self.passed += caps[1].parse::<usize>().unwrap_or(0);
            self.failed += caps[2].parse::<usize>().unwrap_or(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_test_result_lines() {
        let output = "\
running 3 tests
test a ... ok
test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

test result: FAILED. 10 passed; 2 failed; 1 ignored; 0 measured; 0 filtered out; finished in 1.02s
test result is not a result line: 5 passed; 5 failed
   Doc-tests boot
test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
";
        let mut counts = Counts::default();
        for line in output.lines() {
            counts.add_line(line);
        }
        assert_eq!(
            counts,
            Counts {
                passed: 13,
                failed: 2
            }
        );
    }
}
