//! The parts of the vCPU loop that depend on the guest's architecture:
//! what an unknown hypercall returns and how an exit's architecture words
//! read in a message. One module per architecture; the loop names only
//! this one.

mod aarch64;

pub use aarch64::{UNKNOWN_HYPERCALL, syndrome};
