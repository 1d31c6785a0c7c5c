//! What the installer reads from apt and QEMU, as pure functions: the
//! mirror already in the machine's sources, the plan of a simulated
//! `apt-get install -s`, and `qemu-system-aarch64 --version`.
//!
//! Kept apart from the commands that produce their input so each reading is
//! tested on the build host with the text apt and QEMU really print.

/// A QEMU version, `major.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct QemuVersion {
    /// Major version (10 in 10.0.2).
    pub major: u32,
    /// Minor version (0 in 10.0.2).
    pub minor: u32,
}

impl std::fmt::Display for QemuVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The version in `qemu-system-aarch64 --version` output
/// ("QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2...)").
pub fn qemu_version(output: &str) -> Option<QemuVersion> {
    let rest = output.split("version ").nth(1)?;
    let word = rest.split_whitespace().next()?;
    let mut parts = word.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some(QemuVersion { major, minor })
}

/// The upstream QEMU version inside a Debian package version
/// ("1:10.0.2+ds-2+deb13u1~bpo12+1" is 10.0).
pub fn debian_qemu_version(version: &str) -> Option<QemuVersion> {
    let upstream = version.split_once(':').map_or(version, |(_, v)| v);
    let mut parts = upstream.split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some(QemuVersion { major, minor })
}

/// The candidate version in `apt-cache policy PACKAGE` output, if any.
pub fn policy_candidate(output: &str) -> Option<&str> {
    let line = output
        .lines()
        .find_map(|l| l.trim().strip_prefix("Candidate:"))?;
    let version = line.trim();
    (version != "(none)" && !version.is_empty()).then_some(version)
}

/// One Debian archive source: the mirror's URI and the key that signs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    /// The archive's URI (`http://deb.debian.org/debian`).
    pub uri: String,
    /// `Signed-By` of the source it came from, if it had one.
    pub signed_by: Option<String>,
}

/// The mirror that serves `suite` (e.g. `bookworm`) with the `main`
/// component, found in one sources file: one-line (`deb URI SUITE COMP...`,
/// with an optional `[signed-by=...]`) or deb822 (`Types:`/`URIs:`/`Suites:`
/// stanzas).
pub fn find_mirror(text: &str, suite: &str) -> Option<Mirror> {
    find_deb822(text, suite).or_else(|| find_one_line(text, suite))
}

fn find_one_line(text: &str, suite: &str) -> Option<Mirror> {
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let Some(rest) = line.strip_prefix("deb ") else {
            continue;
        };
        let mut rest = rest.trim_start();
        let mut signed_by = None;
        if let Some(options) = rest.strip_prefix('[') {
            let (opts, after) = options.split_once(']')?;
            signed_by = opts
                .split_whitespace()
                .find_map(|o| o.strip_prefix("signed-by="))
                .map(str::to_string);
            rest = after.trim_start();
        }
        let words: Vec<&str> = rest.split_whitespace().collect();
        if words.len() >= 3 && words[1] == suite && words[2..].contains(&"main") {
            return Some(Mirror {
                uri: words[0].to_string(),
                signed_by,
            });
        }
    }
    None
}

fn find_deb822(text: &str, suite: &str) -> Option<Mirror> {
    for stanza in text.split("\n\n") {
        let field = |name: &str| -> Option<String> {
            stanza
                .lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .find_map(|l| {
                    let (key, value) = l.split_once(':')?;
                    key.trim()
                        .eq_ignore_ascii_case(name)
                        .then(|| value.trim().to_string())
                })
        };
        let types = field("Types").unwrap_or_default();
        let suites = field("Suites").unwrap_or_default();
        let components = field("Components").unwrap_or_default();
        if field("Enabled").is_some_and(|e| e.eq_ignore_ascii_case("no")) {
            continue;
        }
        if !types.split_whitespace().any(|t| t == "deb")
            || !suites.split_whitespace().any(|s| s == suite)
            || !components.split_whitespace().any(|c| c == "main")
        {
            continue;
        }
        let uri = field("URIs")?.split_whitespace().next()?.to_string();
        return Some(Mirror {
            uri,
            signed_by: field("Signed-By"),
        });
    }
    None
}

/// Whether a sources file already names `suite` (e.g. `bookworm-backports`).
pub fn names_suite(text: &str, suite: &str) -> bool {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .any(|l| {
            let l = l.trim();
            (l.starts_with("deb ") && l.split_whitespace().any(|w| w == suite))
                || l.to_ascii_lowercase().starts_with("suites:")
                    && l.split_whitespace().skip(1).any(|w| w == suite)
        })
}

/// A deb822 sources stanza for `suite` on `mirror`.
pub fn deb822_source(mirror: &Mirror, suite: &str) -> String {
    let mut text = format!(
        "# Added by `cargo xtask` for QEMU 10 (qemu-system-arm) from {suite}.\n\
         Types: deb\nURIs: {}\nSuites: {suite}\nComponents: main\n",
        mirror.uri
    );
    if let Some(key) = &mirror.signed_by {
        text.push_str(&format!("Signed-By: {key}\n"));
    }
    text
}

/// What a simulated install (`apt-get install -s`) would do to packages the
/// machine already has.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Packages it would remove or purge.
    pub removes: Vec<String>,
    /// Installed packages it would replace: `(name, installed, planned)`.
    pub replaces: Vec<(String, String, String)>,
}

