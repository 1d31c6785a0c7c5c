//! The pure part of a launcher line: the trailing `&`, the prefix words
//! before the program (`dev=SELECTOR`, `irq=N`, `shm=NAME`,
//! `allow=POWER,...`) and where the program is looked up. Nothing here
//! makes a system call, so the host tests it.

use abi::{MAX_INTID, POWER_INFO, POWER_SLAY};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// A line taken apart into words.
#[derive(Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// The line without its trailing `&`: what messages quote.
    pub text: &'a str,
    /// Whether it ended in `&` (run in the background).
    pub background: bool,
    /// Its words: prefixes, then the program and its arguments.
    pub words: Vec<&'a str>,
}

/// Takes `line` (already trimmed) apart.
pub fn split(line: &str) -> Line<'_> {
    let (text, background) = match line.strip_suffix('&') {
        Some(rest) => (rest.trim_end(), true),
        None => (line, false),
    };
    Line {
        text,
        background,
        words: text.split_whitespace().collect(),
    }
}

/// A prefix word before the program.
#[derive(Debug, PartialEq, Eq)]
pub enum Prefix<'a> {
    /// `dev=SELECTOR`: the device regions the selector names.
    Dev(&'a str),
    /// `irq=N`: interrupt INTID N.
    Irq(usize),
    /// `shm=NAME`: the shared-memory namespace of that name.
    Shm(&'a str),
    /// `allow=info,slay`: these `POWER_*` bits.
    Allow(u64),
}

/// The powers `allow=` names, by word.
pub const POWERS: &[(&str, u64)] = &[("info", POWER_INFO), ("slay", POWER_SLAY)];

/// What `word` is: `None` if it is no prefix (it is the program), else the
/// prefix or the message that says what is wrong with it.
pub fn prefix(word: &str) -> Option<Result<Prefix<'_>, String>> {
    if let Some(selector) = word.strip_prefix("dev=") {
        return Some(Ok(Prefix::Dev(selector)));
    }
    if let Some(number) = word.strip_prefix("irq=") {
        return Some(match number.parse::<usize>() {
            Ok(n) if n < MAX_INTID => Ok(Prefix::Irq(n)),
            _ => Err(format!("{word}: not an INTID (0 to {})", MAX_INTID - 1)),
        });
    }
    if let Some(name) = word.strip_prefix("shm=") {
        return Some(if name.is_empty() {
            Err(String::from("shm= needs a name"))
        } else {
            Ok(Prefix::Shm(name))
        });
    }
    if let Some(list) = word.strip_prefix("allow=") {
        return Some(powers(list).map(Prefix::Allow).ok_or_else(|| {
            let names: Vec<&str> = POWERS.iter().map(|(n, _)| *n).collect();
            format!("{word}: powers are {}", names.join(", "))
        }));
    }
    None
}

/// The bits of a comma-separated list of power names; `None` if one is
/// unknown or the list is empty.
fn powers(list: &str) -> Option<u64> {
    list.split(',').try_fold(0, |bits, name| {
        let (_, bit) = POWERS.iter().find(|(n, _)| *n == name)?;
        Some(bits | bit)
    })
}

/// Where `program` is: itself if it is an absolute path, else in `/bin`.
pub fn program_path(program: &str) -> String {
    if program.starts_with('/') {
        String::from(program)
    } else {
        format!("/bin/{program}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_off_the_background_mark() {
        let l = split("qvm @/etc/vm/a.qvmconf &");
        assert_eq!(l.text, "qvm @/etc/vm/a.qvmconf");
        assert!(l.background);
        assert_eq!(l.words, ["qvm", "@/etc/vm/a.qvmconf"]);
        let l = split("ktest late 1000");
        assert_eq!((l.text, l.background), ("ktest late 1000", false));
        let l = split("rtc&");
        assert_eq!(
            (l.text, l.background, &l.words[..]),
            ("rtc", true, &["rtc"][..])
        );
        assert!(split("").words.is_empty());
        assert!(split("&").words.is_empty());
    }

    #[test]
    fn knows_the_prefix_words() {
        assert_eq!(prefix("dev=arm,pl031"), Some(Ok(Prefix::Dev("arm,pl031"))));
        assert_eq!(prefix("irq=34"), Some(Ok(Prefix::Irq(34))));
        assert_eq!(prefix("shm=disk"), Some(Ok(Prefix::Shm("disk"))));
        assert_eq!(prefix("allow=info"), Some(Ok(Prefix::Allow(POWER_INFO))));
        assert_eq!(
            prefix("allow=info,slay"),
            Some(Ok(Prefix::Allow(POWER_INFO | POWER_SLAY)))
        );
        assert_eq!(prefix("qvm"), None);
        assert_eq!(prefix("/bin/qvm"), None);
        assert_eq!(prefix("devices"), None);
    }

    #[test]
    fn says_what_is_wrong_with_a_prefix() {
        let err = |w| prefix(w).unwrap().unwrap_err();
        assert_eq!(err("irq=1020"), "irq=1020: not an INTID (0 to 1019)");
        assert_eq!(err("irq=x"), "irq=x: not an INTID (0 to 1019)");
        assert_eq!(err("shm="), "shm= needs a name");
        assert_eq!(err("allow=root"), "allow=root: powers are info, slay");
        assert_eq!(err("allow="), "allow=: powers are info, slay");
        assert_eq!(err("allow=info,"), "allow=info,: powers are info, slay");
    }

    #[test]
    fn looks_programs_up_in_bin() {
        assert_eq!(program_path("qvm"), "/bin/qvm");
        assert_eq!(program_path("/guests/x"), "/guests/x");
    }
}
