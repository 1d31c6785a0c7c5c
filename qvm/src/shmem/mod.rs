//! `vdev shmem` in `qvm`: the region (kernel shared memory object
//! `shmem/NAME`, mapped into the guest with `vm_map_shm`), the doorbells
//! (object `shmem/NAME/bells`, one page the `qvm` processes of the
//! connected VMs share, see [`Bells`]); the thread that raises this
//! VM's interrupt when another rings is in [`serve`], above the VM. The `qvm` processes reach the same
//! objects when they share a shared-memory namespace (`shm=NAME` in the
//! buildfile), as `peer` links do.

pub mod serve;

use crate::netlink::ShmRegion;
use abi::prot;
use alloc::boxed::Box;
use alloc::string::String;
use core::sync::atomic::{AtomicU32, Ordering::SeqCst};
use qvm::config::DeviceOptions;
use qvm::shmem_rules;
use ulib::sys;
use vdev::shmem::{Doorbells, MAX_VMS, Shmem};
use vdev::virtio::net::ring::SharedMemory;

/// The control page's words (`u32` indexes): the connected set, the
/// rules' state and length, then each VM's pending doorbells and bell
/// counter (the futex its `qvm` waits on); the rules' text at
/// [`RULES_AT`].
const CONNECTED: usize = 0;
const RULES_STATE: usize = 1;
const RULES_LEN: usize = 2;
const PENDING: usize = 4;
/// The bell counters' first word.
pub(crate) const BELL: usize = PENDING + MAX_VMS as usize;
/// Byte offset of the published rules (`shmem_rules::publish`).
const RULES_AT: usize = 1024;
const CONTROL_BYTES: usize = 4096;
/// [`RULES_STATE`]: nobody has opened the region yet, the first opener
/// is writing its rules, they are there.
const RULES_NONE: u32 = 0;
const RULES_WRITING: u32 = 1;
const RULES_READY: u32 = 2;

/// The doorbells of one region: its control page.
#[derive(Clone, Copy)]
pub struct Bells {
    page: ShmRegion,
}

impl Bells {
    /// Control word `index`.
    pub(crate) fn word(&self, index: usize) -> &AtomicU32 {
        self.page.word(index * 4)
    }
}

impl Doorbells for Bells {
    fn ring(&self, from: u32, mask: u32) {
        let mask = mask & self.connected();
        for i in (0..MAX_VMS as usize).filter(|i| mask & (1 << i) != 0) {
            self.word(PENDING + i).fetch_or(1 << from, SeqCst);
            self.word(BELL + i).fetch_add(1, SeqCst);
            let _ = sys::futex_wake(self.word(BELL + i), usize::MAX);
        }
    }
    fn take(&self, me: u32) -> u32 {
        self.word(PENDING + me as usize).swap(0, SeqCst)
    }
    fn connected(&self) -> u32 {
        self.word(CONNECTED).load(SeqCst)
    }
}

/// The model on the bus.
pub type ShmemDev = Shmem<Bells>;

/// One VM's device and what its thread needs.
pub struct Connection {
    /// The device model.
    pub model: Box<dyn vdev::Vdev>,
    /// The doorbells and this VM's index, for [`serve::serve`].
    pub bells: (Bells, u32),
}

/// Opens the region of `dev` for VM `vm` (named `name`): checks the
/// rules, takes an index, maps the region at its placed address.
pub fn connect(vm: usize, name: &str, dev: &qvm::layout::VdevLayout) -> Result<Connection, String> {
    let origin = &dev.config.origin;
    let (
        DeviceOptions::Shmem {
            create: Some((region, size)),
            allow,
            deny,
        },
        Some(place),
    ) = (&dev.config.options, dev.shared)
    else {
        return Err(alloc::format!(
            "{origin}: vdev shmem needs `create NAME,SIZE`"
        ));
    };
    if !shmem_rules::allowed(
        allow.iter().map(String::as_str),
        deny.iter().map(String::as_str),
        name,
    ) {
        return Err(alloc::format!(
            "{origin}: vdev shmem {region}: its own allow/deny rules refuse VM '{name}'"
        ));
    }
    let page = ShmRegion::open(&alloc::format!("shmem/{region}/bells"), CONTROL_BYTES)?;
    let bells = Bells { page };
    publish_or_check(&bells, &shmem_rules::publish(allow, deny), name)
        .map_err(|e| alloc::format!("{origin}: vdev shmem {region}: {e}"))?;
    let index = claim_index(&bells).ok_or_else(|| {
        alloc::format!("{origin}: vdev shmem {region}: {MAX_VMS} VMs are connected already")
    })?;
    let object = alloc::format!("shmem/{region}");
    let handle = sys::shm_open(&object, *size as usize).map_err(|e| {
        alloc::format!("{origin}: cannot open shared memory {object}: {}", e.name())
    })?;
    let mapped = sys::vm_map_shm(vm, handle, place.base, prot::READ | prot::WRITE);
    // The VM's mapping keeps the object (the kernel holds it for this
    // process until its VMs are gone).
    let _ = sys::handle_close(handle);
    mapped.map_err(|e| {
        alloc::format!(
            "{origin}: cannot map shared memory {object} into the VM: {}",
            e.name()
        )
    })?;
    let model = Shmem::new(place.base, place.size, index, bells);
    Ok(Connection {
        model: Box::new(model),
        bells: (bells, index),
    })
}

/// The first opener publishes its rules; the others wait for them and
/// must pass them.
fn publish_or_check(bells: &Bells, rules: &str, name: &str) -> Result<(), String> {
    let state = bells.word(RULES_STATE);
    if state
        .compare_exchange(RULES_NONE, RULES_WRITING, SeqCst, SeqCst)
        .is_ok()
    {
        let text = rules.as_bytes();
        if text.len() > CONTROL_BYTES - RULES_AT {
            return Err(String::from("its allow/deny rules are too long to publish"));
        }
        bells.page.write(RULES_AT, text);
        bells.word(RULES_LEN).store(text.len() as u32, SeqCst);
        state.store(RULES_READY, SeqCst);
        let _ = sys::futex_wake(state, usize::MAX);
        return Ok(());
    }
    while state.load(SeqCst) != RULES_READY {
        let _ = sys::futex_wait(state, RULES_WRITING, 10_000_000);
    }
    let len = (bells.word(RULES_LEN).load(SeqCst) as usize).min(CONTROL_BYTES - RULES_AT);
    let mut text = alloc::vec![0u8; len];
    bells.page.read(RULES_AT, &mut text);
    let text = core::str::from_utf8(&text)
        .map_err(|_| String::from("its published rules are not UTF-8"))?;
    if !shmem_rules::allowed_by(text, name) {
        return Err(alloc::format!(
            "the rules of the VM that opened it first refuse VM '{name}'"
        ));
    }
    Ok(())
}

/// Takes the lowest free index in the connected set.
fn claim_index(bells: &Bells) -> Option<u32> {
    let set = bells.word(CONNECTED);
    let mut now = set.load(SeqCst);
    loop {
        let index = (!now).trailing_zeros();
        if index >= MAX_VMS {
            return None;
        }
        match set.compare_exchange(now, now | (1 << index), SeqCst, SeqCst) {
            Ok(_) => return Some(index),
            Err(seen) => now = seen,
        }
    }
}
