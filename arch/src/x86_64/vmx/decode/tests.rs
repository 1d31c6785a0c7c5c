use super::*;
use crate::exit::{MmioAccess, RegisterAccess};
use crate::x86_64::cpuid::CpuidResult;
use crate::x86_64::msr;
use crate::x86_64::vmx::fake_vmcs::FakeVmcs;
use crate::x86_64::vmx::state::CrFixed;
use std::collections::HashMap;

/// Guest RAM byte by byte; a host with VMX (CPUID 1 ECX bit 5).
#[derive(Default)]
struct Env {
    ram: HashMap<u64, u8>,
}

impl Env {
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
            1 => CpuidResult {
                ecx: 1 << 5,
                ..Default::default()
            },
            0x8000_0000 => CpuidResult {
                eax: 0x8000_0008,
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
    fn ibpb(&self) {}
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

/// A 32-bit flat guest (paging off) that exited with `reason`.
fn exited(reason: u16, qualification: u64, len: u64) -> FakeVmcs {
    let mut v = FakeVmcs::default();
    v.write(guest::CR0, 0x31);
    v.write(control::CR0_READ_SHADOW, 0x11);
    v.write(guest::CS_ACCESS_RIGHTS, 0xC09B);
    v.write(ro::EXIT_REASON, reason.into());
    v.write(ro::EXIT_QUALIFICATION, qualification);
    v.write(ro::VMEXIT_INSTRUCTION_LEN, len);
    v
}

fn frame() -> TrapFrame {
    TrapFrame {
        rip: 0x1000,
        rflags: 2,
        ..Default::default()
    }
}

#[test]
fn port_io_takes_the_instruction_length() {
    let (mut s, env, mut f) = (vcpu(), Env::default(), frame());
    f.rax = 0x1241;
    // OUT DX, AL to 0x3f8.
    let mut v = exited(exit::IO_INSTRUCTION, 0x3F8 << 16, 1);
    let GuestExit::PortIo(a) = decode_exit(&mut f, &mut s, &mut v, &env) else {
        panic!("not port I/O");
    };
    assert_eq!((a.gpa, a.width, a.write, a.value), (0x3F8, 1, true, 0x41));
    step(&mut f, &mut s);
    assert_eq!(f.rip, 0x1001);
    // IN AX, DX: completed into AX only.
    let mut v = exited(exit::IO_INSTRUCTION, (0x60 << 16) | 0b1001, 2);
    assert!(matches!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::PortIo(MmioAccess { write: false, .. })
    ));
    complete_load(&mut f, &mut s, 0xBEEF);
    assert_eq!((f.rax, f.rip), (0xBEEF, 0x1003));
    // String forms are not emulated.
    let mut v = exited(exit::IO_INSTRUCTION, (0x60 << 16) | 0b1_0000, 1);
    assert_eq!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Unhandled(0x60)
    );
}

#[test]
fn vmcall_and_vmmcall_are_hypercalls() {
    let (mut s, mut env, mut f) = (vcpu(), Env::default(), frame());
    f.rax = 7;
    let mut v = exited(exit::VMCALL, 0, 3);
    assert!(matches!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Hypercall(Hypercall {
            args: [7, 0, 0, 0],
            conduit: CONDUIT_VMCALL
        })
    ));
    // VMMCALL faults with #UD on Intel: the exception exit is a hypercall.
    env.put(0x1000, &[0x0F, 0x01, 0xD9]);
    let mut v = exited(exit::EXCEPTION_OR_NMI, 0, 0);
    v.write(ro::VMEXIT_INTERRUPTION_INFO, 0x8000_0306);
    assert!(matches!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Hypercall(_)
    ));
    assert_eq!(s.entry_info, 0);
    // Any other #UD goes back to the guest.
    env.put(0x1000, &[0x0F, 0x0B, 0x90]);
    assert_eq!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Handled
    );
    assert_eq!(s.entry_info, 0x8000_0306);
    // An NMI is the host's.
    v.write(ro::VMEXIT_INTERRUPTION_INFO, 0x8000_0202);
    assert_eq!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Interrupt
    );
}

#[test]
fn mmio_is_decoded_from_the_guest_code() {
    let (mut s, mut env, mut f) = (vcpu(), Env::default(), frame());
    // mov ecx, [0xd0000010]
    env.put(0x1000, &[0x8B, 0x0D, 0x10, 0x00, 0x00, 0xD0]);
    let mut v = exited(exit::EPT_VIOLATION, 0b1, 0);
    v.write(ro::GUEST_PHYSICAL_ADDR_FULL, 0xD000_0010);
    let GuestExit::Mmio(a) = decode_exit(&mut f, &mut s, &mut v, &env) else {
        panic!("not MMIO");
    };
    assert_eq!((a.gpa, a.width, a.write, a.reg), (0xD000_0010, 4, false, 1));
    complete_load(&mut f, &mut s, 0x1234_5678);
    assert_eq!((f.rcx, f.rip), (0x1234_5678, 0x1006));
    // A fetch from MMIO, or an access while delivering an event, is not
    // the instruction's.
    let mut v = exited(exit::EPT_VIOLATION, 0b100, 0);
    v.write(ro::GUEST_PHYSICAL_ADDR_FULL, 0xD000_0000);
    assert_eq!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Unhandled(0xD000_0000)
    );
    let mut v = exited(exit::EPT_VIOLATION, 0b1, 0);
    v.write(ro::GUEST_PHYSICAL_ADDR_FULL, 0xD000_0000);
    v.write(ro::IDT_VECTORING_INFO, 0x8000_0030);
    assert_eq!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Unhandled(0xD000_0000)
    );
    assert_eq!(s.entry_info, 0x8000_0030, "delivered again");
}

