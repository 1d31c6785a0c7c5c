//! An assembled VM as its threads share it: handles, the device models and
//! what goes with them (the watchdogs among them), the `unsupported`
//! policies; and passing the devices' changed interrupt lines to the
//! kernel.

use abi::Sys;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use qvm::config::Unsupported;
use qvm::layout::{AddressSpace, VdevLayout};
use ulib::sync::Mutex;
use ulib::sys;
use vdev::bus::{Bus, DeviceId};

/// What the vCPU threads share.
pub struct Shared {
    /// The device models by guest-physical address.
    pub bus: Bus,
    /// The interrupt line of each device, by bus index (`None`: it has
    /// none).
    pub intids: Vec<Option<u32>>,
    /// The device models by I/O port (x86; empty on ARM).
    pub ports: Bus,
    /// The interrupt line of each device on `ports`, by its index there.
    pub port_intids: Vec<Option<u32>>,
    /// The PC's devices the port handler reaches past the bus (`ports.rs`).
    pub platform: Platform,
    /// The UART that is the VM's console (`hostdev -`, or the first serial
    /// when none says), which gets the host console's input.
    pub console: Option<(AddressSpace, vdev::bus::DeviceId)>,
    /// Typed input the console UART had no room for yet (a PL011 without
    /// its FIFO holds one byte): fed as the guest reads.
    pub console_pending: alloc::collections::VecDeque<u8>,
}

/// An assembled VM.
pub struct Vm {
    /// Its name (`system`).
    pub name: String,
    /// VM handle.
    pub handle: usize,
    /// vCPU handles, by index.
    pub vcpus: Vec<usize>,
    /// Device models.
    pub shared: Mutex<Shared>,
    /// What to do with what cannot be emulated.
    pub unsupported: Unsupported,
    /// Each vCPU thread's priority and host CPUs (`cpu sched`, `runmask`).
    pub placement: Vec<(usize, u64)>,
    /// Cards with a `peer` link, each served by a thread of its own.
    pub links: Vec<(vdev::bus::DeviceId, crate::netlink::LinkWaiter)>,
    /// `shmem` devices (doorbells, this VM's index), each served by a
    /// thread of its own (`shmem::serve`).
    pub shmems: Vec<(vdev::bus::DeviceId, (crate::shmem::Bells, u32))>,
    /// Bumped (and woken) when the guest reprograms the 8254, for the
    /// thread that raises its interrupts (`ports::pit_thread`).
    pub pit_kick: core::sync::atomic::AtomicU32,
    /// Bumped (and woken) when the guest touches the RTC, for the thread
    /// that raises its interrupts (`ports::rtc_thread`).
    pub rtc_kick: core::sync::atomic::AtomicU32,
    /// The watchdogs (`vdev wdt-sp805`, `wdt-ib700`), served by one
    /// thread (`watchdog::thread`).
    pub watchdogs: Vec<WatchdogSlot>,
    /// Bumped (and woken) when the guest touches a watchdog, for that
    /// thread.
    pub wdt_kick: core::sync::atomic::AtomicU32,
    /// The exit status when the guest asks for a reset: `EXIT_OK`, or
    /// `EXIT_RESET_TO_RESTART` in a `qvm` run for `set on-reset restart`.
    pub reset_status: usize,
    /// `dump DIR`: where a core dump goes.
    pub dump_dir: Option<String>,
    /// The guest's memory, for core dumps: all of it and its regions.
    pub ram: crate::guestmem::GuestRam,
    pub ram_regions: Vec<qvm::dump::RamRegion>,
    /// The vCPUs' registers gathered for a dump (`coredump.rs`).
    pub dump: crate::coredump::gather::Gather,
    /// The machine its core dumps describe (on ARM 32-bit ARM for an
    /// AArch32 VM, `guest::dump_machine`).
    pub dump_machine: qvm::dump::Machine,
}

/// Tells the VM's interrupt controller about device lines that changed.
pub fn raise_changed_lines(vm: &Vm, shared: &mut Shared) {
    let Shared {
        bus,
        intids,
        ports,
        port_intids,
        ..
    } = shared;
    for (bus, lines) in [(bus, intids), (ports, port_intids)] {
        bus.poll_irqs(|id, level| {
            if let Some(&Some(intid)) = lines.get(id.index()) {
                irq_line(vm, intid, level);
            }
        });
    }
}

/// Sets device line `intid` of the VM now (`vm_irq_line`).
pub fn irq_line(vm: &Vm, intid: u32, level: bool) {
    let _ = sys::call(
        Sys::VmIrqLine,
        [vm.handle, intid as usize, level as usize, 0, 0, 0],
    );
}

/// The PC devices the port handler reaches past the bus.
#[derive(Clone, Copy, Default)]
pub struct Platform {
    /// The 8254 (`vdev timer8254`), its ports and its I/O APIC pin.
    pub pit: Option<(DeviceId, u64, Option<u32>)>,
    /// The RTC (`vdev mc146818`) and its ports.
    pub rtc: Option<(DeviceId, u64)>,
    /// The 8042 (`vdev pckeyboard`), whose reset line resets the VM.
    pub keyboard: Option<DeviceId>,
    /// The ACPI PM1 block, whose S5 powers the VM off.
    pub pm: Option<DeviceId>,
    /// The 0xCF9 reset register.
    pub reset: Option<DeviceId>,
}

/// One watchdog of the VM (served by `watchdog::thread`): where it is,
/// and what to call it.
#[derive(Clone, Debug)]
pub struct WatchdogSlot {
    /// Its bus (MMIO, or the ports on x86).
    pub space: AddressSpace,
    /// Its id there.
    pub id: DeviceId,
    /// Its first address or port.
    pub base: u64,
    /// Its window's size.
    pub size: u64,
    /// `vdev wdt-sp805 at 0x1c0f0000 (FILE:LINE)`, for the message.
    pub what: String,
    /// `action dump,terminate`: a core dump before the VM ends.
    pub dump: bool,
}

impl WatchdogSlot {
    /// The watchdog `dev`, `id` on its bus.
    pub fn new(dev: &VdevLayout, id: DeviceId) -> WatchdogSlot {
        let at = match dev.space {
            AddressSpace::Memory => format!("{:#x}", dev.slot.base),
            AddressSpace::Io => format!("I/O port {:#x}", dev.slot.base),
        };
        WatchdogSlot {
            space: dev.space,
            id,
            base: dev.slot.base,
            size: dev.slot.size,
            what: format!("{} at {at} ({})", dev.config.describe(), dev.config.origin),
            dump: matches!(
                dev.config.options,
                qvm::config::DeviceOptions::Watchdog { dump: true, .. }
            ),
        }
    }
}
