//! The length of a file read through a call that has no way to ask for
//! it: the bootfs's `bootfs_read`, which reads nothing at an offset up to
//! the file's end and fails past it. `qvm` needs a file's length before
//! reading it (to place a ramdisk below the device tree, to allocate a
//! disk's buffer once): [`find_length`] asks at doubling offsets, then
//! halves the interval, about 2·log2(length) questions in all.

/// The length of a file, given `within(offset)`: whether `offset` is at or
/// before the file's end (reading there does not fail). `within` must be
/// monotonic: true up to the length, false after. Its errors other than
/// "past the end" (the file is missing) are passed on.
pub fn find_length<E>(mut within: impl FnMut(usize) -> Result<bool, E>) -> Result<usize, E> {
    // The largest offset known to be within, and the smallest known past.
    let mut inside = 0;
    let mut past = None;
    let mut probe = 4096;
    while past.is_none() {
        if within(probe)? {
            inside = probe;
            match probe.checked_mul(2) {
                Some(next) => probe = next,
                None => return Ok(usize::MAX),
            }
        } else {
            past = Some(probe);
        }
    }
    let mut past = past.unwrap_or(usize::MAX);
    while past - inside > 1 {
        let mid = inside + (past - inside) / 2;
        if within(mid)? {
            inside = mid;
        } else {
            past = mid;
        }
    }
    Ok(inside)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn length_of(len: usize) -> (usize, usize) {
        let mut asked = 0;
        let found = find_length::<()>(|at| {
            asked += 1;
            Ok(at <= len)
        })
        .unwrap();
        (found, asked)
    }

    #[test]
    fn finds_every_length() {
        for len in (0..20_000).chain([1 << 20, (1 << 20) + 1, 30_000_123, 64 << 20]) {
            assert_eq!(length_of(len).0, len, "length {len}");
        }
    }

    #[test]
    fn asks_about_twice_log2_times() {
        let (_, asked) = length_of(30_000_123);
        assert!(asked <= 2 * 25 + 2, "{asked} questions");
        assert!(length_of(100).1 <= 14);
    }

    #[test]
    fn passes_errors_on() {
        assert_eq!(find_length(|_| Err::<bool, _>("missing")), Err("missing"));
        let mut n = 0;
        let late = find_length(|at| {
            n += 1;
            if n > 3 { Err("gone") } else { Ok(at < 1 << 20) }
        });
        assert_eq!(late, Err("gone"));
    }
}
