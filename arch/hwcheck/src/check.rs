//! The check itself, on the target: the console, the guest and its nested
//! page tables, the SVM and VMX runs, and the symbols the arch crate's
//! entry code calls (`__kernel_main`, the trap and fault handlers, the
//! secondary-CPU entry) that the kernel defines otherwise.

use arch::platform::BootInfo;
use arch::x86_64::X86_64;
use arch::x86_64::trap_frame::TrapFrame;
use arch::x86_64::uart16550::Uart16550;
use arch::{Boot, Traps, Uart};
use core::fmt::Write;

/// COM1.
const COM1: u16 = 0x3F8;
/// Where the guest's code starts (guest-physical).
const GUEST_ENTRY: u32 = 0x1000;
/// How many exits the check follows at most.
const MAX_EXITS: usize = 8;
/// The guest: `mov dx, 0x3f8; mov al, 'G'; out dx, al; mov eax, 0x1234`,
/// then the hypercall (patched per backend) and `hlt`.
const GUEST_CODE: [u8; 16] = [
    0x66, 0xBA, 0xF8, 0x03, 0xB0, b'G', 0xEE, 0xB8, 0x34, 0x12, 0x00, 0x00, 0x0F, 0x01, 0xD9, 0xF4,
];
/// Where the hypercall's third byte is: D9 is VMMCALL (SVM), C1 VMCALL.
const HYPERCALL_MODRM: usize = 14;
const VMCALL_MODRM: u8 = 0xC1;

/// COM1, set up once (setting it up again would drop what its FIFO has
/// not sent yet).
static UART: Slot<Option<Uart16550>> = Slot(core::cell::UnsafeCell::new(None));

struct Console;

impl Write for Console {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        // SAFETY: one CPU, one writer at a time.
        let uart = unsafe { &mut *UART.get() };
        // SAFETY: COM1 is the PC's first serial port, this program's alone.
        let uart = uart.get_or_insert_with(|| unsafe { Uart16550::new(COM1) });
        for b in s.bytes() {
            if b == b'\n' {
                uart.put(b'\r');
            }
            uart.put(b);
        }
        Ok(())
    }
}

fn console() -> Console {
    Console
}

macro_rules! say {
    ($($t:tt)*) => {{
        let _ = writeln!(console(), $($t)*);
    }};
}

/// A 4 KiB page.
#[repr(C, align(4096))]
struct Page([u8; 4096]);

/// The guest's RAM: one 2 MiB page at guest-physical 0.
#[repr(C, align(0x200000))]
struct GuestRam([u8; 0x20_0000]);

/// A static the check alone writes, before any guest runs.
struct Slot<T>(core::cell::UnsafeCell<T>);
// SAFETY: one CPU runs the check, one step at a time.
unsafe impl<T> Sync for Slot<T> {}

impl<T> Slot<T> {
    fn get(&self) -> *mut T {
        self.0.get()
    }
    fn address(&self) -> u64 {
        self.get() as u64
    }
}

static RAM: Slot<GuestRam> = Slot(core::cell::UnsafeCell::new(GuestRam([0; 0x20_0000])));
static TABLES: Slot<[Page; 3]> = Slot(core::cell::UnsafeCell::new([const { Page([0; 4096]) }; 3]));
static HOST: Slot<[Page; 2]> = Slot(core::cell::UnsafeCell::new([const { Page([0; 4096]) }; 2]));
static VMCB: Slot<arch::x86_64::svm::vmcb::Vmcb> = Slot(core::cell::UnsafeCell::new(
    arch::x86_64::svm::vmcb::Vmcb([0; 4096]),
));
/// The SVM I/O (12 KiB) and MSR (8 KiB) permission maps, all ones: every
/// port and MSR exits.
#[repr(C, align(4096))]
struct Maps([u8; 0x5000]);
static MAPS: Slot<Maps> = Slot(core::cell::UnsafeCell::new(Maps([0xFF; 0x5000])));

