//! The x86 guest programs (32-bit protected-mode code, flat segments,
//! paging off) and the registers they start with.

use abi::x86_64::VcpuRegs;

/// The register set `vcpu_set_regs` takes here.
pub type Regs = VcpuRegs;

core::arch::global_asm!(
    ".section .rodata.ktest_guests, \"a\"",
    ".code32",
    // Spins 2000 times, then stores to [ebx] (nothing there: an MMIO
    // exit), and again.
    ".global ktest_spin_guest",
    "ktest_spin_guest:",
    "1: mov ecx, 2000",
    "2: dec ecx",
    "   jnz 2b",
    "   mov [ebx], ecx",
    "   jmp 1b",
    ".global ktest_spin_guest_end",
    "ktest_spin_guest_end:",
    // A VMMCALL with the caller's EAX (an exit for the VMM), a load and a
    // store at [esi] (MMIO exits unless ESI is RAM), EDI times; then an
    // OUT to port 0x604 (an I/O exit) and again 16 times.
    ".global ktest_exit_guest",
    "ktest_exit_guest:",
    "1: vmmcall",
    "   mov ecx, [esi]",
    "   mov [esi], ecx",
    "   sub edi, 1",
    "   ja 1b",
    "   mov dx, 0x604",
    "   mov ax, 0x2000",
    "   out dx, ax",
    "   mov edi, 16",
    "   jmp 1b",
    ".global ktest_exit_guest_end",
    "ktest_exit_guest_end:",
    // One of each exit (`ktest vmexits`): OUT and IN at port 0x3f8, an
    // MMIO store and load, CPUID (answered in the kernel), VMMCALL, an
    // RDMSR the kernel does not know, VMMCALL again with what it read;
    // then an empty IDT (the 6 zero bytes at [esi]) and INT3: a triple
    // fault.
    ".global ktest_exits_guest",
    "ktest_exits_guest:",
    "   mov al, 0x41",
    "   mov dx, 0x3f8",
    "   out dx, al",
    "   in al, dx",
    "   mov dword ptr [0xd0000000], eax",
    "   mov ecx, dword ptr [0xd0000010]",
    "   mov eax, 0x40000000",
    "   mov ebp, ecx",
    "   cpuid",
    "   mov eax, ebp",
    "   vmmcall",
    "   mov ecx, 0x1234",
    "   rdmsr",
    "   vmmcall",
    "   lidt [esi]",
    "   int3",
    "   hlt",
    ".global ktest_exits_guest_idt",
    "ktest_exits_guest_idt:",
    "   .byte 0, 0, 0, 0, 0, 0",
    ".global ktest_exits_guest_end",
    "ktest_exits_guest_end:",
    // Interrupts (`ktest vmirq`): its own GDT and IDT (descriptors at
    // [esi] and [esi + 8], which ktest fills in), the local APIC on, its
    // timer one-shot at vector 0x30 in 1 ms, then HLT until the handler
    // saw 0x30; I/O APIC pin 5 to vector 0x31, a VMMCALL (ktest raises
    // the pin), HLT until the handler saw 0x31; then x2APIC mode and a
    // TSC-deadline timer at 0x32 through the MSRs, HLT until it came;
    // VMMCALL with 0x600d.
    ".global ktest_irq_guest",
    "ktest_irq_guest:",
    "   lgdt [esi]",
    "   lidt [esi + 8]",
    "   mov dword ptr [0xfee000f0], 0x1ff",
    "   mov dword ptr [0xfee003e0], 0xb",
    "   mov dword ptr [0xfee00320], 0x30",
    "   mov dword ptr [0xfee00380], 1000000",
    "1: sti",
    "   hlt",
    "   cli",
    "   cmp ebx, 0x30",
    "   jne 1b",
    "   mov dword ptr [0xfec00000], 0x1a",
    "   mov dword ptr [0xfec00010], 0x31",
    "   mov dword ptr [0xfec00000], 0x1b",
    "   mov dword ptr [0xfec00010], 0",
    "   mov eax, 5",
    "   vmmcall",
    "2: sti",
    "   hlt",
    "   cli",
    "   cmp ebx, 0x31",
    "   jne 2b",
    // x2APIC mode (IA32_APIC_BASE.EXTD), the timer in TSC-deadline mode
    // at vector 0x32 through the MSRs, due 1 ms of TSC ticks from now.
    "   mov ecx, 0x1b",
    "   rdmsr",
    "   or eax, 0xc00",
    "   wrmsr",
    "   mov ecx, 0x832",
    "   mov eax, 0x40032",
    "   xor edx, edx",
    "   wrmsr",
    "   rdtsc",
    "   add eax, 1000000",
    "   adc edx, 0",
    "   mov ecx, 0x6e0",
    "   wrmsr",
    "4: sti",
    "   hlt",
    "   cli",
    "   cmp ebx, 0x32",
    "   jne 4b",
    "   mov eax, 0x600d",
    "   vmmcall",
    "3: hlt",
    "   jmp 3b",
    ".global ktest_irq_guest_vector30",
    "ktest_irq_guest_vector30:",
    "   mov ebx, 0x30",
    "   mov dword ptr [0xfee000b0], 0",
    "   iretd",
    ".global ktest_irq_guest_vector31",
    "ktest_irq_guest_vector31:",
    "   mov ebx, 0x31",
    "   mov dword ptr [0xfee000b0], 0",
    "   iretd",
    ".global ktest_irq_guest_vector32",
    "ktest_irq_guest_vector32:",
    "   mov ebx, 0x32",
    "   mov ecx, 0x80b",
    "   xor eax, eax",
    "   xor edx, edx",
    "   wrmsr",
    "   iretd",
    ".global ktest_irq_guest_end",
    "ktest_irq_guest_end:",
    // Guest SMP (`ktest vmsmp`): the bootstrap vCPU sends INIT and a
    // start-up IPI for page 0x8000 to APIC ID 1, then VMMCALL with 1; the
    // other vCPU starts in real mode at the 16-bit code after it, which
    // makes a VMMCALL with 0xa9 and halts. Then, running again, the
    // bootstrap vCPU sends the halted one INIT and a start-up IPI for page
    // 0x9000 (the second 16-bit program: VMMCALL with 0xaa) and makes a
    // VMMCALL with 2.
    ".global ktest_smp_guest",
    "ktest_smp_guest:",
    "   mov dword ptr [0xfee00310], 0x01000000",
    "   mov dword ptr [0xfee00300], 0x00004500",
    "   mov dword ptr [0xfee00300], 0x00004608",
    "   mov eax, 1",
    "   vmmcall",
    "   mov dword ptr [0xfee00310], 0x01000000",
    "   mov dword ptr [0xfee00300], 0x00004500",
    "   mov dword ptr [0xfee00300], 0x00004609",
    "   mov eax, 2",
    "   vmmcall",
    "1: hlt",
    "   jmp 1b",
    ".global ktest_smp_guest_end",
    "ktest_smp_guest_end:",
    ".code16",
    ".global ktest_smp_ap",
    "ktest_smp_ap:",
    "   mov eax, 0xa9",
    "   vmmcall",
    "2: hlt",
    "   jmp 2b",
    ".global ktest_smp_ap_end",
    "ktest_smp_ap_end:",
    ".global ktest_smp_ap_again",
    "ktest_smp_ap_again:",
    "   mov eax, 0xaa",
    "   vmmcall",
    "3: hlt",
    "   jmp 3b",
    ".global ktest_smp_ap_again_end",
    "ktest_smp_ap_again_end:",
    ".code32",
    // Exit paths timed with RDTSC (`ktest vmbench`): 64 samples each of
    // nothing, CPUID (the backend answers), a local APIC read (the kernel
    // emulates it), OUT and VMMCALL (both to the VMM and back), stored as
    // 32-bit deltas from [esi] on; then OUT to port 0xf4: done.
    ".global ktest_bench_guest",
    "ktest_bench_guest:",
    "   mov edi, 64",
    "1: rdtsc",
    "   mov ebp, eax",
    "   rdtsc",
    "   sub eax, ebp",
    "   mov [esi], eax",
    "   add esi, 4",
    "   dec edi",
    "   jnz 1b",
    "   mov edi, 64",
    "2: rdtsc",
    "   mov ebp, eax",
    "   xor eax, eax",
    "   cpuid",
    "   rdtsc",
    "   sub eax, ebp",
    "   mov [esi], eax",
    "   add esi, 4",
    "   dec edi",
    "   jnz 2b",
    "   mov edi, 64",
    "3: rdtsc",
    "   mov ebp, eax",
    "   mov ecx, dword ptr [0xfee00030]",
    "   rdtsc",
    "   sub eax, ebp",
    "   mov [esi], eax",
    "   add esi, 4",
    "   dec edi",
    "   jnz 3b",
    "   mov edi, 64",
    "4: rdtsc",
    "   mov ebp, eax",
    "   out 0x80, al",
    "   rdtsc",
    "   sub eax, ebp",
    "   mov [esi], eax",
    "   add esi, 4",
    "   dec edi",
    "   jnz 4b",
    "   mov edi, 64",
    "5: rdtsc",
    "   mov ebp, eax",
    "   vmmcall",
    "   rdtsc",
    "   sub eax, ebp",
    "   mov [esi], eax",
    "   add esi, 4",
    "   dec edi",
    "   jnz 5b",
    "   out 0xf4, al",
    "6: hlt",
    "   jmp 6b",
    ".global ktest_bench_guest_end",
    "ktest_bench_guest_end:",
    ".code64",
);

