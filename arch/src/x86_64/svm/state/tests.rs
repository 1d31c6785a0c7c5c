//! Register sets a vCPU takes and refuses.

use super::*;

fn vcpu() -> (SvmVcpu, TrapFrame) {
    (SvmVcpu::new(1, 2, 40), TrapFrame::default())
}

fn long_mode() -> VcpuRegs {
    VcpuRegs {
        rip: 0x10_0000,
        rflags: 2,
        cr0: CR0_PE | CR0_PG,
        cr3: 0x9000,
        cr4: CR4_PAE,
        efer: EFER_LME,
        code64: 1,
        gpr: [7; 16],
        ..Default::default()
    }
}

#[test]
fn power_on_is_the_multiboot_state_with_ebx_the_argument() {
    let (mut s, mut f) = vcpu();
    s.power_on(&mut f, 0x10_000c, 0x9500);
    assert_eq!((f.rip, f.rbx, f.rflags), (0x10_000c, 0x9500, 2));
    assert_eq!(s.vmcb.u64(CR0) & (CR0_PE | CR0_PG), CR0_PE);
    assert_eq!(s.vmcb.u64(EFER), EFER_SVME);
    assert_ne!(s.vmcb.u32(V_INTR) & V_INTR_MASKING, 0);
    assert_eq!((s.index, s.vcpus), (1, 2), "kept across a reset");
}

#[test]
fn a_long_mode_set_runs_64_bit_code() {
    let (mut s, mut f) = vcpu();
    s.set_regs(&mut f, &long_mode()).unwrap();
    assert_eq!(s.vmcb.u64(EFER), EFER_LME | EFER_LMA | EFER_SVME);
    assert_eq!(s.vmcb.u16(CS + SEGMENT_ATTRIBUTES), CODE64);
    assert_eq!(s.vmcb.u64(CR3), 0x9000);
    assert_eq!((f.rip, f.rax, f.r15), (0x10_0000, 7, 7));
}

#[test]
fn real_mode_segments_have_their_base_as_selector() {
    let (mut s, mut f) = vcpu();
    let regs = VcpuRegs {
        rip: 0x7c00,
        segment_base: [0xf_0000, 0, 0, 0, 0, 0],
        ..Default::default()
    };
    s.set_regs(&mut f, &regs).unwrap();
    assert_eq!(s.vmcb.u16(CS + SEGMENT_SELECTOR), 0xf000);
    assert_eq!(s.vmcb.u32(CS + SEGMENT_LIMIT), 0xFFFF);
    assert_eq!(s.vmcb.u16(CS + SEGMENT_ATTRIBUTES), CODE16);
}

#[test]
fn impossible_states_are_refused_and_change_nothing() {
    let bad = [
        VcpuRegs {
            code64: 0,
            cr4: 0,
            ..long_mode()
        },
        VcpuRegs {
            cr0: CR0_PG,
            ..long_mode()
        },
        VcpuRegs {
            cr4: CR4_PAE | 1 << 13,
            ..long_mode()
        },
        VcpuRegs {
            efer: EFER_SVME,
            ..long_mode()
        },
        VcpuRegs {
            rip: 0x8000_0000_0000,
            ..long_mode()
        },
        VcpuRegs {
            efer: 0,
            ..long_mode()
        },
        VcpuRegs {
            cr3: 1 << 45,
            ..long_mode()
        },
        VcpuRegs {
            rflags: 1 << 22,
            ..long_mode()
        },
        VcpuRegs {
            cr0: CR0_PE | CR0_NW,
            efer: 0,
            cr4: 0,
            code64: 0,
            ..long_mode()
        },
    ];
    for regs in bad {
        let (mut s, mut f) = vcpu();
        s.power_on(&mut f, 0x1234, 0);
        assert!(s.set_regs(&mut f, &regs).is_err(), "{regs:?}");
        assert_eq!(f.rip, 0x1234, "unchanged by {regs:?}");
    }
}

#[test]
fn a_start_up_ipi_starts_real_mode_at_its_page() {
    let (mut s, mut f) = vcpu();
    s.start_up(&mut f, 0x9a000);
    assert_eq!(s.vmcb.u16(CS + SEGMENT_SELECTOR), 0x9a00);
    assert_eq!(s.vmcb.u64(CS + SEGMENT_BASE), 0x9a000);
    assert_eq!(f.rip, 0);
    assert_eq!(s.vmcb.u64(CR0), CR0_CD | CR0_NW | CR0_ET);
}

/// The state `qvm` starts an ELF64 kernel without a multiboot header in
/// (`qvm::arch::x86_64::boot::long_mode_regs`): EFER with LMA as the
/// guest reads it, RAX the Multiboot2 magic, RBX its information, RSP 0.
#[test]
fn qvm_s_long_mode_start_is_taken() {
    let (mut s, mut f) = vcpu();
    let mut regs = VcpuRegs {
        rip: 0x20_1000,
        rflags: 2,
        cr0: CR0_PE | CR0_ET | CR0_PG,
        cr3: 0x3ff_a000,
        cr4: CR4_PAE,
        efer: EFER_LME | EFER_LMA,
        code64: 1,
        ..Default::default()
    };
    (regs.gpr[0], regs.gpr[3]) = (0x36d7_6289, 0x25_0000);
    s.set_regs(&mut f, &regs).unwrap();
    assert_eq!(s.vmcb.u64(EFER), EFER_LME | EFER_LMA | EFER_SVME);
    assert_eq!(s.vmcb.u64(CR0), CR0_PE | CR0_ET | CR0_PG);
    assert_eq!(s.vmcb.u64(CR3), 0x3ff_a000);
    assert_eq!(s.vmcb.u16(CS + SEGMENT_ATTRIBUTES), CODE64);
    assert_eq!(s.vmcb.u16(CS + SEGMENT_SELECTOR), 0x08);
    assert_eq!(s.vmcb.u16(SS + SEGMENT_SELECTOR), 0x10);
    assert_eq!(
        (f.rip, f.rax, f.rbx, f.rsp),
        (0x20_1000, 0x36d7_6289, 0x25_0000, 0)
    );
    assert_eq!(f.rflags, 2, "interrupts off");
}
