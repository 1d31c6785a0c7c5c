//! What an SVM #VMEXIT becomes: the neutral [`GuestExit`] the kernel acts
//! on, with the exits the backend completes itself (CPUID, the MSRs it
//! emulates, SVM instructions the guest may not use) done here, and what
//! completing the others later needs kept in [`LastExit`].
//!
//! AMD64 APM Vol. 2: 15.7.2 (an event whose delivery the exit interrupted
//! is in EXITINTINFO and is injected again), 15.9 (CPUID), 15.10 (IN/OUT:
//! EXITINFO2 is the next RIP), 15.11 (MSR: RDMSR and WRMSR are two bytes),
//! 15.25.6 (nested page faults: the guest-physical address in EXITINFO2;
//! QEMU TCG gives no instruction bytes or next RIP, so the instruction is
//! fetched through the guest's page tables and decoded,
//! [`crate::x86_64::mmio_decode`]). Pure over an [`ExitEnv`]: tested on
//! the build host.

use super::exit::{self, IoExit, SvmExit};
use super::state::{EFER_LMA, EFER_LME, EFER_SVME, LastExit, SvmVcpu, V_IRQ};
use super::vcpu::inject_exception;
use super::vmcb::*;
use crate::exit::{GuestExit, Hypercall, MmioAccess, RegisterAccess};
use crate::x86_64::cpuid::{self, CpuidResult, VcpuIdentity, VmCpuid};
use crate::x86_64::guest_paging::{PagingMode, linear_to_physical};
use crate::x86_64::mmio_decode::{self, Extend, Kind, Load, MAX_LEN, Mode, Register};
use crate::x86_64::msr::{self, Emulator, MsrAction};
use crate::x86_64::trap_frame::TrapFrame;

/// [`Hypercall::conduit`] of VMMCALL.
pub const CONDUIT_VMMCALL: u8 = 2;
/// Bytes of VMMCALL (0F 01 D9), RDMSR and WRMSR (0F 32, 0F 30), CPUID
/// (0F A2) and HLT (F4).
pub const VMMCALL_LEN: u64 = 3;
const MSR_LEN: u64 = 2;
const CPUID_LEN: u64 = 2;
const HLT_LEN: u64 = 1;
/// Exceptions: #UD and #GP.
pub const VECTOR_UD: u8 = 6;
pub const VECTOR_GP: u8 = 13;
/// EXITINTINFO bit 31: valid; bits 10:8 the event's type, 0 for an
/// external interrupt (15.7.2, the EVENTINJ format of 15.20).
const EXITINTINFO_VALID: u64 = 1 << 31;
const EXITINTINFO_TYPE: u64 = 7 << 8;
const EXITINTINFO_TYPE_INTR: u64 = 0;
/// NPF EXITINFO1 bit 4: the access was an instruction fetch.
const NPF_FETCH: u64 = 1 << 4;
/// Packed segment attributes: L (64-bit code) and D/B (32-bit).
const ATTR_L: u16 = 1 << 9;
const ATTR_DB: u16 = 1 << 10;
/// CR4.OSXSAVE.
const CR4_OSXSAVE: u64 = 1 << 18;

/// What the exit path needs of the host.
pub trait ExitEnv {
    /// CPUID on the host.
    fn host_cpuid(&self, leaf: u32, subleaf: u32) -> CpuidResult;
    /// The host's highest basic and extended CPUID leaves (leaf 0 and
    /// leaf 0x8000_0000 EAX), which never change: a host may read them
    /// once rather than on every CPUID exit.
    fn host_max_leaves(&self) -> (u32, u32) {
        (
            self.host_cpuid(0, 0).eax,
            self.host_cpuid(0x8000_0000, 0).eax,
        )
    }
    /// The host's time-stamp counter now.
    fn tsc(&self) -> u64;
    /// Reads `buf.len()` bytes of the guest's physical memory at `gpa`
    /// (RAM the VM's nested table maps); false if any of it is not.
    fn read_guest(&self, gpa: u64, buf: &mut [u8]) -> bool;
    /// An indirect branch prediction barrier on this CPU (a guest's
    /// IA32_PRED_CMD.IBPB).
    fn ibpb(&self);
}

