//! What `qvm` does with an exit besides the device's answer: the
//! `unsupported` policies, and typed console input moved into the console
//! device as it makes room (the vCPU loop and the port handler both).

use crate::vm::{Shared, Vm};
use abi::{VcpuExit, response};
use alloc::string::String;
use qvm::arch::guest;
use qvm::config::UnsupportedAction;
use qvm::layout::AddressSpace;

/// Most typed bytes kept for a guest that does not read them.
pub const MAX_PENDING_INPUT: usize = 4096;

/// Moves pending typed input into the console device as far as it has
/// room. The check is inlined into every MMIO exit, the move is not.
#[inline(always)]
pub fn feed_console(shared: &mut Shared) {
    if !shared.console_pending.is_empty() {
        move_console_input(shared);
    }
}

/// [`feed_console`]'s move.
#[inline(never)]
fn move_console_input(shared: &mut Shared) {
    let Some((space, id)) = shared.console else {
        return;
    };
    let Shared {
        bus,
        ports,
        console_pending,
        ..
    } = shared;
    let bus = match space {
        AddressSpace::Memory => bus,
        AddressSpace::Io => ports,
    };
    let (front, _) = console_pending.as_slices();
    let taken = if let Some(uart) = bus.downcast_mut::<ConsoleUart>(id) {
        uart.push_input(&front[..front.len().min(uart.rx_space())])
    } else if let Some(port) = bus.downcast_mut::<VirtioConsole>(id) {
        // Takes what its FIFO (4 KiB) has room for; the rest waits here.
        port.push_input(front)
    } else {
        0
    };
    console_pending.drain(..taken);
}

/// The console models typed input can go to.
type ConsoleUart = guest::Uart<crate::vmconsole::PrefixedOutput>;
type VirtioConsole = vdev::VirtioMmio<
    crate::guestmem::GuestRam,
    vdev::virtio::console::Console<crate::vmconsole::PrefixedOutput>,
>;

/// Applies an `unsupported` policy; `Some(status)` ends the VM.
pub fn policy(
    vm: &Vm,
    action: UnsupportedAction,
    what: String,
    exit: &mut VcpuExit,
) -> Option<usize> {
    match action {
        UnsupportedAction::Abort => {
            log::error!(
                "qvm: {}: {what}: ending the VM (unsupported ... abort)",
                vm.name
            );
            Some(crate::status::EXIT_UNSUPPORTED)
        }
        UnsupportedAction::Fail => {
            exit.response = response::INJECT_ABORT;
            None
        }
        UnsupportedAction::Ignore => {
            exit.value = u64::MAX;
            None
        }
    }
}
