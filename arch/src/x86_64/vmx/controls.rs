//! A VM-execution, exit or entry control word against the CPU's
//! capability MSR (Intel SDM Vol. 3C, A.3-A.5): bits 31:0 of the MSR are
//! the allowed 0-settings (a 1 there must be 1 in the control), bits
//! 63:32 the allowed 1-settings (a 0 there must be 0).

/// Bits the backend needs that the CPU cannot set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unsupported(pub u32);

/// The control word with `wanted` set, the bits the CPU requires added;
/// an error names the wanted bits it does not allow.
pub fn adjust(wanted: u32, capability: u64) -> Result<u32, Unsupported> {
    let must_be_one = capability as u32;
    let may_be_one = (capability >> 32) as u32;
    let missing = wanted & !may_be_one;
    if missing != 0 {
        return Err(Unsupported(missing));
    }
    Ok(wanted | must_be_one)
}

/// CR0 or CR4 with the bits VMX operation fixes (SDM A.7, A.8): a bit
/// set in `fixed0` must be 1, a bit clear in `fixed1` must be 0.
pub fn fix(value: u64, fixed0: u64, fixed1: u64) -> u64 {
    (value | fixed0) & fixed1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_bits_are_added_and_forbidden_ones_refused() {
        // Must-be-one 0x16 (the pin-based default1 bits), may-be-one 0xff.
        let cap = (0xFFu64 << 32) | 0x16;
        assert_eq!(adjust(0x1, cap), Ok(0x17));
        assert_eq!(adjust(0x101, cap), Err(Unsupported(0x100)));
        assert_eq!(adjust(0, cap), Ok(0x16));
    }

    #[test]
    fn cr_bits_are_fixed() {
        // CR4: VMXE (bit 13) fixed to 1, bit 20 fixed to 0.
        assert_eq!(fix(0, 1 << 13, !(1 << 20)), 1 << 13);
        assert_eq!(fix(1 << 20, 1 << 13, !(1 << 20)), 1 << 13);
    }
}
