//! Pass-through, the doing half: reads the host's device list, plans the
//! `pass` entries (`qvm::passthrough`), maps each region into the VM
//! (`vm_map_device`) and binds each interrupt (`vm_irq_pass`). A refusal
//! names the `pass` line and what the host must do about it; the VM does
//! not start.

use abi::Error;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use qvm::config::Config;
use qvm::fdt::PassedDevice;
use qvm::passthrough::{self, HostRegion};
use ulib::device;

/// The host's device regions, for planning.
fn host_regions() -> Result<Vec<HostRegion>, String> {
    let rows =
        device::list("").map_err(|e| format!("cannot list the host's devices: {}", e.name()))?;
    Ok(rows
        .iter()
        .map(|r| HostRegion {
            index: r.index,
            base: r.base,
            size: r.size,
            irqs: r.irqs.iter().copied().filter(|&i| i != 0).collect(),
            edge: (0..r.irqs.len())
                .map(|n| r.flags & (1 << (abi::DEVICE_IRQ_EDGE_SHIFT + n as u32)) != 0)
                .collect(),
            path: r.path().into(),
            compatible: r.compatible().into(),
            ram: r.flags & abi::DEVICE_RAM != 0,
            dma: r.flags & abi::DEVICE_DMA != 0,
        })
        .collect())
}

/// Why the kernel refused a region or an interrupt, for the user.
fn why(e: Error, region: bool) -> &'static str {
    match (e, region) {
        (Error::AccessDenied, true) => {
            "the host did not grant qvm this device region (put 'dev=ADDRESS' before qvm on its \
             startup line)"
        }
        (Error::AccessDenied, false) => {
            "the host did not grant qvm this interrupt (put 'irq=N' before qvm on its startup \
             line)"
        }
        (Error::Busy, _) => "another process or VM holds it",
        (Error::Reserved, _) => "the host kernel uses it itself",
        (Error::AlreadyMapped, _) => "something else of the VM is at that guest address",
        (Error::InvalidArgument, false) => "not a shared interrupt (SPI) on both sides",
        (Error::NoMemory, _) => "the host is out of memory",
        _ => "refused by the host kernel",
    }
}

/// What the `pass` entries gave the VM.
#[derive(Default)]
pub struct Applied {
    /// The device-tree nodes of the devices.
    pub nodes: Vec<PassedDevice>,
    /// Host RAM in the VM: (host region, guest-physical address, size).
    pub ram: Vec<(u32, u64, u64)>,
}

/// Carries out the `pass` entries of `config` for VM `vm` (configured,
/// no vCPU running yet).
pub fn apply(vm: usize, config: &Config) -> Result<Applied, String> {
    if config.passes.is_empty() {
        return Ok(Applied::default());
    }
    let regions = host_regions()?;
    let plan = passthrough::plan(config, &regions).map_err(|e| format!("{e}"))?;
    let name = config.system.as_deref().unwrap_or("qvm");
    for note in &plan.notes {
        log::warn!("qvm: {name}: {note}");
    }
    let mut ram = Vec::new();
    for m in &plan.maps {
        // The region's whole pages, at the page holding `gpa` (placement
        // checked that `gpa` sits where the host address does in its page).
        let page = m.gpa & !(abi::PAGE_SIZE as u64 - 1);
        device::vm_map(vm, m.index, page as usize)
            .map_err(|e| format!("{}: {}: {} ({})", m.origin, m.what, why(e, true), e.name()))?;
        if m.ram {
            ram.push((m.index, m.gpa, m.size));
        }
    }
    for i in &plan.irqs {
        device::vm_irq_pass(vm, i.host, i.guest)
            .map_err(|e| format!("{}: {}: {} ({})", i.origin, i.what, why(e, false), e.name()))?;
    }
    Ok(Applied {
        nodes: plan.nodes,
        ram,
    })
}
