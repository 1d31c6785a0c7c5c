//! The VM calls (22–28) and shared memory calls (30–32), on VMs, vCPUs
//! and objects the fuzzer makes, in any order: configuring twice, mapping
//! over the GIC, vCPUs past the configured count, registers with bad
//! PSTATEs, running unconfigured VMs, exit records the kernel cannot
//! write, interrupts out of range. Guest RAM mapped into the fuzzer gets
//! the `exit` guest program ([`crate::guestcode`]), which comes back
//! with an exit; `vcpu_run` gets only powered vCPUs, other kinds of
//! handle, or numbers never open, as a vCPU that is off blocks it for
//! ever. A guest may still never exit (its exception vectors in RAM at
//! guest-physical 0 that holds no program): the child's main thread,
//! which makes no calls of its own, ends such a round.

use super::ctx::Ctx;
use super::pick;
use super::state::{self, Kind, WINDOW, WINDOW_LEN};
use crate::guestcode::Regs;
use abi::{PAGE_SIZE, Sys, VmConfig};
use core::mem::size_of;

/// Guest-physical addresses: RAM-like, the GIC's, unaligned, too high.
fn gpa(c: &mut Ctx) -> usize {
    match c.r.below(4) {
        0 | 1 => 0x4000_0000 + c.r.below(64) * PAGE_SIZE,
        2 => 0x4000_0000 + c.r.below(8) * (2 << 20),
        _ => c.r.pick(&[
            0,
            0x1000,
            0x2c00_0000,
            0x2c00_1000,
            0x2f00_0000,
            0x2f10_0000,
            0xfec0_0000,
            0xfee0_0000,
            0x4000_0001,
            (1 << 39) - PAGE_SIZE,
            1 << 39,
            1 << 48,
            usize::MAX & !0xfff,
        ]),
    }
}

fn vm_configure(c: &mut Ctx) {
    let vm = c.handle_of(|k| matches!(k, Kind::Vm { .. }));
    let gic = if c.r.one_in(8) {
        c.r.pick(&[0, 1, 2, 3, 4])
    } else {
        c.gic
    };
    let mut config = crate::vmcrash::vm_config(gic, 1 + c.r.below(4) as u64);
    match c.r.below(8) {
        0 => config.gicd = c.r.pick(&[0, 0x1000, 0x2f00_0800, 1 << 39, u64::MAX]),
        1 => config.gicr_or_gicc = c.r.pick(&[0, 0x2f00_0000, 0x4000_0000, 1 << 39]),
        2 => config.vcpus = c.r.pick(&[0, 8, 9, 64, 65, u64::MAX]),
        3 => config.spis = c.r.pick(&[0, 31, 64, 960, 992, u64::MAX]),
        _ => {}
    }
    let (ptr, len) = if c.r.one_in(5) {
        (c.in_ptr(), c.len())
    } else {
        let len = if c.r.one_in(8) {
            c.len()
        } else {
            size_of::<VmConfig>()
        };
        (&raw const config as usize, len)
    };
    let _ = c.call(Sys::VmConfigure as usize, [vm, ptr, len, 0, 0, 0]);
}

fn vm_map_ram(c: &mut Ctx) {
    let vm = c.handle_of(|k| matches!(k, Kind::Vm { .. }));
    let gpa = gpa(c);
    let len = if c.r.one_in(3) {
        pick::map_len(&mut c.r)
    } else {
        (1 + c.r.below(16)) * PAGE_SIZE
    };
    let va = if c.r.one_in(3) {
        0
    } else {
        pick::map_addr(&mut c.r)
    };
    let prot = c.r.pick(&[1, 3, 5, 7, 7, 7, 0, 2, 4, 8, 0x11]);
    // Held so that no unmap takes the new mapping before the program is
    // copied in.
    let _window = state::window();
    if c.call(Sys::VmMapRam as usize, [vm, gpa, len, va, prot, 0])
        .is_err()
    {
        return;
    }
    let code = crate::guestcode::exit_guest();
    if va >= WINDOW && va + code.len() <= WINDOW + WINDOW_LEN && len >= code.len() {
        // SAFETY: `vm_map_ram` just mapped at least `len` bytes read-write
        // at `va`, in the window no other thread writes to, and no unmap
        // can run while the window lock is held.
        unsafe { core::ptr::copy_nonoverlapping(code.as_ptr(), va as *mut u8, code.len()) };
        let mut handles = state::handles();
        if let Some(e) = handles
            .get(vm)
            .filter(|e| matches!(e.kind, Kind::Vm { .. }))
        {
            handles.set(e.handle, Kind::Vm { program: gpa });
        }
    }
}

