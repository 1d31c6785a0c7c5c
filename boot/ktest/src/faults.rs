//! Processes that misbehave are ended alone: reading or writing memory that
//! is not theirs (the kernel's, another process's) or executing an
//! undefined instruction ends them with `STATUS_FAULT`, and everything else
//! goes on. Also ending a spinning process from outside.

use crate::run;
use core::ptr::{read_volatile, write_volatile};
use ulib::{println, process, sys};

/// Start of RAM on QEMU `virt`, where the kernel lives: never mapped in a
/// process's space.
#[cfg(not(target_arch = "x86_64"))]
const KERNEL_RAM: usize = 0x4000_0000;
/// The x86 kernel's image (at 2 MiB): in every process's table, but
/// supervisor-only.
#[cfg(target_arch = "x86_64")]
const KERNEL_RAM: usize = 0x20_0000;
const MAGIC: u64 = 0x5afe_c0de_1234_5678;

static mut VICTIM_WORD: u64 = 0;

/// `expect-fault MODE`: runs `ktest MODE` and checks the kernel ended it.
pub fn expect_fault(mode: &str) -> usize {
    match run(&["ktest", mode]) {
        Ok(abi::STATUS_FAULT) => {
            println!("ktest expect-fault: '{mode}' was ended by the kernel: ok");
            0
        }
        other => {
            println!(
                "FAIL ktest expect-fault: '{mode}' ended with {other:?}, not the fault status"
            );
            1
        }
    }
}

pub fn read_kernel() -> usize {
    println!("ktest read-kernel: reading {KERNEL_RAM:#x}");
    // SAFETY: deliberately not sound: the kernel must stop this access.
    let v = unsafe { read_volatile(KERNEL_RAM as *const u64) };
    println!("FAIL ktest read-kernel: read {v:#x} from kernel memory");
    1
}

pub fn write_kernel() -> usize {
    println!("ktest write-kernel: writing {:#x}", KERNEL_RAM + 0x1000);
    // SAFETY: deliberately not sound: the kernel must stop this access.
    unsafe { write_volatile((KERNEL_RAM + 0x1000) as *mut u64, 0xdead) };
    println!("FAIL ktest write-kernel: wrote kernel memory");
    1
}

pub fn undefined_instruction() -> usize {
    println!("ktest undef: executing an undefined instruction");
    // SAFETY: deliberately faulting; the kernel ends the process.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        core::arch::asm!("udf #0")
    };
    // SAFETY: as above (UD2 is x86's undefined instruction).
    #[cfg(target_arch = "x86_64")]
    unsafe {
        core::arch::asm!("ud2")
    };
    println!("FAIL ktest undef: survived an undefined instruction");
    1
}

/// `victim`: keeps a value in its memory and checks nobody changed it.
pub fn victim() -> usize {
    let word = &raw mut VICTIM_WORD;
    // SAFETY: this program's own static, one thread.
    unsafe { write_volatile(word, MAGIC) };
    sys::sleep_ns(300_000_000);
    // SAFETY: as above.
    let now = unsafe { read_volatile(word) };
    if now != MAGIC {
        println!("FAIL ktest victim: value at {word:p} changed to {now:#x}");
        return 1;
    }
    0
}

/// `scribble`: writes the victim's address in its own space (its own copy),
/// then tries physical RAM where other processes' pages live.
pub fn scribble() -> usize {
    let word = &raw mut VICTIM_WORD;
    // SAFETY: this program's own static, one thread.
    unsafe { write_volatile(word, 0xbad) };
    // SAFETY: as above.
    if unsafe { read_volatile(word) } != 0xbad {
        println!("FAIL ktest scribble: cannot write its own memory");
        return 1;
    }
    for target in (KERNEL_RAM..KERNEL_RAM + (512 << 20)).step_by(64 << 20) {
        // SAFETY: deliberately not sound: the kernel must stop this access.
        unsafe { write_volatile(target as *mut u64, 0xbad) };
    }
    println!("FAIL ktest scribble: wrote physical RAM outside its space");
    1
}

/// `isolate`: a victim keeps its memory while another process scribbles.
pub fn isolate() -> usize {
    let Ok(victim) = process::spawn("/bin/ktest", &["ktest", "victim"]) else {
        println!("FAIL ktest isolate: cannot start the victim");
        return 1;
    };
    sys::sleep_ns(20_000_000);
    let scribbler = run(&["ktest", "scribble"]);
    let victim_status = process::wait(victim);
    let _ = sys::handle_close(victim);
    match (scribbler, victim_status) {
        (Ok(abi::STATUS_FAULT), Ok(0)) => {
            println!(
                "ktest isolate: the scribbler was ended and the victim's memory is intact: ok"
            );
            0
        }
        other => {
            println!("FAIL ktest isolate: scribbler and victim ended with {other:?}");
            1
        }
    }
}

/// `kill`: a process spinning on another CPU is ended with a chosen status.
pub fn kill() -> usize {
    let Ok(h) = process::spawn("/bin/ktest", &["ktest", "spin"]) else {
        println!("FAIL ktest kill: cannot start the spinner");
        return 1;
    };
    sys::sleep_ns(50_000_000);
    if let Err(e) = process::kill(h, 42) {
        println!("FAIL ktest kill: process_kill: {}", e.name());
        return 1;
    }
    let status = process::wait(h);
    let _ = sys::handle_close(h);
    if status != Ok(42) {
        println!("FAIL ktest kill: the spinner ended with {status:?}, not 42");
        return 1;
    }
    println!("ktest kill: a spinning process was ended with status 42: ok");
    0
}
