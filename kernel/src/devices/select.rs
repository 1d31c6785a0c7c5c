//! Selectors: how the startup script's `dev=` and a driver name device
//! regions. `/path` is a node's full path (`/pl031@9010000`: every `reg`
//! entry of that node); `0xADDR` the region that holds that address;
//! `0xADDR,0xLEN` every region inside that range; anything else a
//! `compatible` string (`arm,pl031`: every region of every node that has
//! it). The empty selector names every region.

use super::device::Device;
use abi::Error;

/// A parsed selector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selector<'a> {
    /// Every region.
    All,
    /// Regions of the node at this path.
    Path(&'a str),
    /// The region holding this address.
    Address(usize),
    /// Regions inside `[start, end)`.
    Range(usize, usize),
    /// Regions of nodes with this `compatible` string.
    Compatible(&'a str),
}

fn hex(text: &str) -> Result<usize, Error> {
    let digits = text.strip_prefix("0x").ok_or(Error::InvalidArgument)?;
    usize::from_str_radix(digits, 16).map_err(|_| Error::InvalidArgument)
}

impl<'a> Selector<'a> {
    /// Parses `text`: `InvalidArgument` for a malformed address or range,
    /// or a character outside printable ASCII.
    pub fn parse(text: &'a str) -> Result<Selector<'a>, Error> {
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::InvalidArgument);
        }
        if text.is_empty() {
            return Ok(Selector::All);
        }
        if text.starts_with('/') {
            return Ok(Selector::Path(text));
        }
        if text.starts_with("0x") {
            return match text.split_once(',') {
                None => Ok(Selector::Address(hex(text)?)),
                Some((start, len)) => {
                    let start = hex(start)?;
                    let len = hex(len)?;
                    let end = start.checked_add(len).ok_or(Error::InvalidArgument)?;
                    if len == 0 {
                        return Err(Error::InvalidArgument);
                    }
                    Ok(Selector::Range(start, end))
                }
            };
        }
        Ok(Selector::Compatible(text))
    }

    /// Whether it names `d`.
    pub fn matches(&self, d: &Device) -> bool {
        match *self {
            Selector::All => true,
            Selector::Path(p) => d.path.as_str() == p,
            Selector::Address(a) => d.base <= a && a - d.base < d.size,
            Selector::Range(start, end) => start <= d.base && d.base + d.size <= end,
            Selector::Compatible(c) => d.compatibles().any(|s| s == c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::device::tests::device;
    use super::*;

    #[test]
    fn parses_each_form() {
        assert_eq!(Selector::parse(""), Ok(Selector::All));
        assert_eq!(
            Selector::parse("/pl031@9010000"),
            Ok(Selector::Path("/pl031@9010000"))
        );
        assert_eq!(
            Selector::parse("0x9010000"),
            Ok(Selector::Address(0x901_0000))
        );
        assert_eq!(
            Selector::parse("0xa000000,0x4000"),
            Ok(Selector::Range(0xa00_0000, 0xa00_4000))
        );
        assert_eq!(
            Selector::parse("arm,pl031"),
            Ok(Selector::Compatible("arm,pl031"))
        );
        for bad in [
            "0x",
            "0xzz",
            "0x10,0x0",
            "0x10,",
            "0xffffffffffffffff,0x2",
            "a b",
            "é",
        ] {
            assert_eq!(Selector::parse(bad), Err(Error::InvalidArgument), "{bad}");
        }
    }

    #[test]
    fn matches_regions() {
        let rtc = device("/pl031@9010000", 0x901_0000, 0x1000, false);
        let slot = device("/virtio_mmio@a000200", 0xa00_0200, 0x200, false);
        let m = |s: &str, d: &Device| Selector::parse(s).unwrap().matches(d);
        assert!(m("", &rtc));
        assert!(m("/pl031@9010000", &rtc) && !m("/pl031", &rtc));
        assert!(m("0x9010000", &rtc) && m("0x9010fff", &rtc) && !m("0x9011000", &rtc));
        assert!(m("0x9000000,0x20000", &rtc) && !m("0x9010000,0xfff", &rtc));
        assert!(m("arm,pl031", &rtc) && m("arm,primecell", &rtc) && !m("arm,pl0", &rtc));
        assert!(m("0xa000000,0x4000", &slot) && !m("virtio,mmio,x", &slot));
    }
}
