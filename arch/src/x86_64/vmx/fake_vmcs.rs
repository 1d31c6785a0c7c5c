//! A VMCS for the host tests: fields in a map, unwritten ones 0.

use super::vcpu::VmcsAccess;
use std::collections::BTreeMap;

#[derive(Default)]
pub struct FakeVmcs(pub BTreeMap<u32, u64>);

impl VmcsAccess for FakeVmcs {
    fn read(&self, field: u32) -> u64 {
        self.0.get(&field).copied().unwrap_or(0)
    }

    fn write(&mut self, field: u32, value: u64) {
        self.0.insert(field, value);
    }
}
