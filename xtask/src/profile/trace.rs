//! QEMU's exec trace (`-d exec,nochain` with one instruction per
//! translation block, so one line per instruction executed) and the
//! attribution of host instructions to the guest instruction that exited.
//!
//! A line reads `Trace CPU: HOST [CS_BASE/PC/FLAGS/CFLAGS] SYMBOL`. Every
//! run of host instructions (kernel or `qvm`) that one CPU executes between
//! two guest instructions is one exit, charged to the guest PC executed
//! last before it on that CPU: the exit site.

use std::collections::HashMap;
use std::io::{self, BufRead};
use std::ops::Range;

/// The CPU and the PC of one trace line, or `None` if it is no
/// instruction's line. Parses bytes in place: no allocation, no checked
/// arithmetic (at most 16 digits a number, which fit in a `u64`).
pub fn parse_line(line: &[u8]) -> Option<(usize, u64)> {
    let rest = line.strip_prefix(b"Trace ")?;
    let (cpu, rest) = number(rest, 10)?;
    let rest = rest.strip_prefix(b": ")?;
    let rest = &rest[find(rest, b'[')? + 1..];
    let rest = &rest[find(rest, b'/')? + 1..];
    let (pc, rest) = number(rest, 16)?;
    (rest.first() == Some(&b'/')).then_some((cpu as usize, pc))
}

/// The index of the first `byte` in `text`.
fn find(text: &[u8], byte: u8) -> Option<usize> {
    text.iter().position(|&b| b == byte)
}

/// The value of a digit in `radix` (10 or 16, lower-case hex).
fn digit(b: u8, radix: u64) -> Option<u64> {
    match b {
        b'0'..=b'9' => Some(u64::from(b - b'0')),
        b'a'..=b'f' if radix == 16 => Some(u64::from(b - b'a' + 10)),
        _ => None,
    }
}

/// A number of 1 to 16 digits in `radix` at the start of `text`, and what
/// follows it.
fn number(text: &[u8], radix: u64) -> Option<(u64, &[u8])> {
    let mut value: u64 = 0;
    let mut len = 0;
    while let Some(d) = text.get(len).and_then(|&b| digit(b, radix)) {
        if len == 16 {
            return None;
        }
        value = value * radix + d;
        len += 1;
    }
    (len > 0).then(|| (value, &text[len..]))
}

/// What the exits of one guest PC cost.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Site {
    /// Exits: runs of host instructions after this PC.
    pub exits: u64,
    /// Host instructions executed in those exits, by PC.
    pub pcs: HashMap<u64, u64>,
}

impl Site {
    /// All host instructions of its exits.
    pub fn instructions(&self) -> u64 {
        self.pcs.values().sum()
    }
}

/// One CPU's place in the trace.
#[derive(Default)]
struct Cpu {
    /// The guest PC it executed last, if any yet.
    site: Option<u64>,
    /// The PCs of the host instructions it executed since.
    pending: Vec<u64>,
}

/// The profile being built from a trace.
pub struct Profile {
    /// The guest's code: every other PC is the host's.
    guest: Range<u64>,
    cpus: Vec<Cpu>,
    /// The exit sites, by guest PC.
    pub sites: HashMap<u64, Site>,
    /// Trace lines read, instructions or not.
    pub lines: u64,
    /// Guest instructions seen.
    pub guest_instructions: u64,
    /// Host instructions seen.
    pub host_instructions: u64,
}

impl Profile {
    /// An empty profile of a guest whose code is at `guest`.
    pub fn new(guest: Range<u64>) -> Profile {
        Profile {
            guest,
            cpus: Vec::new(),
            sites: HashMap::new(),
            lines: 0,
            guest_instructions: 0,
            host_instructions: 0,
        }
    }

    /// Takes one instruction: `cpu` executed `pc`.
    pub fn take(&mut self, cpu: usize, pc: u64) {
        if cpu >= self.cpus.len() {
            self.cpus.resize_with(cpu + 1, Cpu::default);
        }
        let state = &mut self.cpus[cpu];
        if !self.guest.contains(&pc) {
            self.host_instructions += 1;
            state.pending.push(pc);
            return;
        }
        self.guest_instructions += 1;
        if let Some(site) = state.site
            && !state.pending.is_empty()
        {
            let entry = self.sites.entry(site).or_default();
            entry.exits += 1;
            for &host_pc in &state.pending {
                *entry.pcs.entry(host_pc).or_insert(0) += 1;
            }
        }
        state.pending.clear();
        state.site = Some(pc);
    }

    /// Takes one trace line (lines that are no instruction's are counted
    /// and skipped).
    pub fn take_line(&mut self, line: &[u8]) {
        self.lines += 1;
        if let Some((cpu, pc)) = parse_line(line) {
            self.take(cpu, pc);
        }
    }

