//! Guest core dumps (`dump DIR`, a watchdog's `action dump,terminate`):
//! every vCPU is stopped (`vcpu_stop`), its thread reads its registers
//! (`vcpu_get_regs`) and waits; the RAM and the registers go to the host
//! storage `DIR` names as an ELF core (`qvm::dump`), then the vCPUs go
//! on. The host has no file systems: `DIR` is a host block driver's disk,
//! `/dev/NAME` (or a range of it, `/dev/NAME@FIRST,SECTORS`), and the core
//! is written from its first sector (each dump replaces the last).

use crate::hostdisk::DriverDisk;
use crate::vm::Vm;
use abi::Sys;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};
use qvm::arch::guest;
use qvm::config::block_device;
use qvm::dump::{CpuState, layout};
use ulib::sync::Mutex;
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

/// The registers the vCPU threads hand over during a dump.
pub struct Gather {
    /// 1 while a dump is taken: a stopped vCPU gives its registers and
    /// waits for 0.
    active: AtomicU32,
    /// How many vCPUs have given theirs (woken on each).
    arrived: AtomicU32,
    /// By vCPU index: `NT_PRSTATUS` registers.
    regs: Mutex<Vec<Option<Vec<u64>>>>,
}

impl Gather {
    /// For a VM with `vcpus`.
    pub fn new(vcpus: usize) -> Gather {
        Gather {
            active: AtomicU32::new(0),
            arrived: AtomicU32::new(0),
            regs: Mutex::new(vec![None; vcpus]),
        }
    }
}

/// In vCPU `index`'s thread, after `vcpu_run` returned `Stopped`: during
/// a dump, hands over its registers and waits until the dump is written.
pub fn stopped(vm: &Vm, index: usize) {
    let g = &vm.dump;
    if g.active.load(Ordering::SeqCst) == 0 {
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
    match read {
        Ok(_) => {
            if let Some(slot) = g.regs.lock().get_mut(index) {
                *slot = Some(guest::dump_regs(&regs));
            }
        }
        Err(e) => log::warn!(
            "qvm: {}: cannot read the registers of vCPU {index}: {}",
            vm.name,
            e.name()
        ),
    }
    g.arrived.fetch_add(1, Ordering::SeqCst);
    let _ = sys::futex_wake(&g.arrived, 1);
    while g.active.load(Ordering::SeqCst) != 0 {
        let _ = sys::futex_wait(&g.active, 1, 0);
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
        let core = layout(guest::DUMP_MACHINE, &cpus, &vm.ram_regions);
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
        for (r, &at) in vm.ram_regions.iter().zip(&core.offsets) {
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
    resume_all(vm);
    result
}

/// Stops every vCPU and gathers the registers of those that stop in
/// time.
fn stop_all(vm: &Vm) -> Vec<CpuState> {
    let g = &vm.dump;
    for slot in g.regs.lock().iter_mut() {
        *slot = None;
    }
    g.arrived.store(0, Ordering::SeqCst);
    g.active.store(1, Ordering::SeqCst);
    for &handle in &vm.vcpus {
        let _ = sys::call(Sys::VcpuStop, [handle, 0, 0, 0, 0, 0]);
    }
    let deadline = sys::clock().saturating_add(STOP_NS);
    loop {
        let arrived = g.arrived.load(Ordering::SeqCst);
        let now = sys::clock();
        if arrived as usize >= vm.vcpus.len() || now >= deadline {
            break;
        }
        let _ = sys::futex_wait(&g.arrived, arrived, deadline - now);
    }
    let regs = g.regs.lock();
    let cpus: Vec<CpuState> = regs
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.clone().map(|regs| CpuState {
                pid: i as u32 + 1,
                regs,
            })
        })
        .collect();
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

/// Lets the vCPUs go on.
fn resume_all(vm: &Vm) {
    vm.dump.active.store(0, Ordering::SeqCst);
    let _ = sys::futex_wake(&vm.dump.active, usize::MAX);
}
