//! Host processes and threads: creation from bootfs executables, ending
//! (by exit, kill or fault) and freeing everything they held.

use crate::hw::{Arch, Frame};
use crate::percpu::{SGI_RESCHEDULE, this_cpu};
use crate::sched;
use crate::space::Space;
use crate::state::{Kernel, Object, Process, Thread, ThreadState};
use abi::{Error, PAGE_SIZE, USER_STACK_TOP};
use alloc::vec::Vec;
use arch::Translation;
use arch::{Cpu, IrqChip, Perms, UserContext};
use kernel::elf_load;
use kernel::exit_stats::FirstRun;
use kernel::handles::HandleTable;
use kernel::slab::Id;

/// Most bytes of arguments a program may be given.
pub const MAX_ARGS: usize = 4096;

/// Starts the program at bootfs `path` with the NUL-separated `args` as a
/// new process whose parent is `parent` (pid 0: none), in shared-memory
/// namespace `shm_space` (`None`: a new one of its own), with `grants`.
pub fn spawn(
    k: &mut Kernel,
    path: &str,
    args: &[u8],
    parent: u64,
    shm_space: Option<u64>,
    grants: abi::Grants,
) -> Result<Id, Error> {
    let started = Arch::counter();
    let file = k.bootfs.find(path).ok_or(Error::NotFound)?;
    let exe = elf_load::parse(file.data).map_err(|_| Error::BadExecutable)?;
    if args.len() > MAX_ARGS {
        return Err(Error::InvalidArgument);
    }
    let vmid = k
        .vmids
        .alloc(kernel::vmid::VmidKind::Process)
        .ok_or(Error::NoMemory)?;
    let mut space = match Space::new(&mut k.frames, vmid) {
        Ok(s) => s,
        Err(e) => {
            k.vmids.free(vmid);
            return Err(e);
        }
    };
    let loaded = load_image(k, &mut space, file.data, &exe.segments).and_then(|()| {
        // Nothing is mapped below it: a stack overflow faults.
        let stack_bottom = USER_STACK_TOP - exe.stack_size;
        space.map_new(
            &mut k.frames,
            stack_bottom,
            exe.stack_size,
            Perms::RW,
            |_, _| {},
        )?;
        let args_at = (USER_STACK_TOP - args.len()) & !15;
        space.copy_out(&mut k.frames, args_at, args)?;
        Ok(args_at)
    });
    let args_at = match loaded {
        Ok(a) => a,
        Err(e) => {
            space.destroy(&mut k.frames);
            k.vmids.free(vmid);
            return Err(e);
        }
    };
    let mut name = [0u8; 32];
    let base = path.rsplit('/').next().unwrap_or(path).as_bytes();
    let n = base.len().min(31);
    name[..n].copy_from_slice(&base[..n]);
    let pid = k.next_pid;
    k.next_pid += 1;
    let shm_space = shm_space.unwrap_or_else(|| k.new_shm_space());
    let inserted = k.processes.insert(Process {
        pid,
        name,
        parent,
        space: Some(space),
        handles: HandleTable::new(),
        threads: Vec::new(),
        status: None,
        refs: 0,
        vms: Vec::new(),
        shms: Vec::new(),
        shm_space,
        started,
        grants,
        threads_made: 0,
        pulses: heapless::Deque::new(),
    });
    let process = match inserted {
        Ok(id) => id,
        Err(p) => {
            discard(k, p);
            return Err(Error::NoMemory);
        }
    };
    let ctx = Frame::new_user(exe.entry, args_at, args_at, args.len());
    if let Err(e) = add_thread(k, process, ctx, abi::PRIORITY_DEFAULT, 0) {
        if let Some(p) = k.processes.remove(process) {
            discard(k, p);
        }
        return Err(e);
    }
    Ok(process)
}

/// Frees a process that never ran (no thread, no handle, nothing mapped but
/// its image): its space and VMID; no CPU has used the VMID yet.
fn discard(k: &mut Kernel, mut p: Process) {
    if let Some(space) = p.space.take() {
        k.vmids.free(space.vmid);
        space.destroy(&mut k.frames);
    }
}

/// Copies the part of `seg`'s file bytes that falls in the page at `page`
/// into the frame at `pa`.
fn copy_segment_page(seg: &elf_load::Segment, data: &[u8], page: usize, pa: usize) {
    let lo = page.max(seg.vaddr);
    let hi = (page + PAGE_SIZE).min(seg.vaddr + seg.file_size);
    if lo < hi {
        let src = &data[seg.file_offset + (lo - seg.vaddr)..seg.file_offset + (hi - seg.vaddr)];
        // SAFETY: `pa` is a frame owned by the space being built;
        // `lo - page + src.len()` <= PAGE_SIZE.
        unsafe {
            core::ptr::copy_nonoverlapping(src.as_ptr(), (pa + (lo - page)) as *mut u8, src.len())
        };
    }
}

