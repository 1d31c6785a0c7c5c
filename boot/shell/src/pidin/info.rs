//! `pidin info`: the `sysinfo` summary, a line per fact.

use abi::SysInfo;
use alloc::format;
use alloc::string::String;

/// The summary of `s`.
pub fn summary(s: &SysInfo) -> String {
    let size = crate::size;
    let gic = match s.vm_gic_version {
        0 => String::from("none (no VMs)"),
        v => format!("GICv{v}"),
    };
    format!(
        "CPUs       {}\n\
         memory     {} total, {} free\n\
         heap       {} total, {} free\n\
         processes  {}\n\
         threads    {}\n\
         VMs        {} (virtual {gic})\n\
         handles    {}\n\
         shm        {} objects\n",
        s.cpus,
        size(s.total_memory),
        size(s.free_memory),
        size(s.heap_total),
        size(s.heap_free),
        s.processes,
        s.threads,
        s.vms,
        s.handles,
        s.shm_objects
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_per_fact() {
        let s = SysInfo {
            cpus: 2,
            total_memory: 1000 << 20,
            free_memory: 900 << 20,
            processes: 4,
            threads: 9,
            vm_gic_version: 3,
            heap_total: 8 << 20,
            heap_free: 7 << 20,
            vms: 2,
            handles: 40,
            shm_objects: 1,
            ..SysInfo::default()
        };
        assert_eq!(
            summary(&s),
            "CPUs       2\n\
             memory     1000M total, 900M free\n\
             heap       8M total, 7M free\n\
             processes  4\n\
             threads    9\n\
             VMs        2 (virtual GICv3)\n\
             handles    40\n\
             shm        1 objects\n"
        );
    }
}