/// The frame's general-purpose registers in the encoding's order.
pub fn gprs(f: &TrapFrame) -> [u64; 16] {
    [
        f.rax, f.rcx, f.rdx, f.rbx, f.rsp, f.rbp, f.rsi, f.rdi, f.r8, f.r9, f.r10, f.r11, f.r12,
        f.r13, f.r14, f.r15,
    ]
}

/// The frame's register `index` (encoding order), mutably.
pub fn gpr_mut(f: &mut TrapFrame, index: u8) -> &mut u64 {
    match index & 15 {
        0 => &mut f.rax,
        1 => &mut f.rcx,
        2 => &mut f.rdx,
        3 => &mut f.rbx,
        4 => &mut f.rsp,
        5 => &mut f.rbp,
        6 => &mut f.rsi,
        7 => &mut f.rdi,
        8 => &mut f.r8,
        9 => &mut f.r9,
        10 => &mut f.r10,
        11 => &mut f.r11,
        12 => &mut f.r12,
        13 => &mut f.r13,
        14 => &mut f.r14,
        _ => &mut f.r15,
    }
}

/// Moves the guest past the instruction of the last exit: to `next`, out
/// of any interrupt shadow (MOV SS, STI) that instruction was in.
pub fn step_to(frame: &mut TrapFrame, vmcb: &mut Vmcb, next: u64) {
    frame.rip = next;
    vmcb.set_u64(INTERRUPT_SHADOW, vmcb.u64(INTERRUPT_SHADOW) & !1);
}

/// The guest is in 64-bit mode (long mode with a 64-bit code segment).
fn long_mode_code(v: &Vmcb) -> bool {
    v.u64(EFER) & EFER_LMA != 0 && v.u16(CS + SEGMENT_ATTRIBUTES) & ATTR_L != 0
}

/// Decodes the exit the guest of `s` just took; its registers in `frame`.
pub fn decode_exit(frame: &mut TrapFrame, s: &mut SvmVcpu, env: &impl ExitEnv) -> GuestExit {
    let v = &mut s.vmcb;
    let (code, info1, info2) = (v.u64(EXITCODE), v.u64(EXITINFO1), v.u64(EXITINFO2));
    // The processor clears V_IRQ when the guest takes the virtual
    // interrupt (15.21.4).
    if s.virq.is_some() && v.u32(V_INTR) & V_IRQ == 0 {
        s.virq = None;
    }
    // An event the exit cut short is delivered at the next entry: an
    // external interrupt as a virtual one again (`inject_interrupt` says
    // why), anything else through EVENTINJ.
    let interrupted = v.u64(EXITINTINFO);
    let again = match interrupted {
        i if i & EXITINTINFO_VALID == 0 => 0,
        i if i & EXITINTINFO_TYPE == EXITINTINFO_TYPE_INTR => {
            s.virq = Some(i as u8);
            0
        }
        i => i,
    };
    v.set_u64(EVENTINJ, again);
    s.last = LastExit {
        code,
        info1,
        ..Default::default()
    };
    let rip = frame.rip;
    match exit::decode(code, info1, info2) {
        SvmExit::Interrupt | SvmExit::Nmi | SvmExit::Init => GuestExit::Interrupt,
        // The window is open: the kernel injects before the next entry.
        SvmExit::Vintr => {
            s.window = false;
            GuestExit::Handled
        }
        SvmExit::Cpuid => {
            emulate_cpuid(frame, s, env);
            step_to(frame, &mut s.vmcb, rip.wrapping_add(CPUID_LEN));
            GuestExit::Handled
        }
        SvmExit::Hlt => {
            step_to(frame, &mut s.vmcb, rip.wrapping_add(HLT_LEN));
            GuestExit::Halt
        }
        SvmExit::Vmmcall => {
            s.last.next_rip = Some(rip.wrapping_add(VMMCALL_LEN));
            GuestExit::Hypercall(Hypercall {
                args: [frame.rax, frame.rbx, frame.rcx, frame.rdx],
                conduit: CONDUIT_VMMCALL,
            })
        }
        SvmExit::Io(io) => port_io(frame, &mut s.last, &io),
        SvmExit::Msr { write } => msr_access(frame, s, write, env),
        SvmExit::NestedPageFault { gpa, error } if error & NPF_FETCH == 0 => {
            mmio(frame, s, gpa, env)
        }
        SvmExit::NestedPageFault { gpa, .. } => GuestExit::Unhandled(gpa),
        SvmExit::Shutdown => GuestExit::Reset,
        // VMRUN, VMLOAD, VMSAVE, STGI, CLGI, SKINIT: no nested guests.
        SvmExit::Vmrun | SvmExit::Other(0x82..=0x86) => {
            inject_exception(&mut s.vmcb, VECTOR_UD, None);
            GuestExit::Handled
        }
        SvmExit::Invalid | SvmExit::Other(_) => GuestExit::Unhandled(0),
    }
}

