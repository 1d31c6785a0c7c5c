//! Boot of the host kernel on the first CPU: read the device tree, map all
//! memory, start the console, the heap and the frame allocator, find the
//! bootfs, bring up the GIC, the timer and the other CPUs, print the
//! banner, and start `/bin/init`.

use crate::state::{Cpu, KERNEL, Kernel};
use crate::vm::virt_if::VirtIf;
use crate::{console, heap, kprintln, sched, smp};
use alloc::vec::Vec;
use arch::IrqChip;
use arch::aarch64::entry::BootArgs;
use arch::aarch64::gic::Gic;
use arch::aarch64::psci::{self, Conduit};
use arch::aarch64::trap_frame::{TRAP_FRAME_SIZE, TrapFrame};
use arch::aarch64::{cpu, mmu, stage2, vectors};
use boot::Bootfs;
use core::cell::UnsafeCell;
use kernel::board::{self, Board, GicInfo, PsciMethod};
use kernel::mem::frames::FrameAllocator;

const MIB2: usize = 1 << 21;
/// Level-2 tables available to the kernel's identity map.
const MAP_L2_TABLES: usize = 32;

#[repr(C, align(4096))]
struct Tables(UnsafeCell<[[u64; 512]; 1 + MAP_L2_TABLES]>);
// SAFETY: written once by the boot CPU before the others start.
unsafe impl Sync for Tables {}
static MAP: Tables = Tables(UnsafeCell::new([[0; 512]; 1 + MAP_L2_TABLES]));

/// TTBR0_EL2 and TCR_EL2 of the kernel map, for the secondary CPUs.
pub static mut KERNEL_MAP: (u64, u64) = (0, 0);

fn halt() -> ! {
    loop {
        cpu::wait_for_event();
    }
}

fn round_out(start: usize, end: usize) -> (usize, usize) {
    (start & !(MIB2 - 1), end.next_multiple_of(MIB2))
}

/// The device tree handed over by the boot loader.
fn device_tree(dtb: usize) -> &'static [u8] {
    // SAFETY: the boot map covers the whole device tree (its size is read
    // the same way there); the firmware leaves it in place.
    unsafe {
        let size = u32::from_be(core::ptr::read_volatile((dtb + 4) as *const u32)) as usize;
        core::slice::from_raw_parts(dtb as *const u8, size)
    }
}

/// RAM ranges as pairs, without the heap (which is not up yet).
fn ram_pairs(board: &Board) -> ([(usize, usize); board::MAX_RANGES], usize) {
    let mut out = [(0, 0); board::MAX_RANGES];
    for (slot, r) in out.iter_mut().zip(board.ram.as_slice()) {
        *slot = (r.start, r.end);
    }
    (out, board.ram.len())
}

/// Builds the full identity map in the EL2 regime (or EL1, `el2` false).
fn build_map(board: &Board, fine: &[(usize, usize)], el2: bool) -> u64 {
    let (ram, n) = ram_pairs(board);
    // SAFETY: only the boot CPU runs, and nothing uses these tables yet.
    let tables = unsafe { &mut *MAP.0.get() };
    let (l1, rest) = tables.split_first_mut().expect("tables");
    let rest: &mut [[u64; 512]; MAP_L2_TABLES] = rest.try_into().unwrap_or_else(|_| halt());
    let mut l2 = rest.each_mut();
    mmu::build_identity(l1, &mut l2, &ram[..n], fine, false, el2);
    l1.as_ptr() as u64
}

/// Builds the full identity map and switches to it.
fn map_everything(board: &Board, fine: &[(usize, usize)]) -> (u64, u64) {
    let ttbr = build_map(board, fine, true);
    // SAFETY: the new map agrees with the boot map on the image and the
    // device tree (2 MiB blocks of Normal memory in both).
    unsafe { mmu::switch_el2(ttbr) };
    (ttbr, mmu::tcr_el2(cpu::pa_range()))
}

/// Finds `size` bytes of free RAM, 2 MiB aligned, outside `used`.
fn find_free(board: &Board, used: &[(usize, usize)], size: usize) -> Option<usize> {
    for r in board.ram.as_slice() {
        let mut at = r.start.next_multiple_of(MIB2);
        while at + size <= r.end {
            match used.iter().find(|&&(s, e)| s < at + size && at < e) {
                Some(&(_, e)) => at = e.next_multiple_of(MIB2),
                None => return Some(at),
            }
        }
    }
    None
}

