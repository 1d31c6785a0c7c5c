//! Byte offsets in the channel's control page. Every field is
//! little-endian and naturally aligned; the `u32` words marked "futex"
//! are waited on with `futex_wait` by the other side.

/// `u32`, futex: [`crate::MAGIC`] once the driver serves; 0 before.
pub const MAGIC: usize = 0;
/// `u32`: [`crate::VERSION`].
pub const VERSION: usize = 4;
/// `u64`: the disk's size in 512-byte sectors.
pub const CAPACITY: usize = 8;
/// `u32`: [`crate::FLAG_READ_ONLY`].
pub const FLAGS: usize = 16;
/// `u32`: the most bytes one request moves ([`crate::DATA_MAX`]).
pub const MAX_BYTES: usize = 20;
/// 20 bytes: the disk's ID string, NUL-padded.
pub const ID: usize = 24;
/// `u32`, futex: the clients' mutex (0 free, 1 held, 2 held with waiters).
pub const LOCK: usize = 48;
/// `u32`, futex: bumped by the client for each request.
pub const REQ_SEQ: usize = 52;
/// `u32`, futex: the `req_seq` the driver last answered.
pub const DONE_SEQ: usize = 56;
/// `u32`: the answer, a [`crate::Status`].
pub const STATUS: usize = 60;
/// `u32`: the request, an [`crate::Op`].
pub const OP: usize = 64;
/// `u32`: bytes to move (a multiple of 512, at most `MAX_BYTES`).
pub const LEN: usize = 68;
/// `u64`: the first sector.
pub const SECTOR: usize = 72;
/// Where the data area starts.
pub const DATA: usize = crate::CONTROL;
