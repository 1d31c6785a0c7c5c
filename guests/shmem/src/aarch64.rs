//! `shmem` on ARM: the device is the device tree's `qhv,shmem` node (its
//! `reg` the register block, its interrupt an SPI), the region is inside
//! the identity map (everything below 512 GiB that is not RAM is mapped
//! as Device memory), the interrupt comes through the GIC, level
//! sensitive, and the clock is the virtual counter.

use crate::common::{self, Machine};
use gsupport::dt::{self, DeviceNode};
use gsupport::gic::Trigger;
use gsupport::{Platform, cpu, exceptions, gic, psci, timer};

fn now_us() -> u64 {
    timer::ticks_to_us(timer::counter())
}

static MACHINE: Machine = Machine {
    now_us,
    delay_us: timer::delay_us,
    off: psci::system_off,
};

pub fn main(platform: &'static Platform) -> ! {
    // SAFETY: the boot code mapped the device tree and nothing writes
    // it.
    let tree = unsafe {
        core::slice::from_raw_parts(
            platform.dtb.start as *const u8,
            platform.dtb.end - platform.dtb.start,
        )
    };
    let mut nodes = [DeviceNode::default(); 1];
    if dt::compatible_devices(tree, "qhv,shmem", &mut nodes) != Ok(1) {
        common::fail(&MACHINE, "no single qhv,shmem node in the device tree");
    }
    let me = common::role(platform.bootargs());
    let node = nodes[0];
    let intid = node
        .intid
        .unwrap_or_else(|| common::fail(&MACHINE, "no interrupt"));
    let region = common::open(me, node.reg.start, ("intid", intid), &MACHINE);
    if gic::init().is_none() {
        common::fail(&MACHINE, "no GIC");
    }
    common::set_token(intid);
    exceptions::set_irq_handler(common::on_irq);
    gic::enable(intid, Trigger::Level);
    cpu::enable_irqs();
    common::exchange(me, region, &MACHINE)
}
