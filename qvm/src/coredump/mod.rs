//! Guest core dumps (`dump DIR`; on request, the host shell's `dump`
//! pulse; a watchdog's `action dump,terminate`):
//! every vCPU is stopped (`vcpu_stop`), its thread reads its registers
//! (`vcpu_get_regs`) and waits; the RAM and the registers go to the host
//! storage `DIR` names as an ELF core (`qvm::dump`), then the vCPUs go
//! on. The host has no file systems: `DIR` is a host block driver's disk,
//! `/dev/NAME` (or a range of it, `/dev/NAME@FIRST,SECTORS`), and the core
//! is written from its first sector (each dump replaces the last).
//! [`gather`] is where the vCPU threads hand their registers over.

pub mod gather;

use crate::hostdisk::DriverDisk;
use crate::vm::Vm;
use abi::Sys;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use qvm::arch::guest;
use qvm::config::block_device;
use qvm::dump::{CpuState, layout};
use ulib::sys;
use vdev::virtio::GuestMemory;
use vdev::virtio::blk::BlockStorage;

/// How long the dump waits for the vCPUs to stop (one that does not is
/// left out of the core: powered off and never started, say).
const STOP_NS: u64 = 2_000_000_000;
/// Bytes of guest RAM copied to the disk at a time.
const CHUNK: usize = 64 << 10;
/// The disk's sector.
const SECTOR: u64 = 512;

/// In vCPU `index`'s thread, after `vcpu_run` returned `Stopped`: during
/// a dump, hands over its registers and waits until the dump is written.
pub fn stopped(vm: &Vm, index: usize) {
    if !vm.dump.active() {
        return;
    }
    let mut regs = guest::VcpuRegs::default();
    let read = sys::call(
        Sys::VcpuGetRegs,
        [
            vm.vcpus[index],
            &raw mut regs as usize,
            core::mem::size_of::<guest::VcpuRegs>(),
            0,
            0,
            0,
        ],
    );
    let words = match read {
        Ok(_) => Some(guest::dump_regs(vm.dump_machine, &regs)),
        Err(e) => {
            log::warn!(
                "qvm: {}: cannot read the registers of vCPU {index}: {}",
                vm.name,
                e.name()
            );
            None
        }
    };
    vm.dump.hand_over(index, words);
}

/// While the VM runs: answers the pulses sent to this process (the host
/// shell's `dump`): [`abi::PULSE_DUMP`] writes the guest's core to the
/// configuration's `dump DIR`, and the guest goes on.
pub fn serve_pulses(vm: &Vm) -> ! {
    loop {
        match ulib::process::pulse_wait(0) {
            Ok(abi::PULSE_DUMP) => {
                let written = match &vm.dump_dir {
                    Some(dir) => write(vm, dir),
                    None => Err(String::from(
                        "no core written: the configuration gives no 'dump DIR'",
                    )),
                };
                match written {
                    Ok(done) => log::warn!("qvm: {}: dump requested: {done}", vm.name),
                    Err(e) => log::error!("qvm: {}: dump requested: {e}", vm.name),
                }
            }
            Ok(code) => log::warn!(
                "qvm: {}: ignoring pulse {code} (not a dump request)",
                vm.name
            ),
            // Short of kernel memory for the wait: try again later.
            Err(_) => sys::sleep_ns(100_000_000),
        }
    }
}

/// Writes the guest's core to `dir` (`dump DIR`); the message to print
/// when it is written (`wrote core DIR (N bytes, K vCPUs)`), or why not.
pub fn write(vm: &Vm, dir: &str) -> Result<String, String> {
    let device = match block_device(dir) {
        Some(Ok(d)) => d,
        Some(Err(e)) => return Err(e),
        None => {
            return Err(format!(
                "cannot write a core to '{dir}': the host has no file systems; 'dump' takes a \
                 host block driver's disk, /dev/NAME"
            ));
        }
    };
    let cpus = stop_all(vm);
    let result = (|| {
        let mut disk = DriverDisk::open(device.channel, device.partition)?;
        let core = layout(vm.dump_machine, &cpus, &vm.ram_regions);
        let room = disk.len();
        if core.total.next_multiple_of(SECTOR) > room {
            return Err(format!(
                "cannot write a core of {} bytes to '{dir}': it has {room}",
                core.total
            ));
        }
        let failed = |what: &str| format!("cannot write the core to '{dir}': {what} failed");
        let mut head = core.headers;
        head.resize(head.len().next_multiple_of(SECTOR as usize), 0);
        disk.write(0, &head).map_err(|_| failed("a write"))?;
        let mut buf = vec![0u8; CHUNK];
        // The regions the core holds (an ELF32 core's end at 4 GiB).
        for (r, &at) in core.regions.iter().zip(&core.offsets) {
            let mut done = 0u64;
            while done < r.len {
                let n = (r.len - done).min(CHUNK as u64) as usize;
                let chunk = &mut buf[..n];
                if vm.ram.read(r.gpa + done, chunk).is_err() {
                    return Err(failed("reading guest RAM"));
                }
                let padded = n.next_multiple_of(SECTOR as usize);
                buf[n..padded].fill(0);
                disk.write(at + done, &buf[..padded])
                    .map_err(|_| failed("a write"))?;
                done += n as u64;
            }
        }
        disk.flush().map_err(|_| failed("the flush"))?;
        Ok(format!(
            "wrote core {dir} ({} bytes, {} vCPUs)",
            core.total,
            cpus.len()
        ))
    })();
    vm.dump.end();
    result
}

/// Stops every vCPU and gathers the registers of those that stop in
/// time.
fn stop_all(vm: &Vm) -> Vec<CpuState> {
    vm.dump.begin();
    for &handle in &vm.vcpus {
        let _ = sys::call(Sys::VcpuStop, [handle, 0, 0, 0, 0, 0]);
    }
    vm.dump.wait(vm.vcpus.len(), STOP_NS);
    let cpus = vm.dump.gathered();
    if cpus.len() < vm.vcpus.len() {
        log::warn!(
            "qvm: {}: the core has the registers of {} of {} vCPUs (the others did not stop \
             in {} ms)",
            vm.name,
            cpus.len(),
            vm.vcpus.len(),
            STOP_NS / 1_000_000
        );
    }
    cpus
}
