//! What a typed line asks for: one of the shell's own commands, or a
//! launcher line (`ulib::launch`: prefixes, a program, its arguments, `&`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The `help` text.
pub const HELP: &str = "\
commands:
  help                   this list
  pidin                  every thread: pid tid name prio STATE cpu (vCPU)
  pidin -p PID           the threads of one process
  pidin mem              every process's memory regions (and its VMs')
  pidin -p PID mem       the memory regions of one process
  pidin irqs             interrupts: kind, owner, count, cpu, virq, masked
  pidin syspage=asinfo   the physical memory map and who holds what
  pidin info             CPUs, memory, processes, threads, VMs
  slay PID|NAME          end a process (every one of that name)
  dump PID|NAME          ask a qvm for a core dump of its guest (to the
                         config's `dump DIR`; every qvm of that name)
  exit                   end the shell
  [shm=NAME] [dev=SEL] [irq=N] [allow=info,slay] PROGRAM [ARGS] [&]
                         start PROGRAM (in /bin unless a path) as a
                         startup line does; & runs it in the background
";

/// What `pidin` shows.
#[derive(Debug, PartialEq, Eq)]
pub enum View {
    /// Threads, of every process or of one.
    Threads(Option<u64>),
    /// Memory regions, of every process or of one.
    Mem(Option<u64>),
    /// The interrupt table.
    Irqs,
    /// The physical memory map.
    Asinfo,
    /// The `sysinfo` summary.
    Info,
}

/// A parsed line.
#[derive(Debug, PartialEq, Eq)]
pub enum Command<'a> {
    /// Nothing typed.
    Empty,
    /// `help`.
    Help,
    /// `exit`.
    Exit,
    /// `pidin ...`.
    Pidin(View),
    /// `slay PID|NAME`.
    Slay(&'a str),
    /// `dump PID|NAME`.
    Dump(&'a str),
    /// A line for the launcher (trimmed).
    Launch(&'a str),
    /// One of ours, used wrongly: the message.
    Usage(String),
}

/// What `line` asks for.
pub fn parse(line: &str) -> Command<'_> {
    let line = line.trim();
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [] => Command::Empty,
        ["help"] => Command::Help,
        ["exit"] => Command::Exit,
        ["pidin", rest @ ..] => pidin(rest),
        ["slay", target] => Command::Slay(target),
        ["slay", ..] => Command::Usage(String::from("usage: slay PID|NAME")),
        ["dump", target] => Command::Dump(target),
        ["dump", ..] => Command::Usage(String::from("usage: dump PID|NAME")),
        _ => Command::Launch(line),
    }
}

/// The view `pidin`'s words name.
fn pidin(words: &[&str]) -> Command<'static> {
    let (pid, rest) = match words {
        ["-p", pid, rest @ ..] => match pid.parse::<u64>() {
            Ok(pid) => (Some(pid), rest),
            Err(_) => return Command::Usage(format!("pidin: -p {pid}: not a pid")),
        },
        _ => (None, words),
    };
    let view = match (rest, pid) {
        ([], pid) => View::Threads(pid),
        (["mem"], pid) => View::Mem(pid),
        (["irqs"], None) => View::Irqs,
        (["syspage=asinfo"], None) => View::Asinfo,
        (["info"], None) => View::Info,
        _ => {
            return Command::Usage(format!(
                "pidin: unknown view '{}' (try help)",
                words.join(" ")
            ));
        }
    };
    Command::Pidin(view)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_its_own_commands() {
        assert_eq!(parse(""), Command::Empty);
        assert_eq!(parse("   "), Command::Empty);
        assert_eq!(parse("help"), Command::Help);
        assert_eq!(parse(" exit "), Command::Exit);
        assert_eq!(parse("slay 7"), Command::Slay("7"));
        assert_eq!(parse("slay qvm"), Command::Slay("qvm"));
        assert!(matches!(parse("slay"), Command::Usage(_)));
        assert!(matches!(parse("slay 1 2"), Command::Usage(_)));
        assert_eq!(parse("dump linux"), Command::Dump("linux"));
        assert!(matches!(parse("dump"), Command::Usage(_)));
    }

    #[test]
    fn knows_the_pidin_views() {
        let view = |l| match parse(l) {
            Command::Pidin(v) => v,
            other => panic!("{l}: {other:?}"),
        };
        assert_eq!(view("pidin"), View::Threads(None));
        assert_eq!(view("pidin -p 5"), View::Threads(Some(5)));
        assert_eq!(view("pidin mem"), View::Mem(None));
        assert_eq!(view("pidin -p 12 mem"), View::Mem(Some(12)));
        assert_eq!(view("pidin irqs"), View::Irqs);
        assert_eq!(view("pidin syspage=asinfo"), View::Asinfo);
        assert_eq!(view("pidin info"), View::Info);
    }

    #[test]
    fn refuses_unknown_views() {
        assert_eq!(
            parse("pidin foo"),
            Command::Usage(String::from("pidin: unknown view 'foo' (try help)"))
        );
        assert_eq!(
            parse("pidin -p x mem"),
            Command::Usage(String::from("pidin: -p x: not a pid"))
        );
        assert!(matches!(parse("pidin -p 3 irqs"), Command::Usage(_)));
    }

    #[test]
    fn anything_else_is_a_launcher_line() {
        assert_eq!(
            parse(" qvm @/etc/vm/x.qvmconf & "),
            Command::Launch("qvm @/etc/vm/x.qvmconf &")
        );
        assert_eq!(
            parse("allow=info shell"),
            Command::Launch("allow=info shell")
        );
        assert_eq!(parse("pidinx"), Command::Launch("pidinx"));
    }
}