/// Reads `apt-get install -s` output: `Remv NAME [VER]`, `Purg NAME [VER]`,
/// and `Inst NAME [OLD] (NEW ...)` for an installed package being replaced.
pub fn read_plan(output: &str) -> Plan {
    let mut plan = Plan::default();
    for line in output.lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("Remv" | "Purg") => {
                if let Some(name) = words.next() {
                    plan.removes.push(name.to_string());
                }
            }
            Some("Inst") => {
                let (Some(name), Some(old)) = (words.next(), words.next()) else {
                    continue;
                };
                let Some(old) = old.strip_prefix('[').and_then(|o| o.strip_suffix(']')) else {
                    continue;
                };
                let new = words
                    .next()
                    .and_then(|n| n.strip_prefix('('))
                    .unwrap_or("")
                    .to_string();
                plan.replaces.push((name.to_string(), old.to_string(), new));
            }
            _ => {}
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_qemu_versions() {
        let out = "QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)\n\
                   Copyright (c) 2003-2025 Fabrice Bellard and the QEMU Project developers\n";
        assert_eq!(
            qemu_version(out),
            Some(QemuVersion {
                major: 10,
                minor: 0
            })
        );
        let old = "QEMU emulator version 7.2.19 (Debian 1:7.2+dfsg-7+deb12u18+b3)";
        assert_eq!(qemu_version(old), Some(QemuVersion { major: 7, minor: 2 }));
        assert_eq!(qemu_version("garbage"), None);
        assert!(
            QemuVersion { major: 7, minor: 2 }
                < QemuVersion {
                    major: 10,
                    minor: 0
                }
        );
        assert_eq!(
            debian_qemu_version("1:10.0.2+ds-2+deb13u1~bpo12+1"),
            Some(QemuVersion {
                major: 10,
                minor: 0
            })
        );
        assert_eq!(
            debian_qemu_version("1:7.2+dfsg-7+deb12u18+b3"),
            Some(QemuVersion { major: 7, minor: 2 })
        );
        assert_eq!(
            debian_qemu_version("1:8.2.2+ds-0ubuntu1"),
            Some(QemuVersion { major: 8, minor: 2 })
        );
    }

    #[test]
    fn reads_the_policy_candidate() {
        let out = "qemu-system-arm:\n  Installed: (none)\n  Candidate: 1:7.2+dfsg-7+deb12u18+b3\n  Version table:\n";
        assert_eq!(policy_candidate(out), Some("1:7.2+dfsg-7+deb12u18+b3"));
        assert_eq!(policy_candidate("x:\n  Candidate: (none)\n"), None);
        assert_eq!(policy_candidate(""), None);
    }

    #[test]
    fn finds_the_mirror_in_deb822_sources() {
        let text = "Types: deb\n# http://snapshot.debian.org/archive/debian/20250520T000000Z\n\
                    URIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n\
                    Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n\
                    Types: deb\nURIs: http://mirror.example/debian-security\n\
                    Suites: bookworm-security\nComponents: main\n";
        let m = find_mirror(text, "bookworm").unwrap();
        assert_eq!(m.uri, "http://mirror.example/debian");
        assert_eq!(
            m.signed_by.as_deref(),
            Some("/usr/share/keyrings/debian-archive-keyring.gpg")
        );
        assert!(find_mirror(text, "trixie").is_none());
        assert!(!names_suite(text, "bookworm-backports"));
        let disabled =
            "Enabled: no\nTypes: deb\nURIs: http://x/debian\nSuites: bookworm\nComponents: main\n";
        assert!(find_mirror(disabled, "bookworm").is_none());
    }

    #[test]
    fn finds_the_mirror_in_one_line_sources() {
        let text = "# deb http://old/debian bookworm main\n\
                    deb-src http://src/debian bookworm main\n\
                    deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main contrib\n";
        let m = find_mirror(text, "bookworm").unwrap();
        assert_eq!(m.uri, "http://mirror.example/debian");
        assert_eq!(m.signed_by.as_deref(), Some("/k.gpg"));
        let plain = "deb http://m/debian bookworm main\n";
        assert_eq!(find_mirror(plain, "bookworm").unwrap().signed_by, None);
        assert!(names_suite(
            "deb http://m/debian bookworm-backports main\n",
            "bookworm-backports"
        ));
        assert!(names_suite(
            "Suites: bookworm-backports\n",
            "bookworm-backports"
        ));
    }

    #[test]
    fn writes_a_backports_stanza_on_the_same_mirror() {
        let m = Mirror {
            uri: "http://mirror.example/debian".into(),
            signed_by: Some("/k.gpg".into()),
        };
        let text = deb822_source(&m, "bookworm-backports");
        assert_eq!(find_mirror(&text, "bookworm-backports"), Some(m));
        assert!(names_suite(&text, "bookworm-backports"));
    }

    #[test]
    fn reads_a_plan_that_removes_and_replaces() {
        let out = "Remv qemu-utils [1:10.0.2+ds-2+deb13u1~bpo12+1]\n\
                   Inst libfdt1 (1.6.1-4+b1 Debian:12.15/oldstable [amd64])\n\
                   Inst libc6 [2.36-9] (2.36-9+deb12u1 Debian:12.15/oldstable [amd64])\n\
                   Conf libfdt1 (1.6.1-4+b1 Debian:12.15/oldstable [amd64])\n";
        let plan = read_plan(out);
        assert_eq!(plan.removes, vec!["qemu-utils".to_string()]);
        assert_eq!(
            plan.replaces,
            vec![(
                "libc6".to_string(),
                "2.36-9".to_string(),
                "2.36-9+deb12u1".to_string()
            )]
        );
        assert_eq!(read_plan("Inst a (1 x)\n"), Plan::default());
    }
}
