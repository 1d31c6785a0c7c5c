//! The buildfile language (feature `std`), in the spirit of QNX `mkifs`.
//!
//! ```text
//! # comment lines start with '#', may also follow content after whitespace
//! [startup]
//! qvm @/etc/vm/linux.qvmconf &
//! sh
//! [files]
//! /bin/init = ${target}/init
//! /etc/motd = ${root}/boot/boards/motd.txt
//! /sbin/tool = ${target}/tool  exec
//! ```
//!
//! - A `#` at the start of a line or after whitespace starts a comment that
//!   runs to the end of the line. Blank lines are ignored.
//! - `[startup]` and `[files]` open sections; each may appear at most once.
//!   Content before the first section is an error.
//! - `[startup]`: every line is one startup command, kept verbatim (trimmed).
//!   The startup script is the lines joined with `\n`, with a trailing `\n`
//!   (empty if there are no lines); [`build_image`] stores it as
//!   [`STARTUP_PATH`].
//! - `[files]`: `DEST = SRC [exec]`. `DEST` is the absolute bootfs path,
//!   `SRC` the host file; a relative `SRC` is relative to the buildfile's
//!   directory. Files under `/bin/` are executable; `exec` marks others.
//! - `[reserve]` (optional, at most once): `ram ADDR,SIZE` lines, RAM the
//!   kernel sets aside at boot for pass-through ([`crate::reserve`]);
//!   [`build_image`] stores them as [`crate::reserve::RESERVE_PATH`].
//! - `${name}` is replaced from the caller's variables in startup lines,
//!   `DEST` and `SRC`; an unknown name or an unterminated `${` is an error.
//!
//! Every error displays as `FILE:LINE: message`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::bootfs::FLAG_EXEC;
use crate::writer::{BootfsWriter, check_name};

/// The bootfs path of the startup script generated from `[startup]`.
pub const STARTUP_PATH: &str = "/etc/startup";

/// A parsed buildfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Buildfile {
    /// The buildfile's name as given to [`parse`], for error messages.
    pub file_name: String,
    /// The startup script: one command per line, each ending in `\n`.
    pub startup: String,
    /// The files of the image, in buildfile order.
    pub files: Vec<FileSpec>,
    /// RAM set aside for pass-through (`[reserve]`).
    pub reserve: Vec<crate::reserve::Reserved>,
}

/// One line of the `[files]` section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSpec {
    /// Absolute path in the bootfs.
    pub dest: String,
    /// Host path of the contents (relative ones already joined to the
    /// buildfile's directory).
    pub src: PathBuf,
    /// Whether the file is executable (under `/bin/` or marked `exec`).
    pub exec: bool,
    /// Line number in the buildfile (1-based).
    pub line: usize,
}

/// An error in a buildfile, or while building its image.
///
/// Displays as `FILE:LINE: message` (`FILE: message` if `line` is 0, for
/// errors not tied to a line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildfileError {
    /// The buildfile's name.
    pub file: String,
    /// Line number (1-based), or 0 if the error concerns no single line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for BuildfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

impl std::error::Error for BuildfileError {}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Startup,
    Files,
    Reserve,
}

/// Removes a comment: `#` at the start or after whitespace, to the end.
fn strip_comment(line: &str) -> &str {
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_space {
            return &line[..i];
        }
        prev_space = c.is_whitespace();
    }
    line
}

