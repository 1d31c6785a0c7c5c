//! `shmem` on an x86_64 PC: the device is the DSDT's `QHSM0001` device
//! (`qvm` writes it: an x86 guest has no device tree), whose `_CRS` gives
//! the register block (a 32-bit fixed memory range below 4 GiB, in the
//! boot map, uncached as all that is not RAM), the doorbell interrupt (a
//! GSI, level-triggered, active high) and the region (a QWord memory
//! range), which must agree with the register block's `REGION` and
//! `SIZE`. The region lies at 256 GiB, beyond the boot map of the first
//! 4 GiB: it is mapped write-back ([`paging::map_high`]). The GSI's I/O
//! APIC pin is routed to [`VECTOR`] on this CPU; the clock is the TSC.

use crate::common::{self, Machine};
use gsupport::x86_64::paging::{self, MapError};
use gsupport::{Platform, cpu, exceptions, ioapic, power, tsc};

/// The `_HID` of `qvm`'s shmem device.
const SHMEM_HID: &str = "QHSM0001";
/// The doorbell interrupt's vector.
const VECTOR: u8 = 0x50;

fn now_us() -> u64 {
    tsc::ticks_to_us(tsc::now())
}

static MACHINE: Machine = Machine {
    now_us,
    delay_us: tsc::delay_us,
    off: power::system_off,
};

pub fn main(platform: &'static Platform) -> ! {
    let fail = |what: &str| -> ! { common::fail(&MACHINE, what) };
    let me = common::role(platform.bootargs());
    let Some(device) = platform.acpi_device(SHMEM_HID, 0) else {
        fail("no QHSM0001 device with a _CRS in the DSDT")
    };
    let (Some(regs), Some(&line)) = (device.memory().first(), device.interrupts().first()) else {
        fail("the shmem device's _CRS has no registers or no interrupt")
    };
    if regs.base >= 1 << 32 || !line.level || line.active_low {
        fail("the shmem registers are not below 4 GiB, or its interrupt not level, high");
    }
    let region = common::open(me, regs.base as usize, ("GSI", line.number), &MACHINE);
    match device.memory().get(1) {
        Some(r) if (r.base, r.len) == (region.base as u64, region.size) => {}
        _ => fail("the DSDT's region is not the register block's"),
    }
    match paging::map_high(region.base, region.size as usize) {
        Ok(()) => {}
        Err(MapError::PastPhysicalAddress(bits)) => {
            gsupport::println!("shmem: {me}: this CPU has {bits} physical address bits");
            fail("the region is beyond the CPU's physical addresses")
        }
        Err(_) => fail("cannot map the region"),
    }
    common::set_token(u32::from(VECTOR));
    exceptions::set_irq_handler(common::on_irq);
    if ioapic::route(platform, line, VECTOR, false).is_none() {
        fail("no I/O APIC pin for the doorbell's GSI");
    }
    cpu::enable_irqs();
    common::exchange(me, region, &MACHINE)
}
