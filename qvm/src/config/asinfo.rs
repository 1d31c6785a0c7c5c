//! QNX's variables of the host's memory map in an argument:
//! `$asinfo_start{NAME}` and `$asinfo_length{NAME}`, the first address and
//! the size of the host's area NAME (`pidin syspage=asinfo` lists them),
//! replaced by the number in hex before the argument is read. `qvm` looks
//! them up in the kernel's map; where no map is known (`cargo xtask
//! qvm-check` on the build host) a variable is an error naming it.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;

/// Looks up a host area by name: its first address and size.
pub type AsinfoLookup<'a> = &'a dyn Fn(&str) -> Option<(u64, u64)>;

/// The variables, and which half of an area each gives.
const VARIABLES: [(&str, bool); 2] = [("$asinfo_start{", true), ("$asinfo_length{", false)];

/// `text` with every variable replaced through `lookup`, or why not (a
/// message naming the variable).
pub fn expand<'t>(text: &'t str, lookup: Option<AsinfoLookup>) -> Result<Cow<'t, str>, String> {
    if !text.contains("$asinfo_") {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("$asinfo_") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let Some(&(open, start)) = VARIABLES.iter().find(|(v, _)| tail.starts_with(v)) else {
            let word = tail.split(['{', ',', '=']).next().unwrap_or(tail);
            return Err(format!(
                "unknown variable '{word}' (the host's memory map gives $asinfo_start{{NAME}} \
                 and $asinfo_length{{NAME}})"
            ));
        };
        let Some(close) = tail.find('}') else {
            return Err(format!("'{tail}': no '}}' after the area's name"));
        };
        let variable = &tail[..=close];
        let name = &tail[open.len()..close];
        let Some(lookup) = lookup else {
            return Err(format!(
                "'{variable}': the host's memory map (asinfo) is not known here; it is read \
                 by qvm on the target (give the number to check this file on the build host)"
            ));
        };
        let Some((base, size)) = lookup(name) else {
            return Err(format!(
                "'{variable}': the host's memory map has no area '{name}' (pidin \
                 syspage=asinfo lists them)"
            ));
        };
        out.push_str(&format!("{:#x}", if start { base } else { size }));
        rest = &tail[close + 1..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(name: &str) -> Option<(u64, u64)> {
        (name == "android_sysram1").then_some((0x8000_0000, 0x1000_0000))
    }

    #[test]
    fn variables_become_numbers() {
        let text = "mem:$asinfo_start{android_sysram1},$asinfo_length{android_sysram1},rwcxm";
        assert_eq!(
            expand(text, Some(&map)).unwrap(),
            "mem:0x80000000,0x10000000,rwcxm"
        );
        assert!(matches!(
            expand("mem:0x1000,4K,rw", None),
            Ok(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn what_cannot_be_expanded_is_named() {
        let e = expand("mem:$asinfo_start{x},4K,rw", Some(&map)).unwrap_err();
        assert!(
            e.starts_with("'$asinfo_start{x}': the host's memory map has no area 'x'"),
            "{e}"
        );
        let e = expand("$asinfo_length{android_sysram1}", None).unwrap_err();
        assert!(e.starts_with("'$asinfo_length{android_sysram1}': the host's memory map (asinfo) is not known here"), "{e}");
        let e = expand("$asinfo_end{a}", Some(&map)).unwrap_err();
        assert!(e.starts_with("unknown variable '$asinfo_end'"), "{e}");
        let e = expand("$asinfo_start{a", Some(&map)).unwrap_err();
        assert!(e.contains("no '}' after"), "{e}");
    }
}