/// Copies the guest in and builds nested tables mapping its RAM at 0 with
/// `table` and `leaf` bits (NPT: the long-mode format with U/S; EPT: RWX,
/// write-back). Returns the root.
fn build_guest(table: u64, leaf: u64, hypercall: u8) -> u64 {
    // SAFETY: nothing runs the guest yet; these statics are the check's.
    unsafe {
        let ram = (*RAM.get()).0.as_mut_ptr();
        let mut code = GUEST_CODE;
        code[HYPERCALL_MODRM] = hypercall;
        core::ptr::copy_nonoverlapping(code.as_ptr(), ram.add(GUEST_ENTRY as usize), code.len());
        let tables = &mut *TABLES.get();
        let at = |i: usize| tables[i].0.as_ptr() as u64;
        let (pml4, pdpt, pd) = (at(0), at(1), at(2));
        (pml4 as *mut u64).write(pdpt | table);
        (pdpt as *mut u64).write(pd | table);
        (pd as *mut u64).write(RAM.address() | leaf);
        pml4
    }
}

fn check_svm() {
    use arch::x86_64::svm::{exit, run, vcpu, vmcb};
    let root = build_guest(0x7, 0x87, 0xD9);
    // SAFETY: SVM is available; the statics are this check's pages.
    unsafe {
        let host = &*HOST.get();
        run::enable(host[0].0.as_ptr() as u64);
        let v = &mut *VMCB.get();
        let maps = MAPS.address();
        vcpu::set_intercepts(v, maps, maps + 0x3000);
        vcpu::set_nested_paging(v, root, 1);
        vcpu::reset_protected_mode(v, GUEST_ENTRY, 0);
        let mut regs = run::GuestRegisters::default();
        for _ in 0..MAX_EXITS {
            run::run(VMCB.address(), host[1].0.as_ptr() as u64, &mut regs);
            v.set_u8(vmcb::TLB_CONTROL, 0);
            let rax = v.u64(vmcb::RAX);
            match exit::decode(
                v.u64(vmcb::EXITCODE),
                v.u64(vmcb::EXITINFO1),
                v.u64(vmcb::EXITINFO2),
            ) {
                exit::SvmExit::Io(io) => {
                    say!(
                        "hwcheck: SVM: OUT to port {:#x}, {} byte: {:?}",
                        io.port,
                        io.size,
                        rax as u8 as char
                    );
                    v.set_u64(vmcb::RIP, io.next_rip);
                }
                exit::SvmExit::Vmmcall => {
                    say!("hwcheck: SVM: VMMCALL with RAX {rax:#x}");
                    vcpu::advance(v, 3);
                }
                exit::SvmExit::Hlt => {
                    say!("hwcheck: SVM: HLT at {:#x}", v.u64(vmcb::RIP));
                    return;
                }
                other => {
                    say!("hwcheck: SVM: unexpected exit {other:?}");
                    return;
                }
            }
        }
    }
}

