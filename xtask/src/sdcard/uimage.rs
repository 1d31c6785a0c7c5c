//! U-Boot's legacy image format for a boot script (`boot.scr`), as
//! `mkimage -A arm64 -O linux -T script -C none -n NAME -d boot.cmd` makes
//! it: a 64-byte big-endian header (U-Boot's `struct legacy_img_hdr`,
//! `include/image.h`), then the data of a "multi-file" image: each file's
//! length as a big-endian u32, a zero u32 ending the list, then the files
//! (here one: the script text). U-Boot's `source` command checks both
//! CRC-32s (the header's with its own CRC field zero, and the data's)
//! before it runs the script.

use anyhow::{Result, ensure};

/// `ih_magic`.
pub const MAGIC: u32 = 0x2705_1956;
/// `IH_OS_LINUX`, what `mkimage` writes when no `-O` is given.
const OS_LINUX: u8 = 5;
/// `IH_ARCH_ARM64`.
const ARCH_ARM64: u8 = 22;
/// `IH_TYPE_SCRIPT`.
pub const TYPE_SCRIPT: u8 = 6;
/// `IH_COMP_NONE`.
const COMP_NONE: u8 = 0;
/// Header length.
pub const HEADER_LEN: usize = 64;
/// Length of `ih_name`, NUL padded (a name of 32 bytes has no NUL).
const NAME_LEN: usize = 32;

/// The script image of `script` named `name` (at most 32 bytes). Its time
/// stamp is 0, so the same script gives the same bytes (what `mkimage` does
/// with `SOURCE_DATE_EPOCH=0`).
pub fn script_image(name: &str, script: &str) -> Result<Vec<u8>> {
    ensure!(
        name.len() <= NAME_LEN,
        "a U-Boot image name has at most {NAME_LEN} bytes: {name:?}"
    );
    let script = script.as_bytes();
    let mut data = Vec::with_capacity(8 + script.len());
    data.extend_from_slice(&u32::try_from(script.len())?.to_be_bytes());
    data.extend_from_slice(&0u32.to_be_bytes());
    data.extend_from_slice(script);

    let mut header = [0u8; HEADER_LEN];
    let mut put = |at: usize, value: u32| header[at..at + 4].copy_from_slice(&value.to_be_bytes());
    put(0, MAGIC);
    // 4: ih_hcrc, filled in last; 8: ih_time = 0.
    put(12, u32::try_from(data.len())?);
    // 16: ih_load, 20: ih_ep: 0, a script is not loaded anywhere.
    put(24, crc32fast::hash(&data));
    header[28] = OS_LINUX;
    header[29] = ARCH_ARM64;
    header[30] = TYPE_SCRIPT;
    header[31] = COMP_NONE;
    header[32..32 + name.len()].copy_from_slice(name.as_bytes());
    let hcrc = crc32fast::hash(&header);
    header[4..8].copy_from_slice(&hcrc.to_be_bytes());

    let mut image = header.to_vec();
    image.extend_from_slice(&data);
    Ok(image)
}

/// The script text in a script image, after checking its magic, type and
/// both CRC-32s as U-Boot's `source` does.
pub fn read_script(image: &[u8]) -> Result<&str> {
    ensure!(
        image.len() >= HEADER_LEN + 8,
        "too short for a script image"
    );
    let word = |at: usize| u32::from_be_bytes(image[at..at + 4].try_into().unwrap_or_default());
    ensure!(word(0) == MAGIC, "no U-Boot image magic");
    let mut header = image[..HEADER_LEN].to_vec();
    header[4..8].fill(0);
    ensure!(crc32fast::hash(&header) == word(4), "bad header CRC");
    ensure!(image[30] == TYPE_SCRIPT, "not a script image");
    let data = &image[HEADER_LEN..];
    ensure!(
        data.len() == word(12) as usize,
        "the data is not ih_size long"
    );
    ensure!(crc32fast::hash(data) == word(24), "bad data CRC");
    let len = word(HEADER_LEN) as usize;
    ensure!(word(HEADER_LEN + 4) == 0, "more than one file in the image");
    let text = data
        .get(8..8 + len)
        .ok_or_else(|| anyhow::anyhow!("the script's length runs past the data"))?;
    Ok(std::str::from_utf8(text)?)
}