/// Copies the segments of an executable into fresh pages. Segments that
/// share a page share its frame, with the union of their permissions.
fn load_image(
    k: &mut Kernel,
    space: &mut Space,
    data: &[u8],
    segments: &[elf_load::Segment],
) -> Result<(), Error> {
    for seg in segments {
        let perms = Perms {
            read: true,
            write: seg.write,
            exec: seg.exec,
        };
        let start = seg.vaddr & !(PAGE_SIZE - 1);
        for page in (start..seg.vaddr + seg.mem_size).step_by(PAGE_SIZE) {
            match space.lookup(&mut k.frames, page) {
                Some((pa, old)) => {
                    copy_segment_page(seg, data, page, pa);
                    let union = Perms {
                        read: true,
                        write: old.write || perms.write,
                        exec: old.exec || perms.exec,
                    };
                    if union != old {
                        space.reprotect(&mut k.frames, page, union)?;
                    }
                }
                None => space.map_new(&mut k.frames, page, PAGE_SIZE, perms, |p, pa| {
                    copy_segment_page(seg, data, p, pa)
                })?,
            }
        }
    }
    Ok(())
}

/// Adds a runnable thread to a process.
pub fn add_thread(
    k: &mut Kernel,
    process: Id,
    ctx: Frame,
    priority: usize,
    affinity: u64,
) -> Result<Id, Error> {
    let cpu = this_cpu();
    let Some(number) = k
        .processes
        .get_mut(process)
        .and_then(|p| p.threads.try_reserve(1).ok().map(|()| p))
        .map(|p| p.threads_made.wrapping_add(1))
    else {
        return Err(Error::NoMemory);
    };
    let tid = k.threads.insert(Thread {
        process,
        ctx,
        state: ThreadState::Ready,
        priority,
        affinity,
        cpu,
        killed: false,
        refs: 0,
        guest: None,
        number,
    });
    let tid = tid.map_err(|_| Error::NoMemory)?;
    if let Some(p) = k.processes.get_mut(process) {
        p.threads.push(tid);
        p.threads_made = number;
    }
    sched::make_ready(k, tid);
    Ok(tid)
}

/// Ends a thread that is not running on another CPU; the last thread of a
/// process ends the process (status 0 unless one was set).
pub fn end_thread(k: &mut Kernel, tid: Id) {
    sched::unlink(k, tid);
    let Some(t) = k.threads.get_mut(tid) else {
        return;
    };
    t.state = ThreadState::Dead;
    let (process, refs) = (t.process, t.refs);
    if refs == 0 {
        k.threads.remove(tid);
    }
    sched::wake_object_waiters(k, Object::Thread(tid));
    let last = match k.processes.get_mut(process) {
        Some(p) => {
            p.threads.retain(|&t| t != tid);
            p.threads.is_empty()
        }
        None => false,
    };
    if last {
        if let Some(p) = k.processes.get_mut(process) {
            p.status.get_or_insert(0);
        }
        teardown(k, process);
    }
}

/// Ends a process with `status`: its threads stop (those running on other
/// CPUs at their next kernel entry, which an interrupt forces now).
pub fn kill(k: &mut Kernel, process: Id, status: usize) {
    let Some(p) = k.processes.get_mut(process) else {
        return;
    };
    if p.status.is_some() {
        return;
    }
    p.status = Some(status);
    let me = this_cpu();
    // Walks the live list in place (no copy: killing must not allocate).
    // Ending a thread takes it off the list; one running elsewhere stays
    // until that CPU sees `killed`. The last one ends the process.
    let mut i = 0;
    while let Some(tid) = k
        .processes
        .get(process)
        .and_then(|p| p.threads.get(i).copied())
    {
        match k.threads.get(tid).map(|t| t.state) {
            Some(ThreadState::Running(c)) if c != me => {
                if let Some(t) = k.threads.get_mut(tid) {
                    t.killed = true;
                }
                k.irqs.chip.send_ipi(c, SGI_RESCHEDULE);
                i += 1;
            }
            _ => {
                end_thread(k, tid);
                // A thread end_thread could not take off stays: step past it.
                if k.processes.get(process).and_then(|p| p.threads.get(i)) == Some(&tid) {
                    i += 1;
                }
            }
        }
    }
}

