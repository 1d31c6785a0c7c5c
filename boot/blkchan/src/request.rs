//! Requests and answers, and the check the driver makes on every request
//! a client wrote (the client is not trusted: any value may be there).

use crate::{DATA_MAX, SECTOR};

/// What a client asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Read `len` bytes from `sector` into the data area.
    Read,
    /// Write `len` bytes of the data area at `sector`.
    Write,
    /// Make every earlier write durable (virtio-blk `FLUSH`).
    Flush,
    /// The disk's ID string into the data area's first 20 bytes.
    GetId,
}

impl Op {
    /// The op's number in the `op` field.
    pub const fn number(self) -> u32 {
        match self {
            Op::Read => 1,
            Op::Write => 2,
            Op::Flush => 3,
            Op::GetId => 4,
        }
    }

    /// The op numbered `n`.
    pub fn from_number(n: u32) -> Option<Op> {
        [Op::Read, Op::Write, Op::Flush, Op::GetId]
            .into_iter()
            .find(|op| op.number() == n)
    }
}

/// The driver's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Done.
    Ok,
    /// The device reported an error, or did not answer.
    IoError,
    /// The request was malformed: unknown op, a length not a multiple of
    /// 512 or over the data area, sectors past the disk's end.
    Invalid,
    /// A write to a read-only disk.
    ReadOnly,
}

impl Status {
    /// The status's number in the `status` field.
    pub const fn number(self) -> u32 {
        match self {
            Status::Ok => 0,
            Status::IoError => 1,
            Status::Invalid => 2,
            Status::ReadOnly => 3,
        }
    }

    /// The status numbered `n`; an unknown number reads as `IoError`.
    pub fn from_number(n: u32) -> Status {
        [Status::Ok, Status::Invalid, Status::ReadOnly]
            .into_iter()
            .find(|s| s.number() == n)
            .unwrap_or(Status::IoError)
    }
}

/// A request that passed [`check`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checked {
    /// What to do.
    pub op: Op,
    /// The first sector (0 for `Flush` and `GetId`).
    pub sector: u64,
    /// Bytes to move (0 for `Flush`, 20 for `GetId`).
    pub len: usize,
}

/// Checks the raw fields a client wrote against a disk of `capacity`
/// sectors: the op must be known, a read's or write's `len` a non-zero
/// multiple of 512 no larger than [`DATA_MAX`], and its sectors inside the
/// disk; nothing may overflow.
pub fn check(
    op: u32,
    sector: u64,
    len: u32,
    capacity: u64,
    read_only: bool,
) -> Result<Checked, Status> {
    let op = Op::from_number(op).ok_or(Status::Invalid)?;
    match op {
        Op::Flush => Ok(Checked {
            op,
            sector: 0,
            len: 0,
        }),
        Op::GetId => Ok(Checked {
            op,
            sector: 0,
            len: crate::ID_BYTES,
        }),
        Op::Read | Op::Write => {
            let bytes = u64::from(len);
            if bytes == 0 || !bytes.is_multiple_of(SECTOR) || bytes > DATA_MAX as u64 {
                return Err(Status::Invalid);
            }
            let end = sector.checked_add(bytes / SECTOR).ok_or(Status::Invalid)?;
            if end > capacity {
                return Err(Status::Invalid);
            }
            if op == Op::Write && read_only {
                return Err(Status::ReadOnly);
            }
            Ok(Checked {
                op,
                sector,
                len: len as usize,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_and_statuses_round_trip() {
        for op in [Op::Read, Op::Write, Op::Flush, Op::GetId] {
            assert_eq!(Op::from_number(op.number()), Some(op));
        }
        assert_eq!(Op::from_number(0), None);
        assert_eq!(Op::from_number(99), None);
        for s in [
            Status::Ok,
            Status::IoError,
            Status::Invalid,
            Status::ReadOnly,
        ] {
            assert_eq!(Status::from_number(s.number()), s);
        }
        assert_eq!(Status::from_number(77), Status::IoError);
    }

    #[test]
    fn good_requests_pass() {
        let read = check(1, 10, 4096, 18, false).unwrap();
        assert_eq!((read.op, read.sector, read.len), (Op::Read, 10, 4096));
        let write = check(2, 0, DATA_MAX as u32, 128, false).unwrap();
        assert_eq!(write.len, DATA_MAX);
        assert_eq!(check(3, 999, 7, 0, true).unwrap().op, Op::Flush);
        assert_eq!(check(4, 0, 0, 0, true).unwrap().len, crate::ID_BYTES);
        assert_eq!(check(1, 0, 512, 1, true).unwrap().len, 512);
    }

    #[test]
    fn bad_requests_are_refused() {
        let cap = 1000;
        assert_eq!(check(0, 0, 512, cap, false), Err(Status::Invalid));
        assert_eq!(check(9, 0, 512, cap, false), Err(Status::Invalid));
        assert_eq!(check(1, 0, 0, cap, false), Err(Status::Invalid));
        assert_eq!(check(1, 0, 511, cap, false), Err(Status::Invalid));
        assert_eq!(check(1, 0, 513, cap, false), Err(Status::Invalid));
        let over = (DATA_MAX + 512) as u32;
        assert_eq!(check(1, 0, over, cap, false), Err(Status::Invalid));
        assert_eq!(check(1, 999, 1024, cap, false), Err(Status::Invalid));
        assert_eq!(check(2, cap, 512, cap, false), Err(Status::Invalid));
        assert_eq!(check(1, u64::MAX, 512, cap, false), Err(Status::Invalid));
        assert_eq!(
            check(1, u64::MAX - 1, 1024, u64::MAX, false),
            Err(Status::Invalid)
        );
        assert_eq!(check(2, 0, 512, cap, true), Err(Status::ReadOnly));
        assert_eq!(check(1, 0, u32::MAX, cap, false), Err(Status::Invalid));
    }
}
