//! What `qvm` does with QNX's options common to every `vdev` (`honour`'s
//! part for them): `hostvector` is refused (no device model is driven by a
//! host interrupt); `delayed` is warned about on a `virtio-blk`, whose host
//! side `qvm` opens before the guest starts (a driver's disk waits up to
//! [`DRIVER_WAIT_SECONDS`]), and refused where that wait would not cover
//! what was asked (`forever`, longer) and on every other type (nothing
//! there is opened late).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::config::{
    ConfigError, DRIVER_WAIT_SECONDS, Delay, DeviceOptions, HostPath, VdevConfig, VdevKind,
    block_device,
};

/// Checks `dev`'s common options: the refusal, or warnings pushed.
pub fn check(dev: &VdevConfig, warnings: &mut Vec<ConfigError>) -> Result<(), ConfigError> {
    let name = dev.kind.name();
    if let Some((n, at)) = &dev.common.hostvector {
        return Err(at.error(format!(
            "vdev {name}: 'hostvector {n}' is not honoured: qvm's device models are not driven \
             by host interrupts; a host device's interrupt reaches the guest by \
             'pass intr gic:<intid>=<host interrupt>'"
        )));
    }
    let Some((delay, at)) = &dev.common.delayed else {
        return Ok(());
    };
    let word = delay.word();
    if dev.kind != VdevKind::VirtioBlk {
        return Err(at.error(format!(
            "vdev {name}: 'delayed {word}' is not honoured: qvm builds every device before \
             the guest starts and opens nothing later; leave 'delayed' out"
        )));
    }
    let on_driver = matches!(
        &dev.options,
        DeviceOptions::Block { hostdev: Some(h) }
            if matches!(&h.path, HostPath::File(p) if block_device(p).is_some())
    );
    let covered = matches!(delay, Delay::Seconds(n) if *n <= DRIVER_WAIT_SECONDS);
    if on_driver && !covered {
        return Err(at.error(format!(
            "vdev {name}: 'delayed {word}' is not honoured: qvm opens the disk before the \
             guest starts and waits at most {DRIVER_WAIT_SECONDS} s for its driver, then \
             does not start; give 'delayed {DRIVER_WAIT_SECONDS}' or less, or leave it out"
        )));
    }
    let what = if on_driver {
        format!("waiting up to {DRIVER_WAIT_SECONDS} s for its driver")
    } else {
        String::from("a bootfs file, always there")
    };
    warnings.push(at.error(format!(
        "vdev {name}: 'delayed {word}': qvm opens the disk before the guest starts ({what}), \
         not at the guest's first access"
    )));
    Ok(())
}
