//! `vdev shmem`'s `allow GLOB` / `deny GLOB`: which VMs (by `system`
//! name) may connect to a shared region, and the text form in which the
//! first VM to open a region publishes its rules for the others
//! (`docs/vdevs.md` "shmem").
//!
//! A VM may connect unless a `deny` glob matches its name, or there are
//! `allow` globs and none matches it. A glob's `*` matches any run of
//! characters (none too), `?` any one character; the rest match
//! themselves. A VM without a `system` name is checked as `qvm`.

use alloc::string::String;

/// Whether `glob` matches all of `name`.
pub fn glob(glob: &str, name: &str) -> bool {
    let (g, n): (alloc::vec::Vec<char>, alloc::vec::Vec<char>) =
        (glob.chars().collect(), name.chars().collect());
    // The classic two-pointer walk, going back to the last `*` on a
    // mismatch.
    let (mut gi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match g.get(gi) {
            Some('*') => {
                star = Some((gi, ni));
                gi += 1;
            }
            Some(&c) if c == '?' || c == n[ni] => {
                gi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sg, sn)) => {
                    gi = sg + 1;
                    ni = sn + 1;
                    star = Some((sg, sn + 1));
                }
                None => return false,
            },
        }
    }
    g[gi..].iter().all(|&c| c == '*')
}

/// Whether the VM `name` may connect under these rules.
pub fn allowed<'a>(
    allow: impl IntoIterator<Item = &'a str>,
    deny: impl IntoIterator<Item = &'a str>,
    name: &str,
) -> bool {
    if deny.into_iter().any(|g| glob(g, name)) {
        return false;
    }
    let mut any = false;
    for g in allow {
        if glob(g, name) {
            return true;
        }
        any = true;
    }
    !any
}

/// The rules as published: one line each, `+GLOB` or `-GLOB`.
pub fn publish(allow: &[String], deny: &[String]) -> String {
    let mut s = String::new();
    for (mark, list) in [('+', allow), ('-', deny)] {
        for g in list {
            s.push(mark);
            s.push_str(g);
            s.push('\n');
        }
    }
    s
}

/// Whether `name` may connect under published `rules`.
pub fn allowed_by(rules: &str, name: &str) -> bool {
    let allow = rules.lines().filter_map(|l| l.strip_prefix('+'));
    let deny = rules.lines().filter_map(|l| l.strip_prefix('-'));
    allowed(allow, deny, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*", ""));
        assert!(glob("*", "vm1"));
        assert!(glob("vm?", "vm1"));
        assert!(!glob("vm?", "vm12"));
        assert!(glob("vm*2", "vm12"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
        assert!(glob("exact", "exact"));
        assert!(!glob("exact", "exactly"));
        assert!(!glob("", "x"));
    }

    #[test]
    fn rules() {
        let none: [&str; 0] = [];
        assert!(allowed(none, none, "any"));
        assert!(allowed(["vm*"], none, "vm2"));
        assert!(!allowed(["vm*"], none, "other"));
        assert!(!allowed(["vm*"], ["vm2"], "vm2"));
        assert!(!allowed(none, ["*"], "vm2"));
    }

    #[test]
    fn published_rules_read_back() {
        let text = publish(&["vm*".into()], &["vm3".into()]);
        assert_eq!(text, "+vm*\n-vm3\n");
        assert!(allowed_by(&text, "vm1"));
        assert!(!allowed_by(&text, "vm3"));
        assert!(!allowed_by(&text, "x"));
        assert!(allowed_by("", "x"));
    }
}
