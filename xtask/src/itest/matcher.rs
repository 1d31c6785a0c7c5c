//! Matching a console, line by line, against a case's ordered expectations.
//!
//! Each line is checked against the next unmatched expectation first; if it
//! matches, the matcher moves on. Otherwise a line matching one of the "bad"
//! patterns fails the case at once; any other line is let through (the
//! kernel prints many things no case cares about). So an expectation may
//! deliberately match a line that would otherwise be bad.
//!
//! Lines that come through different devices (a UART and a virtio-console)
//! reach the console in no fixed order: an expectation marked `any_order`
//! may also match before the ones just above it.

use std::fmt;

use regex_lite::Regex;

/// One expected line: a regular expression searched anywhere in the line,
/// and values that some of its named groups must have.
#[derive(Clone, Debug)]
pub struct Expect {
    /// The pattern.
    pub re: Regex,
    /// `(group name, value)`: when the pattern matches, each named group must
    /// equal its value, or the case fails there.
    pub groups: Vec<(String, String)>,
    /// Keys to type on the console once this line has been seen.
    pub send: Vec<u8>,
    /// Whether this line may come before the expectation above it (and so
    /// on up a run of `any_order` ones).
    pub any_order: bool,
}

impl Expect {
    /// An expected line matching `pattern`. Panics if it is not a valid
    /// regular expression (cases are data in this crate; a unit test builds
    /// them all).
    pub fn line(pattern: &str) -> Expect {
        let re = Regex::new(pattern)
            .unwrap_or_else(|e| panic!("bad expectation pattern /{pattern}/: {e}"));
        Expect {
            re,
            groups: Vec::new(),
            send: Vec::new(),
            any_order: false,
        }
    }

    /// This line may also come before the expectation above it: they are
    /// printed through different devices.
    pub fn any_order(mut self) -> Expect {
        self.any_order = true;
        self
    }

    /// Type `keys` on the console once this line has been seen.
    pub fn then_type(mut self, keys: &[u8]) -> Expect {
        self.send = keys.to_vec();
        self
    }

    /// Also require the named group `name` to equal `value`.
    pub fn group(mut self, name: &str, value: impl ToString) -> Expect {
        assert!(
            self.re.capture_names().any(|n| n == Some(name)),
            "pattern /{}/ has no group named `{name}`",
            self.re.as_str()
        );
        self.groups.push((name.to_string(), value.to_string()));
        self
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}/", self.re.as_str())?;
        for (name, value) in &self.groups {
            write!(f, " with {name}={value}")?;
        }
        Ok(())
    }
}

/// What a line did to the match.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Some expectations are still to be matched.
    Pending,
    /// All expectations matched: the case passed.
    Done,
    /// The case failed, for this reason.
    Fail(String),
}

/// The state of matching one console.
pub struct Matcher<'a> {
    expects: &'a [Expect],
    bad: &'a [Regex],
    /// Which expectations have matched.
    matched: Vec<bool>,
    /// The first expectation not matched yet.
    next: usize,
    /// The expectation the last line matched, if it matched one.
    last_match: Option<usize>,
    failed: bool,
}

impl<'a> Matcher<'a> {
    /// A matcher of `expects`, in order, failing on lines matching `bad`.
    pub fn new(expects: &'a [Expect], bad: &'a [Regex]) -> Matcher<'a> {
        Matcher {
            expects,
            bad,
            matched: vec![false; expects.len()],
            next: 0,
            last_match: None,
            failed: false,
        }
    }

    /// The expectation (its index) the last line fed matched, if any.
    pub fn last_match(&self) -> Option<usize> {
        self.last_match
    }

    /// The expectations a line may match now: the first unmatched one and
    /// the `any_order` ones right after it.
    fn window(&self) -> std::ops::Range<usize> {
        let end = (self.next + 1..self.expects.len())
            .find(|&k| !self.expects[k].any_order)
            .unwrap_or(self.expects.len());
        self.next..end.max(self.next)
    }

    /// Whether every expectation has matched.
    pub fn is_done(&self) -> bool {
        !self.failed && self.next == self.expects.len()
    }

    /// The first expectation not matched yet, with its number from 1.
    pub fn pending(&self) -> Option<(usize, &'a Expect)> {
        self.expects.get(self.next).map(|e| (self.next + 1, e))
    }

    /// How far the match is, for messages: "expectation 2 of 4, /pattern/".
    pub fn describe_pending(&self) -> String {
        match self.pending() {
            Some((n, e)) => format!("expectation {n} of {}, {e}", self.expects.len()),
            None => "nothing".into(),
        }
    }

    /// Take one console line.
    pub fn feed(&mut self, line: &str) -> Step {
        if self.failed {
            return Step::Fail("already failed".into());
        }
        self.last_match = None;
        if self.next < self.expects.len() {
            let hit = self.window().find_map(|k| {
                let caps = (!self.matched[k]).then(|| self.expects[k].re.captures(line))??;
                Some((k, caps))
            });
            if let Some((k, caps)) = hit {
                for (name, want) in &self.expects[k].groups {
                    let got = caps.name(name).map_or("", |m| m.as_str());
                    if got != want {
                        self.failed = true;
                        return Step::Fail(format!(
                            "line {line:?} matched expectation {} but has {name}={got}, expected {name}={want}",
                            k + 1
                        ));
                    }
                }
                self.matched[k] = true;
                self.last_match = Some(k);
                while self.matched.get(self.next) == Some(&true) {
                    self.next += 1;
                }
            } else if let Some(bad) = self.bad.iter().find(|b| b.is_match(line)) {
                self.failed = true;
                return Step::Fail(format!(
                    "bad line {line:?} (matches /{}/) while waiting for {}",
                    bad.as_str(),
                    self.describe_pending()
                ));
            }
        }
        if self.is_done() {
            Step::Done
        } else {
            Step::Pending
        }
    }
}