fn vcpu_create(c: &mut Ctx) {
    let vm = c.handle_of(|k| matches!(k, Kind::Vm { .. }));
    let index = if c.r.one_in(4) {
        c.small()
    } else {
        c.r.below(5)
    };
    let mut handles = state::handles();
    if let Ok(h) = c.call(Sys::VcpuCreate as usize, [vm, index, 0, 0, 0, 0]) {
        handles.add(h, Kind::Vcpu { vm, powered: false });
    }
}

fn vcpu_set_regs(c: &mut Ctx) {
    let e = c.entry_of(|k| matches!(k, Kind::Vcpu { .. }));
    let vcpu = match e {
        Some(e) if !c.r.one_in(5) => e.handle,
        _ => c.any_handle(),
    };
    let program = match e.map(|e| e.kind) {
        Some(Kind::Vcpu { vm, .. }) => match state::handles().get(vm).map(|v| v.kind) {
            Some(Kind::Vm { program }) => program,
            _ => 0,
        },
        _ => 0,
    };
    let pc = if program != 0 && !c.r.one_in(6) {
        program as u64
    } else {
        {
            let v = [0, 0x4000_0000, 0x1000, c.r.next(), 1 << 39];
            c.r.pick(&v)
        }
    };
    let regs = random_regs(c, pc, program as u64);
    let (ptr, len) = if c.r.one_in(6) {
        (c.in_ptr(), c.len())
    } else {
        let len = if c.r.one_in(10) {
            c.len()
        } else {
            size_of::<Regs>()
        };
        (&raw const regs as usize, len)
    };
    let mut handles = state::handles();
    if c.call(Sys::VcpuSetRegs as usize, [vcpu, ptr, len, 0, 0, 0])
        .is_ok()
        && let Some(Kind::Vcpu { vm, .. }) = handles.get(vcpu).map(|e| e.kind)
    {
        handles.set(vcpu, Kind::Vcpu { vm, powered: true });
    }
}

/// Registers for the exit guest at `pc` (`program` where it was copied),
/// in states valid and not: any PSTATE, x0 a PSCI call or not (x1 the
/// target, x2 the entry of a CPU_ON), x10 RAM or not, x11 the count.
#[cfg(target_arch = "aarch64")]
fn random_regs(c: &mut Ctx, pc: u64, program: u64) -> Regs {
    let mut x = [0u64; 31];
    let pstate = {
        let v = [
            0,
            0,
            0x3c5,
            0x3c4,
            0x3c0,
            0x5,
            0x4,
            0x9,
            0x10,
            0x3c5 | 1 << 21,
            c.r.next(),
        ];
        c.r.pick(&v)
    };
    // x0: not PSCI (an HVC exit), PSCI_VERSION, SYSTEM_OFF, CPU_ON (x1
    // the target, x2 the entry), SYSTEM_RESET; never CPU_OFF.
    x[0] =
        c.r.pick(&[0x1234, 0x8400_0000, 0x8400_0008, 0xc400_0003, 0x8400_0009]);
    x[1] = c.r.below(5) as u64;
    x[2] = program;
    x[3] = 0x1234;
    x[10] =
        c.r.pick(&[0x100, 0x0900_0000, 0x2f00_0000, 0x2c00_0000, 0x1c09_0000]);
    x[11] = c.r.below(17) as u64;
    Regs {
        x,
        pc,
        pstate,
        sp_el1: c.r.next(),
    }
}

