//! What a guest's CPUID returns: the host's answer, filtered (Intel SDM
//! Vol. 2A, "CPUID—CPU Identification"; AMD APM Vol. 3, Appendix E). The
//! exit path executes CPUID on the host and hands the result to [`filter`].
//!
//! The rule is an allow-list per register: a feature bit reaches the guest
//! only if it is named in a mask of [`masks`], so a bit that later silicon
//! defines stays hidden until someone decides about it. What stays hidden:
//! - anything whose state the kernel does not switch between guest and
//!   host (extended XSAVE components, PKRU, CET, AMX, TSC_AUX, the
//!   speculation-control MSRs), unless [`SwitchedState`] says it does;
//! - virtualization itself (VMX, SMX, SVM) and everything built on MSRs
//!   the MSR policy ([`super::msr`]) does not emulate: performance
//!   monitoring (PDCM, DS, leaf 0xA), machine check (MCE, MCA), thermal and
//!   power management (EIST, TM, ACPI, leaf 6 except ARAT), debug
//!   interfaces (SDBG, Intel PT), TSC_ADJUST, SGX, TSX (HLE, RTM);
//! - MONITOR/MWAIT: the kernel has no MWAIT exit, and a guest that idles
//!   in HLT is what the vCPU loop blocks on;
//! - INVPCID (a VMX execution control the backend may not set) and LA57
//!   (the exit path walks guest tables with four levels).
//!
//! Leaves the kernel makes up rather than filters: the topology leaves 1
//! EBX, 0xB and 0x1F (N vCPUs, one thread per core, APIC ID = vCPU index)
//! and the hypervisor leaves at 0x4000_0000. A leaf above the reported
//! maximum, in either range, reads as zeros: Intel hardware answers with
//! the highest basic leaf there, AMD with zeros, and zeros leak nothing.
//! A leaf within range that is not named here reads as zeros too.

pub mod bits;
pub mod masks;

use bits::*;
use masks::*;

/// The four registers CPUID returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuidResult {
    pub eax: u32,
    pub ebx: u32,
    pub ecx: u32,
    pub edx: u32,
}

/// Which guest state the backend saves and restores on each switch; a
/// feature whose state it does not switch is hidden.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SwitchedState {
    /// XCR0 and the XSAVE area with x87 and SSE (XSAVE, OSXSAVE, leaf 0xD).
    pub xsave: bool,
    /// The AVX component (XCR0 bit 2): AVX, AVX2, FMA, F16C, VAES, XOP.
    pub avx: bool,
    /// The AVX-512 components (XCR0 bits 5-7): every AVX512* bit.
    pub avx512: bool,
    /// IA32_TSC_AUX: RDTSCP and RDPID.
    pub tsc_aux: bool,
    /// IA32_SPEC_CTRL loaded on entry and exit: IBRS, IBPB, STIBP, SSBD.
    pub spec_ctrl: bool,
}

/// The VM-wide inputs of the filter, fixed when the VM is created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VmCpuid {
    /// The VM's vCPU count (at least 1).
    pub vcpus: u32,
    /// The virtual LAPIC offers x2APIC mode.
    pub x2apic: bool,
    /// The virtual LAPIC timer offers TSC-deadline mode.
    pub tsc_deadline: bool,
    pub switched: SwitchedState,
    /// The host's leaf 0 EAX and leaf 0x8000_0000 EAX, read at boot.
    pub host_max_basic: u32,
    pub host_max_extended: u32,
}

/// The per-vCPU inputs, read at the exit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VcpuIdentity {
    /// The vCPU's index in its VM, which is its (x2)APIC ID.
    pub index: u32,
    /// The guest's CR4.OSXSAVE, which CPUID.1:ECX.OSXSAVE reflects.
    pub cr4_osxsave: bool,
}

