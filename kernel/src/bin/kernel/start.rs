//! Boot of the host kernel on the first CPU: read the device tree, map all
//! memory, start the console, the heap and the frame allocator, find the
//! bootfs, bring up the GIC, the timer and the other CPUs, print the
//! banner, and start `/bin/init`.

use crate::hw::{Arch, IrqChip};
use crate::interrupts::Interrupts;
use crate::state::{Cpu, KERNEL, Kernel};
use crate::stop::halt;
use crate::{console, heap, kprintln, smp};
use alloc::vec::Vec;
use arch::platform::BootInfo;
use arch::{Boot, Cpu as _, IrqChip as _, Platform, Translation, VirtualCpuInterface};
use boot::Bootfs;
use kernel::board::{self, Board};
use kernel::mem::frames::FrameAllocator;

const MIB2: usize = 1 << 21;

fn round_out(start: usize, end: usize) -> (usize, usize) {
    (start & !(MIB2 - 1), end.next_multiple_of(MIB2))
}

/// RAM ranges as pairs, without the heap (which is not up yet).
fn ram_pairs(board: &Board) -> ([(usize, usize); board::MAX_RANGES], usize) {
    let mut out = [(0, 0); board::MAX_RANGES];
    for (slot, r) in out.iter_mut().zip(board.ram.as_slice()) {
        *slot = (r.start, r.end);
    }
    (out, board.ram.len())
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
fn __kernel_main(boot: BootInfo) -> ! {
    crate::panic::IMAGE_BASE.store(boot.image_start, core::sync::atomic::Ordering::Relaxed);
    let crate::firmware::Described { board, dtb, table } = match crate::firmware::read(&boot) {
        Ok(d) => d,
        Err(e) => {
            if let Some(port) = e.fallback_console() {
                // SAFETY: the PC's COM1, which nothing else uses yet.
                unsafe { console::init(port, arch::board::UartKind::Ns16550) };
                kprintln!("qhv: {e}");
            }
            halt()
        }
    };
    let fine = [
        round_out(boot.image_start, boot.image_end),
        round_out(table.0, table.1),
    ];
    let (ram, n_ram) = ram_pairs(&board);
    if !boot.hypervisor_level {
        report_wrong_level(&board, &ram[..n_ram], &fine, boot.level);
    }
    Arch::init_cpu(0);
    smp::KERNEL_MAP.call_once(|| Arch::map_all_memory(&ram[..n_ram], &fine));
    if let Some(uart) = board.uart {
        // SAFETY: the device tree names this UART; the map covers it as
        // device memory.
        unsafe { console::init(uart.base, uart.kind) };
    }
    crate::klog::init();
    kprintln!(
        "qhv: starting on {} at {}",
        board.model(),
        Arch::level_name()
    );

    let bootfs_bytes = match board.bootfs {
        Some(r) => module(r),
        None => image_tail(&boot),
    };
    let bootfs = match Bootfs::parse(bootfs_bytes) {
        Ok(b) => b,
        Err(e) => {
            kprintln!("qhv: no usable bootfs after the kernel ({e}); nothing to run");
            halt()
        }
    };

    // Ranges in use, in a fixed array: there is no heap yet.
    let mut used = [(0usize, 0usize); board::MAX_RANGES + 4 + boot::reserve::MAX_RESERVED];
    used[0] = (boot.image_start, boot.image_end);
    used[1] = table;
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
    // RAM set aside for pass-through, before the heap can take it.
    let set_aside = crate::reserve::take(&bootfs, &board, &used[..n_used]);
    for r in &set_aside {
        used[n_used] = (r.0, r.1);
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
    let bootfs_range = board.bootfs.map(|r| (r.start, r.end));
    let firmware: Vec<(usize, usize)> = board
        .reserved
        .iter()
        .map(|r| (r.start, r.end))
        .filter(|&r| Some(r) != bootfs_range)
        .collect();
    let memory_map = crate::physmap::boot_areas(&crate::physmap::BootMemory {
        ram: &ram[..n_ram],
        image: used[0],
        device_tree: used[1],
        firmware: &firmware,
        initrd: board.initrd.as_ref().map(|r| (r.start, r.end)),
        bootfs: bootfs_range,
        description: if dtb.is_empty() {
            "boot hand-off"
        } else {
            "device tree"
        },
        heap: (heap_start, heap_start + heap::HEAP_SIZE),
    });

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

    let irq_chip = make_irq_chip(&board);
    let (device_list, kernel_irqs) =
        kernel::devices::scan(dtb, &kernel::devices::KernelUse::of(&board));
    let mut devices = kernel::devices::Devices::new(device_list, kernel_irqs);
    for &(start, end) in &set_aside {
        if !devices.add_reserved_ram(start, end - start) {
            kprintln!("qhv: reserved RAM {start:#x}..{end:#x}: no room in the device table");
        }
    }
    Arch::set_firmware(&board.firmware);
    let null_root = frames.alloc().expect("a frame for the empty table");
    crate::space::zero_frame(null_root);
    Arch::prepare_process_space(null_root);
    // The device tree's `clock-frequency` overrides the counter's
    // register, which some firmware leaves unset.
    let counter_hz = board.counter_hz.unwrap_or_else(Arch::counter_hz);
    let mut cpus: Vec<Cpu> = board.cpus.as_slice().iter().map(|_| Cpu::new()).collect();
    cpus[0].online = true;
    cpus[0].stack_top = Arch::boot_stack_top();
    let mut kernel = Kernel {
        frames,
        processes: Default::default(),
        threads: Default::default(),
        vms: Default::default(),
        vcpus: Default::default(),
        shms: Default::default(),
        devices,
        cpus,
        sleepers: Default::default(),
        futex_waiters: Vec::new(),
        object_waiters: Vec::new(),
        input: Default::default(),
        vmids: kernel::vmid::VmidPool::new(),
        irqs: Interrupts {
            chip: irq_chip,
            timer: board.hyp_timer_intid,
            uart: board.uart.and_then(|u| u.intid),
            virt_if: Arch::virtual_interface(&board.gic),
            lr_count: 0,
        },
        bootfs,
        next_pid: 1,
        next_shm_space: 0,
        init: None,
        null_root: Arch::root(null_root, 0),
        counter_hz,
        counter_hz_from_tree: board.counter_hz.is_some(),
        slice_ticks: counter_hz / 100,
        memory_map,
    };
    kernel.irqs.lr_count = kernel
        .irqs
        .virt_if
        .as_ref()
        .map_or(0, |v| v.list_registers().min(crate::vm::MAX_LRS));
    Arch::init_irq_chip(&mut kernel.irqs.chip);
    smp::init_this_cpu(&mut kernel, 0);
    if let Some(intid) = kernel.irqs.uart {
        kernel.irqs.chip.enable(intid, 0, false);
        console::enable_rx_interrupt();
    }
    Arch::activate(kernel.null_root);
    KERNEL.install(kernel);

    smp::start_secondaries(&board);

    let mut k = KERNEL.lock();
    let online = k.cpus.iter().filter(|c| c.online).count();
    kprintln!(
        "qhv: hypervisor kernel at {}, {} CPU{}, {} MiB RAM, {}",
        Arch::level_name(),
        online,
        if online == 1 { "" } else { "s" },
        board.ram_bytes() >> 20,
        k.irqs.chip.name()
    );
    kprintln!(
        "qhv: {} MiB free, {} files in the bootfs, timer {} Hz{}",
        (k.frames.free_frames() * 4096) >> 20,
        k.bootfs.len(),
        counter_hz,
        match board.counter_hz {
            Some(_) => " (the device tree's clock-frequency)",
            None => "",
        }
    );
    // `init` holds every device and interrupt the kernel does not use,
    // and hands them out as the startup script says.
    let all = k.devices.all_grants();
    match crate::process::spawn(&mut k, "/bin/init", b"init\0", 0, None, all) {
        Ok(init) => k.init = Some(init),
        Err(e) => {
            kprintln!("qhv: cannot start /bin/init: {}", e.name());
            drop(k);
            halt()
        }
    }
    crate::resume::run(k, 0)
}

/// A boot module's bytes (x86: the bootfs the loader placed).
fn module(r: board::Range) -> &'static [u8] {
    // SAFETY: the firmware's module list names this RAM, which the board
    // keeps reserved and nothing writes.
    unsafe { core::slice::from_raw_parts(r.start as *const u8, r.end - r.start) }
}

/// The bootfs bytes that follow the kernel in the boot image.
fn image_tail(boot: &BootInfo) -> &'static [u8] {
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

fn make_irq_chip(board: &Board) -> IrqChip {
    Arch::irq_chip(&board.gic, board.cpus.as_slice()).unwrap_or_else(|| {
        kprintln!("qhv: no usable GIC in the device tree");
        halt()
    })
}

/// Started below the hypervisor level: map all memory at that level, say
/// on the console what is needed, and stop.
fn report_wrong_level(
    board: &Board,
    ram: &[(usize, usize)],
    fine: &[(usize, usize)],
    level: u64,
) -> ! {
    Arch::map_all_memory_unprivileged(ram, fine);
    if let Some(uart) = board.uart {
        // SAFETY: the device tree names this UART, now mapped.
        unsafe { console::init(uart.base, uart.kind) };
    }
    kprintln!("qhv: {}", Arch::wrong_level_advice(level));
    halt()
}