/// Replaces every `${name}` in `text` from `vars`.
fn substitute(text: &str, vars: &HashMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(format!("unterminated '${{' in '{text}'"));
        };
        let name = &after[..end];
        if name.is_empty() {
            return Err("empty variable name '${}'".to_owned());
        }
        match vars.get(name) {
            Some(value) => out.push_str(value),
            None => {
                let mut known: Vec<&str> = vars.keys().map(String::as_str).collect();
                known.sort_unstable();
                let known = if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                };
                return Err(format!("unknown variable '{name}' (known: {known})"));
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// If `line` is a section header `[name]`, its name.
fn section_header(line: &str) -> Option<&str> {
    let name = line.strip_prefix('[')?.strip_suffix(']')?.trim();
    let is_word = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    is_word.then_some(name)
}

/// Parses buildfile `text`.
///
/// `file_name` names the buildfile in errors; `base_dir` is the directory
/// relative `SRC` paths are resolved against (usually the buildfile's
/// directory); `vars` supplies the `${name}` substitutions.
pub fn parse(
    text: &str,
    file_name: &str,
    base_dir: &Path,
    vars: &HashMap<String, String>,
) -> Result<Buildfile, BuildfileError> {
    let mut section = Section::None;
    let mut startup_seen: Option<usize> = None;
    let mut files_seen: Option<usize> = None;
    let mut reserve_seen: Option<usize> = None;
    let mut reserve_text = String::new();
    let mut reserve_lines = Vec::new();
    let mut startup = String::new();
    let mut files = Vec::new();
    let mut dests: HashMap<String, usize> = HashMap::new();

    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let err = |message: String| BuildfileError {
            file: file_name.to_owned(),
            line: line_no,
            message,
        };
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = section_header(line) {
            let (seen, next) = match name {
                "startup" => (&mut startup_seen, Section::Startup),
                "files" => (&mut files_seen, Section::Files),
                "reserve" => (&mut reserve_seen, Section::Reserve),
                _ => {
                    return Err(err(format!(
                        "unknown section '[{name}]' (expected [startup], [files] or [reserve])"
                    )));
                }
            };
            if let Some(first) = *seen {
                return Err(err(format!(
                    "section [{name}] repeated (first at line {first})"
                )));
            }
            *seen = Some(line_no);
            section = next;
            continue;
        }
        match section {
            Section::None => {
                return Err(err(
                    "text before any section (expected [startup] or [files])".to_owned(),
                ));
            }
            Section::Startup => {
                startup.push_str(&substitute(line, vars).map_err(err)?);
                startup.push('\n');
            }
            Section::Reserve => {
                reserve_text.push_str(&substitute(line, vars).map_err(err)?);
                reserve_text.push('\n');
                reserve_lines.push(line_no);
            }
            Section::Files => {
                let spec = parse_file_line(line, base_dir, vars).map_err(err)?;
                if let Some(first) = dests.get(&spec.dest) {
                    return Err(err(format!(
                        "duplicate destination '{}' (first at line {first})",
                        spec.dest
                    )));
                }
                dests.insert(spec.dest.clone(), line_no);
                files.push(FileSpec {
                    line: line_no,
                    ..spec
                });
            }
        }
    }
    let reserve = crate::reserve::parse(&reserve_text).map_err(|e| BuildfileError {
        file: file_name.to_owned(),
        line: reserve_lines.get(e.line - 1).copied().unwrap_or(0),
        message: format!("[reserve]: {}", e.reason),
    })?;
    Ok(Buildfile {
        file_name: file_name.to_owned(),
        startup,
        files,
        reserve: reserve.to_vec(),
    })
}

/// Parses `DEST = SRC [exec]` (comment already removed, trimmed).
fn parse_file_line(
    line: &str,
    base_dir: &Path,
    vars: &HashMap<String, String>,
) -> Result<FileSpec, String> {
    let Some((dest, rhs)) = line.split_once('=') else {
        return Err(format!("expected 'DEST = SRC [exec]', found '{line}'"));
    };
    let dest = substitute(dest.trim(), vars)?;
    if dest.is_empty() {
        return Err("missing destination before '='".to_owned());
    }
    check_name(&dest).map_err(|reason| format!("bad destination '{dest}': {reason}"))?;
    let mut words = rhs.split_whitespace();
    let Some(src) = words.next() else {
        return Err(format!("missing source for '{dest}'"));
    };
    let mut exec = dest.starts_with("/bin/");
    match words.next() {
        None => {}
        Some("exec") => exec = true,
        Some(word) => {
            return Err(format!(
                "unexpected '{word}' after source (only 'exec' may follow)"
            ));
        }
    }
    if let Some(word) = words.next() {
        return Err(format!("unexpected '{word}' after 'exec'"));
    }
    let src = substitute(src, vars)?;
    Ok(FileSpec {
        dest,
        src: base_dir.join(src),
        exec,
        line: 0,
    })
}

