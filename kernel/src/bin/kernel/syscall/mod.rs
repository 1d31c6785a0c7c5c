//! System-call dispatch: decode the call from the trap frame, run it with
//! the caller's identity, write the result to x0 (or leave it for the
//! wake-up when the call blocks). Every argument is checked: a bad handle,
//! pointer, length or right is an error code, never a kernel fault.

mod call;
mod console;
mod device;
mod dma;
mod info;
mod introspect;
mod maps;
mod memory;
mod pass;
mod process;
mod pulse;
mod shm;
mod sync;
mod thread;
mod vcpu_regs;
mod vm;
mod vm_shm;

use crate::hw::Frame;
use crate::state::Kernel;
use abi::{Error, Sys};
use arch::UserContext;
pub use call::{Caller, Outcome};

/// Runs the system call in `frame` for the current thread of `cpu`.
/// `#[inline]`: its one caller, the trap path (`trap.rs`), may sit in
/// another codegen unit, where without the hint it stays a call (about 20
/// instructions more on every system call; which unit a module lands in
/// moves with unrelated changes, and with it `cargo xtask bench`'s rows).
#[inline]
pub fn dispatch(k: &mut Kernel, cpu: usize, frame: &mut Frame) {
    let Some(thread) = k.cpus[cpu].current else {
        return;
    };
    let Some(process) = k.threads.get(thread).map(|t| t.process) else {
        return;
    };
    let c = Caller {
        cpu,
        thread,
        process,
    };
    let a = frame.syscall_args();
    let outcome: Outcome = match Sys::from_number(frame.syscall_number()) {
        None => Err(Error::NoSys).into(),
        Some(call) if may_allocate(call) && !crate::heap::has_room(CALL_HEAP) => {
            Err(Error::NoMemory).into()
        }
        Some(call) => match call {
            Sys::ConsoleWrite => console::write(k, &c, a[0], a[1]).into(),
            Sys::ConsoleRead => console::read(k, &c, a[0], a[1]),
            Sys::Exit => process::exit(k, &c, a[0]).into(),
            Sys::ProcessSpawn => process::spawn(k, &c, a).into(),
            Sys::ProcessWait => process::wait(k, &c, a[0]),
            Sys::ProcessKill => process::kill(k, &c, a[0], a[1]).into(),
            Sys::ProcessList => info::process_list(k, &c, a[0], a[1]).into(),
            Sys::ThreadCreate => thread::create(k, &c, a[0], a[1], a[2], a[3], a[4]).into(),
            Sys::ThreadExit => thread::exit(k, &c).into(),
            Sys::ThreadWait => thread::wait(k, &c, a[0]),
            Sys::FutexWait => sync::futex_wait(k, &c, a[0], a[1], a[2]),
            Sys::FutexWake => sync::futex_wake(k, &c, a[0], a[1]).into(),
            Sys::Yield => {
                k.cpus[cpu].need_resched = true;
                Ok(0).into()
            }
            Sys::Clock => Ok(k.now_ns() as usize).into(),
            Sys::Sleep => sync::sleep(k, &c, a[0]),
            Sys::MemMap => memory::map(k, &c, a[0], a[1], a[2]).into(),
            Sys::MemUnmap => memory::unmap(k, &c, a[0], a[1]).into(),
            Sys::HandleClose => process::handle_close(k, &c, a[0]).into(),
            Sys::HandleDup => process::handle_dup(k, &c, a[0], a[1]).into(),
            Sys::BootfsRead => info::bootfs_read(k, &c, a[0], a[1], a[2], a[3], a[4]).into(),
            Sys::SysInfo => info::sysinfo(k, &c, a[0], a[1]).into(),
            Sys::CpuId => Ok(cpu).into(),
            Sys::VmCreate => vm::create(k, &c).into(),
            Sys::VmConfigure => vm::configure(k, &c, a[0], a[1], a[2]).into(),
            Sys::VmMapRam => vm::map_ram(k, &c, a[0], a[1], a[2], a[3], a[4]).into(),
            Sys::VcpuCreate => vm::vcpu_create(k, &c, a[0], a[1]).into(),
            Sys::VcpuSetRegs => vm::set_regs(k, &c, a[0], a[1], a[2]).into(),
            Sys::VcpuRun => vm::run(k, &c, frame, a[0], a[1]),
            Sys::VmIrqLine => vm::irq_line(k, &c, a[0], a[1], a[2]).into(),
            Sys::ProcessSetName => process::set_name(k, &c, a[0], a[1]).into(),
            Sys::ShmOpen => shm::open(k, &c, a[0], a[1], a[2]).into(),
            Sys::ShmMap => shm::map(k, &c, a[0], a[1], a[2]).into(),
            Sys::ShmSpaceCreate => shm::space_create(k, &c).into(),
            Sys::DeviceList => device::list(k, &c, a[0], a[1], a[2], a[3]).into(),
            Sys::DeviceMap => device::map(k, &c, a[0], a[1]).into(),
            Sys::IrqAttach => device::irq_attach(k, &c, a[0]).into(),
            Sys::IrqWait => device::irq_wait(k, &c, a[0]),
            Sys::IrqUnmask => device::irq_unmask(k, &c, a[0]).into(),
            Sys::VmMapDevice => pass::vm_map_device(k, &c, a[0], a[1], a[2]).into(),
            Sys::VmIrqPass => pass::vm_irq_pass(k, &c, a[0], a[1], a[2]).into(),
            Sys::DmaAlloc => dma::alloc(k, &c, a[0], a[1]).into(),
            Sys::ThreadList => introspect::thread_list(k, &c, a[0], a[1]).into(),
            Sys::ProcessRegions => maps::process_regions(k, &c, a[0], a[1], a[2]).into(),
            Sys::IrqList => introspect::irq_list(k, &c, a[0], a[1]).into(),
            Sys::PhysMap => maps::phys_map(k, &c, a[0], a[1]).into(),
            Sys::ProcessOpen => introspect::process_open(k, &c, a[0], a[1]).into(),
            Sys::VcpuGetRegs => vcpu_regs::get_regs(k, &c, a[0], a[1], a[2]).into(),
            Sys::VcpuStop => vcpu_regs::stop(k, &c, a[0]).into(),
            Sys::VmMapShm => vm_shm::map(k, &c, a[0], a[1], a[2], a[3]).into(),
            Sys::ProcessPulse => pulse::send(k, &c, a[0], a[1]).into(),
            Sys::PulseWait => pulse::wait(k, &c, a[0]),
        },
    };
    if let Outcome::Done(result) = outcome {
        frame.set_return(abi::encode_return(result));
    }
}

/// Kernel heap one call may take for bookkeeping of fixed size (an object
/// record, a handle slot, a wait-list entry, a VM's vGIC state), checked
/// before it runs. Calls whose bookkeeping grows with an argument reserve
/// it fallibly themselves (`try_reserve`) and return `NoMemory`. The kernel
/// runs calls one at a time under its lock, so the room checked is there
/// for the whole call.
const CALL_HEAP: usize = 256 << 10;

/// Whether `call` may allocate kernel heap without checking. Those that
/// only end, close or read things run even with the heap short, so a
/// process can always give memory back; `vcpu_run` (the exit path) and
/// `vm_irq_line` allocate nothing but fallibly (a WFI wake-up's deadline
/// entry), so they skip the check.
fn may_allocate(call: Sys) -> bool {
    !matches!(
        call,
        Sys::Exit
            | Sys::ThreadExit
            | Sys::HandleClose
            | Sys::ProcessKill
            | Sys::MemUnmap
            | Sys::Yield
            | Sys::Clock
            | Sys::CpuId
            | Sys::VcpuRun
            | Sys::VmIrqLine
    )
}
