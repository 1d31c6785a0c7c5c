//! Every system call with bad handles, pointers, lengths and rights returns
//! the right error code, and the caller goes on.

use abi::{Error, PAGE_SIZE, Rights, Sys, SysResult, USER_TOP, prot};
use core::sync::atomic::AtomicU32;
use ulib::{println, process, sys};

/// Kernel RAM on QEMU virt: never mapped in a process.
pub const KERNEL_RAM: usize = 0x4000_0000;

/// How many checks passed and failed.
pub struct Checks {
    passed: usize,
    failed: usize,
}

impl Checks {
    /// Checks `got` against `want` ([`ANY`]: any success).
    pub fn expect(&mut self, name: &str, got: SysResult, want: Result<usize, Error>) {
        let same = match (&got, &want) {
            (Ok(_), Ok(usize::MAX)) => true,
            _ => got == want,
        };
        if same {
            self.passed += 1;
        } else {
            self.failed += 1;
            println!("FAIL ktest badcalls: {name}: got {got:?}, expected {want:?}");
        }
    }
}

/// Any success.
pub const ANY: Result<usize, Error> = Ok(usize::MAX);

fn call(n: Sys, args: [usize; 6]) -> SysResult {
    sys::call(n, args)
}

/// The VM calls with bad arguments (only where the host can run VMs).
fn vm_calls(c: &mut Checks) {
    let gic = sys::sysinfo().vm_gic_version;
    if gic == 0 {
        return;
    }
    let vm = call(Sys::VmCreate, [0; 6]);
    c.expect("vm_create", vm, ANY);
    let vm = vm.unwrap_or(usize::MAX);
    let mut exit = abi::VcpuExit::default();
    let exit_at = &raw mut exit as usize;
    c.expect(
        "vcpu_create before configure",
        call(Sys::VcpuCreate, [vm, 0, 0, 0, 0, 0]),
        Err(Error::InvalidArgument),
    );
    let mut config = abi::VmConfig {
        gic_version: gic ^ 1,
        ..crate::vmcrash::vm_config(gic, 1)
    };
    let size = core::mem::size_of::<abi::VmConfig>();
    c.expect(
        "configure another interrupt controller",
        call(
            Sys::VmConfigure,
            [vm, &raw const config as usize, size, 0, 0, 0],
        ),
        Err(Error::InvalidArgument),
    );
    config.gic_version = gic;
    c.expect(
        "configure short",
        call(
            Sys::VmConfigure,
            [vm, &raw const config as usize, 8, 0, 0, 0],
        ),
        Err(Error::InvalidArgument),
    );
    // A PM timer port that is no port (x86), or any (ARM has none).
    config.pm_timer_port = 0x1_0000;
    c.expect(
        "configure a PM timer past the ports",
        call(
            Sys::VmConfigure,
            [vm, &raw const config as usize, size, 0, 0, 0],
        ),
        Err(Error::InvalidArgument),
    );
    config.pm_timer_port = 0;
    // A flag the kernel does not know.
    config.flags = abi::VM_FLAG_AARCH32 << 1;
    c.expect(
        "configure an unknown flag",
        call(
            Sys::VmConfigure,
            [vm, &raw const config as usize, size, 0, 0, 0],
        ),
        Err(Error::InvalidArgument),
    );
    config.flags = 0;
    c.expect(
        "configure",
        call(
            Sys::VmConfigure,
            [vm, &raw const config as usize, size, 0, 0, 0],
        ),
        Ok(0),
    );
    c.expect(
        "configure twice",
        call(
            Sys::VmConfigure,
            [vm, &raw const config as usize, size, 0, 0, 0],
        ),
        Err(Error::Busy),
    );
    c.expect(
        "map_ram unaligned",
        call(
            Sys::VmMapRam,
            [vm, 0x8000_0100, PAGE_SIZE, 0, prot::READ, 0],
        ),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "map_ram beyond the IPA space",
        call(Sys::VmMapRam, [vm, 1 << 40, PAGE_SIZE, 0, prot::READ, 0]),
        Err(Error::InvalidArgument),
    );
    // In range but more than the mapped-memory quota (the `ram 64G` of
    // a VM config), then under the quota but more than the host has: error
    // codes, not a kernel panic, and nothing taken.
    let free = sys::sysinfo().free_memory;
    c.expect(
        "map_ram 64 GiB, over the quota",
        call(
            Sys::VmMapRam,
            [vm, 0x40_0000_0000, 64 << 30, 0, prot::READ, 0],
        ),
        Err(Error::Limit),
    );
    c.expect(
        "map_ram 15 GiB, more than free",
        call(
            Sys::VmMapRam,
            [
                vm,
                0x40_0000_0000,
                15 << 30,
                abi::USER_BASE + 0x10_0000_0000,
                prot::READ,
                0,
            ],
        ),
        Err(Error::NoMemory),
    );
    c.expect(
        "nothing taken by the refused map_ram",
        Ok(sys::sysinfo().free_memory as usize),
        Ok(free as usize),
    );
    c.expect(
        "map_ram",
        call(
            Sys::VmMapRam,
            [vm, 0x8000_0000, PAGE_SIZE, 0, prot::READ | prot::WRITE, 0],
        ),
        Ok(0),
    );
    c.expect(
        "map_ram twice",
        call(
            Sys::VmMapRam,
            [vm, 0x8000_0000, PAGE_SIZE, 0, prot::READ, 0],
        ),
        Err(Error::AlreadyMapped),
    );
    c.expect(
        "irq_line on a private INTID",
        call(Sys::VmIrqLine, [vm, 27, 1, 0, 0, 0]),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "irq_line past the SPIs",
        call(Sys::VmIrqLine, [vm, 64, 1, 0, 0, 0]),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "vcpu_create out of range",
        call(Sys::VcpuCreate, [vm, 1, 0, 0, 0, 0]),
        Err(Error::InvalidArgument),
    );
    let vcpu = call(Sys::VcpuCreate, [vm, 0, 0, 0, 0, 0]);
    c.expect("vcpu_create", vcpu, ANY);
    let vcpu = vcpu.unwrap_or(usize::MAX);
    c.expect(
        "vcpu_create twice",
        call(Sys::VcpuCreate, [vm, 0, 0, 0, 0, 0]),
        Err(Error::AlreadyMapped),
    );
    let regs_size = core::mem::size_of::<crate::guestcode::Regs>();
    let [first, second] = crate::guestcode::bad_regs(0x8000_0000);
    for (what, regs) in [first, second] {
        c.expect(
            what,
            call(
                Sys::VcpuSetRegs,
                [vcpu, &raw const regs as usize, regs_size, 0, 0, 0],
            ),
            Err(Error::InvalidArgument),
        );
    }
    let regs = first.1;
    c.expect(
        "vcpu_set_regs on a VM handle",
        call(
            Sys::VcpuSetRegs,
            [vm, &raw const regs as usize, regs_size, 0, 0, 0],
        ),
        Err(Error::BadHandle),
    );
    c.expect(
        "vcpu_run with a bad exit record",
        call(Sys::VcpuRun, [vcpu, KERNEL_RAM, 0, 0, 0, 0]),
        Err(Error::Fault),
    );
    c.expect(
        "vcpu_run on a process handle",
        call(Sys::VcpuRun, [0, exit_at, 0, 0, 0, 0]),
        Err(Error::BadHandle),
    );
}

