//! The device models of the x86 device types (only in the `qvm` binary,
//! feature `vmm`): a `vdev ser8250` is a `vdev::ser8250::Ser8250`.

/// The model of the UART (`rules::UART`), writing to `S`.
pub type Uart<S> = vdev::ser8250::Ser8250<S>;