unsafe extern "C" {
    static ktest_spin_guest: u8;
    static ktest_spin_guest_end: u8;
    static ktest_exit_guest: u8;
    static ktest_exit_guest_end: u8;
    static ktest_exits_guest: u8;
    static ktest_exits_guest_idt: u8;
    static ktest_exits_guest_end: u8;
    static ktest_irq_guest: u8;
    static ktest_irq_guest_vector30: u8;
    static ktest_irq_guest_vector31: u8;
    static ktest_irq_guest_vector32: u8;
    static ktest_irq_guest_end: u8;
    static ktest_smp_guest: u8;
    static ktest_smp_guest_end: u8;
    static ktest_smp_ap: u8;
    static ktest_smp_ap_end: u8;
    static ktest_smp_ap_again: u8;
    static ktest_smp_ap_again_end: u8;
    static ktest_bench_guest: u8;
    static ktest_bench_guest_end: u8;
}

/// Spins, then an MMIO store to [ebx]; forever.
pub fn spin_guest() -> &'static [u8] {
    super::between(&raw const ktest_spin_guest, &raw const ktest_spin_guest_end)
}

/// VMMCALL with EAX, MMIO at [esi], EDI times; then OUT; forever.
pub fn exit_guest() -> &'static [u8] {
    super::between(&raw const ktest_exit_guest, &raw const ktest_exit_guest_end)
}