/// `shm_open` and `shm_map` with bad names, sizes, handles, protections
/// and addresses.
fn shm_calls(c: &mut Checks) {
    let rw = prot::READ | prot::WRITE;
    let name = "ktest-badcalls";
    let np = name.as_ptr() as usize;
    let long = [b'a'; abi::SHM_NAME_MAX + 1];
    let not_utf8 = [0xffu8, 0xfe, 0x41];
    c.expect(
        "shm_open empty name",
        call(Sys::ShmOpen, [np, 0, PAGE_SIZE, 0, 0, 0]),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "shm_open name over SHM_NAME_MAX bytes",
        call(
            Sys::ShmOpen,
            [long.as_ptr() as usize, long.len(), PAGE_SIZE, 0, 0, 0],
        ),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "shm_open 64-byte name",
        call(
            Sys::ShmOpen,
            [long.as_ptr() as usize, long.len() - 1, PAGE_SIZE, 0, 0, 0],
        )
        .and_then(sys::handle_close),
        Ok(0),
    );
    c.expect(
        "shm_open name not UTF-8",
        call(
            Sys::ShmOpen,
            [
                not_utf8.as_ptr() as usize,
                not_utf8.len(),
                PAGE_SIZE,
                0,
                0,
                0,
            ],
        ),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "shm_open bad name pointer",
        call(Sys::ShmOpen, [KERNEL_RAM, 8, PAGE_SIZE, 0, 0, 0]),
        Err(Error::Fault),
    );
    c.expect(
        "shm_open size 0",
        sys::shm_open(name, 0),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "shm_open over 64 MiB",
        sys::shm_open(name, abi::SHM_SIZE_MAX + 1),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "shm_open huge",
        sys::shm_open(name, usize::MAX),
        Err(Error::InvalidArgument),
    );
    let h = sys::shm_open(name, 2 * PAGE_SIZE - 100);
    c.expect("shm_open", h, ANY);
    let h = h.unwrap_or(usize::MAX);
    c.expect(
        "shm_open again, another size",
        sys::shm_open(name, PAGE_SIZE),
        Err(Error::InvalidArgument),
    );
    let again = sys::shm_open(name, 2 * PAGE_SIZE);
    c.expect("shm_open again, same pages", again, ANY);
    c.expect(
        "close the second handle",
        again.and_then(sys::handle_close),
        Ok(0),
    );

    let at = abi::USER_BASE + 0x20_1000_0000;
    c.expect(
        "shm_map bad handle",
        sys::shm_map(4321, at, rw),
        Err(Error::BadHandle),
    );
    match process::spawn("/bin/ktest", &["ktest", "exit0"]) {
        Ok(p) => {
            c.expect(
                "shm_map a process handle",
                sys::shm_map(p, at, rw),
                Err(Error::BadHandle),
            );
            c.expect("wait exit0", process::wait(p), Ok(0));
            c.expect("close exit0", sys::handle_close(p), Ok(0));
        }
        Err(e) => c.expect("spawn exit0", Err(e), ANY),
    }
    c.expect(
        "shm_map exec",
        sys::shm_map(h, at, prot::READ | prot::EXEC),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "shm_map write without read",
        sys::shm_map(h, at, prot::WRITE),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "shm_map no access",
        sys::shm_map(h, at, 0),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "shm_map unknown prot",
        sys::shm_map(h, at, prot::READ | 0x80),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "shm_map unaligned",
        sys::shm_map(h, at + 8, rw),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "shm_map page zero",
        sys::shm_map(h, 0, rw),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "shm_map past user space",
        sys::shm_map(h, USER_TOP, rw),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "shm_map across the top of user space",
        sys::shm_map(h, USER_TOP - PAGE_SIZE, rw),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "shm_map over program text",
        sys::shm_map(h, abi::USER_BASE + 0x20_0000, rw),
        Err(Error::AlreadyMapped),
    );
    // The second page taken: nothing of the object may stay mapped.
    c.expect(
        "map a page in the way",
        sys::mem_map(at + PAGE_SIZE, PAGE_SIZE, rw),
        Ok(at + PAGE_SIZE),
    );
    c.expect(
        "shm_map over a mapped page",
        sys::shm_map(h, at, rw),
        Err(Error::AlreadyMapped),
    );
    c.expect(
        "the first page stayed free",
        sys::mem_map(at, PAGE_SIZE, rw),
        Ok(at),
    );
    c.expect("unmap both", sys::mem_unmap(at, 2 * PAGE_SIZE), Ok(0));
    c.expect("shm_map", sys::shm_map(h, at, rw), Ok(0));
    c.expect(
        "shm_map twice",
        sys::shm_map(h, at, rw),
        Err(Error::AlreadyMapped),
    );
    let ro_at = at + 0x10_0000;
    c.expect(
        "shm_map read-only elsewhere",
        sys::shm_map(h, ro_at, prot::READ),
        Ok(0),
    );
    // SAFETY: both ranges map the object's two pages; `at` writably.
    let seen = unsafe {
        core::ptr::write_volatile((at + PAGE_SIZE) as *mut u64, 0x5a5a_1234);
        core::ptr::read_volatile((ro_at + PAGE_SIZE) as *const u64)
    };
    c.expect(
        "one object behind both mappings",
        Ok(seen as usize),
        Ok(0x5a5a_1234),
    );
    // Futex words on borrowed pages are the object's frames.
    c.expect(
        "futex on the shared word, value changed",
        call(Sys::FutexWait, [ro_at + PAGE_SIZE, 0, 0, 0, 0, 0]),
        Err(Error::WouldBlock),
    );
    c.expect(
        "futex on the shared word, timeout",
        call(
            Sys::FutexWait,
            [ro_at + PAGE_SIZE, 0x5a5a_1234, 1_000_000, 0, 0, 0],
        ),
        Err(Error::TimedOut),
    );
    c.expect(
        "read into the read-only mapping",
        call(
            Sys::SysInfo,
            [ro_at, core::mem::size_of::<abi::SysInfo>(), 0, 0, 0, 0],
        ),
        Err(Error::Fault),
    );
    c.expect(
        "unmap the mappings",
        sys::mem_unmap(at, 2 * PAGE_SIZE).and(sys::mem_unmap(ro_at, 2 * PAGE_SIZE)),
        Ok(0),
    );
    let dup = sys::handle_dup(h, Rights::WAIT);
    c.expect("dup a shm handle", dup, ANY);
    c.expect("close the dup", dup.and_then(sys::handle_close), Ok(0));
    c.expect("close the shm handle", sys::handle_close(h), Ok(0));
    c.expect(
        "shm_map a closed handle",
        sys::shm_map(h, at, rw),
        Err(Error::BadHandle),
    );
}