    /// Reads a whole trace, line by line in one reused buffer.
    pub fn read(&mut self, mut input: impl BufRead) -> io::Result<()> {
        let mut line = Vec::with_capacity(256);
        loop {
            line.clear();
            if input.read_until(b'\n', &mut line)? == 0 {
                return Ok(());
            }
            self.take_line(&line);
        }
    }

    /// Host instructions not charged to any site: those before each CPU's
    /// first guest instruction, and those after its last one (the run
    /// still going when the trace ended).
    pub fn unattributed(&self) -> u64 {
        let charged: u64 = self.sites.values().map(Site::instructions).sum();
        self.host_instructions - charged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUEST: Range<u64> = 0x8000_0000..0x8001_0000;

    fn line(cpu: usize, pc: u64) -> String {
        format!("Trace {cpu}: 0x7f3c58001040 [00000000/{pc:016x}/00000000/ff200000] \n")
    }

    #[test]
    fn parses_instruction_lines() {
        assert_eq!(
            parse_line(b"Trace 0: 0x7f3c58001040 [00000000/0000000040201a6c/00000000/ff200000] \n"),
            Some((0, 0x4020_1a6c))
        );
        assert_eq!(
            parse_line(
                b"Trace 13: 0x7f3c58001040 [00000000/0000000080000000/00000001/ff200000] main"
            ),
            Some((13, 0x8000_0000))
        );
        assert_eq!(
            parse_line(line(1, 0x20_0abc).as_bytes()),
            Some((1, 0x20_0abc))
        );
    }

    #[test]
    fn skips_other_lines() {
        for text in [
            "",
            "\n",
            "Stopped execution of TB chain before 0x7f3c58001040 [0000000040201a6c] \n",
            "Trace x: 0x7f [00000000/0000000040201a6c/00000000/ff200000]",
            "Trace 0: 0x7f [00000000/00000000zz201a6c/00000000/ff200000]",
            "Trace 0: 0x7f [00000000/0000000040201a6c",
            "Trace 0: 0x7f 00000000/0000000040201a6c/00000000/ff200000",
            "Trace 0: 0x7f [00000000/123456789abcdef01234/0/0]",
        ] {
            assert_eq!(parse_line(text.as_bytes()), None, "{text:?}");
        }
    }

    #[test]
    fn charges_host_runs_to_the_guest_pc_before_them() {
        let mut p = Profile::new(GUEST);
        // Boot: host code before any guest instruction is no exit.
        p.take(0, 0x4020_0000);
        // Guest 0x100, 0x104 (no exit between), then an exit at 0x104.
        p.take(0, 0x8000_0100);
        p.take(0, 0x8000_0104);
        p.take(0, 0x4020_1000);
        p.take(0, 0x4020_1004);
        p.take(0, 0x20_0000);
        p.take(0, 0x8000_0108);
        // The same site again, with another path.
        p.take(0, 0x8000_0104);
        p.take(0, 0x4020_1000);
        p.take(0, 0x8000_0108);
        let site = &p.sites[&0x8000_0104];
        assert_eq!(site.exits, 2);
        assert_eq!(site.instructions(), 4);
        assert_eq!(site.pcs[&0x4020_1000], 2);
        assert_eq!(site.pcs[&0x20_0000], 1);
        assert_eq!(p.sites.len(), 1);
        assert_eq!(p.guest_instructions, 5);
        assert_eq!(p.host_instructions, 5);
        assert_eq!(p.unattributed(), 1);
    }

    #[test]
    fn keeps_cpus_apart() {
        let mut p = Profile::new(GUEST);
        p.take(0, 0x8000_0010);
        p.take(1, 0x8000_0020);
        // Interleaved: CPU 0's exit, CPU 1's exit.
        p.take(0, 0x4020_0100);
        p.take(1, 0x4020_0200);
        p.take(1, 0x4020_0204);
        p.take(0, 0x4020_0104);
        p.take(1, 0x8000_0024);
        // CPU 0 never comes back: its run is not charged.
        assert_eq!(p.sites.len(), 1);
        let site = &p.sites[&0x8000_0020];
        assert_eq!((site.exits, site.instructions()), (1, 2));
        assert_eq!(p.unattributed(), 2);
    }

    #[test]
    fn reads_a_trace() {
        let mut text = String::new();
        text.push_str("some other log line\n");
        for (cpu, pc) in [(0, 0x8000_0000), (0, 0x4020_0000), (0, 0x4020_0004)] {
            text.push_str(&line(cpu, pc));
        }
        text.push_str(line(0, 0x8000_0004).trim_end()); // no final newline
        let mut p = Profile::new(GUEST);
        p.read(text.as_bytes()).unwrap();
        assert_eq!(p.lines, 5);
        assert_eq!(p.sites[&0x8000_0000].exits, 1);
        assert_eq!(p.sites[&0x8000_0000].instructions(), 2);
    }
}
