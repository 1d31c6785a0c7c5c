//! `pidin syspage=asinfo`: the physical memory map, a line per area: its
//! range (inclusive, as QNX prints it), size, kind, who holds it (`(vm)`
//! when a VM of that process has it in its stage 2) and its name; the
//! frame pool, which is spread over the RAM banks, with its total and
//! what is free.

use abi::{AREA_IN_VM, AREA_POOL, PhysArea, ProcessInfo};
use alloc::format;
use alloc::string::String;
use core::fmt::Write;

/// The word for an `AREA_*` kind.
pub fn kind(kind: u32) -> String {
    String::from(match kind {
        abi::AREA_RAM => "ram",
        abi::AREA_KERNEL => "kernel",
        abi::AREA_FIRMWARE => "firmware",
        abi::AREA_DEVICE => "device",
        abi::AREA_RESERVED => "reserved",
        abi::AREA_POOL => "pool",
        other => return format!("?{other}"),
    })
}

/// The table of `areas` in the kernel's order, owners named from `procs`.
pub fn table(areas: &[PhysArea], procs: &[ProcessInfo]) -> String {
    let mut out = format!(
        "{:<37} {:>7} {:<8} {:<20} {}\n",
        "range", "size", "kind", "owner", "name"
    );
    for a in areas {
        let (range, name) = if a.kind == AREA_POOL {
            let name = format!("{} ({} free)", a.name(), crate::size(a.free));
            (String::from("-"), name)
        } else {
            let end = a.base.wrapping_add(a.size).wrapping_sub(1);
            (
                format!("{:#018x}-{end:#018x}", a.base),
                String::from(a.name()),
            )
        };
        let mut owner = super::owner(procs, a.owner);
        if a.flags & AREA_IN_VM != 0 {
            owner.push_str(" (vm)");
        }
        let _ = writeln!(
            out,
            "{range:<37} {:>7} {:<8} {owner:<20} {name}",
            crate::size(a.size),
            kind(a.kind)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::process;
    use abi::{AREA_DEVICE, AREA_KERNEL, AREA_RAM, OWNER_KERNEL};

    fn area(base: u64, size: u64, kind: u32, owner: u64, name: &str) -> PhysArea {
        let mut a = PhysArea::EMPTY;
        a.base = base;
        a.size = size;
        a.kind = kind;
        a.owner = owner;
        a.name[..name.len()].copy_from_slice(name.as_bytes());
        a
    }

    #[test]
    fn a_line_per_area_with_owner_and_pool() {
        let procs = [process(6, 1, "linux")];
        let mut pool = area(0, 900 << 20, AREA_POOL, 0, "frames");
        pool.free = 812 << 20;
        let mut held = area(0x9010000, 0x1000, AREA_DEVICE, 6, "/pl031@9010000");
        held.flags = AREA_IN_VM;
        let areas = [
            area(0x4000_0000, 1 << 30, AREA_RAM, 0, "/memory@40000000"),
            area(0x4000_0000, 2 << 20, AREA_KERNEL, OWNER_KERNEL, "image"),
            held,
            pool,
        ];
        assert_eq!(
            table(&areas, &procs),
            "range                                    size kind     owner                name\n\
             0x0000000040000000-0x000000007fffffff      1G ram      -                    /memory@40000000\n\
             0x0000000040000000-0x00000000401fffff      2M kernel   kernel               image\n\
             0x0000000009010000-0x0000000009010fff      4K device   6 linux (vm)         /pl031@9010000\n\
             -                                        900M pool     -                    frames (812M free)\n"
        );
        assert_eq!(kind(9), "?9");
    }
}
