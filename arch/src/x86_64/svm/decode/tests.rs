//! Exits decoded against a fake host: guest memory in a map, a fixed TSC.

use super::*;
use crate::x86_64::msr::{IA32_APIC_BASE, IA32_EFER, IA32_LSTAR, IA32_TSC};
use core::cell::Cell;
use std::collections::HashMap;

struct Env {
    ram: HashMap<u64, u8>,
    ibpbs: Cell<u32>,
}

impl Env {
    fn new() -> Env {
        Env {
            ram: HashMap::new(),
            ibpbs: Cell::new(0),
        }
    }
    fn put(&mut self, gpa: u64, bytes: &[u8]) {
        for (i, b) in bytes.iter().enumerate() {
            self.ram.insert(gpa + i as u64, *b);
        }
    }
}

impl ExitEnv for Env {
    fn host_cpuid(&self, leaf: u32, _subleaf: u32) -> CpuidResult {
        match leaf {
            0 => CpuidResult {
                eax: 0xD,
                ..Default::default()
            },
            // The host has SVM (8000_0001 ECX bit 2).
            0x8000_0000 => CpuidResult {
                eax: 0x8000_0008,
                ..Default::default()
            },
            0x8000_0001 => CpuidResult {
                ecx: 1 << 2,
                ..Default::default()
            },
            _ => CpuidResult::default(),
        }
    }
    fn tsc(&self) -> u64 {
        1000
    }
    fn read_guest(&self, gpa: u64, buf: &mut [u8]) -> bool {
        for (i, b) in buf.iter_mut().enumerate() {
            match self.ram.get(&(gpa + i as u64)) {
                Some(v) => *b = *v,
                None => return false,
            }
        }
        true
    }
    fn ibpb(&self) {
        self.ibpbs.set(self.ibpbs.get() + 1);
    }
}

/// A vCPU in 32-bit protected mode at `rip`, stopped with `code`.
fn stopped(code: u64, info1: u64, info2: u64, rip: u64) -> (SvmVcpu, TrapFrame) {
    let mut s = SvmVcpu::new(0, 1, 40);
    let mut f = TrapFrame::default();
    s.power_on(&mut f, rip, 0);
    s.vmcb.set_u64(EXITCODE, code);
    s.vmcb.set_u64(EXITINFO1, info1);
    s.vmcb.set_u64(EXITINFO2, info2);
    (s, f)
}

#[test]
fn an_out_goes_to_qvm_and_steps_to_exitinfo2() {
    // OUT DX, AL to 0x3f8: port in 31:16, SZ8.
    let (mut s, mut f) = stopped(exit::VMEXIT_IOIO, 0x3f8 << 16 | 1 << 4, 0x1001, 0x1000);
    f.rax = 0x1234_5641;
    let e = decode_exit(&mut f, &mut s, &Env::new());
    let GuestExit::PortIo(a) = e else {
        panic!("{e:?}")
    };
    assert_eq!((a.gpa, a.width, a.write, a.value), (0x3f8, 1, true, 0x41));
    step(&mut f, &mut s);
    assert_eq!(f.rip, 0x1001);
}

#[test]
fn an_in_merges_into_al_or_ax_and_fills_eax() {
    let (mut s, mut f) = stopped(exit::VMEXIT_IOIO, 0x71 << 16 | 1 << 4 | 1, 0x2002, 0x2000);
    f.rax = 0xdead_beef_cafe_f00d;
    assert!(matches!(decode_exit(&mut f, &mut s, &Env::new()), GuestExit::PortIo(a) if !a.write));
    complete_load(&mut f, &mut s, 0x42);
    assert_eq!((f.rax, f.rip), (0xdead_beef_cafe_f042, 0x2002));
    let (mut s, mut f) = stopped(exit::VMEXIT_IOIO, 0xcfc << 16 | 1 << 6 | 1, 0x3001, 0x3000);
    f.rax = u64::MAX;
    decode_exit(&mut f, &mut s, &Env::new());
    complete_load(&mut f, &mut s, 0x8086_1237);
    assert_eq!(f.rax, 0x8086_1237, "a 32-bit IN clears the upper half");
}

#[test]
fn string_port_io_is_not_emulated() {
    let (mut s, mut f) = stopped(exit::VMEXIT_IOIO, 0x1f0 << 16 | 1 << 5 | 1 << 2 | 1, 0, 0);
    assert_eq!(
        decode_exit(&mut f, &mut s, &Env::new()),
        GuestExit::Unhandled(0x1f0)
    );
}

