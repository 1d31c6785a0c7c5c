//! The 8042 keyboard controller in the DSDT, when the VM has one (`vdev
//! pckeyboard`): `Device (KBD_) { Name (_HID, "PNP0303") Name (_CRS,
//! ResourceTemplate () { IO (Decode16, 0x60, 0x60, 1, 1) IO (Decode16,
//! 0x64, 0x64, 1, 1) IRQNoFlags () {1} }) }`, as a PC's firmware describes
//! it. A guest that finds it there takes the keyboard port from it and,
//! with no PS/2 mouse (PNP0F13) described, does not probe for one: Linux
//! otherwise probes the controller's ports itself and waits out the
//! timeouts of the mouse port `qvm`'s 8042 does not have (1.3 s of
//! boot). Encodings: ACPI 6.4 §6.4.2.5 (I/O port descriptor) and §6.4.2.1
//! (IRQ descriptor).

use super::aml::{END_TAG, device, name_buffer, name_string};
use super::sdt::Bytes;

/// The PNP ID of an IBM Enhanced (101/102-key) keyboard controller.
pub const KEYBOARD_HID: &str = "PNP0303";
/// The 8042's data and command/status ports.
const PORTS: [u16; 2] = [0x60, 0x64];
/// Its ISA interrupt (the keyboard's).
const IRQ: u8 = 1;

/// Small resource item 0x08, I/O Port Descriptor, length 7; its
/// information byte: bit 0, the device decodes 16 address bits.
const IO_PORT: u8 = 0x47;
const IO_DECODE16: u8 = 1 << 0;
/// Small resource item 0x04, IRQ Descriptor, length 2 (no flags byte:
/// edge-triggered, active-high, as ISA interrupts are).
const IRQ_NO_FLAGS: u8 = 0x22;

/// The resource template: both ports, one byte each, and the interrupt.
fn resources() -> Bytes {
    let mut r = Bytes::default();
    for port in PORTS {
        r.u8(IO_PORT)
            .u8(IO_DECODE16)
            .u16(port)
            .u16(port)
            .u8(1)
            .u8(1);
    }
    r.u8(IRQ_NO_FLAGS).u16(1 << IRQ);
    r.u8(END_TAG).u8(0);
    r
}

/// Appends `Device (KBD_) {...}`.
pub fn keyboard_device(out: &mut Bytes) {
    let mut body = Bytes::default();
    name_string(&mut body, b"_HID", KEYBOARD_HID);
    name_buffer(&mut body, b"_CRS", &resources().0);
    device(out, b"KBD_", &body.0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::x86_64::acpi::aml::{BUFFER_OP, DEVICE_OP, EXT_OP_PREFIX};

    #[test]
    fn encodes_as_iasl_would() {
        let mut out = Bytes::default();
        keyboard_device(&mut out);
        let b = &out.0;
        assert_eq!(&b[..2], &[EXT_OP_PREFIX, DEVICE_OP]);
        assert_eq!(usize::from(b[2]), b.len() - 2, "a one-byte PkgLength");
        let b = &b[3..];
        assert_eq!(&b[..4], b"KBD_");
        assert_eq!(&b[4..18], b"\x08_HID\x0dPNP0303\0");
        assert_eq!(&b[18..23], b"\x08_CRS");
        // Buffer, its PkgLength, size 21 as a byte, the template.
        assert_eq!(&b[23..27], &[BUFFER_OP, 24, 0x0A, 21]);
        assert_eq!(
            &b[27..],
            &[
                0x47, 1, 0x60, 0, 0x60, 0, 1, 1, // IO (Decode16, 0x60, ...)
                0x47, 1, 0x64, 0, 0x64, 0, 1, 1, // IO (Decode16, 0x64, ...)
                0x22, 2, 0, // IRQNoFlags () {1}
                0x79, 0, // End tag
            ]
        );
    }
}
