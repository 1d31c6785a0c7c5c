//! The device models of a placed configuration on their buses: memory
//! slots on the MMIO bus, I/O ports (x86) on the port bus, with each
//! device's line; the PC devices the port handler reaches past the bus
//! (`vm::Platform`).

use crate::guestmem::GuestMem;
use crate::netlink::LinkWaiter;
use crate::vm::Platform;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use qvm::config::{DeviceOptions, HostPath, VdevKind};
use qvm::layout::{AddressSpace, VdevLayout, VmLayout};
use vdev::bus::{Bus, DeviceId};
use vdev::{I8042, Pic8259};

/// The secondary 8259's ports.
const PIC_SLAVE_PORT: u64 = 0xA0;

/// The buses of one VM and what goes with them.
#[derive(Default)]
pub struct Buses {
    /// MMIO devices.
    pub bus: Bus,
    /// Their lines, by bus index.
    pub intids: Vec<Option<u32>>,
    /// Port devices.
    pub ports: Bus,
    /// Their lines, by port bus index.
    pub port_intids: Vec<Option<u32>>,
    /// The PC devices the port handler reaches.
    pub platform: Platform,
    /// The console UART.
    pub console: Option<(AddressSpace, DeviceId)>,
    /// Cards with a `peer` link.
    pub links: Vec<(DeviceId, LinkWaiter)>,
    /// `shmem` devices: their doorbells and this VM's index on each.
    pub shmems: Vec<(DeviceId, (crate::shmem::Bells, u32))>,
    /// The watchdogs.
    pub watchdogs: Vec<crate::vm::WatchdogSlot>,
}

impl Buses {
    /// Adds `model` on the port bus at `base`, `size` ports, with `line`.
    pub fn add_ports(
        &mut self,
        base: u64,
        size: u64,
        model: Box<dyn vdev::Vdev>,
        line: Option<u32>,
    ) -> Result<DeviceId, String> {
        let id = self
            .ports
            .add(base, size, model)
            .map_err(|e| alloc::format!("I/O ports {base:#x}: {e}"))?;
        self.port_intids.push(line);
        Ok(id)
    }

    fn add(
        &mut self,
        vm: usize,
        name: &str,
        dev: &VdevLayout,
        mem: &GuestMem,
    ) -> Result<(), String> {
        let mut bells = None;
        let (model, waiter) = if dev.config.kind == VdevKind::Shmem {
            let c = crate::shmem::connect(vm, name, dev)?;
            bells = Some(c.bells);
            (c.model, None)
        } else {
            crate::devices::device_model(name, dev, mem)?
        };
        let base = dev.slot.base;
        let id = match dev.space {
            AddressSpace::Memory => {
                let id = self
                    .bus
                    .add(base, dev.slot.size, model)
                    .map_err(|e| alloc::format!("vdev at {base:#x}: {e}"))?;
                self.intids.push(dev.intid);
                id
            }
            AddressSpace::Io => {
                // The 8042's window reaches its status port (4 up); port
                // 0x61 between them is the port handler's.
                let size = match dev.config.kind {
                    VdevKind::PcKeyboard => I8042::SIZE,
                    _ => dev.slot.size,
                };
                let id = self.add_ports(base, size, model, dev.intid)?;
                match dev.config.kind {
                    VdevKind::Timer8254 => self.platform.pit = Some((id, base, dev.intid)),
                    VdevKind::Mc146818 => self.platform.rtc = Some((id, base)),
                    VdevKind::PcKeyboard => self.platform.keyboard = Some(id),
                    VdevKind::I8259 => {
                        self.add_ports(
                            PIC_SLAVE_PORT,
                            Pic8259::SIZE,
                            Box::new(Pic8259::new()),
                            None,
                        )?;
                    }
                    _ => {}
                }
                id
            }
        };
        if let Some(w) = waiter {
            self.links.push((id, w));
        }
        if let Some(b) = bells {
            self.shmems.push((id, b));
        }
        if dev.config.kind.is_watchdog() {
            self.watchdogs.push(crate::vm::WatchdogSlot::new(dev, id));
        }
        let is_console = match &dev.config.options {
            DeviceOptions::Serial { hostdev: Some(h) } => h.path == HostPath::Console,
            DeviceOptions::Serial { hostdev: None } => true,
            _ => false,
        };
        if is_console && self.console.is_none() {
            self.console = Some((dev.space, id));
        }
        Ok(())
    }
}

/// The buses of `layout`'s devices (the firmware adds its own,
/// `firmware::add_devices`).
pub fn build(vm: usize, name: &str, layout: &VmLayout, mem: &GuestMem) -> Result<Buses, String> {
    let mut buses = Buses::default();
    for dev in &layout.vdevs {
        buses.add(vm, name, dev, mem)?;
    }
    Ok(buses)
}
