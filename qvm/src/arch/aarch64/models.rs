//! The device models of the ARM device types (only in the `qvm` binary,
//! feature `vmm`): a `vdev pl011` is a `vdev::pl011::Pl011`.

use crate::config::VdevKind;

/// The UART the guest's console is (the first serial with `hostdev -`).
pub const UART: VdevKind = VdevKind::Pl011;
/// Its model, writing to `S`.
pub type Uart<S> = vdev::pl011::Pl011<S>;