fn check_vmx() {
    use arch::x86_64::vmx::vcpu::{self, Capabilities, VmcsAccess};
    use arch::x86_64::vmx::{exit, run};
    use x86::vmx::vmcs::{guest, ro};
    use x86_64::registers::model_specific::Msr;
    let root = build_guest(0x7, 0x7 | (6 << 3) | (1 << 7), VMCALL_MODRM);
    // SAFETY: VMX (with EPT and unrestricted guest) is available; the
    // statics are this check's pages; the VMCS is made current before use.
    unsafe {
        let host = &*HOST.get();
        // `init_cpu` turned VMX on already where the kernel's backend
        // could use it (`vmx::world`); VMXON again would fail.
        let on = arch::x86_64::vmx::world::can_run_guests();
        if let Err(e) = if on {
            Ok(())
        } else {
            run::enable(host[0].0.as_ptr() as u64)
        } {
            say!("hwcheck: VMX: VMXON failed: {e:?}");
            return;
        }
        let vmcs = host[1].0.as_ptr() as u64;
        (vmcs as *mut u32).write(run::revision());
        if x86::bits64::vmx::vmclear(vmcs).is_err() || x86::bits64::vmx::vmptrld(vmcs).is_err() {
            say!("hwcheck: VMX: VMCLEAR or VMPTRLD failed");
            return;
        }
        let true_controls = Msr::new(0x480).read() & (1 << 55) != 0;
        let cap = |plain: u32, true_msr: u32| {
            Msr::new(if true_controls { true_msr } else { plain }).read()
        };
        let caps = Capabilities {
            pin: cap(0x481, 0x48D),
            primary: cap(0x482, 0x48E),
            secondary: Msr::new(0x48B).read(),
            exit: cap(0x483, 0x48F),
            entry: cap(0x484, 0x490),
        };
        let mut v = run::CurrentVmcs;
        if let Err(e) = vcpu::set_controls(&mut v, &caps) {
            say!("hwcheck: VMX: controls not allowed: {e:?}");
            return;
        }
        vcpu::set_ept(&mut v, root, 1);
        run::write_host_state();
        vcpu::reset_protected_mode(&mut v, GUEST_ENTRY);
        let mut regs = run::GuestRegisters::default();
        for launched in (0..MAX_EXITS).map(|n| n > 0) {
            if run::run(&mut regs, launched).is_err() {
                say!(
                    "hwcheck: VMX: entry failed, error {}",
                    v.read(ro::VM_INSTRUCTION_ERROR)
                );
                return;
            }
            let e = exit::decode(
                v.read(ro::EXIT_REASON) as u32,
                v.read(ro::EXIT_QUALIFICATION),
                v.read(ro::GUEST_PHYSICAL_ADDR_FULL),
            );
            let len = v.read(ro::VMEXIT_INSTRUCTION_LEN);
            match e {
                exit::VmxExit::Io(io) => {
                    say!(
                        "hwcheck: VMX: OUT to port {:#x}, {} byte: {:?}",
                        io.port,
                        io.size,
                        regs.rax as u8 as char
                    );
                    vcpu::advance(&mut v, len);
                }
                exit::VmxExit::Vmcall => {
                    say!("hwcheck: VMX: VMCALL with RAX {:#x}", regs.rax);
                    vcpu::advance(&mut v, len);
                }
                exit::VmxExit::Hlt => {
                    say!("hwcheck: VMX: HLT at {:#x}", v.read(guest::RIP));
                    return;
                }
                other => {
                    say!("hwcheck: VMX: unexpected exit {other:?}");
                    return;
                }
            }
        }
    }
}

#[unsafe(no_mangle)]
fn __kernel_main(_boot: BootInfo) -> ! {
    say!("hwcheck: starting");
    X86_64::init_cpu(0);
    if arch::x86_64::svm::run::available() {
        check_svm();
    } else if arch::x86_64::vmx::run::available() {
        check_vmx();
    } else {
        say!("hwcheck: this CPU has neither SVM with NPT nor VMX with EPT");
    }
    say!("hwcheck: done");
    loop {
        arch::x86_64::cpu::halt();
    }
}

#[unsafe(no_mangle)]
extern "C" fn __kernel_trap(_frame: &mut TrapFrame, vector: u64) {
    say!("hwcheck: unexpected trap from ring 3, vector {vector}");
}

#[unsafe(no_mangle)]
extern "C" fn __kernel_fault(frame: &mut TrapFrame, vector: u64) -> ! {
    say!("hwcheck: {}", X86_64::kernel_fault(frame, vector));
    loop {
        arch::x86_64::cpu::halt();
    }
}

#[unsafe(no_mangle)]
extern "C" fn __kernel_secondary(_index: usize) -> ! {
    loop {
        arch::x86_64::cpu::halt();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    say!("hwcheck: panicked: {info}");
    loop {
        arch::x86_64::cpu::halt();
    }
}