pub fn run() -> usize {
    let mut c = Checks {
        passed: 0,
        failed: 0,
    };
    let text = "read-only text";
    let ro = text.as_ptr() as usize;
    let mut buf = [0u8; 64];
    let buf_at = buf.as_mut_ptr() as usize;
    let path = "/bin/ktest";

    // Unknown calls.
    c.expect(
        "call 999",
        abi::decode_return(sys::raw(999, [0; 6])),
        Err(Error::NoSys),
    );
    c.expect(
        "call usize::MAX",
        abi::decode_return(sys::raw(usize::MAX, [0; 6])),
        Err(Error::NoSys),
    );

    // Console.
    c.expect(
        "write null",
        call(Sys::ConsoleWrite, [0, 10, 0, 0, 0, 0]),
        Err(Error::Fault),
    );
    c.expect(
        "write kernel memory",
        call(Sys::ConsoleWrite, [KERNEL_RAM, 10, 0, 0, 0, 0]),
        Err(Error::Fault),
    );
    c.expect(
        "write too long",
        call(Sys::ConsoleWrite, [ro, 1 << 40, 0, 0, 0, 0]),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "write past user space",
        call(Sys::ConsoleWrite, [USER_TOP - 1, 2, 0, 0, 0, 0]),
        Err(Error::Fault),
    );
    c.expect(
        "write wrapping",
        call(Sys::ConsoleWrite, [usize::MAX, 2, 0, 0, 0, 0]),
        Err(Error::Fault),
    );
    c.expect(
        "write nothing",
        call(Sys::ConsoleWrite, [0, 0, 0, 0, 0, 0]),
        Ok(0),
    );
    c.expect(
        "read into null",
        call(Sys::ConsoleRead, [0, 10, 0, 0, 0, 0]),
        Err(Error::Fault),
    );
    c.expect(
        "read into read-only",
        call(Sys::ConsoleRead, [ro, 10, 0, 0, 0, 0]),
        Err(Error::Fault),
    );

    // Spawn.
    c.expect(
        "spawn bad path pointer",
        call(Sys::ProcessSpawn, [KERNEL_RAM, 8, 0, 0, 0, 0]),
        Err(Error::Fault),
    );
    c.expect(
        "spawn missing file",
        process::spawn("/bin/nonexistent", &[]),
        Err(Error::NotFound),
    );
    c.expect(
        "spawn non-executable",
        process::spawn("/etc/startup", &[]),
        Err(Error::BadExecutable),
    );
    c.expect(
        "spawn long path",
        call(Sys::ProcessSpawn, [ro, 100_000, 0, 0, 0, 0]),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "spawn long args",
        call(
            Sys::ProcessSpawn,
            [path.as_ptr() as usize, path.len(), ro, 1 << 20, 0, 0],
        ),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "spawn bad args pointer",
        call(
            Sys::ProcessSpawn,
            [path.as_ptr() as usize, path.len(), KERNEL_RAM, 16, 0, 0],
        ),
        Err(Error::Fault),
    );

    // Handles and rights.
    c.expect("wait bad handle", process::wait(999), Err(Error::BadHandle));
    c.expect(
        "wait huge handle",
        process::wait(usize::MAX),
        Err(Error::BadHandle),
    );
    c.expect(
        "close bad handle",
        sys::handle_close(12345),
        Err(Error::BadHandle),
    );
    c.expect(
        "kill bad handle",
        process::kill(777, 1),
        Err(Error::BadHandle),
    );
    match process::spawn(path, &["ktest", "exit0"]) {
        Ok(h) => {
            let weak = sys::handle_dup(h, Rights::WAIT);
            c.expect("dup with fewer rights", weak, ANY);
            let weak = weak.unwrap_or(usize::MAX);
            c.expect(
                "kill without KILL right",
                process::kill(weak, 1),
                Err(Error::AccessDenied),
            );
            c.expect(
                "dup without DUPLICATE right",
                sys::handle_dup(weak, Rights::WAIT),
                Err(Error::AccessDenied),
            );
            c.expect(
                "dup with unknown rights",
                sys::handle_dup(h, Rights::from_bits_retain(0xff00_0000)),
                Err(Error::InvalidArgument),
            );
            c.expect(
                "dup with more rights",
                sys::handle_dup(weak, Rights::ALL),
                Err(Error::AccessDenied),
            );
            c.expect("wait with WAIT right", process::wait(weak), Ok(0));
            c.expect(
                "thread_wait on a process",
                call(Sys::ThreadWait, [weak, 0, 0, 0, 0, 0]),
                Err(Error::BadHandle),
            );
            c.expect("close", sys::handle_close(weak), Ok(0));
            c.expect(
                "close twice",
                sys::handle_close(weak),
                Err(Error::BadHandle),
            );
            c.expect(
                "wait on closed handle",
                process::wait(weak),
                Err(Error::BadHandle),
            );
            c.expect("wait again on the other handle", process::wait(h), Ok(0));
            c.expect("close the other handle", sys::handle_close(h), Ok(0));
        }
        Err(e) => c.expect("spawn exit0", Err(e), ANY),
    }

    // Threads.
    let entry = run as *const () as usize;
    c.expect(
        "thread priority 64",
        call(
            Sys::ThreadCreate,
            [entry, abi::USER_BASE + 0x1000_0000, 0, 64, 0, 0],
        ),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "thread stack misaligned",
        call(
            Sys::ThreadCreate,
            [entry, abi::USER_BASE + 0x1000_0008, 0, 10, 0, 0],
        ),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "thread on no CPU",
        call(
            Sys::ThreadCreate,
            [entry, abi::USER_BASE + 0x1000_0000, 0, 10, 1 << 63, 0],
        ),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "thread entry outside",
        call(
            Sys::ThreadCreate,
            [USER_TOP, abi::USER_BASE + 0x1000_0000, 0, 10, 0, 0],
        ),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "thread_wait bad handle",
        call(Sys::ThreadWait, [4321, 0, 0, 0, 0, 0]),
        Err(Error::BadHandle),
    );

    // Futexes.
    let word = AtomicU32::new(5);
    let word_at = word.as_ptr() as usize;
    c.expect(
        "futex misaligned",
        call(Sys::FutexWait, [word_at + 1, 5, 0, 0, 0, 0]),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "futex unmapped",
        call(Sys::FutexWait, [KERNEL_RAM, 0, 0, 0, 0, 0]),
        Err(Error::Fault),
    );
    c.expect(
        "futex value changed",
        sys::futex_wait(&word, 6, 0),
        Err(Error::WouldBlock),
    );
    c.expect(
        "futex timeout",
        sys::futex_wait(&word, 5, 1_000_000),
        Err(Error::TimedOut),
    );
    c.expect("futex wake nobody", sys::futex_wake(&word, 1), Ok(0));
    c.expect(
        "futex wake unmapped",
        call(Sys::FutexWake, [KERNEL_RAM, 1, 0, 0, 0, 0]),
        Err(Error::Fault),
    );

    // Memory.
    let rw = prot::READ | prot::WRITE;
    let free = abi::USER_BASE + 0x20_0000_0000;
    c.expect(
        "map unaligned",
        sys::mem_map(free + 1, PAGE_SIZE, rw),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "map empty",
        sys::mem_map(free, 0, rw),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "map page zero",
        sys::mem_map(0, PAGE_SIZE, rw),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "map beyond user space",
        sys::mem_map(USER_TOP, PAGE_SIZE, rw),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "map wrapping",
        sys::mem_map(usize::MAX & !(PAGE_SIZE - 1), 2 * PAGE_SIZE, rw),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "map huge",
        sys::mem_map(free, 1 << 45, rw),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "map no access",
        sys::mem_map(free, PAGE_SIZE, 0),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "map unknown prot",
        sys::mem_map(free, PAGE_SIZE, 0x80),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "map write+exec",
        sys::mem_map(free, PAGE_SIZE, prot::WRITE | prot::EXEC),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "map over program text",
        sys::mem_map(abi::USER_BASE + 0x20_0000, PAGE_SIZE, rw),
        Err(Error::AlreadyMapped),
    );
    c.expect("map", sys::mem_map(free, 2 * PAGE_SIZE, rw), Ok(free));
    c.expect(
        "map twice",
        sys::mem_map(free + PAGE_SIZE, PAGE_SIZE, rw),
        Err(Error::AlreadyMapped),
    );
    c.expect(
        "unmap unaligned",
        sys::mem_unmap(free + 8, PAGE_SIZE),
        Err(Error::InvalidArgument),
    );
    c.expect("unmap", sys::mem_unmap(free, 2 * PAGE_SIZE), Ok(0));
    c.expect(
        "write to unmapped memory",
        call(Sys::ConsoleWrite, [free, 4, 0, 0, 0, 0]),
        Err(Error::Fault),
    );

    // Information.
    let startup = "/etc/startup";
    let sp = startup.as_ptr() as usize;
    c.expect(
        "bootfs_read missing",
        sys::bootfs_read("/nope", &mut buf, 0),
        Err(Error::NotFound),
    );
    c.expect(
        "bootfs_read into kernel",
        call(Sys::BootfsRead, [sp, startup.len(), KERNEL_RAM, 16, 0, 0]),
        Err(Error::Fault),
    );
    c.expect(
        "bootfs_read past the end",
        sys::bootfs_read(startup, &mut buf, 1 << 30),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "bootfs_read path not UTF-8",
        call(Sys::BootfsRead, [buf_at, 4, buf_at, 4, 0, 0])
            .and(Ok(0))
            .or(Ok(1)),
        ANY,
    );
    c.expect(
        "sysinfo short",
        call(Sys::SysInfo, [buf_at, 8, 0, 0, 0, 0]),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "sysinfo read-only",
        call(
            Sys::SysInfo,
            [ro, core::mem::size_of::<abi::SysInfo>(), 0, 0, 0, 0],
        ),
        Err(Error::Fault),
    );
    c.expect(
        "process_list too many",
        call(Sys::ProcessList, [buf_at, 1 << 20, 0, 0, 0, 0]),
        Err(Error::InvalidArgument),
    );
    c.expect(
        "process_list into kernel",
        call(Sys::ProcessList, [KERNEL_RAM, 4, 0, 0, 0, 0]),
        Err(Error::Fault),
    );

    shm_calls(&mut c);
    crate::pulses::checks(&mut c);
    vm_calls(&mut c);
    crate::vmshmcalls::run(&mut c);
    crate::devcalls::check(&mut c);
    crate::dmacalls::check(&mut c);
    crate::infocalls::check(&mut c);

    if c.failed == 0 {
        println!("ktest badcalls: {} checks passed", c.passed);
        0
    } else {
        println!(
            "FAIL ktest badcalls: {} of {} checks failed",
            c.failed,
            c.passed + c.failed
        );
        1
    }
}