/// CPUID through the filter.
fn emulate_cpuid(frame: &mut TrapFrame, s: &SvmVcpu, env: &impl ExitEnv) {
    let osxsave = s.vmcb.u64(CR4) & CR4_OSXSAVE != 0;
    cpuid_answer(frame, s.vcpus, s.index, osxsave, env);
}

/// Answers a CPUID in `frame` (EAX, ECX in; EAX-EDX out) through the
/// filter, for vCPU `index` of `vcpus` whose CR4.OSXSAVE is `osxsave`
/// (both backends).
pub fn cpuid_answer(
    frame: &mut TrapFrame,
    vcpus: u32,
    index: u32,
    osxsave: bool,
    env: &impl ExitEnv,
) {
    let (leaf, subleaf) = (frame.rax as u32, frame.rcx as u32);
    let (host_max_basic, host_max_extended) = env.host_max_leaves();
    let vm = VmCpuid {
        vcpus: vcpus.max(1),
        // The kernel's local APIC model has both (`kernel::vapic`).
        x2apic: true,
        tsc_deadline: true,
        switched: Default::default(),
        host_max_basic,
        host_max_extended,
    };
    let vcpu = VcpuIdentity {
        index,
        cr4_osxsave: osxsave,
    };
    let r = cpuid::filter(leaf, subleaf, env.host_cpuid(leaf, subleaf), &vm, &vcpu);
    frame.rax = r.eax.into();
    frame.rbx = r.ebx.into();
    frame.rcx = r.ecx.into();
    frame.rdx = r.edx.into();
}

/// IN or OUT: an exit for `qvm` (string and REP forms are not emulated);
/// what completing it needs goes in `last` (both backends).
pub fn port_io(frame: &mut TrapFrame, last: &mut LastExit, io: &IoExit) -> GuestExit {
    if io.string || io.rep || !matches!(io.size, 1 | 2 | 4) {
        return GuestExit::Unhandled(io.port.into());
    }
    last.next_rip = Some(io.next_rip);
    if io.input {
        let reg = Register {
            index: 0,
            high_byte: false,
        };
        let load = Load {
            reg,
            extend: Extend::None,
            dest_width: io.size,
        };
        last.load = Some((load, io.size));
    }
    GuestExit::PortIo(MmioAccess {
        gpa: io.port.into(),
        width: io.size,
        write: !io.input,
        value: if io.input {
            0
        } else {
            frame.rax & MmioAccess::mask(io.size)
        },
        reg: 0,
        sign_extend: false,
        wide: false,
    })
}

/// The VMCB field of an MSR the processor loads from it, if it is one.
fn vmcb_field(msr: u32) -> Option<usize> {
    Some(match msr {
        msr::IA32_STAR => STAR,
        msr::IA32_LSTAR => LSTAR,
        msr::IA32_CSTAR => CSTAR,
        msr::IA32_FMASK => SFMASK,
        msr::IA32_KERNEL_GS_BASE => KERNEL_GS_BASE,
        msr::IA32_FS_BASE => FS + SEGMENT_BASE,
        msr::IA32_GS_BASE => GS + SEGMENT_BASE,
        msr::IA32_SYSENTER_CS => SYSENTER_CS,
        msr::IA32_SYSENTER_ESP => SYSENTER_ESP,
        msr::IA32_SYSENTER_EIP => SYSENTER_EIP,
        msr::IA32_PAT => G_PAT,
        _ => return None,
    })
}