/// Frees what an ended process held; keeps its record while handles name it.
fn teardown(k: &mut Kernel, process: Id) {
    let Some(p) = k.processes.get_mut(process) else {
        return;
    };
    let space = p.space.take();
    let mut handles = core::mem::take(&mut p.handles);
    let vms = core::mem::take(&mut p.vms);
    let shms = core::mem::take(&mut p.shms);
    let (pid, status) = (p.pid, p.status.unwrap_or(0));
    if let Some(space) = space {
        // Drop every TLB entry of the VMID before its frames and the VMID
        // are reused; this CPU keeps the space it was running unless that
        // is the one going away.
        let running = Arch::active();
        Arch::activate(space.root());
        Arch::flush_active();
        Arch::activate(if running == space.root() {
            k.null_root
        } else {
            running
        });
        k.vmids.free(space.vmid);
        space.destroy(&mut k.frames);
    }
    // Its device regions (unmapped with its space, flushed above, and
    // with its VMs, destroyed below) and interrupts go back.
    crate::device::release_process(k, process, &vms);
    for &vm in &vms {
        let exits = crate::vm::lifecycle::exit_counts(k, vm);
        let first = crate::vm::lifecycle::first_entry(k, vm);
        if let Some(p) = k.processes.get(process) {
            let first = FirstRun::from_ticks(p.started, first, k.counter_hz);
            log::info!(
                "qhv: {} (pid {pid}): VM ended after {exits}{first}",
                p.name()
            );
        }
    }
    crate::vm::lifecycle::destroy_all(k, &vms);
    // No TLB entry of this space or of its VMs' (`vm_map_shm`) is left,
    // so the shared memory they mapped may go back to the allocator with
    // its last reference (handles to it are released below, also after
    // the flushes).
    for shm in shms {
        release(k, Object::Shm(shm));
    }
    leave_console(k, process);
    for object in handles.drain() {
        release(k, object);
    }
    sched::wake_object_waiters(k, Object::Process(process));
    if k.init == Some(process) {
        log::info!("qhv: init exited with status {status}");
        crate::stop::power_off();
    }
    if k.processes.get(process).is_some_and(|p| p.refs == 0) {
        k.processes.remove(process);
    }
}

/// Takes an ended process off the console's input clients.
fn leave_console(k: &mut Kernel, process: Id) {
    let Some(i) = k.input.clients.iter().position(|&p| p == process) else {
        return;
    };
    k.input.clients.remove(i);
    if k.input.focus > i || k.input.focus >= k.input.clients.len() {
        k.input.focus = k.input.focus.saturating_sub(1);
    }
    crate::irq::wake_readers(k);
}

/// Counts a new handle to `object` (or a process's first mapping of a
/// shared memory object).
pub fn retain(k: &mut Kernel, object: Object) {
    match object {
        // VMs and vCPUs live as long as the process that made them.
        Object::Vm(_) | Object::Vcpu(_) | Object::ShmSpace(_) | Object::Irq(_) => {}
        Object::Process(id) => {
            if let Some(p) = k.processes.get_mut(id) {
                p.refs += 1;
            }
        }
        Object::Thread(id) => {
            if let Some(t) = k.threads.get_mut(id) {
                t.refs += 1;
            }
        }
        Object::Shm(id) => {
            if let Some(s) = k.shms.get_mut(id) {
                s.retain();
            }
        }
    }
}

/// Drops a handle to `object` (or, for shared memory, a process's mapping
/// reference); frees the record of an ended object that no handle names
/// any more, and a shared memory object nothing refers to.
pub fn release(k: &mut Kernel, object: Object) {
    match object {
        Object::Vm(_) | Object::Vcpu(_) | Object::ShmSpace(_) | Object::Irq(_) => {}
        Object::Process(id) => {
            let Some(p) = k.processes.get_mut(id) else {
                return;
            };
            p.refs = p.refs.saturating_sub(1);
            if p.refs == 0 && p.space.is_none() && p.threads.is_empty() {
                k.processes.remove(id);
            }
        }
        Object::Thread(id) => {
            let Some(t) = k.threads.get_mut(id) else {
                return;
            };
            t.refs = t.refs.saturating_sub(1);
            if t.refs == 0 && t.state == ThreadState::Dead {
                k.threads.remove(id);
            }
        }
        Object::Shm(id) => {
            let last = k.shms.get_mut(id).is_some_and(|s| s.release());
            if last && let Some(s) = k.shms.remove(id) {
                // The name is free again; the frames go back. Every
                // process that mapped them has ended and had its TLB
                // entries flushed (its reference went only then).
                for pa in s.into_frames() {
                    let _ = k.frames.free(pa);
                }
            }
        }
    }
}

/// Ends the current thread's process for a fault, with a one-line report.
pub fn fault(k: &mut Kernel, cpu_index: usize, what: core::fmt::Arguments) {
    let Some(tid) = k.cpus[cpu_index].current else {
        return;
    };
    let Some(process) = k.threads.get(tid).map(|t| t.process) else {
        return;
    };
    if let Some(p) = k.processes.get(process) {
        log::warn!("qhv: process {} ({}) ended: {}", p.pid, p.name(), what);
    }
    kill(k, process, abi::STATUS_FAULT);
}