#[test]
fn an_mmio_store_through_the_guest_page_tables_is_decoded() {
    let mut env = Env::new();
    // 32-bit paging: PD at 0x1000, PT at 0x2000; linear 0x40_0000 -> 0x5000.
    env.put(0x1000 + 4, &(0x2000u32 | 1).to_le_bytes());
    env.put(0x2000, &(0x5000u32 | 1).to_le_bytes());
    // mov [ebx], ecx (89 0B), then padding.
    env.put(0x5000, &[0x89, 0x0b, 0x90, 0x90]);
    let (mut s, mut f) = stopped(exit::VMEXIT_NPF, 0b110, 0xfee0_0300, 0x40_0000);
    s.vmcb.set_u64(CR0, 1 | 1 << 31);
    s.vmcb.set_u64(CR3, 0x1000);
    f.rcx = 0x000c_4500;
    let e = decode_exit(&mut f, &mut s, &env);
    let GuestExit::Mmio(a) = e else {
        panic!("{e:?}")
    };
    assert_eq!(
        (a.gpa, a.width, a.write, a.value),
        (0xfee0_0300, 4, true, 0xc4500)
    );
    step(&mut f, &mut s);
    assert_eq!(f.rip, 0x40_0002);
}

#[test]
fn an_mmio_load_fills_its_register_and_an_unreadable_rip_is_undecoded() {
    let mut env = Env::new();
    // movzx eax, byte [esi] (0F B6 06) with paging off.
    env.put(0x7000, &[0x0f, 0xb6, 0x06]);
    let (mut s, mut f) = stopped(exit::VMEXIT_NPF, 0b100, 0xd000_0000, 0x7000);
    f.rax = u64::MAX;
    assert!(matches!(decode_exit(&mut f, &mut s, &env), GuestExit::Mmio(a) if !a.write));
    complete_load(&mut f, &mut s, 0x1ff);
    assert_eq!((f.rax, f.rip), (0xff, 0x7003));
    let (mut s, mut f) = stopped(exit::VMEXIT_NPF, 0b100, 0xd000_0000, 0x9000);
    assert_eq!(
        decode_exit(&mut f, &mut s, &env),
        GuestExit::UndecodedAccess(0xd000_0000)
    );
}

#[test]
fn executing_unbacked_memory_cannot_be_emulated() {
    let (mut s, mut f) = stopped(exit::VMEXIT_NPF, 1 << 4, 0xe000_0000, 0xe000_0000);
    assert_eq!(
        decode_exit(&mut f, &mut s, &Env::new()),
        GuestExit::Unhandled(0xe000_0000)
    );
}

#[test]
fn cpuid_is_filtered_and_stepped_over() {
    let (mut s, mut f) = stopped(exit::VMEXIT_CPUID, 0, 0, 0x100);
    f.rax = 0x8000_0001;
    assert_eq!(decode_exit(&mut f, &mut s, &Env::new()), GuestExit::Handled);
    assert_eq!(f.rcx & (1 << 2), 0, "SVM hidden");
    assert_eq!(f.rip, 0x102);
    f.rax = 0x4000_0000;
    decode_exit(&mut f, &mut s, &Env::new());
    assert_eq!(f.rbx as u32, cpuid::SIGNATURE[0]);
}

#[test]
fn msrs_the_processor_uses_live_in_the_vmcb() {
    let (mut s, mut f) = stopped(exit::VMEXIT_MSR, 1, 0, 0x10);
    f.rcx = IA32_LSTAR.into();
    f.rdx = 0xffff_ffff;
    f.rax = 0x8100_0000;
    assert_eq!(decode_exit(&mut f, &mut s, &Env::new()), GuestExit::Handled);
    assert_eq!(s.vmcb.u64(LSTAR), 0xffff_ffff_8100_0000);
    assert_eq!(f.rip, 0x12);
    // RDMSR EFER: SVME hidden.
    s.vmcb.set_u64(EXITINFO1, 0);
    f.rcx = IA32_EFER.into();
    decode_exit(&mut f, &mut s, &Env::new());
    assert_eq!((f.rax, f.rdx), (0, 0));
}

#[test]
fn a_bad_wrmsr_is_gp_and_an_unknown_one_goes_to_qvm() {
    let (mut s, mut f) = stopped(exit::VMEXIT_MSR, 1, 0, 0x10);
    f.rcx = IA32_LSTAR.into();
    f.rdx = 0x0000_8000;
    assert_eq!(decode_exit(&mut f, &mut s, &Env::new()), GuestExit::Handled);
    assert_eq!(s.vmcb.u64(EVENTINJ), 0x8000_0B0D, "#GP(0), not canonical");
    assert_eq!(f.rip, 0x10, "not stepped");
    let (mut s, mut f) = stopped(exit::VMEXIT_MSR, 0, 0, 0x10);
    f.rcx = 0x1234;
    let e = decode_exit(&mut f, &mut s, &Env::new());
    assert_eq!(
        e,
        GuestExit::Register(RegisterAccess {
            id: 0x1234,
            write: false,
            value: 0,
            reg: 0
        })
    );
    assert!(s.last.msr);
}