/// Builds the bootfs image of `buildfile`: reads every `SRC`, adds the
/// startup script as [`STARTUP_PATH`] and returns the bootfs bytes.
///
/// Errors name the buildfile line, and for unreadable files the `DEST` and
/// `SRC`. Listing [`STARTUP_PATH`] in `[files]` is an error.
pub fn build_image(buildfile: &Buildfile) -> Result<Vec<u8>, BuildfileError> {
    let err = |line: usize, message: String| BuildfileError {
        file: buildfile.file_name.clone(),
        line,
        message,
    };
    let mut writer = BootfsWriter::new();
    for file in &buildfile.files {
        if file.dest == STARTUP_PATH {
            return Err(err(
                file.line,
                format!("'{STARTUP_PATH}' is generated from [startup]; do not list it in [files]"),
            ));
        }
        if file.dest == crate::reserve::RESERVE_PATH {
            return Err(err(
                file.line,
                format!(
                    "'{}' is generated from [reserve]; do not list it in [files]",
                    crate::reserve::RESERVE_PATH
                ),
            ));
        }
        let data = std::fs::read(&file.src).map_err(|e| {
            err(
                file.line,
                format!(
                    "cannot read '{}' for '{}': {e}",
                    file.src.display(),
                    file.dest
                ),
            )
        })?;
        let flags = if file.exec { FLAG_EXEC } else { 0 };
        writer
            .add(&file.dest, data, flags)
            .map_err(|e| err(file.line, e.to_string()))?;
    }
    writer
        .add(STARTUP_PATH, buildfile.startup.as_bytes(), 0)
        .map_err(|e| err(0, e.to_string()))?;
    if !buildfile.reserve.is_empty() {
        let list = crate::reserve::render(&buildfile.reserve);
        writer
            .add(crate::reserve::RESERVE_PATH, list.into_bytes(), 0)
            .map_err(|e| err(0, e.to_string()))?;
    }
    Ok(writer.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bootfs::Bootfs;

    fn vars() -> HashMap<String, String> {
        HashMap::from([
            ("target".to_owned(), "/out/target".to_owned()),
            ("root".to_owned(), "/src".to_owned()),
        ])
    }

    fn ok(text: &str) -> Buildfile {
        parse(text, "t.build", Path::new("/base"), &vars()).unwrap()
    }

    fn fails(text: &str) -> String {
        parse(text, "t.build", Path::new("/base"), &vars())
            .unwrap_err()
            .to_string()
    }

    fn spec(dest: &str, src: &str, exec: bool, line: usize) -> FileSpec {
        FileSpec {
            dest: dest.to_owned(),
            src: PathBuf::from(src),
            exec,
            line,
        }
    }

    #[test]
    fn full_example() {
        let bf = ok("# comment lines start with '#'\n\
             \n\
             [startup]\n\
             qvm @/etc/vm/linux.qvmconf &   # trailing comment\n\
             \x20\x20ktest threads\x20\x20\n\
             sh\n\
             [files]\n\
             /bin/init = ${target}/init\n\
             /etc/motd = ${root}/boot/boards/motd.txt\n\
             /lib/ktest = ${target}/ktest  exec\n\
             /etc/rel = guests/linux.qvmconf\n");
        assert_eq!(bf.file_name, "t.build");
        assert_eq!(
            bf.startup,
            "qvm @/etc/vm/linux.qvmconf &\nktest threads\nsh\n"
        );
        assert_eq!(
            bf.files,
            [
                spec("/bin/init", "/out/target/init", true, 8),
                spec("/etc/motd", "/src/boot/boards/motd.txt", false, 9),
                spec("/lib/ktest", "/out/target/ktest", true, 10),
                spec("/etc/rel", "/base/guests/linux.qvmconf", false, 11),
            ]
        );
    }

    #[test]
    fn sections_in_any_order_and_optional() {
        let bf = ok("[files]\n/a = a\n[startup]\nsh\n");
        assert_eq!(bf.startup, "sh\n");
        assert_eq!(bf.files, [spec("/a", "/base/a", false, 2)]);
        let bf = ok("");
        assert_eq!(bf.startup, "");
        assert!(bf.files.is_empty());
        let bf = ok("# only comments\n\n   \n[startup]\n[files]\n");
        assert_eq!(bf.startup, "");
        assert!(bf.files.is_empty());
        assert_eq!(ok("[ startup ]\nx\n").startup, "x\n");
    }

    #[test]
    fn comments() {
        // '#' not preceded by whitespace is content.
        let bf = ok("[startup]\necho a#b # c\n#x\n   # y\n[files]\n/a#b = src#1 # c\n");
        assert_eq!(bf.startup, "echo a#b\n");
        assert_eq!(bf.files, [spec("/a#b", "/base/src#1", false, 6)]);
        assert_eq!(ok("[startup] # c\nsh\n").startup, "sh\n");
    }

    #[test]
    fn startup_substitution() {
        let bf = ok("[startup]\nrun ${target}/x ${root} $HOME $ {x}\n");
        assert_eq!(bf.startup, "run /out/target/x /src $HOME $ {x}\n");
    }

    #[test]
    fn exec_rules() {
        let bf = ok("[files]\n/bin/a = a\n/binx = b\n/sbin/c = c exec\n/d = d\n/bin/e = e exec\n");
        let exec: Vec<_> = bf.files.iter().map(|f| (f.dest.as_str(), f.exec)).collect();
        assert_eq!(
            exec,
            [
                ("/bin/a", true),
                ("/binx", false),
                ("/sbin/c", true),
                ("/d", false),
                ("/bin/e", true)
            ]
        );
    }

    #[test]
    fn substitution_in_dest_and_spaces_in_values() {
        let vars = HashMap::from([
            ("d".to_owned(), "/etc".to_owned()),
            ("s".to_owned(), "with space".to_owned()),
        ]);
        let bf = parse(
            "[files]\n${d}/x = ${s}/f exec\n",
            "v.build",
            Path::new("/b"),
            &vars,
        )
        .unwrap();
        assert_eq!(bf.files, [spec("/etc/x", "/b/with space/f", true, 2)]);
    }

    #[test]
    fn crlf_lines() {
        let bf = ok("[startup]\r\nsh\r\n[files]\r\n/a = a\r\n");
        assert_eq!(bf.startup, "sh\n");
        assert_eq!(bf.files, [spec("/a", "/base/a", false, 4)]);
    }

    #[test]
    fn errors() {
        let cases: &[(&str, &str)] = &[
            (
                "# c\nsh\n",
                "t.build:2: text before any section (expected [startup] or [files])",
            ),
            (
                "[startup]\n[boot]\n",
                "t.build:2: unknown section '[boot]' (expected [startup], [files] or [reserve])",
            ),
            (
                "[startup]\nsh\n\n[startup]\n",
                "t.build:4: section [startup] repeated (first at line 1)",
            ),
            (
                "[files]\n[startup]\n[files]\n",
                "t.build:3: section [files] repeated (first at line 1)",
            ),
            (
                "[files]\n/bin/init = ${targt}/init\n",
                "t.build:2: unknown variable 'targt' (known: root, target)",
            ),
            (
                "[startup]\nrun ${root\n",
                "t.build:2: unterminated '${' in 'run ${root'",
            ),
            (
                "[startup]\nrun ${}\n",
                "t.build:2: empty variable name '${}'",
            ),
            (
                "[files]\n/bin/init ${target}/init\n",
                "t.build:2: expected 'DEST = SRC [exec]', found '/bin/init ${target}/init'",
            ),
            (
                "[files]\n = x\n",
                "t.build:2: missing destination before '='",
            ),
            (
                "[files]\nbin/init = x\n",
                "t.build:2: bad destination 'bin/init': must start with '/'",
            ),
            (
                "[files]\n/bin//init = x\n",
                "t.build:2: bad destination '/bin//init': contains '//'",
            ),
            (
                "[files]\n/bin/ = x\n",
                "t.build:2: bad destination '/bin/': ends with '/'",
            ),
            (
                "[files]\n/a\0b = x\n",
                "t.build:2: bad destination '/a\0b': contains NUL",
            ),
            (
                "[files]\n/a =   # nothing\n",
                "t.build:2: missing source for '/a'",
            ),
            (
                "[files]\n/a = x ex\n",
                "t.build:2: unexpected 'ex' after source (only 'exec' may follow)",
            ),
            (
                "[files]\n/a = x exec more\n",
                "t.build:2: unexpected 'more' after 'exec'",
            ),
            (
                "[files]\n/a = x\n/b = y\n# c\n/a = z\n",
                "t.build:5: duplicate destination '/a' (first at line 2)",
            ),
            (
                "[files]\n${root}//a = x\n",
                "t.build:2: bad destination '/src//a': contains '//'",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(&fails(text), want, "for {text:?}");
        }
    }

    #[test]
    fn error_with_no_vars() {
        let err = parse(
            "\n\n[startup]\n${x}\n",
            "qemu-virt.build",
            Path::new("."),
            &HashMap::new(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            BuildfileError {
                file: "qemu-virt.build".into(),
                line: 4,
                message: "unknown variable 'x' (known: none)".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "qemu-virt.build:4: unknown variable 'x' (known: none)"
        );
        let whole = BuildfileError {
            file: "f".into(),
            line: 0,
            message: "m".into(),
        };
        assert_eq!(whole.to_string(), "f: m");
    }

    /// A fresh temporary directory for one test.
    fn temp_dir(tag: &str) -> PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "boot-buildfile-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn build_image_end_to_end() {
        let dir = temp_dir("e2e");
        std::fs::create_dir_all(dir.join("out")).unwrap();
        std::fs::write(dir.join("out/init"), b"\x7fELF init").unwrap();
        std::fs::write(dir.join("motd.txt"), b"welcome\n").unwrap();
        let big: Vec<u8> = (0..9000u32).map(|i| i as u8).collect();
        std::fs::write(dir.join("out/big"), &big).unwrap();
        let vars = HashMap::from([(
            "target".to_owned(),
            dir.join("out").to_string_lossy().into_owned(),
        )]);
        let text = "[startup]\nktest threads\nsh\n[files]\n\
                    /bin/init = ${target}/init\n\
                    /etc/motd = motd.txt\n\
                    /lib/big = ${target}/big exec\n";
        let bf = parse(text, "e2e.build", &dir, &vars).unwrap();
        let img = build_image(&bf).unwrap();
        let fs = Bootfs::parse(&img).unwrap();
        assert_eq!(fs.len(), 4);
        let names: Vec<_> = fs.files().map(|f| f.name).collect();
        assert_eq!(
            names,
            ["/bin/init", "/etc/motd", "/etc/startup", "/lib/big"]
        );
        let init = fs.find("/bin/init").unwrap();
        assert_eq!(init.data, b"\x7fELF init");
        assert!(init.is_executable());
        let motd = fs.find("/etc/motd").unwrap();
        assert_eq!(motd.data, b"welcome\n");
        assert!(!motd.is_executable());
        let startup = fs.find(STARTUP_PATH).unwrap();
        assert_eq!(startup.data, b"ktest threads\nsh\n");
        assert!(!startup.is_executable());
        let big_file = fs.find("/lib/big").unwrap();
        assert_eq!(big_file.data, big.as_slice());
        assert!(big_file.is_executable());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn build_image_missing_file() {
        let dir = temp_dir("missing");
        std::fs::write(dir.join("present"), b"x").unwrap();
        let text = "[files]\n/a = present\n\n/bin/gone = nothere\n";
        let bf = parse(text, "m.build", &dir, &HashMap::new()).unwrap();
        let err = build_image(&bf).unwrap_err();
        assert_eq!(err.file, "m.build");
        assert_eq!(err.line, 4);
        let src = dir.join("nothere");
        let prefix = format!(
            "m.build:4: cannot read '{}' for '/bin/gone': ",
            src.display()
        );
        let text = err.to_string();
        assert!(text.starts_with(&prefix), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn build_image_rejects_startup_in_files() {
        let dir = temp_dir("startup");
        std::fs::write(dir.join("s"), b"x").unwrap();
        let bf = parse(
            "[startup]\nsh\n[files]\n/etc/startup = s\n",
            "s.build",
            &dir,
            &HashMap::new(),
        )
        .unwrap();
        assert_eq!(
            build_image(&bf).unwrap_err().to_string(),
            "s.build:4: '/etc/startup' is generated from [startup]; do not list it in [files]"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn build_image_without_startup_section() {
        let dir = temp_dir("nostartup");
        std::fs::write(dir.join("f"), b"data").unwrap();
        let bf = parse("[files]\n/f = f\n", "n.build", &dir, &HashMap::new()).unwrap();
        let img = build_image(&bf).unwrap();
        let fs = Bootfs::parse(&img).unwrap();
        assert_eq!(fs.find(STARTUP_PATH).unwrap().data, b"");
        assert_eq!(fs.find("/f").unwrap().data, b"data");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reserve_section() {
        let bf = ok("[startup]\nsh\n[reserve]\nram 0x70000000,128M # pass-through\n");
        assert_eq!(
            bf.reserve,
            [crate::reserve::Reserved {
                base: 0x7000_0000,
                size: 128 << 20
            }]
        );
        let e = parse(
            "[reserve]\n\nram 0x1000,4K\nram 0x1800,4K\n",
            "b.build",
            Path::new("."),
            &HashMap::new(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "b.build:4: [reserve]: ADDR and SIZE must be multiples of 4 KiB"
        );
        let image = build_image(&bf).unwrap();
        let fs = crate::Bootfs::parse(&image).unwrap();
        let list = fs.find(crate::reserve::RESERVE_PATH).unwrap();
        assert_eq!(list.data, b"ram 0x70000000,0x8000000\n");
        let none = build_image(&ok("[startup]\nsh\n")).unwrap();
        assert!(
            crate::Bootfs::parse(&none)
                .unwrap()
                .find(crate::reserve::RESERVE_PATH)
                .is_none()
        );
    }
}