/// The highest basic leaf this filter knows.
pub const MAX_BASIC_LEAF: u32 = 0x1F;
/// The highest extended leaf this filter knows.
pub const MAX_EXTENDED_LEAF: u32 = 0x8000_0008;
/// The hypervisor leaves (a range hardware leaves to hypervisors).
pub const HYPERVISOR_BASE: u32 = 0x4000_0000;
pub const HYPERVISOR_LAST: u32 = 0x4FFF_FFFF;
/// The highest hypervisor leaf qhv defines.
pub const MAX_HYPERVISOR_LEAF: u32 = HYPERVISOR_BASE;
/// "qhvqhvqhvqhv" as EBX, ECX, EDX (little-endian, as "GenuineIntel" is).
pub const SIGNATURE: [u32; 3] = [
    u32::from_le_bytes(*b"qhvq"),
    u32::from_le_bytes(*b"hvqh"),
    u32::from_le_bytes(*b"vqhv"),
];

const fn when(cond: bool, bits: u32) -> u32 {
    if cond { bits } else { 0 }
}

/// The XCR0 components the guest may enable.
pub fn xcr0_allowed(s: SwitchedState) -> u32 {
    when(s.xsave, xcr0::X87 | xcr0::SSE)
        | when(s.xsave && s.avx, xcr0::AVX)
        | when(
            s.xsave && s.avx && s.avx512,
            xcr0::OPMASK | xcr0::ZMM_HI256 | xcr0::HI16_ZMM,
        )
}

/// Bits needed for IDs 0..n: ceil(log2(n)).
fn id_bits(n: u32) -> u32 {
    n.max(1).next_power_of_two().trailing_zeros()
}

/// What leaf `leaf`, subleaf `subleaf`, returns in the guest, given what
/// the host returned for it.
pub fn filter(
    leaf: u32,
    subleaf: u32,
    host: CpuidResult,
    vm: &VmCpuid,
    vcpu: &VcpuIdentity,
) -> CpuidResult {
    let zero = CpuidResult::default();
    let s = vm.switched;
    let avx = s.xsave && s.avx;
    let avx512 = avx && s.avx512;
    let r = |eax, ebx, ecx, edx| CpuidResult { eax, ebx, ecx, edx };
    let max_basic = vm.host_max_basic.min(MAX_BASIC_LEAF);
    let max_ext = vm.host_max_extended.min(MAX_EXTENDED_LEAF);
    match leaf {
        HYPERVISOR_BASE => r(
            MAX_HYPERVISOR_LEAF,
            SIGNATURE[0],
            SIGNATURE[1],
            SIGNATURE[2],
        ),
        0x4000_0001..=HYPERVISOR_LAST => zero,
        0x8000_0000..=0xFFFF_FFFF if vm.host_max_extended < 0x8000_0000 || leaf > max_ext => zero,
        0x0000_0000..=0x3FFF_FFFF if leaf > max_basic => zero,
        // Vendor string passes: the guest needs to know whose CPU it is on.
        0 => CpuidResult {
            eax: max_basic,
            ..host
        },
        1 => {
            let xsave = host.ecx & when(s.xsave, leaf1_ecx::XSAVE);
            let ecx = (host.ecx & (LEAF1_ECX_KEEP | when(avx, LEAF1_ECX_AVX)))
                | xsave
                | when(xsave != 0 && vcpu.cr4_osxsave, leaf1_ecx::OSXSAVE)
                | when(vm.x2apic, leaf1_ecx::X2APIC)
                | when(vm.tsc_deadline, leaf1_ecx::TSC_DEADLINE)
                | leaf1_ecx::HYPERVISOR;
            let edx =
                (host.edx & LEAF1_EDX_KEEP) | leaf1_edx::APIC | when(vm.vcpus > 1, leaf1_edx::HTT);
            // EBX: brand index and CLFLUSH size pass; 23:16 the addressable
            // logical processor IDs, 31:24 the initial APIC ID.
            let count = (1u32 << id_bits(vm.vcpus)).min(0xFF);
            let ebx = (host.ebx & 0xFFFF) | (count << 16) | ((vcpu.index & 0xFF) << 24);
            r(host.eax, ebx, ecx, edx)
        }
        // Cache and TLB descriptors, the TSC/crystal ratio and the nominal
        // frequencies: descriptive, benign.
        2 | 0x15 | 0x16 => host,
        // Deterministic cache parameters: the topology fields follow ours
        // (31:26 core IDs in the package - 1, 25:14 sharing threads - 1).
        4 if host.eax & 0x1F != 0 => {
            let cores = ((1u32 << id_bits(vm.vcpus)) - 1).min(63);
            CpuidResult {
                eax: (host.eax & 0x3FFF) | (cores << 26),
                ..host
            }
        }
        6 => r(LEAF6_EAX_ARAT, 0, 0, 0),
        7 if subleaf == 0 => r(
            0,
            host.ebx
                & (LEAF7_EBX_KEEP | when(avx, leaf7_ebx::AVX2) | when(avx512, LEAF7_EBX_AVX512)),
            host.ecx
                & (LEAF7_ECX_KEEP
                    | when(avx, LEAF7_ECX_AVX)
                    | when(avx512, LEAF7_ECX_AVX512)
                    | when(s.tsc_aux, leaf7_ecx::RDPID)),
            host.edx
                & (LEAF7_EDX_KEEP
                    | leaf7_edx::ARCH_CAPABILITIES
                    | when(avx512, LEAF7_EDX_AVX512)
                    | when(s.spec_ctrl, LEAF7_EDX_SPEC)),
        ),
        0xB | 0x1F => topology(subleaf, vm.vcpus, vcpu.index),
        0xD if s.xsave => xsave_leaf(subleaf, host, xcr0_allowed(s)),
        0x8000_0000 => CpuidResult {
            eax: max_ext,
            ..host
        },
        0x8000_0001 => r(
            host.eax,
            host.ebx,
            host.ecx & (EXT1_ECX_KEEP | when(avx, EXT1_ECX_AVX)),
            host.edx & (EXT1_EDX_KEEP | when(s.tsc_aux, ext1_edx::RDTSCP)),
        ),
        // Brand string, L1/L2/L3 cache and TLB descriptions.
        0x8000_0002..=0x8000_0006 => host,
        0x8000_0007 => r(0, 0, 0, host.edx & EXT7_EDX_INVARIANT_TSC),
        // Address sizes pass; NC and ApicIdSize follow our topology.
        0x8000_0008 => r(
            host.eax,
            host.ebx & (EXT8_EBX_KEEP | when(s.spec_ctrl, EXT8_EBX_SPEC)),
            (vm.vcpus.max(1) - 1).min(0xFF) | (id_bits(vm.vcpus) << 12),
            0,
        ),
        _ => zero,
    }
}