#[test]
fn the_tsc_msr_is_an_offset() {
    let (mut s, mut f) = stopped(exit::VMEXIT_MSR, 1, 0, 0);
    f.rcx = IA32_TSC.into();
    f.rax = 5000;
    decode_exit(&mut f, &mut s, &Env::new());
    assert_eq!(s.vmcb.u64(TSC_OFFSET), 4000);
    s.vmcb.set_u64(EXITINFO1, 0);
    decode_exit(&mut f, &mut s, &Env::new());
    assert_eq!(f.rax, 5000);
    // IA32_APIC_BASE is the kernel's local APIC model's: it goes there.
    f.rcx = IA32_APIC_BASE.into();
    let e = decode_exit(&mut f, &mut s, &Env::new());
    assert!(matches!(e, GuestExit::Register(a) if a.id == 0x1b && !a.write));
}

#[test]
fn an_interrupted_event_is_delivered_again() {
    let (mut s, mut f) = stopped(exit::VMEXIT_INTR, 0, 0, 0);
    s.vmcb.set_u64(EXITINTINFO, 0x8000_0B0E | 4 << 32);
    assert_eq!(
        decode_exit(&mut f, &mut s, &Env::new()),
        GuestExit::Interrupt
    );
    assert_eq!(s.vmcb.u64(EVENTINJ), 0x8000_0B0E | 4 << 32);
    assert_eq!(s.virq, None);
}

#[test]
fn external_interrupts_are_virtual_interrupts() {
    let (mut s, mut f) = stopped(exit::VMEXIT_INTR, 0, 0, 0);
    f.rflags = 1 << 9; // IF
    assert!(s.interrupt_window_open(f.rflags));
    s.inject_interrupt(0xEC);
    assert_eq!((s.virq, s.vmcb.u64(EVENTINJ)), (Some(0xEC), 0));
    assert!(!s.interrupt_window_open(f.rflags), "one at a time");
    // Not taken yet (V_IRQ still set at the exit): it stays.
    s.vmcb.set_u32(V_INTR, V_IRQ);
    decode_exit(&mut f, &mut s, &Env::new());
    assert_eq!(s.virq, Some(0xEC));
    // Taken: the processor cleared V_IRQ.
    s.vmcb.set_u32(V_INTR, 0);
    decode_exit(&mut f, &mut s, &Env::new());
    assert_eq!(s.virq, None);
    assert!(s.interrupt_window_open(f.rflags));
    // Its delivery cut short by the exit: a virtual interrupt again, not
    // EVENTINJ.
    s.vmcb.set_u64(EXITINTINFO, 0x8000_0030);
    decode_exit(&mut f, &mut s, &Env::new());
    assert_eq!((s.virq, s.vmcb.u64(EVENTINJ)), (Some(0x30), 0));
}

#[test]
fn hlt_vmmcall_shutdown_and_nested_svm() {
    let (mut s, mut f) = stopped(exit::VMEXIT_HLT, 0, 0, 0x50);
    assert_eq!(decode_exit(&mut f, &mut s, &Env::new()), GuestExit::Halt);
    assert_eq!(f.rip, 0x51);
    let (mut s, mut f) = stopped(exit::VMEXIT_VMMCALL, 0, 0, 0x50);
    f.rax = 9;
    let e = decode_exit(&mut f, &mut s, &Env::new());
    assert!(matches!(e, GuestExit::Hypercall(c) if c.args[0] == 9 && c.conduit == CONDUIT_VMMCALL));
    let (mut s, mut f) = stopped(exit::VMEXIT_SHUTDOWN, 0, 0, 0);
    assert_eq!(decode_exit(&mut f, &mut s, &Env::new()), GuestExit::Reset);
    let (mut s, mut f) = stopped(exit::VMEXIT_VMRUN, 0, 0, 0);
    assert_eq!(decode_exit(&mut f, &mut s, &Env::new()), GuestExit::Handled);
    assert_eq!(s.vmcb.u64(EVENTINJ), 0x8000_0306, "#UD");
    let env = Env::new();
    env.ibpb();
    assert_eq!(env.ibpbs.get(), 1);
}
