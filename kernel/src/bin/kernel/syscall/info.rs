//! `sysinfo`, `process_list`, `bootfs_read`.

use super::call::{Caller, copy_out, copy_out_rows, copy_str};
use crate::state::Kernel;
use abi::{Error, ProcessInfo, SysInfo, SysResult};
use kernel::mem::frames::FRAME_SIZE;
use kernel::vmid::VmidKind;

/// Most rows one `process_list` returns.
const MAX_ROWS: usize = 1024;

pub fn sysinfo(k: &mut Kernel, c: &Caller, ptr: usize, len: usize) -> SysResult {
    if len < core::mem::size_of::<SysInfo>() {
        return Err(Error::InvalidArgument);
    }
    let info = SysInfo {
        cpus: k.cpus.iter().filter(|c| c.online).count() as u64,
        total_memory: (k.frames.total_frames() * FRAME_SIZE) as u64,
        free_memory: (k.frames.free_frames() * FRAME_SIZE) as u64,
        processes: k
            .processes
            .iter()
            .filter(|(_, p)| p.space.is_some())
            .count() as u64,
        threads: k
            .threads
            .iter()
            .filter(|(_, t)| t.state != crate::state::ThreadState::Dead)
            .count() as u64,
        vm_gic_version: k.irqs.guest_version(),
        heap_total: crate::heap::HEAP_SIZE as u64,
        heap_free: crate::heap::usage().1 as u64,
        free_process_vmids: k.vmids.free_count(VmidKind::Process) as u64,
        free_vm_vmids: k.vmids.free_count(VmidKind::Vm) as u64,
        handles: k
            .processes
            .iter()
            .map(|(_, p)| p.handles.len())
            .sum::<usize>() as u64,
        vms: k.vms.len() as u64,
        shm_objects: k.shms.len() as u64,
        tree_counter_hz: if k.counter_hz_from_tree {
            k.counter_hz
        } else {
            0
        },
    };
    copy_out_rows(k, c, ptr, &[info])?;
    Ok(core::mem::size_of::<SysInfo>())
}

pub fn process_list(k: &mut Kernel, c: &Caller, ptr: usize, max_rows: usize) -> SysResult {
    if max_rows > MAX_ROWS {
        return Err(Error::InvalidArgument);
    }
    let mut rows = alloc::vec::Vec::new();
    let live: alloc::vec::Vec<_> = k
        .processes
        .iter()
        .filter(|(_, p)| p.space.is_some())
        .map(|(id, _)| id)
        .take(max_rows)
        .collect();
    for id in live {
        let Some(p) = k.processes.get(id) else {
            continue;
        };
        let (pid, parent, threads, name) = (p.pid, p.parent, p.threads.len(), p.name);
        // Pages mapped plus the page-table pages that map them.
        let pages = p
            .space
            .as_ref()
            .map_or(0, |s| s.pages + s.table_pages(&mut k.frames));
        rows.push(ProcessInfo {
            pid,
            parent,
            threads: threads as u64,
            memory: (pages * FRAME_SIZE) as u64,
            name,
        });
    }
    copy_out_rows(k, c, ptr, &rows)
}

pub fn bootfs_read(
    k: &mut Kernel,
    c: &Caller,
    path: usize,
    path_len: usize,
    buf: usize,
    buf_len: usize,
    offset: usize,
) -> SysResult {
    let path = copy_str(k, c, path, path_len, super::process::MAX_PATH)?;
    let file = k.bootfs.find(&path).ok_or(Error::NotFound)?;
    let data = file.data.get(offset..).ok_or(Error::InvalidArgument)?;
    let n = data.len().min(buf_len).min(64 * 1024);
    copy_out(k, c, buf, &data[..n])?;
    Ok(n)
}
