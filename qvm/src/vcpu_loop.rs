//! The vCPU run loops: each thread calls `vcpu_run` and handles what comes
//! back (MMIO to device models, hypercalls the kernel does not know,
//! trapped registers, power-off), applying the `unsupported` policies;
//! a stop for a core dump hands the registers over (`coredump.rs`). The
//! first thread, once the others run, answers pulses (a dump on request).

use crate::vm::{Vm, raise_changed_lines};
use abi::{ExitKind, Sys, VcpuExit, response};
use alloc::sync::Arc;
use qvm::arch::guest;
use qvm::config::UnsupportedAction;
use ulib::{sys, thread};

/// Stack bytes of each of `qvm`'s threads (vCPU loops with the device
/// models, console input, network links). The deepest seen in the QEMU
/// tests (Linux with virtio blk, net, entropy and console) was under 2 KiB:
/// room for eight times that; a guard page below each catches an overflow.
const THREAD_STACK: usize = 16 * 1024;

/// A device's timer thread: whether the VM has the device, what to call
/// it in messages, the thread's body (`ports.rs`).
type TimerThread = (bool, &'static str, fn(&Vm));

/// Runs every vCPU until the guest ends the VM; returns the exit status.
pub fn run(vm: Vm) -> usize {
    let vm = Arc::new(vm);
    if vm.shared.lock().console.is_some() {
        let shared = vm.clone();
        let input = move || console_input(&shared);
        if let Err(e) = thread::spawn_sized(THREAD_STACK, abi::PRIORITY_DEFAULT, 0, input) {
            log::warn!("qvm: {}: no console input: {}", vm.name, e.name());
        }
    }
    for (id, waiter) in vm.links.clone() {
        let shared = vm.clone();
        let link = move || crate::netlink::serve::serve(&shared, id, waiter);
        if let Err(e) = thread::spawn_sized(THREAD_STACK, abi::PRIORITY_DEFAULT, 0, link) {
            log::error!(
                "qvm: {}: cannot start a network link thread: {}",
                vm.name,
                e.name()
            );
            return crate::status::EXIT_START_FAILED;
        }
    }
    for &(id, (bells, index)) in &vm.shmems {
        let shared = vm.clone();
        let body = move || crate::shmem::serve::serve(&shared, id, bells, index);
        if let Err(e) = thread::spawn_sized(THREAD_STACK, abi::PRIORITY_DEFAULT, 0, body) {
            log::error!(
                "qvm: {}: cannot start a shmem doorbell thread: {}",
                vm.name,
                e.name()
            );
            return crate::status::EXIT_START_FAILED;
        }
    }
    let (pit, rtc) = {
        let shared = vm.shared.lock();
        (shared.platform.pit.is_some(), shared.platform.rtc.is_some())
    };
    let timers: [TimerThread; 3] = [
        (pit, "the 8254's", crate::ports::pit_thread),
        (rtc, "the RTC's", crate::ports::rtc_thread),
        (
            !vm.watchdogs.is_empty(),
            "the watchdogs'",
            crate::watchdog::thread,
        ),
    ];
    for (_, what, body) in timers.into_iter().filter(|t| t.0) {
        let shared = vm.clone();
        let run = move || body(&shared);
        if let Err(e) = thread::spawn_sized(THREAD_STACK, abi::PRIORITY_DEFAULT, 0, run) {
            log::error!("qvm: {}: cannot start {what} thread: {}", vm.name, e.name());
            return crate::status::EXIT_START_FAILED;
        }
    }
    // One thread per vCPU, each with its `cpu sched` priority and
    // `runmask`; the first vCPU to end the VM ends the process.
    let mut boot = None;
    for index in 0..vm.vcpus.len() {
        let shared = vm.clone();
        let (priority, runmask) = vm
            .placement
            .get(index)
            .copied()
            .unwrap_or((abi::PRIORITY_DEFAULT, 0));
        let started = thread::spawn_sized(THREAD_STACK, priority, runmask, move || {
            let status = vcpu(&shared, index);
            sys::exit(status);
        });
        match started {
            Ok(handle) if index == 0 => boot = Some(handle),
            Ok(_) => {}
            Err(e) => {
                log::error!(
                    "qvm: {}: cannot start the thread of vCPU {index}: {}",
                    vm.name,
                    e.name()
                );
                return crate::status::EXIT_START_FAILED;
            }
        }
    }
    // The vCPU threads end the process; this one answers pulses meanwhile.
    if boot.is_some() {
        crate::coredump::serve_pulses(&vm);
    }
    crate::status::EXIT_RUN_FAILED
}

/// Feeds what is typed on the host console (while this VM has the input,
/// see Ctrl-T) to the VM's console device (the guest architecture's UART
/// or a virtio-console).
fn console_input(vm: &Vm) {
    let mut buf = [0u8; 64];
    loop {
        let Ok(n) = sys::console_read(&mut buf) else {
            return;
        };
        let mut shared = vm.shared.lock();
        if shared.console_pending.len() < crate::respond::MAX_PENDING_INPUT {
            shared.console_pending.extend(&buf[..n]);
        }
        crate::respond::feed_console(&mut shared);
        raise_changed_lines(vm, &mut shared);
    }
}

/// One vCPU's loop; returns when the VM must end, with the exit status.
fn vcpu(vm: &Vm, index: usize) -> usize {
    let handle = vm.vcpus[index];
    let mut exit = VcpuExit::default();
    loop {
        if let Err(e) = sys::call(Sys::VcpuRun, [handle, &raw mut exit as usize, 0, 0, 0, 0]) {
            log::error!(
                "qvm: {}: vcpu_run of vCPU {index} failed: {}",
                vm.name,
                e.name()
            );
            return crate::status::EXIT_RUN_FAILED;
        }
        exit.response = response::COMPLETE;
        exit.lines = [0; abi::EXIT_LINES];
        let (syndrome, pc, address) = (guest::syndrome(&exit), exit.pc, exit.address);
        let ended = match ExitKind::from_raw(exit.kind) {
            Some(ExitKind::Mmio) => mmio(vm, &mut exit),
            Some(ExitKind::PowerOff) => {
                log::info!("qvm: {}: the guest powered off", vm.name);
                Some(crate::status::EXIT_OK)
            }
            Some(ExitKind::Reset) => {
                log::info!("qvm: {}: the guest asked for a reset", vm.name);
                Some(vm.reset_status)
            }
            Some(ExitKind::Hypercall) => {
                exit.args = guest::UNKNOWN_HYPERCALL;
                None
            }
            Some(ExitKind::Register) => {
                let what = alloc::format!("system register access ({syndrome}) at pc {pc:#x}");
                crate::respond::policy(vm, vm.unsupported.register, what, &mut exit)
            }
            Some(ExitKind::PortIo) => crate::ports::port_io(vm, &mut exit),
            Some(ExitKind::Stopped) => {
                crate::coredump::stopped(vm, index);
                None
            }
            Some(ExitKind::Unhandled) | None => {
                // Without a syndrome there is nothing to step over: `ignore`
                // becomes `fail` here.
                let action = match vm.unsupported.instruction {
                    UnsupportedAction::Ignore => UnsupportedAction::Fail,
                    a => a,
                };
                let what = alloc::format!(
                    "unhandled exception ({syndrome}) at pc {pc:#x}, address {address:#x}"
                );
                crate::respond::policy(vm, action, what, &mut exit)
            }
        };
        if let Some(status) = ended {
            return status;
        }
    }
}

/// A load or store to a device (or to nothing).
fn mmio(vm: &Vm, exit: &mut VcpuExit) -> Option<usize> {
    let mut shared = vm.shared.lock();
    let size = exit.size as usize;
    let result = if exit.write != 0 {
        shared.bus.write(exit.address, size, exit.value).map(|()| 0)
    } else {
        shared.bus.read(exit.address, size)
    };
    match result {
        Ok(value) => {
            exit.value = value;
            crate::watchdog::touched(vm, qvm::layout::AddressSpace::Memory, exit.address);
        }
        Err(_) => {
            drop(shared);
            let what = alloc::format!(
                "{} of {} bytes at {:#x} with nothing there (pc {:#x})",
                if exit.write != 0 { "write" } else { "read" },
                exit.size,
                exit.address,
                exit.pc
            );
            return crate::respond::policy(vm, vm.unsupported.reference, what, exit);
        }
    }
    crate::respond::feed_console(&mut shared);
    // Not `answer_changed_lines`: deferred to the next `vcpu_run`, a
    // change could land after a newer one another thread (a network link,
    // the console input) made at once, and leave the line wrong.
    raise_changed_lines(vm, &mut shared);
    None
}
