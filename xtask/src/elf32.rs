//! ELF64 x86-64 executables rewritten as ELF32 i386 ones, for the x86
//! guest `hello32` (`guest_variants.rs`): the same program headers in the
//! 32-bit layout (52-byte file header, 32-byte program headers, right
//! after it) and the same segment bytes at the same file offsets, so the
//! image loads exactly as the ELF64 one does; `e_machine` EM_386, as a
//! multiboot kernel's ELF32 container says (its entry is 32-bit code; the
//! guest's 64-bit code is data to the loader). Section headers (symbols,
//! debug information) are left out: the ELF64 image has them, for the same
//! code at the same addresses. What does not fit 32 bits is refused.

use anyhow::{Context, Result, bail, ensure};
use elf::ElfBytes;
use elf::abi::{EM_386, EM_X86_64, ET_EXEC};
use elf::endian::AnyEndian;
use elf::file::Class;

/// Bytes of an ELF32 file header and program header.
const EHDR32_LEN: usize = 52;
const PHDR32_LEN: usize = 32;
/// `e_ident`: ELFCLASS32, ELFDATA2LSB, EV_CURRENT.
const IDENT32: [u8; 7] = *b"\x7fELF\x01\x01\x01";

/// `v` as a 32-bit field named `what`, or an error.
fn narrow(v: u64, what: &str) -> Result<u32> {
    u32::try_from(v).with_context(|| format!("{what} {v:#x} does not fit an ELF32 field"))
}

/// The ELF32 i386 file of the ELF64 x86-64 executable `elf64`.
pub fn from_elf64(elf64: &[u8]) -> Result<Vec<u8>> {
    let file = ElfBytes::<AnyEndian>::minimal_parse(elf64).context("not an ELF file")?;
    let h = &file.ehdr;
    ensure!(h.class == Class::ELF64, "not an ELF64 file");
    ensure!(h.endianness == AnyEndian::Little, "not little-endian");
    ensure!(
        h.e_machine == EM_X86_64 && h.e_type == ET_EXEC,
        "not an x86-64 executable"
    );
    let segments: Vec<_> = file
        .segments()
        .context("no program headers")?
        .iter()
        .collect();
    let headers_end = EHDR32_LEN + PHDR32_LEN * segments.len();
    let mut out = vec![0u8; headers_end];
    out[..IDENT32.len()].copy_from_slice(&IDENT32);
    let put = |out: &mut Vec<u8>, at: usize, bytes: &[u8]| {
        out[at..at + bytes.len()].copy_from_slice(bytes);
    };
    put(&mut out, 16, &ET_EXEC.to_le_bytes());
    put(&mut out, 18, &EM_386.to_le_bytes());
    put(&mut out, 20, &1u32.to_le_bytes()); // e_version
    put(
        &mut out,
        24,
        &narrow(h.e_entry, "the entry point")?.to_le_bytes(),
    );
    put(&mut out, 28, &(EHDR32_LEN as u32).to_le_bytes()); // e_phoff
    put(&mut out, 40, &(EHDR32_LEN as u16).to_le_bytes()); // e_ehsize
    put(&mut out, 42, &(PHDR32_LEN as u16).to_le_bytes());
    put(&mut out, 44, &(segments.len() as u16).to_le_bytes());
    for (i, s) in segments.iter().enumerate() {
        let fields = [
            s.p_type,
            narrow(s.p_offset, "a segment's offset")?,
            narrow(s.p_vaddr, "a segment's address")?,
            narrow(s.p_paddr, "a segment's physical address")?,
            narrow(s.p_filesz, "a segment's size")?,
            narrow(s.p_memsz, "a segment's size")?,
            s.p_flags,
            narrow(s.p_align, "a segment's alignment")?,
        ];
        for (j, v) in fields.into_iter().enumerate() {
            put(
                &mut out,
                EHDR32_LEN + PHDR32_LEN * i + 4 * j,
                &v.to_le_bytes(),
            );
        }
    }
    for s in segments.iter().filter(|s| s.p_filesz > 0) {
        let (start, len) = (s.p_offset as usize, s.p_filesz as usize);
        if start < headers_end {
            bail!("a segment at file offset {start:#x} overlaps the ELF32 headers");
        }
        let bytes = elf64
            .get(start..start + len)
            .context("a segment reaches past the end of the file")?;
        if out.len() < start + len {
            out.resize(start + len, 0);
        }
        put(&mut out, start, bytes);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use elf::abi::PT_LOAD;

    /// An ELF64 x86-64 executable with one PT_LOAD of `code` at file
    /// offset 0x1000, address `addr`, with 0x100 bytes of BSS.
    fn elf64(addr: u64, code: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 0x1000];
        f[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
        f[16..18].copy_from_slice(&ET_EXEC.to_le_bytes());
        f[18..20].copy_from_slice(&EM_X86_64.to_le_bytes());
        f[20..24].copy_from_slice(&1u32.to_le_bytes());
        f[24..32].copy_from_slice(&(addr + 4).to_le_bytes());
        f[32..40].copy_from_slice(&64u64.to_le_bytes());
        f[52..54].copy_from_slice(&64u16.to_le_bytes());
        f[54..56].copy_from_slice(&56u16.to_le_bytes());
        f[56..58].copy_from_slice(&1u16.to_le_bytes());
        let len = code.len() as u64;
        let p = &mut f[64..120];
        p[0..4].copy_from_slice(&PT_LOAD.to_le_bytes());
        p[4..8].copy_from_slice(&7u32.to_le_bytes());
        for (j, v) in [0x1000, addr, addr, len, len + 0x100, 0x1000]
            .into_iter()
            .enumerate()
        {
            p[8 + 8 * j..16 + 8 * j].copy_from_slice(&v.to_le_bytes());
        }
        f.extend_from_slice(code);
        f
    }

    #[test]
    fn the_elf32_file_loads_as_the_elf64_one() {
        let code = b"\xfa\xf4 a multiboot kernel";
        let out = from_elf64(&elf64(0x20_0000, code)).unwrap();
        let file = ElfBytes::<AnyEndian>::minimal_parse(&out).unwrap();
        assert_eq!(file.ehdr.class, Class::ELF32);
        assert_eq!(
            (file.ehdr.e_machine, file.ehdr.e_entry),
            (EM_386, 0x20_0004)
        );
        assert_eq!(file.ehdr.e_shnum, 0);
        let segs: Vec<_> = file.segments().unwrap().iter().collect();
        assert_eq!(segs.len(), 1);
        let s = segs[0];
        assert_eq!((s.p_type, s.p_flags, s.p_align), (PT_LOAD, 7, 0x1000));
        assert_eq!(
            (s.p_offset, s.p_vaddr, s.p_paddr),
            (0x1000, 0x20_0000, 0x20_0000)
        );
        assert_eq!(
            (s.p_filesz, s.p_memsz),
            (code.len() as u64, code.len() as u64 + 0x100)
        );
        assert_eq!(&out[0x1000..], code);
    }

    #[test]
    fn what_does_not_fit_32_bits_is_refused() {
        let err = from_elf64(&elf64(0x1_0000_0000, b"x")).unwrap_err();
        assert!(
            format!("{err:#}").contains("does not fit an ELF32 field"),
            "{err:#}"
        );
        let mut aarch64 = elf64(0x20_0000, b"x");
        aarch64[18..20].copy_from_slice(&183u16.to_le_bytes());
        assert!(from_elf64(&aarch64).is_err());
        assert!(from_elf64(b"not an elf").is_err());
    }
}