/// RDMSR or WRMSR, through the allow-list.
fn msr_access(
    frame: &mut TrapFrame,
    s: &mut SvmVcpu,
    write: bool,
    env: &impl ExitEnv,
) -> GuestExit {
    let id = frame.rcx as u32;
    let value = (frame.rdx << 32) | (frame.rax & 0xFFFF_FFFF);
    let next = frame.rip.wrapping_add(MSR_LEN);
    s.last.next_rip = Some(next);
    s.last.msr = true;
    let result: Result<Option<u64>, msr::Fault> = match msr::classify(id, write) {
        MsrAction::Emulate(Emulator::Store) if write => store_write(s, id, value).map(|()| None),
        MsrAction::Emulate(Emulator::Store) => store_read(s, id).map(Some),
        MsrAction::Emulate(Emulator::Tsc) => {
            let offset = s.vmcb.u64(TSC_OFFSET);
            if write {
                s.vmcb.set_u64(TSC_OFFSET, value.wrapping_sub(env.tsc()));
                Ok(None)
            } else {
                Ok(Some(env.tsc().wrapping_add(offset)))
            }
        }
        MsrAction::Emulate(Emulator::Ibpb) if value & !1 == 0 => {
            if value & 1 != 0 {
                env.ibpb();
            }
            Ok(None)
        }
        MsrAction::Emulate(Emulator::Ibpb) => Err(msr::Fault),
        MsrAction::ReadZero => Ok(Some(0)),
        MsrAction::Ignore => Ok(None),
        // The virtual local APIC's MSRs go to the kernel's model, which
        // takes them from this `Register` exit (`vm/apic.rs`); any other
        // MSR not emulated goes on to the VM's policy in `qvm`.
        MsrAction::Emulate(Emulator::Lapic) | MsrAction::Unsupported => {
            return GuestExit::Register(RegisterAccess {
                id: id.into(),
                write,
                value: if write { value } else { 0 },
                reg: 0,
            });
        }
    };
    match result {
        Ok(read) => {
            if let Some(v) = read {
                frame.rax = v & 0xFFFF_FFFF;
                frame.rdx = v >> 32;
            }
            step_to(frame, &mut s.vmcb, next);
        }
        Err(msr::Fault) => inject_exception(&mut s.vmcb, VECTOR_GP, Some(0)),
    }
    GuestExit::Handled
}

fn store_read(s: &SvmVcpu, id: u32) -> Result<u64, msr::Fault> {
    if id == msr::IA32_EFER {
        return Ok(s.vmcb.u64(EFER) & !EFER_SVME);
    }
    match vmcb_field(id) {
        Some(field) => Ok(s.vmcb.u64(field)),
        None => s.msrs.read(id),
    }
}

fn store_write(s: &mut SvmVcpu, id: u32, value: u64) -> Result<(), msr::Fault> {
    if id == msr::IA32_EFER {
        let old = s.vmcb.u64(EFER);
        // LME may not change while paging is on (APM 14.6.1).
        let paging = s.vmcb.u64(CR0) & super::state::CR0_PG != 0;
        if paging && (old ^ value) & EFER_LME != 0 {
            return Err(msr::Fault);
        }
        s.msrs.write(id, value)?;
        s.vmcb
            .set_u64(EFER, (value & !EFER_LMA) | (old & EFER_LMA) | EFER_SVME);
        return Ok(());
    }
    s.msrs.write(id, value)?;
    if let Some(field) = vmcb_field(id) {
        s.vmcb.set_u64(field, value);
    }
    Ok(())
}

/// The guest's linear address of its RIP.
fn code_address(v: &Vmcb, rip: u64) -> u64 {
    if long_mode_code(v) {
        rip
    } else {
        v.u64(CS + SEGMENT_BASE).wrapping_add(rip & 0xFFFF_FFFF) & 0xFFFF_FFFF
    }
}

/// Reads up to [`MAX_LEN`] instruction bytes at the guest's RIP, page by
/// page; how many it could.
fn fetch(v: &Vmcb, rip: u64, env: &impl ExitEnv, bytes: &mut [u8; MAX_LEN]) -> usize {
    let mode = PagingMode::of(v.u64(CR0), v.u64(CR4), v.u64(EFER));
    fetch_linear(mode, v.u64(CR3), code_address(v, rip), env, bytes)
}

