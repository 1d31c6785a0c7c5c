//! The device model of each `vdev` of a placed configuration (the
//! architecture's UART, the PC's devices, the watchdogs, the virtio
//! devices; `qvm::honour` refused the
//! types without one before anything was built).

use crate::guestmem::GuestMem;
use crate::vmconsole::PrefixedOutput;
use alloc::boxed::Box;
use alloc::string::String;
use qvm::arch::guest;
use qvm::config::{DeviceOptions, HostDir, HostPath, VdevKind};
use ulib::sys;
use vdev::VirtioMmio;

/// The device model of one `vdev` (and, for a card with a `peer`, the
/// waiter of its link).
pub fn device_model(
    name: &str,
    dev: &qvm::layout::VdevLayout,
    mem: &GuestMem,
) -> Result<(Box<dyn vdev::Vdev>, Option<crate::netlink::LinkWaiter>), String> {
    match dev.config.kind {
        VdevKind::VirtioNet => crate::netlink::net_model(name, dev, mem),
        _ => Ok((plain_model(name, dev, mem)?, None)),
    }
}

/// The device model of a `vdev` other than virtio-net.
fn plain_model(
    name: &str,
    dev: &qvm::layout::VdevLayout,
    mem: &GuestMem,
) -> Result<Box<dyn vdev::Vdev>, String> {
    use vdev::virtio::{blk::Blk, console::Console, rng::Rng, rng::XorShift};
    let hostdev = match &dev.config.options {
        DeviceOptions::Serial { hostdev } | DeviceOptions::Block { hostdev } => hostdev.clone(),
        _ => None,
    };
    // `hostdev <-`: the console's input only, the device's output dropped
    // (`qvm::honour` refused host files).
    let output = match &hostdev {
        Some(h) if h.dir == HostDir::In => PrefixedOutput::dropped(),
        _ => PrefixedOutput::new(name),
    };
    Ok(match dev.config.kind {
        k if k == guest::UART => Box::new(guest::Uart::new(output)),
        VdevKind::Timer8254 => Box::new(vdev::Pit8254::new(Box::new(sys::clock))),
        // The host has no wall clock for processes yet: the guest's clock
        // starts at the Unix epoch when the VM does.
        VdevKind::Mc146818 => Box::new(vdev::Mc146818::new(Box::new(sys::clock), 0)),
        VdevKind::PcKeyboard => Box::new(vdev::I8042::new()),
        VdevKind::WdtSp805 => {
            let hz = match dev.config.options {
                DeviceOptions::Watchdog {
                    frequency: Some(hz),
                    ..
                } => hz,
                _ => qvm::config::WDT_SP805_DEFAULT_HZ,
            };
            Box::new(vdev::Sp805::new(Box::new(sys::clock), hz))
        }
        VdevKind::WdtIb700 => Box::new(vdev::Ib700::new(Box::new(sys::clock))),
        VdevKind::I8259 => Box::new(vdev::Pic8259::new()),
        VdevKind::VirtioConsole => Box::new(VirtioMmio::new(mem.ram(), Console::new(output))),
        VdevKind::VirtioEntropy => {
            // Seeded from the counter: varies run to run, not a CSPRNG.
            Box::new(VirtioMmio::new(
                mem.ram(),
                Rng::new(XorShift::new(sys::clock() | 1)),
            ))
        }
        VdevKind::VirtioBlk => {
            let hostdev = hostdev.ok_or_else(|| {
                alloc::format!(
                    "{}: vdev virtio-blk needs `hostdev [<]FILE`",
                    dev.config.origin
                )
            })?;
            let HostPath::File(path) = &hostdev.path else {
                return Err(alloc::format!(
                    "{}: vdev virtio-blk needs a file, not the console",
                    dev.config.origin
                ));
            };
            let read_only = hostdev.dir == HostDir::In;
            if let Some(device) = qvm::config::block_device(path) {
                // (`qvm::honour` refused a malformed range.)
                let device =
                    device.map_err(|why| alloc::format!("{}: {why}", dev.config.origin))?;
                return driver_disk(dev, mem, path, device, read_only);
            }
            // A bootfs file: a RAM copy, whole sectors (the room for the
            // last one's padding is taken with the file, so the padding
            // moves nothing); the guest's writes go when the VM ends.
            let mut data = crate::bootfs::read_file_with_spare(path, 511)?;
            data.resize(data.len().next_multiple_of(512), 0);
            let id = path.rsplit('/').next().unwrap_or(path).as_bytes();
            Box::new(VirtioMmio::new(
                mem.ram(),
                Blk::new(data, read_only, &id[..id.len().min(20)]),
            ))
        }
        other => {
            return Err(alloc::format!(
                "{}: vdev {} is not implemented yet",
                dev.config.origin,
                other.name()
            ));
        }
    })
}

/// A virtio-blk disk on a host block driver's channel (`hostdev
/// /dev/NAME[@FIRST,SECTORS]`): persistent, a guest `FLUSH` flushed on
/// the device.
fn driver_disk(
    dev: &qvm::layout::VdevLayout,
    mem: &GuestMem,
    path: &str,
    device: qvm::config::BlockDevice<'_>,
    read_only: bool,
) -> Result<Box<dyn vdev::Vdev>, String> {
    use vdev::virtio::blk::Blk;
    let disk = crate::hostdisk::DriverDisk::open(device.channel, device.partition)
        .map_err(|why| alloc::format!("{}: vdev virtio-blk: {why}", dev.config.origin))?;
    let read_only = read_only || disk.read_only;
    let id = match disk.id.iter().position(|&b| b == 0) {
        Some(0) => device.channel.rsplit('/').next().unwrap_or(path).as_bytes(),
        Some(n) => &disk.id[..n],
        None => &disk.id[..],
    };
    let id: alloc::vec::Vec<u8> = id[..id.len().min(20)].to_vec();
    Ok(Box::new(VirtioMmio::new(
        mem.ram(),
        Blk::new(disk, read_only, &id),
    )))
}
