//! VMX on this CPU: whether it can run guests (VMX with EPT and
//! unrestricted guest), VMXON, the host-state fields, and the world switch
//! (Intel SDM Vol. 3C, 24.7 "Enabling and Entering VMX Operation", 25.5
//! "Host-State Area", 27 "VM Entries", 28.5 "Loading Host State").
//!
//! VM exits restore the host's control registers, segment selectors and
//! bases, RSP and RIP from the VMCS; every general-purpose register but
//! RSP is the backend's to switch ([`GuestRegisters`]).

use super::controls::fix;
use raw_cpuid::CpuId;
use x86::msr::{
    IA32_FEATURE_CONTROL, IA32_VMX_BASIC, IA32_VMX_CR0_FIXED0, IA32_VMX_CR0_FIXED1,
    IA32_VMX_CR4_FIXED0, IA32_VMX_CR4_FIXED1, IA32_VMX_PROCBASED_CTLS2,
};
use x86::vmx::vmcs::host;
use x86_64::registers::control::{Cr0, Cr3, Cr4};
use x86_64::registers::model_specific::Msr;

/// IA32_FEATURE_CONTROL: lock (bit 0), VMX outside SMX (bit 2).
const FEATURE_CONTROL_LOCK: u64 = 1 << 0;
const FEATURE_CONTROL_VMX_OUTSIDE_SMX: u64 = 1 << 2;
/// Secondary controls: enable EPT (bit 1), unrestricted guest (bit 7).
pub const SECONDARY_ENABLE_EPT: u32 = 1 << 1;
pub const SECONDARY_ENABLE_VPID: u32 = 1 << 5;
pub const SECONDARY_UNRESTRICTED_GUEST: u32 = 1 << 7;
/// CR4.VMXE.
const CR4_VMXE: u64 = 1 << 13;

/// A guest's general-purpose registers but RSP (in the VMCS), in the
/// order the world switch keeps them.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct GuestRegisters {
    pub rax: u64,
    pub rbx: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub rbp: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
}

/// Why VMXON or a VM entry failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmxError {
    /// Firmware locked IA32_FEATURE_CONTROL with VMX off.
    DisabledByFirmware,
    /// VMXON failed.
    VmxOn,
    /// VMLAUNCH or VMRESUME failed before entering the guest (the VM-
    /// instruction error field says why).
    Entry,
}

fn read(msr: u32) -> u64 {
    // SAFETY: the caller checked the CPU has VMX, hence these MSRs.
    unsafe { Msr::new(msr).read() }
}

/// The CPU has VMX with EPT and unrestricted guest.
pub fn available() -> bool {
    let vmx = CpuId::new().get_feature_info().is_some_and(|f| f.has_vmx());
    if !vmx {
        return false;
    }
    let allowed1 = (read(IA32_VMX_PROCBASED_CTLS2) >> 32) as u32;
    let wanted = SECONDARY_ENABLE_EPT | SECONDARY_UNRESTRICTED_GUEST;
    allowed1 & wanted == wanted
}

/// The VMCS revision identifier VMXON and VMCS regions start with.
pub fn revision() -> u32 {
    read(IA32_VMX_BASIC) as u32 & 0x7FFF_FFFF
}

