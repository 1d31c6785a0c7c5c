//! The `multiboot` target: an x86 guest image as `qvm` reads it
//! (`qvm::multiboot`): any bytes searched for a Multiboot or Multiboot2
//! header, the header's address fields laid out against the image's
//! length, and boot information built at any address.
//!
//! Checked: nothing panics; a header found lies inside the image; a
//! layout loads no more bytes than the file has after its offset, and its
//! BSS ends at or after its load; built information is aligned, as long
//! as its own size field says (v2), and never placed above 4 GiB.

use qvm::multiboot::{
    self, BootInfo, MemoryKind, MemoryRegion, Module, build_v1, build_v2, find_header,
    kludge_layout,
};

use crate::input::Input;

/// The target.
pub fn multiboot(data: &[u8]) {
    let mut input = Input::new(data);
    let at = u64::from(input.u32()) & !7;
    let image = data.get(8.min(data.len())..).unwrap_or(&[]);
    if let Ok(Some(header)) = find_header(image) {
        assert!(header.offset < image.len(), "a header past the image");
        if header.uses_kludge()
            && let Ok(layout) = kludge_layout(&header, image.len())
        {
            let file_left = image.len().saturating_sub(layout.file_offset);
            assert!(layout.load_len <= file_left, "loads more than the file has");
            assert!(
                layout.load_end() <= layout.bss_end,
                "BSS ends before the load"
            );
        }
        let _ = multiboot::entry_state(header.version, at, at);
    }
    let map = [
        MemoryRegion {
            base: 0,
            length: 0x9_FC00,
            kind: MemoryKind::Ram,
        },
        MemoryRegion {
            base: 0x10_0000,
            length: u64::from(input.u32()),
            kind: MemoryKind::Ram,
        },
    ];
    let cmdline = core::str::from_utf8(&data[..data.len().min(16)]).unwrap_or("");
    let modules = [Module {
        start: u64::from(input.u32()),
        end: u64::from(input.u32()),
        string: "module",
    }];
    let info = BootInfo {
        memory: &map,
        cmdline,
        loader_name: multiboot::LOADER_NAME,
        modules: &modules,
        rsdp: None,
    };
    for (built, align) in [(build_v1(&info, at & !3), 4), (build_v2(&info, at), 8)] {
        if let Ok(bytes) = built {
            assert!(
                at + bytes.len() as u64 <= 1 << 32,
                "information above 4 GiB"
            );
            assert!(at % align == 0);
        }
    }
    if let Ok(bytes) = build_v2(&info, at) {
        let total = u32::from_le_bytes(bytes[..4].try_into().unwrap_or([0; 4]));
        assert_eq!(total as usize, bytes.len(), "total_size");
    }
}
