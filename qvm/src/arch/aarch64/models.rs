//! The device models of the ARM device types (only in the `qvm` binary,
//! feature `vmm`): a `vdev pl011` is a `vdev::pl011::Pl011`.

/// The model of the UART (`rules::UART`), writing to `S`.
pub type Uart<S> = vdev::pl011::Pl011<S>;
