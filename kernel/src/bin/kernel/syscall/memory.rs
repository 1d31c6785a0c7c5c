//! `mem_map`, `mem_unmap`.

use super::call::Caller;
use crate::state::Kernel;
use abi::{Error, SysResult, prot};
use arch::Perms;

pub fn map(k: &mut Kernel, c: &Caller, addr: usize, len: usize, protection: usize) -> SysResult {
    if protection & !(prot::READ | prot::WRITE | prot::EXEC) != 0 || protection == 0 {
        return Err(Error::InvalidArgument);
    }
    if protection & prot::WRITE != 0 && protection & prot::EXEC != 0 {
        return Err(Error::InvalidArgument);
    }
    let perms = Perms {
        read: true,
        write: protection & prot::WRITE != 0,
        exec: protection & prot::EXEC != 0,
    };
    let len = crate::space::Space::check_range(addr, len)?;
    crate::quota::mapped(k, c.process, len)?;
    let p = k.processes.get_mut(c.process).ok_or(Error::Fault)?;
    let space = p.space.as_mut().ok_or(Error::Fault)?;
    space.map_new(&mut k.frames, addr, len, perms, |_, _| {})?;
    Ok(addr)
}

pub fn unmap(k: &mut Kernel, c: &Caller, addr: usize, len: usize) -> SysResult {
    let p = k.processes.get_mut(c.process).ok_or(Error::Fault)?;
    let space = p.space.as_mut().ok_or(Error::Fault)?;
    space.unmap(&mut k.frames, addr, len, true)?;
    Ok(0)
}
