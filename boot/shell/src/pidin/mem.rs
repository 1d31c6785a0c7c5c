//! `pidin mem`: a process's memory as the kernel maps it, a line per run of
//! pages: its address range (virtual in the process, guest-physical for a
//! VM's `vm0`, `vm1`, ...), physical address, size, `rwx` and kind (`ram`,
//! `shared`, or `device` and the device tree path). The physical address
//! is `-` where the kernel leaves it out (a process without `POWER_INFO`
//! sees its own map without them).

use abi::{DeviceInfo, REGION_EXEC, REGION_READ, REGION_VM, REGION_WRITE, RegionInfo};
use alloc::format;
use alloc::string::String;
use core::fmt::Write;

/// The heading over every process's block.
pub fn header() -> String {
    format!(
        "{:>8} {:<5} {:<25} {:<14} {:>7} {:<3} {}\n",
        "pid", "space", "range", "physical", "size", "rwx", "kind"
    )
}

/// `rwx` of a region's flags.
pub fn rwx(flags: u32) -> String {
    let bit = |b: u32, c: char| if flags & b != 0 { c } else { '-' };
    [
        bit(REGION_READ, 'r'),
        bit(REGION_WRITE, 'w'),
        bit(REGION_EXEC, 'x'),
    ]
    .iter()
    .collect()
}

/// A region's kind, a device region with its path from `devices`.
pub fn kind(region: &RegionInfo, devices: &[DeviceInfo]) -> String {
    match region.kind {
        abi::REGION_RAM => String::from("ram"),
        abi::REGION_SHARED => String::from("shared"),
        abi::REGION_DEVICE => {
            let path = devices
                .iter()
                .find(|d| d.index == region.device)
                .map_or("?", |d| d.path());
            format!("device {path}")
        }
        other => format!("?{other}"),
    }
}

/// Process `pid`'s block: its name line, then a line per region.
pub fn block(pid: u64, name: &str, regions: &[RegionInfo], devices: &[DeviceInfo]) -> String {
    let mut out = format!("{pid:>8} {name}\n");
    for r in regions {
        let space = if r.flags & REGION_VM != 0 {
            format!("vm{}", r.vm)
        } else {
            String::from("own")
        };
        let end = r.address.wrapping_add(r.size).wrapping_sub(1);
        let range = format!("{:#012x}-{end:#012x}", r.address);
        // 0: the kernel keeps physical addresses from a caller without
        // POWER_INFO reading its own map.
        let physical = match r.physical {
            0 => String::from("-"),
            p => format!("{p:#012x}"),
        };
        let _ = writeln!(
            out,
            "{:>8} {space:<5} {range:<25} {physical:<14} {:>7} {:<3} {}",
            "",
            crate::size(r.size),
            rwx(r.flags),
            kind(r, devices)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi::{REGION_DEVICE, REGION_RAM, REGION_SHARED};

    fn region(address: u64, physical: u64, size: u64, kind: u32, flags: u32) -> RegionInfo {
        RegionInfo {
            address,
            physical,
            size,
            kind,
            flags,
            vm: 0,
            device: 0,
        }
    }

    #[test]
    fn a_line_per_region_with_its_kind_and_space() {
        let mut uart = DeviceInfo::EMPTY;
        uart.index = 5;
        uart.path[..15].copy_from_slice(b"/pl011@9040000\0");
        let mut dev = region(0x9040000, 0x9040000, 0x1000, REGION_DEVICE, 0);
        dev.flags = REGION_VM | REGION_READ | REGION_WRITE;
        dev.device = 5;
        dev.vm = 1;
        let regions = [
            region(
                0x40_0000,
                0x4123_4000,
                0x3000,
                REGION_RAM,
                REGION_READ | REGION_EXEC,
            ),
            region(
                0x10_0000_0000,
                0x4800_0000,
                32 << 20,
                REGION_SHARED,
                REGION_READ | REGION_WRITE,
            ),
            region(
                0x4000_0000,
                0x4800_0000,
                32 << 20,
                REGION_RAM,
                REGION_VM | REGION_READ | REGION_WRITE | REGION_EXEC,
            ),
            dev,
        ];
        assert_eq!(
            header(),
            "     pid space range                     physical          size rwx kind\n"
        );
        assert_eq!(
            block(7, "ticker1", &regions, &[uart]),
            "       7 ticker1\n\
             \x20        own   0x0000400000-0x0000402fff 0x0041234000       12K r-x ram\n\
             \x20        own   0x1000000000-0x1001ffffff 0x0048000000       32M rw- shared\n\
             \x20        vm0   0x0040000000-0x0041ffffff 0x0048000000       32M rwx ram\n\
             \x20        vm1   0x0009040000-0x0009040fff 0x0009040000        4K rw- device /pl011@9040000\n"
        );
    }

    #[test]
    fn unknown_devices_and_kinds_show() {
        let mut dev = region(0, 0, 4096, REGION_DEVICE, 0);
        dev.device = 9;
        assert_eq!(kind(&dev, &[]), "device ?");
        assert_eq!(kind(&region(0, 0, 4096, 42, 0), &[]), "?42");
        assert_eq!(rwx(0), "---");
        let hidden = block(
            2,
            "shell",
            &[region(0x20_0000, 0, 4096, abi::REGION_RAM, REGION_READ)],
            &[],
        );
        assert!(
            hidden.ends_with("-0x0000200fff -                   4K r-- ram\n"),
            "{hidden}"
        );
    }
}