/// One exit of each kind, ending in a triple fault.
pub fn exits_guest() -> &'static [u8] {
    super::between(
        &raw const ktest_exits_guest,
        &raw const ktest_exits_guest_end,
    )
}

/// Where the exits guest's empty IDT descriptor is, from its start.
pub fn exits_guest_idt_offset() -> u64 {
    (&raw const ktest_exits_guest_idt as usize - &raw const ktest_exits_guest as usize) as u64
}

/// Takes interrupts from the local APIC's timer and an I/O APIC pin.
pub fn irq_guest() -> &'static [u8] {
    super::between(&raw const ktest_irq_guest, &raw const ktest_irq_guest_end)
}

/// Where the irq guest's handlers of vectors 0x30, 0x31 and 0x32 are,
/// from its start.
pub fn irq_guest_handlers() -> [u64; 3] {
    let start = &raw const ktest_irq_guest as usize;
    [
        (&raw const ktest_irq_guest_vector30 as usize - start) as u64,
        (&raw const ktest_irq_guest_vector31 as usize - start) as u64,
        (&raw const ktest_irq_guest_vector32 as usize - start) as u64,
    ]
}

/// The bootstrap vCPU's program of `ktest vmsmp` (32-bit).
pub fn smp_guest() -> &'static [u8] {
    super::between(&raw const ktest_smp_guest, &raw const ktest_smp_guest_end)
}

/// The other vCPU's program of `ktest vmsmp` (16-bit real mode).
pub fn smp_ap() -> &'static [u8] {
    super::between(&raw const ktest_smp_ap, &raw const ktest_smp_ap_end)
}

/// Its program after the second INIT and start-up IPI (16-bit real mode).
pub fn smp_ap_again() -> &'static [u8] {
    super::between(
        &raw const ktest_smp_ap_again,
        &raw const ktest_smp_ap_again_end,
    )
}

/// The exit paths `ktest vmbench` times.
pub fn bench_guest() -> &'static [u8] {
    super::between(
        &raw const ktest_bench_guest,
        &raw const ktest_bench_guest_end,
    )
}

/// CR0.PE: protected mode, paging off.
const CR0_PE: u64 = 1;
/// RFLAGS with only its always-one bit 1 set.
const RFLAGS_FIXED: u64 = 2;

/// 32-bit flat protected mode at `pc` with general-purpose registers
/// `gpr` (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15).
pub fn protected_mode(pc: u64, gpr: [u64; 16]) -> VcpuRegs {
    VcpuRegs {
        gpr,
        rip: pc,
        rflags: RFLAGS_FIXED,
        cr0: CR0_PE,
        ..Default::default()
    }
}

/// The spin guest's registers: at `pc`, storing to `mmio` (EBX).
pub fn spin_regs(pc: u64, mmio: u64) -> VcpuRegs {
    let mut gpr = [0; 16];
    gpr[3] = mmio;
    protected_mode(pc, gpr)
}

/// Register sets `vcpu_set_regs` must refuse, each with what is wrong.
pub fn bad_regs(pc: u64) -> [(&'static str, VcpuRegs); 2] {
    let long = VcpuRegs {
        cr0: CR0_PE | 1 << 31,
        efer: 1 << 8,
        code64: 1,
        ..protected_mode(pc, [0; 16])
    };
    [
        ("vcpu in long mode without CR4.PAE", long),
        (
            "vcpu with CR4.VMXE",
            VcpuRegs {
                cr4: 1 << 13,
                ..protected_mode(pc, [0; 16])
            },
        ),
    ]
}