/// Starting point of the kernel, entered from the boot code with the boot
/// map on.
#[unsafe(no_mangle)]
fn __kernel_main(boot: BootArgs) -> ! {
    crate::panic::IMAGE_BASE.store(boot.image_start, core::sync::atomic::Ordering::Relaxed);
    let dtb = device_tree(boot.dtb);
    let board = match board::parse(dtb) {
        Ok(b) => b,
        Err(_) => halt(),
    };
    let fine = [
        round_out(boot.image_start, boot.image_end),
        round_out(boot.dtb, boot.dtb + dtb.len()),
    ];
    if boot.el != 2 {
        report_wrong_level(&board, &fine, boot.el);
    }
    cpu::set_per_cpu(0);
    vectors::install();
    let (ttbr, tcr) = map_everything(&board, &fine);
    // SAFETY: written before any other CPU starts.
    unsafe { KERNEL_MAP = (ttbr, tcr) };
    if let Some(uart) = board.uart {
        // SAFETY: the device tree names this PL011; the map covers it as
        // device memory.
        unsafe { console::init(uart.base) };
    }
    crate::klog::init();
    kprintln!("qhv: starting on {} at EL2", board.model());

    // Ranges in use, in a fixed array: there is no heap yet.
    let mut used = [(0usize, 0usize); board::MAX_RANGES + 4];
    used[0] = (boot.image_start, boot.image_end);
    used[1] = (boot.dtb, boot.dtb + dtb.len());
    let mut n_used = 2;
    for r in board
        .reserved
        .as_slice()
        .iter()
        .chain(board.initrd.as_ref())
    {
        used[n_used] = (r.start, r.end);
        n_used += 1;
    }
    let Some(heap_start) = find_free(&board, &used[..n_used], heap::HEAP_SIZE) else {
        kprintln!("qhv: not enough RAM for the kernel heap");
        halt()
    };
    // SAFETY: the range is free RAM, mapped Normal, and used only by the heap.
    unsafe { heap::init(heap_start) };
    used[n_used] = (heap_start, heap_start + heap::HEAP_SIZE);
    n_used += 1;

    let mut frames = FrameAllocator::new();
    for r in board.ram.as_slice() {
        let bitmap = alloc::vec![0u64; FrameAllocator::bitmap_words(r.end - r.start)].leak();
        if !frames.add_region(r.start, r.end, bitmap) {
            kprintln!(
                "qhv: RAM range {:#x}..{:#x} not used: too many ranges",
                r.start,
                r.end
            );
        }
    }
    for &(s, e) in &used[..n_used] {
        frames.reserve(s, e);
    }

    let bootfs_bytes = image_tail(&boot);
    let bootfs = match Bootfs::parse(bootfs_bytes) {
        Ok(b) => b,
        Err(e) => {
            kprintln!("qhv: no usable bootfs after the kernel ({e}); nothing to run");
            halt()
        }
    };

    let gic = make_gic(&board);
    let psci = match board.psci {
        PsciMethod::Smc => Conduit::Smc,
        PsciMethod::Hvc => Conduit::Hvc,
        PsciMethod::None => Conduit::Smc,
    };
    cpu::init_el2(stage2::vtcr(cpu::pa_range()));
    let null_root = frames.alloc().expect("a frame for the empty stage-2 table");
    crate::space::zero_frame(null_root);
    let counter_hz = cpu::counter_frequency();
    let mut cpus: Vec<Cpu> = board.cpus.as_slice().iter().map(|_| Cpu::new()).collect();
    cpus[0].online = true;
    cpus[0].stack_top = arch::aarch64::entry::boot_stack_top();
    let mut kernel = Kernel {
        frames,
        processes: Default::default(),
        threads: Default::default(),
        vms: Default::default(),
        vcpus: Default::default(),
        shms: Default::default(),
        cpus,
        sleepers: Default::default(),
        futex_waiters: Vec::new(),
        object_waiters: Vec::new(),
        console_waiters: Default::default(),
        console_input: Default::default(),
        console_clients: Vec::new(),
        console_focus: 0,
        console_escape: false,
        vmids: kernel::vmid::VmidPool::new(),
        gic,
        bootfs,
        next_pid: 1,
        next_shm_space: 0,
        init: None,
        null_vttbr: stage2::vttbr(null_root, 0),
        psci,
        timer_intid: board.hyp_timer_intid,
        uart_intid: board.uart.and_then(|u| u.intid),
        counter_hz,
        slice_ticks: counter_hz / 100,
        virt_if: virtual_interface(&board),
        lr_count: 0,
    };
    kernel.lr_count = kernel
        .virt_if
        .get()
        .map_or(0, |v| v.list_registers().min(crate::vm::MAX_LRS));
    kernel.gic.init_distributor();
    smp::init_this_cpu(&mut kernel, 0);
    if let Some(intid) = kernel.uart_intid {
        kernel.gic.enable(intid, 0, false);
        console::enable_rx_interrupt();
    }
    cpu::set_vttbr(kernel.null_vttbr);
    KERNEL.install(kernel);

    smp::start_secondaries(&board);

    let mut k = KERNEL.lock();
    let online = k.cpus.iter().filter(|c| c.online).count();
    kprintln!(
        "qhv: hypervisor kernel at EL2, {} CPU{}, {} MiB RAM, GICv{}",
        online,
        if online == 1 { "" } else { "s" },
        board.ram_bytes() >> 20,
        k.gic.version()
    );
    kprintln!(
        "qhv: {} MiB free, {} files in the bootfs, timer {} Hz",
        (k.frames.free_frames() * 4096) >> 20,
        k.bootfs.len(),
        counter_hz
    );
    match crate::process::spawn(&mut k, "/bin/init", b"init\0", 0, None) {
        Ok(init) => k.init = Some(init),
        Err(e) => {
            kprintln!("qhv: cannot start /bin/init: {}", e.name());
            drop(k);
            halt()
        }
    }
    run(k, 0)
}