#[test]
fn cpuid_hides_vmx_and_msrs_go_through_the_allow_list() {
    let (mut s, env, mut f) = (vcpu(), Env::default(), frame());
    f.rax = 1;
    let mut v = exited(exit::CPUID, 0, 2);
    assert_eq!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Handled
    );
    assert_eq!(f.rcx & (1 << 5), 0);
    assert_eq!(f.rip, 0x1002);
    // WRMSR IA32_LSTAR lands in the MSR area the next entry loads.
    f.rcx = msr::IA32_LSTAR.into();
    f.rax = 0x8000;
    f.rdx = 0xFFFF_FFFF;
    let mut v = exited(exit::WRMSR, 0, 2);
    decode_exit(&mut f, &mut s, &mut v, &env);
    let lstar = s.area.iter().find(|e| e.index == msr::IA32_LSTAR).unwrap();
    assert_eq!(lstar.value, 0xFFFF_FFFF_0000_8000);
    // WRMSR IA32_TSC sets the offset.
    f.rcx = msr::IA32_TSC.into();
    f.rax = 5000;
    f.rdx = 0;
    let mut v = exited(exit::WRMSR, 0, 2);
    decode_exit(&mut f, &mut s, &mut v, &env);
    assert_eq!(s.tsc_offset, 4000);
    // An MSR the backend does not know goes on as a register exit.
    f.rcx = 0x1234;
    let mut v = exited(exit::RDMSR, 0, 2);
    assert!(matches!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Register(RegisterAccess {
            id: 0x1234,
            write: false,
            ..
        })
    ));
}

#[test]
fn the_other_exits() {
    let (mut s, env, mut f) = (vcpu(), Env::default(), frame());
    let mut v = exited(exit::HLT, 0, 1);
    assert_eq!(decode_exit(&mut f, &mut s, &mut v, &env), GuestExit::Halt);
    assert_eq!(f.rip, 0x1001);
    let mut v = exited(exit::TRIPLE_FAULT, 0, 0);
    assert_eq!(decode_exit(&mut f, &mut s, &mut v, &env), GuestExit::Reset);
    let mut v = exited(exit::EXTERNAL_INTERRUPT, 0, 0);
    assert_eq!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Interrupt
    );
    s.window = true;
    let mut v = exited(exit::INTERRUPT_WINDOW, 0, 0);
    assert_eq!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Handled
    );
    assert!(!s.window);
    // VMXON: #UD, as on a CPU without VMX.
    let mut v = exited(exit::VMXON, 0, 4);
    assert_eq!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Handled
    );
    assert_eq!(s.entry_info, 0x8000_0306);
    let mut v = exited(9, 0, 0);
    assert_eq!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Unhandled(0)
    );
    s.entry_failed = true;
    v.write(ro::VM_INSTRUCTION_ERROR, 7);
    assert_eq!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Unhandled(0)
    );
    assert_eq!(s.last.info1, 7);
}

#[test]
fn cr0_writes_keep_the_guests_view_and_enter_long_mode() {
    let (mut s, env, mut f) = (vcpu(), Env::default(), frame());
    let mut v = exited(exit::CR_ACCESS, 0, 3);
    v.write(control::CR4_READ_SHADOW, 1 << 5);
    v.write(guest::IA32_EFER_FULL, EFER_LME_BIT);
    // mov cr0, eax with PE, NE and PG: long mode.
    f.rax = 0x8000_0021;
    assert_eq!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Handled
    );
    assert_eq!(v.read(control::CR0_READ_SHADOW), 0x8000_0021);
    assert_eq!(v.read(guest::CR0), 0x8000_0021);
    assert_eq!(v.read(guest::IA32_EFER_FULL), EFER_LME_BIT | EFER_LMA);
    assert_eq!(v.read(control::VMENTRY_CONTROLS) & 0x200, 0x200);
    assert_eq!(f.rip, 0x1003);
    // PG without PE: #GP, nothing changed.
    f.rax = 0x8000_0000;
    assert_eq!(
        decode_exit(&mut f, &mut s, &mut v, &env),
        GuestExit::Handled
    );
    assert_eq!(s.entry_info, 0x8000_0B0D);
    assert_eq!(f.rip, 0x1003);
    // mov cr4, eax setting VMXE: #GP.
    let mut v = exited(exit::CR_ACCESS, 4, 3);
    f.rax = 1 << 13;
    decode_exit(&mut f, &mut s, &mut v, &env);
    assert_eq!(s.entry_info, 0x8000_0B0D);
}

const EFER_LME_BIT: u64 = 1 << 8;
