//! The grammars of option arguments: numbers, sizes, booleans, locations,
//! interrupts, MAC addresses.

use alloc::format;
use alloc::string::{String, ToString};

use super::loc::{Intr, Location};
use super::types::MemAttrs;

/// Why an argument does not parse: it has the wrong form, or the right form
/// with a value out of range (the text says which).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bad {
    /// Not of the expected form.
    Form,
    /// Of the form, but wrong: the reason.
    Why(String),
}

impl From<&str> for Bad {
    fn from(s: &str) -> Self {
        Bad::Why(s.to_string())
    }
}

/// A number: decimal, `0x` hex or `0d` decimal; with `suffix`, also a `K`,
/// `M` or `G` multiplier (either case).
pub fn number(s: &str, suffix: bool) -> Result<u64, Bad> {
    let (body, mult) = match s.as_bytes().last() {
        Some(b'K' | b'k') if suffix => (&s[..s.len() - 1], 1u64 << 10),
        Some(b'M' | b'm') if suffix => (&s[..s.len() - 1], 1 << 20),
        Some(b'G' | b'g') if suffix => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    let (digits, radix) = if let Some(h) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(d) = body.strip_prefix("0d").or(body.strip_prefix("0D")) {
        (d, 10)
    } else {
        (body, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(Bad::Form);
    }
    let value = u64::from_str_radix(digits, radix).map_err(|_| Bad::from("number too large"))?;
    value
        .checked_mul(mult)
        .ok_or_else(|| Bad::from("number too large"))
}

/// A number that must fit in `max`.
pub fn bounded(s: &str, max: u64) -> Result<u64, Bad> {
    let v = number(s, false)?;
    if v > max {
        return Err(Bad::Why(format!("{v} is more than {max}")));
    }
    Ok(v)
}

/// `on`/`off`, `yes`/`no`, `true`/`false`, `1`/`0`.
pub fn boolean(s: &str) -> Option<bool> {
    match s {
        "on" | "yes" | "true" | "1" => Some(true),
        "off" | "no" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// `[GPA,]SIZE` of `ram` and `rom`.
pub fn gpa_size(s: &str) -> Result<(Option<u64>, u64), Bad> {
    match s.split_once(',') {
        Some((gpa, size)) => Ok((Some(number(gpa, true)?), number(size, true)?)),
        None => Ok((None, number(s, true)?)),
    }
}

/// `mem:ADDR`, `io:PORT`, `pci:B:D[.F]` or a bare address (= `mem:`).
pub fn location(s: &str) -> Result<Location, Bad> {
    if let Some(addr) = s.strip_prefix("mem:") {
        Ok(Location::Mem(number(addr, true)?))
    } else if let Some(port) = s.strip_prefix("io:") {
        Ok(Location::Io(bounded(port, 0xffff)? as u16))
    } else if let Some(pci) = s.strip_prefix("pci:") {
        let (bus, rest) = pci.split_once(':').ok_or(Bad::Form)?;
        let (device, function) = match rest.split_once('.') {
            Some((d, f)) => (d, Some(f)),
            None => (rest, None),
        };
        Ok(Location::Pci {
            bus: bounded(bus, 255)? as u8,
            device: bounded(device, 31)? as u8,
            function: match function {
                Some(f) => bounded(f, 7)? as u8,
                None => 0,
            },
        })
    } else {
        Ok(Location::Mem(number(s, true)?))
    }
}

/// `CONTROLLER:LINE`.
pub fn intr(s: &str) -> Result<Intr, Bad> {
    let (controller, line) = s.rsplit_once(':').ok_or(Bad::Form)?;
    if controller.is_empty() {
        return Err(Bad::Form);
    }
    Ok(Intr {
        controller: controller.to_string(),
        line: bounded(line, u32::MAX as u64)? as u32,
    })
}

/// Splits `X=Y` into `X` and `Some(Y)`, or `X` into `X` and `None`.
pub fn split_host(s: &str) -> (&str, Option<&str>) {
    match s.split_once('=') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    }
}

/// The letters `r w x c m` of a pass-through region.
pub fn mem_attrs(s: &str) -> Result<MemAttrs, Bad> {
    let mut a = MemAttrs::default();
    if s.is_empty() {
        return Err(Bad::from("no attributes (give some of r w x c m)"));
    }
    for c in s.chars() {
        let flag = match c {
            'r' => &mut a.read,
            'w' => &mut a.write,
            'x' => &mut a.exec,
            'c' => &mut a.cacheable,
            'm' => &mut a.ram,
            _ => return Err(Bad::Why(format!("unknown attribute '{c}' (r w x c m)"))),
        };
        *flag = true;
    }
    Ok(a)
}

/// `XX:XX:XX:XX:XX:XX`.
pub fn mac(s: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = s.split(':');
    for byte in out.iter_mut() {
        let p = parts.next()?;
        if p.len() != 2 || !p.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        *byte = u8::from_str_radix(p, 16).ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// Whether `s` is a usable name: letters, digits, `-`, `_`, `.`.
pub fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}