/// Leaves the boot path for the scheduler on CPU `cpu`.
pub fn run(k: crate::state::Guard, cpu_index: usize) -> ! {
    let slot = k.cpus[cpu_index].stack_top - TRAP_FRAME_SIZE;
    // SAFETY: the boot code left the top TRAP_FRAME_SIZE bytes of this CPU's
    // stack free for exactly this frame.
    let frame = unsafe { &mut *(slot as *mut TrapFrame) };
    *frame = TrapFrame::default();
    sched::finish(k, cpu_index, frame);
    // SAFETY: `frame` is the slot at the top of this CPU's stack and holds
    // the thread to run; nothing on the stack is needed any more.
    unsafe { vectors::enter(frame) }
}

/// The bootfs bytes that follow the kernel in the boot image.
fn image_tail(boot: &BootArgs) -> &'static [u8] {
    if boot.image_end <= boot.kernel_end {
        return &[];
    }
    // SAFETY: the image header's size covers these bytes; the boot loader
    // loaded them with the kernel and nothing has written them.
    unsafe {
        core::slice::from_raw_parts(
            boot.kernel_end as *const u8,
            boot.image_end - boot.kernel_end,
        )
    }
}

fn make_gic(board: &Board) -> Gic {
    let gic = match board.gic {
        // SAFETY: the device tree names these regions; the map covers them
        // as device memory and only this driver uses them.
        GicInfo::V2 { gicd, gicc, .. } => Some(unsafe { Gic::new_v2(gicd, gicc) }),
        // SAFETY: as above.
        GicInfo::V3 { gicd, gicr } => unsafe { Gic::new_v3(gicd, gicr, board.cpus.as_slice()) },
        GicInfo::Missing => None,
    };
    gic.unwrap_or_else(|| {
        kprintln!("qhv: no usable GIC in the device tree");
        halt()
    })
}

/// The GIC's virtual CPU interface: GICv3 system registers, or the GICv2
/// GICH and GICV frames when the device tree names them.
fn virtual_interface(board: &Board) -> VirtIf {
    match board.gic {
        GicInfo::V3 { .. } => VirtIf::V3(arch::aarch64::vgic_v3::IchV3),
        GicInfo::V2 {
            gich: Some(gich),
            gicv: Some(gicv),
            ..
        } => VirtIf::V2 {
            // SAFETY: the device tree names the GICH frame; the kernel map
            // covers it as device memory and only the vGIC code uses it.
            gich: unsafe { arch::aarch64::vgic_v2::GichV2::new(gich) },
            gicv,
        },
        _ => VirtIf::None,
    }
}

/// Powers the machine off (PSCI SYSTEM_OFF), or stops if that fails.
pub fn power_off(k: &Kernel) -> ! {
    psci::system_off(k.psci);
    kprintln!("qhv: power-off failed; halting");
    halt()
}

/// Started below EL2: map all memory in the EL1 regime, say on the
/// console that EL2 is needed, and stop.
fn report_wrong_level(board: &Board, fine: &[(usize, usize)], el: u64) -> ! {
    let ttbr = build_map(board, fine, false);
    // SAFETY: the new map agrees with the boot map on everything in use.
    unsafe { mmu::switch_el1(ttbr) };
    if let Some(uart) = board.uart {
        // SAFETY: the device tree names this PL011, now mapped.
        unsafe { console::init(uart.base) };
    }
    kprintln!(
        "qhv: started at EL{el}: this hypervisor must be entered at EL2; configure the boot firmware to leave the CPU in EL2 (hypervisor mode)"
    );
    halt()
}
