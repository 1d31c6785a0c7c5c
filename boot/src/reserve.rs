//! RAM the host sets aside at boot for pass-through (the buildfile's
//! `[reserve]` section, stored in the bootfs as [`RESERVE_PATH`]). The
//! kernel keeps these ranges out of its frame allocator and lists each as a
//! device region a process can be granted (`dev=0xADDR`) and put into a VM
//! at guest-physical = host-physical, so a device passed through can DMA
//! to the guest's memory without an IOMMU (as QNX's startup `-r` does).
//!
//! One line per range: `ram ADDR,SIZE`, ADDR a hexadecimal address
//! (`0x70000000`), SIZE hexadecimal or decimal with an optional `K`, `M` or
//! `G`; both multiples of 4 KiB. Blank lines are ignored. `no_std`, never
//! panics, whatever the text: the kernel parses it at boot.

/// The bootfs path of the reserve list.
pub const RESERVE_PATH: &str = "/etc/reserve";

/// Most ranges one boot image may set aside.
pub const MAX_RESERVED: usize = 8;

/// Granularity of a range.
const PAGE: u64 = 4096;

/// One range of RAM set aside, `[base, base + size)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reserved {
    /// Physical base address.
    pub base: u64,
    /// Size in bytes.
    pub size: u64,
}

/// What is wrong with a line: its number (1-based) and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReserveError {
    /// Line number in the list, from 1.
    pub line: usize,
    /// What is wrong.
    pub reason: &'static str,
}

/// A number: `0x` hexadecimal, else decimal with an optional K/M/G.
fn number(text: &str, suffixes: bool) -> Option<u64> {
    if let Some(hex) = text.strip_prefix("0x") {
        return u64::from_str_radix(hex, 16).ok();
    }
    let (digits, shift) = match text.as_bytes().last() {
        Some(b'K' | b'k') if suffixes => (&text[..text.len() - 1], 10),
        Some(b'M' | b'm') if suffixes => (&text[..text.len() - 1], 20),
        Some(b'G' | b'g') if suffixes => (&text[..text.len() - 1], 30),
        _ => (text, 0),
    };
    let n: u64 = digits.parse().ok()?;
    n.checked_mul(1 << shift)
}

/// Parses one line (trimmed, not empty).
fn parse_line(line: &str) -> Result<Reserved, &'static str> {
    let mut words = line.split_whitespace();
    if words.next() != Some("ram") {
        return Err("expected 'ram ADDR,SIZE'");
    }
    let Some(range) = words.next() else {
        return Err("expected 'ram ADDR,SIZE'");
    };
    if words.next().is_some() {
        return Err("unexpected text after 'ram ADDR,SIZE'");
    }
    let Some((addr, size)) = range.split_once(',') else {
        return Err("expected 'ram ADDR,SIZE'");
    };
    if !addr.starts_with("0x") {
        return Err("ADDR must be hexadecimal (0x...)");
    }
    let base = number(addr, false).ok_or("ADDR is not a number")?;
    let size = number(size, true).ok_or("SIZE is not a size (4096, 0x1000, 64M)")?;
    if size == 0 {
        return Err("SIZE is 0");
    }
    if !base.is_multiple_of(PAGE) || !size.is_multiple_of(PAGE) {
        return Err("ADDR and SIZE must be multiples of 4 KiB");
    }
    if base.checked_add(size).is_none() {
        return Err("the range wraps around");
    }
    Ok(Reserved { base, size })
}

/// The ranges of a reserve list, in order: at most [`MAX_RESERVED`], none
/// overlapping another. The first bad line is the error.
pub fn parse(text: &str) -> Result<heapless::Vec<Reserved, MAX_RESERVED>, ReserveError> {
    let mut out: heapless::Vec<Reserved, MAX_RESERVED> = heapless::Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let err = |reason| ReserveError {
            line: i + 1,
            reason,
        };
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let r = parse_line(line).map_err(err)?;
        if out
            .iter()
            .any(|o| r.base < o.base + o.size && o.base < r.base + r.size)
        {
            return Err(err("overlaps an earlier range"));
        }
        out.push(r).map_err(|_| err("more than 8 ranges"))?;
    }
    Ok(out)
}

/// The list as the bootfs stores it: `ram 0xADDR,0xSIZE` lines.
#[cfg(any(test, feature = "std"))]
pub fn render(ranges: &[Reserved]) -> String {
    ranges
        .iter()
        .map(|r| format!("ram {:#x},{:#x}\n", r.base, r.size))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_sizes() {
        let r =
            parse("ram 0x70000000,128M\n\n ram 0x80000000,0x1000 \nram 0x90000000,8192\n").unwrap();
        assert_eq!(
            r.as_slice(),
            [
                Reserved {
                    base: 0x7000_0000,
                    size: 128 << 20
                },
                Reserved {
                    base: 0x8000_0000,
                    size: 0x1000
                },
                Reserved {
                    base: 0x9000_0000,
                    size: 8192
                },
            ]
        );
        assert_eq!(parse("").unwrap().len(), 0);
    }

    #[test]
    fn bad_lines_name_their_number() {
        let cases = [
            ("ram 0x1000", "expected 'ram ADDR,SIZE'"),
            ("rom 0x1000,4K", "expected 'ram ADDR,SIZE'"),
            ("ram 4096,4K", "ADDR must be hexadecimal (0x...)"),
            ("ram 0x1000,4Q", "SIZE is not a size (4096, 0x1000, 64M)"),
            ("ram 0x1000,0", "SIZE is 0"),
            ("ram 0x1800,4K", "ADDR and SIZE must be multiples of 4 KiB"),
            ("ram 0xfffffffffffff000,8K", "the range wraps around"),
            (
                "ram 0x1000,99999999999G",
                "SIZE is not a size (4096, 0x1000, 64M)",
            ),
            ("ram 0x1000,4K x", "unexpected text after 'ram ADDR,SIZE'"),
        ];
        for (line, reason) in cases {
            let text = format!("ram 0x100000,4K\n{line}\n");
            assert_eq!(
                parse(&text),
                Err(ReserveError { line: 2, reason }),
                "{line}"
            );
        }
        assert_eq!(
            parse("ram 0x1000,8K\nram 0x2000,4K\n").unwrap_err().reason,
            "overlaps an earlier range"
        );
        let nine: String = (0..9)
            .map(|i| format!("ram {:#x},4K\n", 0x10000 * (i + 1)))
            .collect();
        assert_eq!(
            parse(&nine).unwrap_err(),
            ReserveError {
                line: 9,
                reason: "more than 8 ranges"
            }
        );
    }

    #[test]
    fn rendered_lists_parse_back() {
        let r = parse("ram 0x70000000,128M\nram 0x1000,4K\n").unwrap();
        assert_eq!(parse(&render(&r)).unwrap(), r);
    }
}
