//! An `fdt load GPA,FILE` puts the guest's device tree at GPA: it must not
//! cover the guest image or the ramdisk the loader placed.

/// What the tree of `len` bytes at `gpa` would overlap, if anything: the
/// guest image (`image`, start and end, end exclusive) or the ramdisk
/// (`initrd`, the same), with its range.
pub fn fdt_overlap(
    gpa: u64,
    len: u64,
    image: (u64, u64),
    initrd: Option<(u64, u64)>,
) -> Option<(&'static str, (u64, u64))> {
    let end = gpa.saturating_add(len);
    [("the guest image", Some(image)), ("the ramdisk", initrd)]
        .into_iter()
        .filter_map(|(what, range)| range.map(|r| (what, r)))
        .find(|&(_, (start, stop))| gpa < stop && start < end)
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMAGE: (u64, u64) = (0x4008_0000, 0x4100_0000);
    const INITRD: Option<(u64, u64)> = Some((0x4700_0000, 0x4780_0000));

    #[test]
    fn a_tree_apart_from_image_and_ramdisk_fits() {
        assert_eq!(fdt_overlap(0x4000_0000, 0x1000, IMAGE, INITRD), None);
        // Right after the image, right before the ramdisk.
        assert_eq!(fdt_overlap(0x4100_0000, 0x1000, IMAGE, INITRD), None);
        assert_eq!(fdt_overlap(0x46ff_f000, 0x1000, IMAGE, INITRD), None);
        assert_eq!(fdt_overlap(0x4780_0000, 0x1000, IMAGE, None), None);
    }

    #[test]
    fn a_tree_over_the_image_or_ramdisk_is_named() {
        assert_eq!(
            fdt_overlap(0x4007_f000, 0x1001, IMAGE, INITRD),
            Some(("the guest image", IMAGE))
        );
        assert_eq!(
            fdt_overlap(0x477f_fff8, 0x100, IMAGE, INITRD),
            Some(("the ramdisk", INITRD.unwrap()))
        );
    }
}