/// Leaves 0xB and 0x1F: level 0 is SMT (one thread), level 1 is the core
/// level holding every vCPU; the x2APIC ID is the vCPU index.
fn topology(subleaf: u32, vcpus: u32, index: u32) -> CpuidResult {
    const SMT: u32 = 1;
    const CORE: u32 = 2;
    let level = |shift: u32, count: u32, kind: u32| CpuidResult {
        eax: shift,
        ebx: count,
        ecx: (subleaf & 0xFF) | (kind << 8),
        edx: index,
    };
    match subleaf {
        0 => level(0, 1, SMT),
        1 => level(id_bits(vcpus), vcpus.max(1), CORE),
        _ => level(0, 0, 0),
    }
}

/// Leaf 0xD (SDM Vol. 1, 13.2), when XSAVE is switched: only the allowed
/// components ([`xcr0_allowed`], which XSETBV must also enforce). Sizes
/// pass from the host. ECX (all supported components) then overestimates,
/// which is safe; but EBX, and subleaf 1's EBX, are the sizes for the XCR0
/// in force when CPUID ran, which Linux checks against its own sum: the
/// exit path must run the host's CPUID with the guest's XCR0 loaded.
fn xsave_leaf(subleaf: u32, host: CpuidResult, allowed: u32) -> CpuidResult {
    match subleaf {
        0 => CpuidResult {
            eax: host.eax & allowed,
            edx: 0,
            ..host
        },
        // XSAVES needs IA32_XSS, which is not emulated: no supervisor state.
        1 => CpuidResult {
            eax: host.eax & (xsave_ext::XSAVEOPT | xsave_ext::XSAVEC | xsave_ext::XGETBV_ECX1),
            ebx: host.ebx,
            ecx: 0,
            edx: 0,
        },
        2..=31 if allowed & (1 << subleaf) != 0 => host,
        _ => CpuidResult::default(),
    }
}

#[cfg(test)]
mod tests;
