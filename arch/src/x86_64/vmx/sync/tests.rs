use super::*;
use crate::x86_64::vmx::fake_vmcs::FakeVmcs;
use crate::x86_64::vmx::state::{AR_UNUSABLE, CrFixed};

fn caps() -> Capabilities {
    Capabilities {
        pin: (0xFFu64 << 32) | 0x16,
        primary: (0xFFFF_FFFFu64 << 32) | 0x0401_E172,
        secondary: 0xFFFF_FFFFu64 << 32,
        exit: (0xFFFF_FFFFu64 << 32) | 0x0003_6DFF,
        entry: (0xFFFF_FFFFu64 << 32) | 0x0000_11FF,
    }
}

fn vcpu() -> VmxVcpu {
    let fixed = CrFixed {
        cr0_fixed0: 0x8000_0021,
        cr0_fixed1: 0xFFFF_FFFF,
        cr4_fixed0: 0x2000,
        cr4_fixed1: 0x3727FF,
    };
    VmxVcpu::new(0, 1, 39, fixed)
}

#[test]
fn controls_ask_for_what_the_backend_needs() {
    let c = Controls::new(&caps(), true).unwrap();
    assert_ne!(c.primary & PRIMARY_USE_TSC_OFFSETTING, 0);
    assert_eq!(c.primary & PRIMARY_INTERRUPT_WINDOW_EXITING, 0);
    assert_eq!(c.secondary, 0b1_0000_1010_1010);
    assert_eq!(c.exit & 0x3C_0200, 0x3C_0200);
    assert_eq!(c.entry & 0xC000, 0xC000);
    let without = Controls::new(&caps(), false).unwrap();
    assert_eq!(without.secondary & SECONDARY_ENABLE_VPID, 0);
    // RDTSCP and INVPCID are optional: left out where not allowed.
    let mut few = caps();
    few.secondary = 0xA2u64 << 32;
    assert_eq!(Controls::new(&few, true).unwrap().secondary, 0xA2);
    few.exit = 0x0200u64 << 32;
    assert!(Controls::new(&few, true).is_err(), "no EFER switching");
}

#[test]
fn the_preemption_timer_is_on_where_the_cpu_has_one() {
    let c = Controls::new(&caps(), true).unwrap();
    assert_eq!(c.pin & 0x49, 0x49, "external interrupts, NMIs, the timer");
    let mut without = caps();
    without.pin = (0x3Fu64 << 32) | 0x16;
    let c = Controls::new(&without, true).unwrap();
    assert_eq!(c.pin & 0x49, 0x09);
}

#[test]
fn a_reset_is_written_once_with_the_frame_and_the_event() {
    let mut v = FakeVmcs::default();
    let mut s = vcpu();
    let mut frame = TrapFrame::default();
    s.start_up(&mut frame, 0x8000);
    s.inject_exception(13, Some(0));
    s.window = true;
    s.tsc_offset = 5;
    before_entry(&mut v, &mut s, &frame, 0x100);
    assert_eq!(v.read(guest::CR0), 0x6000_0030);
    assert_eq!(v.read(control::CR0_READ_SHADOW), 0x6000_0010);
    assert_eq!(v.read(guest::CR4), 0x2000);
    assert_eq!(v.read(guest::CS_SELECTOR), 0x800);
    assert_eq!(v.read(guest::LDTR_ACCESS_RIGHTS), AR_UNUSABLE.into());
    assert_eq!(v.read(guest::LINK_PTR_FULL), u64::MAX);
    assert_eq!(v.read(control::VMENTRY_CONTROLS) & 0x200, 0);
    // Real mode pushes no error code.
    assert_eq!(
        v.read(control::VMENTRY_INTERRUPTION_INFO_FIELD),
        0x8000_030D
    );
    assert_eq!(v.read(control::TSC_OFFSET_FULL), 5);
    assert_eq!(v.read(control::PRIMARY_PROCBASED_EXEC_CONTROLS), 0x104);
    assert!(s.reload.is_none());
    assert_eq!(s.entry_info, 0, "taken by this entry");
    // The next entry leaves the guest's CS alone.
    v.write(guest::CS_SELECTOR, 0x10);
    s.window = false;
    before_entry(&mut v, &mut s, &frame, 0x100);
    assert_eq!(v.read(guest::CS_SELECTOR), 0x10);
    assert_eq!(v.read(control::VMENTRY_INTERRUPTION_INFO_FIELD), 0);
    assert_eq!(v.read(control::PRIMARY_PROCBASED_EXEC_CONTROLS), 0x100);
}

#[test]
fn long_mode_sets_ia32e_mode_and_controls_keep_it() {
    let mut v = FakeVmcs::default();
    let mut s = vcpu();
    let mut frame = TrapFrame::default();
    let regs = abi::x86_64::VcpuRegs {
        cr0: 0x8000_0001,
        cr4: 1 << 5,
        efer: 1 << 8,
        code64: 1,
        ..Default::default()
    };
    s.set_regs(&mut frame, &regs).unwrap();
    before_entry(&mut v, &mut s, &frame, 0);
    assert_eq!(v.read(control::VMENTRY_CONTROLS) & 0x200, 0x200);
    assert_eq!(v.read(guest::IA32_EFER_FULL), 0x500);
    let c = Controls::new(&caps(), true).unwrap();
    write_controls(&mut v, &c, &s);
    assert_eq!(v.read(control::VMENTRY_CONTROLS) & 0x200, 0x200);
    assert_eq!(v.read(control::EXCEPTION_BITMAP), EXCEPTION_BITMAP_UD);
    assert_eq!(v.read(control::VMENTRY_MSR_LOAD_COUNT), 5);
    assert_eq!(v.read(control::CR0_GUEST_HOST_MASK), 0x20);
    assert_eq!(read_segment(&v, 0).rights, 0xA09B);
}

#[test]
fn the_preemption_timer_runs_out_once_the_deadline_passed() {
    assert_eq!(preemption_ticks(None, 5, 5), u32::MAX);
    assert_eq!(preemption_ticks(Some(100), 200, 5), 0, "already due");
    assert_eq!(preemption_ticks(Some(1000 + 64), 1000, 5), 2);
    assert_eq!(preemption_ticks(Some(1000 + 65), 1000, 5), 3, "rounded up");
    assert_eq!(preemption_ticks(Some(1000 + 7), 1000, 0), 7);
    assert_eq!(preemption_ticks(Some(u64::MAX - 1), 0, 0), u32::MAX);
}
