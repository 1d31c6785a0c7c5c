//! The symbols of the programs in the trace: the kernel (`k:`), `qvm`
//! (`q:`) and the guest (`g:`), read from their ELF files, each at the
//! address it runs at; a PC's function is the last one starting at or
//! below it, as `nm -n` would list them.

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, anyhow, ensure};
use elf::ElfBytes;
use elf::abi::{PF_X, PT_LOAD, SHF_EXECINSTR, SHN_UNDEF, STT_FILE, STT_SECTION};
use elf::endian::AnyEndian;

/// Functions: address and name.
pub type Functions = Vec<(u64, String)>;

/// Longest function name shown: longer ones keep their end.
pub const MAX_NAME: usize = 90;

/// One program as it runs.
#[derive(Debug)]
pub struct Image {
    /// Its names' prefix in the report: `k`, `q` or `g`.
    pub tag: &'static str,
    /// Its ELF file.
    pub path: PathBuf,
    /// What is added to its link addresses to give the PCs it runs at.
    pub base: u64,
    /// Its code (executable segments), as run.
    pub code: Range<u64>,
    /// Its functions, as run: address and short name, by address.
    functions: Functions,
}

impl Image {
    /// An image from link addresses: `code` and `functions` (any order,
    /// names as shown).
    pub fn new(
        tag: &'static str,
        path: PathBuf,
        base: u64,
        code: Range<u64>,
        mut functions: Functions,
    ) -> Image {
        for (addr, _) in &mut functions {
            *addr += base;
        }
        functions.sort_by_key(|(addr, _)| *addr);
        Image {
            tag,
            path,
            base,
            code: code.start + base..code.end + base,
            functions,
        }
    }

    /// Reads the ELF file at `path`, which runs `base` above its link
    /// addresses; names are demangled and shortened.
    pub fn load(tag: &'static str, path: &Path, base: u64) -> Result<Image> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let (code, raw) = read_elf(&bytes).with_context(|| format!("ELF {}", path.display()))?;
        let (addrs, names): (Vec<u64>, Vec<String>) = raw.into_iter().unzip();
        let names = demangle(names).into_iter().map(|n| short(&n));
        let functions = addrs.into_iter().zip(names).collect();
        Ok(Image::new(tag, path.to_path_buf(), base, code, functions))
    }

    /// The function `pc` is in, if it is in this image's code.
    pub fn function(&self, pc: u64) -> Option<&str> {
        if !self.code.contains(&pc) {
            return None;
        }
        let after = self.functions.partition_point(|(addr, _)| *addr <= pc);
        Some(after.checked_sub(1).map_or("?", |i| &self.functions[i].1))
    }
}

/// The programs of a trace.
#[derive(Debug)]
pub struct Symbols {
    /// Kernel, `qvm`, guest.
    pub images: Vec<Image>,
}

impl Symbols {
    /// `TAG:FUNCTION` of `pc`, or `?PC` outside every image.
    pub fn name(&self, pc: u64) -> String {
        self.images
            .iter()
            .find_map(|image| Some(format!("{}:{}", image.tag, image.function(pc)?)))
            .unwrap_or_else(|| format!("?{pc:#x}"))
    }
}

/// The code range (executable `PT_LOAD` segments) and the functions
/// (defined symbols in executable sections, `$x`/`$d` mapping symbols
/// left out) of an ELF file, at link addresses, names as stored.
pub fn read_elf(bytes: &[u8]) -> Result<(Range<u64>, Functions)> {
    let file = ElfBytes::<AnyEndian>::minimal_parse(bytes).map_err(|e| anyhow!("{e}"))?;
    let segments = file.segments().context("no program headers")?;
    let mut code: Option<Range<u64>> = None;
    for p in segments.iter() {
        if p.p_type == PT_LOAD && p.p_flags & PF_X != 0 && p.p_memsz > 0 {
            let (start, end) = (p.p_vaddr, p.p_vaddr + p.p_memsz);
            code = Some(code.map_or(start..end, |c| c.start.min(start)..c.end.max(end)));
        }
    }
    let code = code.context("no executable segment")?;
    let sections = file.section_headers().context("no section headers")?;
    let (symbols, strings) = file
        .symbol_table()
        .map_err(|e| anyhow!("bad symbol table: {e}"))?
        .context("no symbol table (stripped?)")?;
    let mut functions = Vec::new();
    for sym in symbols.iter() {
        if sym.st_shndx == SHN_UNDEF || matches!(sym.st_symtype(), STT_SECTION | STT_FILE) {
            continue;
        }
        let executable = sections
            .get(usize::from(sym.st_shndx))
            .is_ok_and(|s| s.sh_flags & u64::from(SHF_EXECINSTR) != 0);
        let name = strings.get(sym.st_name as usize).unwrap_or("");
        if executable && !name.is_empty() && !name.starts_with('$') {
            functions.push((sym.st_value, name.to_string()));
        }
    }
    ensure!(!functions.is_empty(), "no function symbols");
    Ok((code, functions))
}