/// Registers for the exit guest at `pc`, in modes valid and not:
/// protected or long mode (with or without what it needs), CR0, CR4,
/// EFER and RFLAGS with reserved bits, segment bases above 4 GiB; EAX
/// for the VMMCALL, ESI RAM, an APIC window or nothing, EDI the count.
/// Never real mode (see below).
#[cfg(target_arch = "x86_64")]
fn random_regs(c: &mut Ctx, pc: u64, _program: u64) -> Regs {
    let any: [u64; 8] = core::array::from_fn(|_| c.r.next());
    let mut gpr = [0u64; 16];
    gpr[0] = c.r.pick(&[0x1234, 0, u64::MAX]);
    gpr[6] =
        c.r.pick(&[0x4000_0100, 0xfee0_0000, 0xfec0_0000, 0x0900_0000, any[0]]);
    gpr[7] = c.r.below(17) as u64;
    let mut regs = crate::guestcode::protected_mode(pc, gpr);
    // Never real mode: 16-bit code would decode the program differently,
    // into loops that may never exit.
    regs.cr0 =
        c.r.pick(&[1, 1, 1, 0x8000_0001, 0x2000_0001, 1 << 32, any[1] | 1]);
    regs.cr4 = c.r.pick(&[0, 0, 0x20, 1 << 13, 1 << 18, any[2]]);
    regs.efer = c.r.pick(&[0, 0, 0x100, 0x500, 1 << 12, any[3]]);
    regs.rflags = c.r.pick(&[2, 2, 0x202, 1 << 17, 1 << 22, any[4]]);
    regs.code64 = c.r.pick(&[0, 0, 0, 1]);
    regs.cr3 = c.r.pick(&[0, 0x4000_0000, any[5]]);
    regs.segment_base[c.r.below(6)] = c.r.pick(&[0, 0x4000_0000, 1 << 32, any[6]]);
    regs
}

fn vcpu_run(c: &mut Ctx) {
    let vcpu = c.runnable_vcpu();
    c.exit.response = c.r.pick(&[0, 0, 0, 1, 2, u64::MAX]);
    let ptr = if c.r.one_in(6) {
        pick::out_ptr(&mut c.r)
    } else {
        &raw mut *c.exit as usize
    };
    let _ = c.call(Sys::VcpuRun as usize, [vcpu, ptr, 0, 0, 0, 0]);
}

fn shm_open(c: &mut Ctx) {
    const NAMES: [&[u8]; 6] = [b"fz0", b"fz1", b"fz2", b"fz3", &[b'n'; 512], &[b'n'; 513]];
    let (ptr, len) = match c.r.below(6) {
        0 => (c.in_ptr(), c.len()),
        1 => (b"\xc3\x28".as_ptr() as usize, 2),
        _ => {
            let n = c.r.pick(&NAMES);
            (
                n.as_ptr() as usize,
                if c.r.one_in(8) {
                    c.r.below(n.len() + 1)
                } else {
                    n.len()
                },
            )
        }
    };
    let size = match c.r.below(3) {
        0 => c.len(),
        _ => c.r.pick(&[
            1,
            PAGE_SIZE,
            2 * PAGE_SIZE,
            64 * 1024,
            1 << 20,
            64 << 20,
            (64 << 20) + 1,
        ]),
    };
    let mut handles = state::handles();
    if let Ok(h) = c.call(Sys::ShmOpen as usize, [ptr, len, size, 0, 0, 0]) {
        handles.add(h, Kind::Shm);
    }
}

/// One VM or shared memory call.
pub fn one(c: &mut Ctx, nr: usize) {
    match nr {
        22 | 32 => {
            let kind = if nr == 22 {
                Kind::Vm { program: 0 }
            } else {
                Kind::Space
            };
            let junk = [c.small(), c.small(), 0, 0, 0, 0];
            let mut handles = state::handles();
            if let Ok(h) = c.call(nr, junk) {
                handles.add(h, kind);
            }
        }
        23 => vm_map_ram(c),
        24 => vcpu_create(c),
        25 => vcpu_set_regs(c),
        26 => vcpu_run(c),
        27 => {
            let vm = c.handle_of(|k| matches!(k, Kind::Vm { .. }));
            let intid = {
                let v = [
                    0,
                    16,
                    27,
                    31,
                    32,
                    33,
                    63,
                    64,
                    991,
                    992,
                    1019,
                    1020,
                    c.small(),
                ];
                c.r.pick(&v)
            };
            let level = c.r.pick(&[0, 1, 1, 2, usize::MAX]);
            let _ = c.call(nr, [vm, intid, level, 0, 0, 0]);
        }
        28 => vm_configure(c),
        30 => shm_open(c),
        _ => {
            let h = c.handle_of(|k| *k == Kind::Shm);
            let prot = {
                let v = [1, 3, 3, 5, 7, 0, 2, 8, c.small()];
                c.r.pick(&v)
            };
            let va = pick::map_addr(&mut c.r);
            let _ = c.call(Sys::ShmMap as usize, [h, va, prot, 0, 0, 0]);
        }
    }
}
