//! `set on-reset restart`: this `qvm` runs the VM in a child `qvm` (the
//! same program and arguments, marked with [`CHILD_MARK`]) and, when the
//! guest asks for a reset, starts a new child. A fresh process is a fresh
//! VM: new RAM (zeroed by the kernel), images and device tree loaded again,
//! device models new, vCPU 0 at the entry and the others off. The kernel
//! keeps a VM and its RAM until the process that made it ends, and has no
//! call to reset a VM's interrupt controller or power its vCPUs off, so a
//! restart inside one process could not give the guest that.
//!
//! The child is in this process's shared-memory namespace (its `peer`
//! links work as before). It ends with [`EXIT_RESET_TO_RESTART`] when
//! the guest resets; any other status is the VM's end and becomes this
//! process's status. [`qvm::restarts`] bounds how often.

use crate::status::{EXIT_OK, EXIT_RESET_TO_RESTART, EXIT_RUN_FAILED, EXIT_START_FAILED};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use qvm::restarts::{Decision, MAX_RESETS, Restarts, WINDOW_NS};
use ulib::{process, sys};

/// The first argument of a `qvm` that runs the VM for a `qvm` with
/// `set on-reset restart`: it ends with [`EXIT_RESET_TO_RESTART`] on a
/// guest reset, and does not print the warnings (its parent did).
pub const CHILD_MARK: &str = "--qvm-on-reset-child";

/// The bootfs path of the program `args[0]` names, found as `init` finds
/// it (a name without `/` is in `/bin`).
fn program_path(program: &str) -> String {
    if program.starts_with('/') {
        String::from(program)
    } else {
        format!("/bin/{program}")
    }
}

/// Runs the VM of `args` (this process's arguments, program name first)
/// in child processes until it ends other than by a reset; returns the
/// exit status.
pub fn run(args: &[&str], name: &str) -> usize {
    let program = args.first().copied().unwrap_or("qvm");
    let path = program_path(program);
    let mut child_args: Vec<&str> = Vec::from([program, CHILD_MARK]);
    child_args.extend_from_slice(args.get(1..).unwrap_or(&[]));
    let mut restarts = Restarts::new();
    let mut started = false;
    loop {
        let child = match process::spawn_with_my_grants(&path, &child_args, abi::SHM_SPACE_SAME) {
            Ok(h) => h,
            Err(e) => {
                log::error!("qvm: {name}: cannot start {path} for the VM: {}", e.name());
                return if started {
                    EXIT_RUN_FAILED
                } else {
                    EXIT_START_FAILED
                };
            }
        };
        started = true;
        let status = process::wait(child);
        let _ = sys::handle_close(child);
        match status {
            Ok(EXIT_RESET_TO_RESTART) => {}
            Ok(status) => return status,
            Err(e) => {
                log::error!("qvm: {name}: waiting for the VM failed: {}", e.name());
                return EXIT_RUN_FAILED;
            }
        }
        match restarts.on_reset(sys::clock()) {
            Decision::Restart { number } => {
                log::info!(
                    "qvm: {name}: restarting the VM (set on-reset restart; restart {number})"
                );
            }
            Decision::Stop => {
                log::error!(
                    "qvm: {name}: the guest reset more than {MAX_RESETS} times within {} s: not restarting it again",
                    WINDOW_NS / 1_000_000_000
                );
                return EXIT_OK;
            }
        }
    }
}