/// Reads up to [`MAX_LEN`] bytes at the guest's linear address `start`
/// in paging `mode` with its `cr3`, page by page; how many it could (both
/// backends).
pub fn fetch_linear(
    mode: PagingMode,
    cr3: u64,
    start: u64,
    env: &impl ExitEnv,
    bytes: &mut [u8; MAX_LEN],
) -> usize {
    // A 32-bit paging entry is only the low half: the high one may be
    // past the end of RAM (an 8-byte entry never crosses a page).
    let mut read8 = |gpa: u64| {
        let (mut low, mut high) = ([0; 4], [0; 4]);
        if !env.read_guest(gpa, &mut low) {
            return None;
        }
        let high = if env.read_guest(gpa + 4, &mut high) {
            u32::from_le_bytes(high)
        } else {
            0
        };
        Some(u64::from(u32::from_le_bytes(low)) | u64::from(high) << 32)
    };
    let mut done = 0;
    while done < MAX_LEN {
        let linear = start.wrapping_add(done as u64);
        let chunk = (0x1000 - (linear & 0xFFF) as usize).min(MAX_LEN - done);
        let Some(gpa) = linear_to_physical(mode, cr3, linear, &mut read8) else {
            break;
        };
        if !env.read_guest(gpa, &mut bytes[done..done + chunk]) {
            // The page is not all RAM: as many bytes as are (an
            // instruction may end right before an MMIO page).
            let mut n = 0;
            while n < chunk && env.read_guest(gpa + n as u64, &mut bytes[done + n..done + n + 1]) {
                n += 1;
            }
            return done + n;
        }
        done += chunk;
    }
    done
}

/// An access to unbacked guest-physical `gpa`: the instruction decoded.
fn mmio(frame: &mut TrapFrame, s: &mut SvmVcpu, gpa: u64, env: &impl ExitEnv) -> GuestExit {
    let v = &s.vmcb;
    let mode = if long_mode_code(v) {
        Mode::Long
    } else if v.u16(CS + SEGMENT_ATTRIBUTES) & ATTR_DB != 0 {
        Mode::Protected32
    } else {
        return GuestExit::UndecodedAccess(gpa);
    };
    let mut bytes = [0; MAX_LEN];
    let n = fetch(v, frame.rip, env, &mut bytes);
    decoded_access(&bytes[..n], mode, frame, gpa, &mut s.last)
}

/// The MMIO access at `gpa` of the instruction in `bytes` (fetched at
/// `frame`'s RIP, decoded in `mode`), with what completing it needs kept
/// in `last` (the next RIP; a load's register): either backend's.
/// Inlined into each: as a call it cost the MMIO exit 19 instructions.
#[inline(always)]
pub fn decoded_access(
    bytes: &[u8],
    mode: Mode,
    frame: &TrapFrame,
    gpa: u64,
    last: &mut LastExit,
) -> GuestExit {
    let Ok(d) = mmio_decode::decode(bytes, mode, &gprs(frame)) else {
        return GuestExit::UndecodedAccess(gpa);
    };
    last.next_rip = Some(frame.rip.wrapping_add(d.len as u64));
    GuestExit::Mmio(match d.kind {
        Kind::Store { value } => MmioAccess {
            gpa,
            width: d.width,
            write: true,
            value,
            reg: MmioAccess::NO_REGISTER,
            sign_extend: false,
            wide: false,
        },
        Kind::Load(load) => {
            last.load = Some((load, d.width));
            MmioAccess {
                gpa,
                width: d.width,
                write: false,
                value: 0,
                reg: load.reg.index,
                sign_extend: load.extend == Extend::Sign,
                wide: load.dest_width == 8,
            }
        }
    })
}

/// Completes the last exit's load (MMIO or IN) with `value` and steps
/// past it.
pub fn complete_load(frame: &mut TrapFrame, s: &mut SvmVcpu, value: u64) {
    if let Some((load, width)) = s.last.load {
        let reg = gpr_mut(frame, load.reg.index);
        *reg = load.result(width, *reg, value);
    }
    step(frame, s);
}

/// Steps past the last exit's instruction, if it has one to go past.
pub fn step(frame: &mut TrapFrame, s: &mut SvmVcpu) {
    if let Some(next) = s.last.next_rip.take() {
        step_to(frame, &mut s.vmcb, next);
    }
}

#[cfg(test)]
mod tests;