/// Turns VMX on for this CPU with `vmxon_region` (a 4 KiB page).
///
/// # Safety
/// [`available`] is true; the page is this CPU's alone, identity-mapped.
pub unsafe fn enable(vmxon_region: u64) -> Result<(), VmxError> {
    let mut feature = Msr::new(IA32_FEATURE_CONTROL);
    // SAFETY: the caller's promise: VMX exists; the control registers get
    // only the bits VMX operation requires.
    unsafe {
        let value = feature.read();
        if value & FEATURE_CONTROL_LOCK == 0 {
            feature.write(value | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
        } else if value & FEATURE_CONTROL_VMX_OUTSIDE_SMX == 0 {
            return Err(VmxError::DisabledByFirmware);
        }
        let cr0: u64;
        let cr4: u64;
        core::arch::asm!("mov {}, cr0", out(reg) cr0, options(nomem, nostack));
        core::arch::asm!("mov {}, cr4", out(reg) cr4, options(nomem, nostack));
        let cr0 = fix(cr0, read(IA32_VMX_CR0_FIXED0), read(IA32_VMX_CR0_FIXED1));
        let cr4 = fix(
            cr4 | CR4_VMXE,
            read(IA32_VMX_CR4_FIXED0),
            read(IA32_VMX_CR4_FIXED1),
        );
        core::arch::asm!("mov cr0, {}", in(reg) cr0, options(nostack));
        core::arch::asm!("mov cr4, {}", in(reg) cr4, options(nostack));
        (vmxon_region as *mut u32).write_volatile(revision());
        x86::bits64::vmx::vmxon(vmxon_region).map_err(|_| VmxError::VmxOn)
    }
}

/// The current VMCS, through VMREAD and VMWRITE.
pub struct CurrentVmcs;

impl super::vcpu::VmcsAccess for CurrentVmcs {
    fn read(&self, field: u32) -> u64 {
        // SAFETY: a VMCS is current whenever a `CurrentVmcs` is used (the
        // backend loads it with VMPTRLD first); a field the CPU does not
        // have reads as 0.
        unsafe { x86::bits64::vmx::vmread(field) }.unwrap_or(0)
    }

    fn write(&mut self, field: u32, value: u64) {
        // SAFETY: as in `read`; a failed write leaves the field, and the
        // next VM entry's checks report a state they refuse.
        let _ = unsafe { x86::bits64::vmx::vmwrite(field, value) };
    }
}

/// Writes the current VMCS's host-state fields from this CPU's state:
/// control registers, the kernel's selectors, FS/GS/TR/GDTR/IDTR bases.
/// (HOST_RSP and HOST_RIP are written by [`run`] itself.)
///
/// # Safety
/// A VMCS is current on this CPU.
pub unsafe fn write_host_state() {
    use x86_64::instructions::tables::{sgdt, sidt};
    let write = |field: u32, value: u64| {
        // SAFETY: a VMCS is current (the caller's promise); these are
        // host-state fields.
        let _ = unsafe { x86::bits64::vmx::vmwrite(field, value) };
    };
    write(host::CR0, Cr0::read_raw());
    write(host::CR3, Cr3::read_raw().0.start_address().as_u64());
    write(host::CR4, Cr4::read_raw());
    let code = u64::from(super::super::entry::KERNEL_CODE_SELECTOR);
    let data = u64::from(super::super::entry::KERNEL_DATA_SELECTOR);
    write(host::CS_SELECTOR, code);
    for field in [host::SS_SELECTOR, host::DS_SELECTOR, host::ES_SELECTOR] {
        write(field, data);
    }
    write(host::FS_SELECTOR, 0);
    write(host::GS_SELECTOR, 0);
    write(
        host::TR_SELECTOR,
        u64::from(super::super::gdt::TSS_SELECTOR),
    );
    let gdt = sgdt();
    let idt = sidt();
    write(host::GDTR_BASE, gdt.base.as_u64());
    write(host::IDTR_BASE, idt.base.as_u64());
    write(host::TR_BASE, tss_base(gdt.base.as_u64()));
    write(host::FS_BASE, 0);
    write(host::GS_BASE, 0);
}

/// The base of the TSS the GDT at `gdt` describes at the TSS selector.
fn tss_base(gdt: u64) -> u64 {
    let at = gdt + u64::from(super::super::gdt::TSS_SELECTOR);
    // SAFETY: the GDT is this CPU's (`gdt.rs`), with a 16-byte TSS
    // descriptor at the TSS selector.
    let (low, high) = unsafe {
        (
            (at as *const u64).read_volatile(),
            ((at + 8) as *const u64).read_volatile(),
        )
    };
    ((low >> 16) & 0xFF_FFFF) | (((low >> 56) & 0xFF) << 24) | ((high & 0xFFFF_FFFF) << 32)
}

/// Enters the guest of the current VMCS (VMLAUNCH the first time,
/// `launched`; VMRESUME after) with `regs`, until its next VM exit.
///
/// # Safety
/// VMX is on and the VMCS is current with its host state written
/// ([`write_host_state`]); interrupts are masked.
pub unsafe fn run(regs: &mut GuestRegisters, launched: bool) -> Result<(), VmxError> {
    let failed: u64;
    // SAFETY: the caller's promise. RBX and RBP are saved on the stack;
    // HOST_RSP is the stack pointer with them and the two words below, so
    // the exit comes back to the same stack; the other registers are
    // declared clobbered.
    unsafe {
        core::arch::asm!(
            "push rbp",
            "push rbx",
            "push rdi",                 // [rsp+8]: regs
            "push rsi",                 // [rsp]: launched
            "lea rax, [rip + 3f]",
            "mov rcx, {host_rip}",
            "vmwrite rcx, rax",
            "mov rcx, {host_rsp}",
            "vmwrite rcx, rsp",
            "mov rax, [rdi + 0]",
            "mov rbx, [rdi + 8]",
            "mov rcx, [rdi + 16]",
            "mov rdx, [rdi + 24]",
            "mov rsi, [rdi + 32]",
            "mov rbp, [rdi + 48]",
            "mov r8, [rdi + 56]",
            "mov r9, [rdi + 64]",
            "mov r10, [rdi + 72]",
            "mov r11, [rdi + 80]",
            "mov r12, [rdi + 88]",
            "mov r13, [rdi + 96]",
            "mov r14, [rdi + 104]",
            "mov r15, [rdi + 112]",
            "mov rdi, [rdi + 40]",
            "cmp qword ptr [rsp], 0",
            "jne 2f",
            "vmlaunch",
            "jmp 4f",
            "2:",
            "vmresume",
            "4:",
            // The entry failed: the guest's values are in the registers.
            "mov eax, 1",
            "jmp 5f",
            "3:",
            // A VM exit: RSP is HOST_RSP again.
            "push rdi",
            "mov rdi, [rsp + 16]",
            "mov [rdi + 0], rax",
            "mov [rdi + 8], rbx",
            "mov [rdi + 16], rcx",
            "mov [rdi + 24], rdx",
            "mov [rdi + 32], rsi",
            "mov [rdi + 48], rbp",
            "mov [rdi + 56], r8",
            "mov [rdi + 64], r9",
            "mov [rdi + 72], r10",
            "mov [rdi + 80], r11",
            "mov [rdi + 88], r12",
            "mov [rdi + 96], r13",
            "mov [rdi + 104], r14",
            "mov [rdi + 112], r15",
            "pop rax",
            "mov [rdi + 40], rax",
            "xor eax, eax",
            "5:",
            "add rsp, 16",
            "pop rbx",
            "pop rbp",
            host_rip = const host::RIP,
            host_rsp = const host::RSP,
            inout("rdi") regs as *mut GuestRegisters => _,
            inout("rsi") u64::from(launched) => _,
            out("rax") failed,
            out("rcx") _,
            out("rdx") _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            out("r12") _,
            out("r13") _,
            out("r14") _,
            out("r15") _,
        );
    }
    if failed == 0 {
        Ok(())
    } else {
        Err(VmxError::Entry)
    }
}
