use super::*;
use crate::x86_64::svm::state::CR0_PG;

/// Typical fixed bits: CR0 PE, NE, PG fixed to 1; CR4 VMXE.
pub fn fixed() -> CrFixed {
    CrFixed {
        cr0_fixed0: 0x8000_0021,
        cr0_fixed1: 0xFFFF_FFFF,
        cr4_fixed0: 0x2000,
        cr4_fixed1: 0x3727FF,
    }
}

pub fn vcpu() -> VmxVcpu {
    VmxVcpu::new(1, 2, 39, fixed())
}

#[test]
fn unrestricted_guest_frees_pe_and_pg_but_not_ne() {
    let f = fixed();
    assert_eq!(f.cr0(0x6000_0010), 0x6000_0030);
    assert_eq!(f.cr0_mask(), 0x20);
    assert_eq!(f.cr4(0), 0x2000);
    assert_eq!(f.cr4_mask() & 0x2000, 0x2000);
    assert_eq!(f.cr4_mask() & 0x20, 0, "PAE is the guest's");
}

#[test]
fn power_on_is_flat_protected_mode_to_load_at_the_next_entry() {
    let mut s = vcpu();
    s.entry_info = INTR_VALID | 0x30;
    let mut frame = TrapFrame::default();
    s.power_on(&mut frame, 0x10_0000, 0x9000);
    assert_eq!((frame.rip, frame.rbx, frame.rflags), (0x10_0000, 0x9000, 2));
    let g = s.reload.expect("a state to load");
    assert_eq!(g.cr0, CR0_PE | CR0_ET);
    assert_eq!(g.segments[CS].rights, AR_CODE32);
    assert_eq!(g.segments[SS].limit, 0xFFFF_FFFF);
    assert_eq!(g.segments[TR].rights, AR_BUSY_TSS);
    assert_eq!(g.segments[LDTR].rights, AR_UNUSABLE);
    assert_eq!(s.entry_info, 0, "nothing left to inject");
    assert_eq!(s.index, 1);
}

#[test]
fn a_start_up_ipi_gives_real_mode_at_its_page() {
    let mut s = vcpu();
    let mut frame = TrapFrame::default();
    s.start_up(&mut frame, 0x8000);
    let g = s.reload.unwrap();
    assert_eq!(g.cr0, 0x6000_0010);
    assert_eq!(g.segments[CS].selector, 0x800);
    assert_eq!(g.segments[CS].base, 0x8000);
    assert_eq!(g.segments[CS].rights, AR_CODE16);
    assert_eq!(g.segments[DS].limit, 0xFFFF);
    assert_eq!(frame.rip, 0);
}

#[test]
fn long_mode_registers_set_lma_and_bad_ones_change_nothing() {
    let mut s = vcpu();
    let mut frame = TrapFrame::default();
    let regs = VcpuRegs {
        cr0: CR0_PE | CR0_PG,
        cr4: 1 << 5,
        efer: EFER_LME,
        code64: 1,
        rip: 0x1000,
        ..Default::default()
    };
    s.set_regs(&mut frame, &regs).unwrap();
    let g = s.reload.take().unwrap();
    assert_eq!(g.efer, EFER_LME | EFER_LMA);
    assert_eq!(g.segments[CS].rights, AR_CODE64);
    let bad = VcpuRegs { cr4: 0, ..regs };
    assert!(s.set_regs(&mut frame, &bad).is_err());
    assert!(s.reload.is_none());
}

#[test]
fn the_interrupt_window_and_injection() {
    let mut s = vcpu();
    assert!(s.interrupt_window_open(RFLAGS_IF));
    assert!(!s.interrupt_window_open(0));
    s.interruptibility = BLOCKING_BY_STI;
    assert!(!s.interrupt_window_open(RFLAGS_IF));
    let mut frame = TrapFrame::default();
    s.step_to(&mut frame, 0x42);
    assert!(s.interrupt_window_open(RFLAGS_IF));
    s.inject_interrupt(0x31);
    assert_eq!(s.entry_info, 0x8000_0031);
    assert!(!s.interrupt_window_open(RFLAGS_IF));
    s.inject_exception(13, Some(0));
    assert_eq!(s.entry_info, 0x8000_0B0D);
}

/// The state `qvm` starts an ELF64 kernel without a multiboot header in
/// (`qvm::arch::x86_64::boot::long_mode_regs`), as the SVM test has it.
#[test]
fn qvm_s_long_mode_start_is_taken() {
    let mut s = vcpu();
    let mut frame = TrapFrame::default();
    let mut regs = VcpuRegs {
        rip: 0x20_1000,
        rflags: 2,
        cr0: CR0_PE | CR0_ET | CR0_PG,
        cr3: 0x3ff_a000,
        cr4: 1 << 5,
        efer: EFER_LME | EFER_LMA,
        code64: 1,
        ..Default::default()
    };
    (regs.gpr[0], regs.gpr[3]) = (0x36d7_6289, 0x25_0000);
    s.set_regs(&mut frame, &regs).unwrap();
    let g = s.reload.unwrap();
    assert_eq!(
        (g.cr0, g.cr3, g.cr4),
        (CR0_PE | CR0_ET | CR0_PG, 0x3ff_a000, 1 << 5)
    );
    assert_eq!(g.efer, EFER_LME | EFER_LMA);
    assert_eq!(
        (g.segments[CS].rights, g.segments[CS].selector),
        (AR_CODE64, 0x08)
    );
    assert_eq!(
        (g.segments[DS].rights, g.segments[DS].selector),
        (AR_DATA32, 0x10)
    );
    let f = &frame;
    assert_eq!(
        (f.rip, f.rax, f.rbx, f.rsp),
        (0x20_1000, 0x36d7_6289, 0x25_0000, 0)
    );
}
