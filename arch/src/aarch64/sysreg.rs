//! The system-register trap syndrome (ESR_EL2.EC 0x18, ARM ARM D24.2.40:
//! op0, op1, CRn, CRm, op2, Rt, direction) and the registers the
//! hypervisor keeps from guests: the self-hosted debug registers
//! (`MDCR_EL2.TDA`, `TDOSA`, `TDRA`) and the Performance Monitors
//! (`MDCR_EL2.TPM`, `TPMCR`). Their state is not switched between VMs, so
//! a guest reads zeros and its writes are dropped: one VM's breakpoints,
//! watchpoints or counter interrupts can never reach another VM or the
//! host.

/// A decoded system-register trap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SysRegAccess {
    /// op0 (2: debug, 3: non-debug).
    pub op0: u64,
    /// op1.
    pub op1: u64,
    /// CRn.
    pub crn: u64,
    /// CRm.
    pub crm: u64,
    /// op2.
    pub op2: u64,
    /// The general-purpose register transferred (31: the zero register).
    pub rt: usize,
    /// A read (MRS), else a write (MSR).
    pub read: bool,
}

/// Decodes the ISS of an MSR/MRS trap.
#[inline]
pub fn decode(iss: u64) -> SysRegAccess {
    SysRegAccess {
        op0: (iss >> 20) & 3,
        op2: (iss >> 17) & 7,
        op1: (iss >> 14) & 7,
        crn: (iss >> 10) & 0xf,
        rt: ((iss >> 5) & 0x1f) as usize,
        crm: (iss >> 1) & 0xf,
        read: iss & 1 == 1,
    }
}

impl SysRegAccess {
    /// A self-hosted debug register (op0 2: DBGB*/DBGW*, MDSCR_EL1, the OS
    /// lock, MDRAR_EL1, the debug comms channel, claim tags).
    pub fn is_debug(&self) -> bool {
        self.op0 == 2
    }

    /// A Performance Monitors register: PMCR_EL0 and the rest of CRn 9,
    /// CRm 12–14 (PMINTENSET/CLR_EL1 too), and PMEVCNTR/PMEVTYPER/PMCCFILTR
    /// in CRn 14, CRm 8–15.
    pub fn is_pmu(&self) -> bool {
        self.op0 == 3
            && ((self.crn == 9 && (12..=14).contains(&self.crm))
                || (self.crn == 14 && (8..=15).contains(&self.crm)))
    }
}

/// MDCR_EL2.TPMCR: trap PMCR_EL0 accesses.
pub const MDCR_TPMCR: u64 = 1 << 5;
/// MDCR_EL2.TPM: trap Performance Monitors accesses.
pub const MDCR_TPM: u64 = 1 << 6;
/// MDCR_EL2.TDA: trap debug register accesses.
pub const MDCR_TDA: u64 = 1 << 9;
/// MDCR_EL2.TDOSA: trap the OS-related debug registers.
pub const MDCR_TDOSA: u64 = 1 << 10;
/// MDCR_EL2.TDRA: trap debug ROM address register accesses.
pub const MDCR_TDRA: u64 = 1 << 11;
/// MDCR_EL2 for the whole time the kernel runs: debug and PMU registers
/// trap from EL1 and EL0 (HPMN 0: no counters reserved for EL1).
pub const MDCR_EL2: u64 = MDCR_TPMCR | MDCR_TPM | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA;

#[cfg(test)]
mod tests {
    use super::*;

    /// The ISS of an access to (op0, op1, CRn, CRm, op2) with Rt 3.
    fn iss(op0: u64, op1: u64, crn: u64, crm: u64, op2: u64, read: bool) -> u64 {
        (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (3 << 5) | (crm << 1) | read as u64
    }

    #[test]
    fn decodes_and_classifies() {
        // MDSCR_EL1: op0 2, op1 0, CRn 0, CRm 2, op2 2.
        let mdscr = decode(iss(2, 0, 0, 2, 2, true));
        assert_eq!((mdscr.rt, mdscr.read), (3, true));
        assert!(mdscr.is_debug() && !mdscr.is_pmu());
        // DBGBVR5_EL1: op0 2, op1 0, CRn 0, CRm 5, op2 4; OSLAR_EL1.
        assert!(decode(iss(2, 0, 0, 5, 4, false)).is_debug());
        assert!(decode(iss(2, 0, 1, 0, 4, false)).is_debug());
        // PMCR_EL0 (3, 3, 9, 12, 0), PMINTENSET_EL1 (3, 0, 9, 14, 1),
        // PMEVCNTR7_EL0 (3, 3, 14, 8, 7), PMCCFILTR_EL0 (3, 3, 14, 15, 7).
        for (op1, crn, crm, op2) in [(3, 9, 12, 0), (0, 9, 14, 1), (3, 14, 8, 7), (3, 14, 15, 7)] {
            let a = decode(iss(3, op1, crn, crm, op2, false));
            assert!(a.is_pmu() && !a.is_debug(), "{a:?}");
        }
        // Not these: CNTV_CTL_EL0 (3, 3, 14, 3, 1), ICC_SGI1R_EL1
        // (3, 0, 12, 11, 5), SCTLR_EL1 (3, 0, 1, 0, 0).
        for (op1, crn, crm, op2) in [(3, 14, 3, 1), (0, 12, 11, 5), (0, 1, 0, 0)] {
            let a = decode(iss(3, op1, crn, crm, op2, true));
            assert!(!a.is_pmu() && !a.is_debug(), "{a:?}");
        }
    }
}