/// `names` demangled by `c++filt` (binutils, which knows both of Rust's
/// manglings) in one run; as they are if it cannot run.
pub fn demangle(names: Vec<String>) -> Vec<String> {
    let run = || -> Result<Vec<String>> {
        let mut child = Command::new("c++filt")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let mut stdin = child.stdin.take().context("no stdin")?;
        let input = names.join("\n") + "\n";
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let output = child.wait_with_output()?;
        writer.join().map_err(|_| anyhow!("writer panicked"))??;
        let text = String::from_utf8(output.stdout)?;
        let out: Vec<String> = text.lines().map(str::to_string).collect();
        ensure!(out.len() == names.len(), "c++filt gave {} lines", out.len());
        Ok(out)
    };
    match run() {
        Ok(out) => out,
        Err(e) => {
            eprintln!("xtask: profile: c++filt: {e:#}: function names stay mangled");
            names
        }
    }
}

/// A demangled name without what only tells copies apart: the hash
/// (`::h0123456789abcdef`), crate disambiguators (`[0123456789abcdef]`)
/// and LTO suffixes (` (.llvm.123)`); if longer than [`MAX_NAME`],
/// its end.
pub fn short(name: &str) -> String {
    let name = match name.find(" (.llvm.") {
        Some(i) => &name[..i],
        None => name,
    };
    let name = match name.rfind("::h") {
        Some(i) if is_hex(&name[i + 3..], 16) => &name[..i],
        _ => name,
    };
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find(']') {
            Some(end) if is_hex(&after[..end], 16) => rest = &after[end + 1..],
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    let chars = out.chars().count();
    if chars > MAX_NAME {
        let tail: String = out.chars().skip(chars - (MAX_NAME - 1)).collect();
        return format!("…{tail}");
    }
    out
}

/// `text` is `len` lower-case hex digits.
fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kernel() -> Image {
        Image::new(
            "k",
            PathBuf::from("kernel"),
            0x4020_0000,
            0..0x1000,
            vec![
                (0x800, "vectors".into()),
                (0x100, "entry".into()),
                (0x900, "run".into()),
            ],
        )
    }

    #[test]
    fn finds_the_function_of_a_pc() {
        let k = kernel();
        assert_eq!(k.code, 0x4020_0000..0x4020_1000);
        assert_eq!(k.function(0x4020_0100), Some("entry"));
        assert_eq!(k.function(0x4020_07fc), Some("entry"));
        assert_eq!(k.function(0x4020_0800), Some("vectors"));
        assert_eq!(k.function(0x4020_0fff), Some("run"));
        assert_eq!(k.function(0x4020_0000), Some("?"));
        assert_eq!(k.function(0x4020_1000), None);
        assert_eq!(k.function(0x100), None);
    }

    #[test]
    fn names_pcs_of_every_image() {
        let q = Image::new(
            "q",
            "qvm".into(),
            0,
            0x20_0000..0x20_1000,
            vec![(0x20_0000, "main".into())],
        );
        let symbols = Symbols {
            images: vec![kernel(), q],
        };
        assert_eq!(symbols.name(0x4020_0904), "k:run");
        assert_eq!(symbols.name(0x20_0010), "q:main");
        assert_eq!(symbols.name(0x1234), "?0x1234");
    }

    #[test]
    fn shortens_names() {
        assert_eq!(
            short("core::fmt::Write::write_char::h286e0b724e917a56 (.llvm.4139367292195936746)"),
            "core::fmt::Write::write_char"
        );
        assert_eq!(
            short("kernel::process::spawn::{{closure}}::hafe5b5511390c3e9"),
            "kernel::process::spawn::{{closure}}"
        );
        assert_eq!(
            short("__rustc[b7974e8690430dd9]::__rust_alloc"),
            "__rustc::__rust_alloc"
        );
        // Not a hash: kept.
        assert_eq!(short("a::hello"), "a::hello");
        assert_eq!(short("<[u8] as x>::f"), "<[u8] as x>::f");
        assert_eq!(short("_start"), "_start");
        let long = format!("{}::tail", "a".repeat(100));
        let s = short(&long);
        assert_eq!(s.chars().count(), MAX_NAME);
        assert!(s.starts_with('…') && s.ends_with("a::tail"));
    }

    #[test]
    fn reads_an_elf_file() {
        // This test program is an ELF file with symbols.
        let bytes = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let (code, functions) = read_elf(&bytes).unwrap();
        assert!(code.start < code.end);
        assert!(functions.iter().any(|(_, n)| n.contains("parse_line")));
        assert!(functions.iter().all(|(_, n)| !n.starts_with('$')));
        assert!(read_elf(b"not an ELF file").is_err());
    }

    #[test]
    fn demangles_or_keeps_names() {
        let names = vec![
            "_start".to_string(),
            "_ZN6kernel3run17h0123456789abcdefE".to_string(),
        ];
        let out = demangle(names);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0], "_start");
        assert!(out[1] == "kernel::run::h0123456789abcdef" || out[1].starts_with("_ZN"));
    }
}