/// Match a whole console: `Ok` if every expectation matched, in order,
/// before any bad line; else why not.
#[allow(
    dead_code,
    reason = "the runner feeds lines one by one; tests use this"
)]
pub fn check<'l>(
    expects: &[Expect],
    bad: &[Regex],
    lines: impl IntoIterator<Item = &'l str>,
) -> Result<(), String> {
    let mut matcher = Matcher::new(expects, bad);
    if matcher.is_done() {
        return Ok(());
    }
    for line in lines {
        match matcher.feed(line) {
            Step::Pending => {}
            Step::Done => return Ok(()),
            Step::Fail(why) => return Err(why),
        }
    }
    Err(format!(
        "the console ended before {}",
        matcher.describe_pending()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad() -> Vec<Regex> {
        ["KERNEL PANIC", "FAIL", "panicked at"]
            .iter()
            .map(|p| Regex::new(p).unwrap())
            .collect()
    }

    fn expects(patterns: &[&str]) -> Vec<Expect> {
        patterns.iter().map(|p| Expect::line(p)).collect()
    }

    #[test]
    fn matches_in_order_skipping_other_lines() {
        let e = expects(&["^a$", "b+", "c"]);
        let lines = ["noise", "a", "more noise", "xbbby", "c", "after"];
        assert_eq!(check(&e, &bad(), lines), Ok(()));
    }

    #[test]
    fn order_matters() {
        let e = expects(&["first", "second"]);
        let err = check(&e, &bad(), ["second", "first"]).unwrap_err();
        assert!(
            err.contains("ended before expectation 2 of 2, /second/"),
            "{err}"
        );
    }

    #[test]
    fn any_order_lines_may_come_first() {
        let e = vec![
            Expect::line("a"),
            Expect::line("b"),
            Expect::line("c").any_order(),
            Expect::line("d"),
        ];
        assert_eq!(check(&e, &bad(), ["a", "c", "b", "d"]), Ok(()));
        assert_eq!(check(&e, &bad(), ["a", "b", "c", "d"]), Ok(()));
        // Not before the run it belongs to, nor after the next ordered one.
        assert!(check(&e, &bad(), ["c", "a", "b", "d"]).is_err());
        assert!(check(&e, &bad(), ["a", "b", "d", "c"]).is_err());
        let mut m = Matcher::new(&e, &[]);
        m.feed("a");
        m.feed("c");
        assert_eq!(m.last_match(), Some(2));
        assert_eq!(m.pending().map(|(n, _)| n), Some(2));
        m.feed("noise");
        assert_eq!(m.last_match(), None);
    }

    #[test]
    fn one_line_matches_one_expectation() {
        let e = expects(&["x", "x"]);
        assert!(check(&e, &bad(), ["x"]).is_err());
        assert_eq!(check(&e, &bad(), ["x", "x"]), Ok(()));
    }

    #[test]
    fn bad_lines_fail_at_once() {
        let e = expects(&["boot", "done"]);
        let err = check(&e, &bad(), ["boot", "ktest: FAIL threads", "done"]).unwrap_err();
        assert!(err.contains("\"ktest: FAIL threads\""), "{err}");
        assert!(err.contains("/FAIL/"), "{err}");
        assert!(err.contains("expectation 2 of 2, /done/"), "{err}");
        let err = check(&e, &bad(), ["KERNEL PANIC on CPU 0"]).unwrap_err();
        assert!(err.contains("KERNEL PANIC"), "{err}");
    }

    #[test]
    fn an_expectation_may_match_a_bad_line() {
        let e = expects(&["process 3 panicked at"]);
        assert_eq!(check(&e, &bad(), ["process 3 panicked at x.rs:1"]), Ok(()));
    }

    #[test]
    fn lines_after_the_last_expectation_are_not_checked() {
        let mut m_expects = expects(&["done"]);
        let bad = bad();
        let mut m = Matcher::new(&m_expects, &bad);
        assert_eq!(m.feed("done"), Step::Done);
        assert!(m.is_done());
        assert_eq!(m.feed("FAIL"), Step::Done);
        m_expects.clear();
        assert_eq!(check(&m_expects, &bad, ["FAIL"]), Ok(()));
    }

    #[test]
    fn named_groups_must_have_their_values() {
        let banner = r"(?P<cpus>\d+) CPUs?, GICv(?P<gic>\d)";
        let e = vec![Expect::line(banner).group("cpus", 4).group("gic", 3)];
        assert_eq!(check(&e, &bad(), ["qhv: 4 CPUs, GICv3"]), Ok(()));
        let err = check(&e, &bad(), ["qhv: 1 CPU, GICv3"]).unwrap_err();
        assert!(err.contains("cpus=1, expected cpus=4"), "{err}");
        let err = check(&e, &bad(), ["qhv: 4 CPUs, GICv2"]).unwrap_err();
        assert!(err.contains("gic=2, expected gic=3"), "{err}");
    }

    #[test]
    #[should_panic(expected = "no group named `cpu`")]
    fn group_names_are_checked() {
        let _ = Expect::line(r"(?P<cpus>\d+)").group("cpu", 1);
    }

    #[test]
    fn describes_expectations() {
        let e = Expect::line(r"GICv(?P<gic>\d)").group("gic", 2);
        assert_eq!(e.to_string(), r"/GICv(?P<gic>\d)/ with gic=2");
    }
}
