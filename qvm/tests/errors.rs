//! Every parse error, with its exact `file:line: message` text.

mod common;

use common::err;
use qvm::config::parse_args;

#[test]
fn every_parse_error() {
    common::check_error_table("errors.txt", 93, err);
}

#[test]
fn errors_on_later_lines_name_their_line() {
    let text =
        "system a\n\nram 64M\n# comment\nvdev gic\nvdev pl011\n  loc 0x1c090000\n  intr gic37\n";
    assert_eq!(
        err(text),
        "t.qvmconf:8: vdev pl011: 'intr' expects <controller>:<line>, got 'gic37'"
    );
}

#[test]
fn command_line_errors_name_the_argument() {
    let mut none = |_: &str| Err::<String, String>("no such file".into());
    let e = parse_args(&["dryrun", "ram", "lots"], &mut none).unwrap_err();
    assert_eq!(
        e.to_string(),
        "<command line>:3: 'ram' expects [<gpa>,]<size>, got 'lots'"
    );
    let e = parse_args(&["set", "fdt-dump-file"], &mut none).unwrap_err();
    assert_eq!(
        e.to_string(),
        "<command line>:1: 'set' expects <variable> <value>, got nothing"
    );
    let e = parse_args(&["@vm.qvmconf"], &mut none).unwrap_err();
    assert_eq!(
        e.to_string(),
        "<command line>:1: @vm.qvmconf: cannot read: no such file"
    );
    let e = parse_args(&["cmdline", "a b", "frob"], &mut none).unwrap_err();
    assert_eq!(e.to_string(), "<command line>:3: unknown option 'frob'");
}

#[test]
fn errors_in_included_files_name_that_file() {
    let mut read = |name: &str| match name {
        "a.qvmconf" => Ok("ram 64M\n@b.qvmconf\n".to_string()),
        "b.qvmconf" => Ok("vdev gic\n\nvdev pl011 loc nowhere\n".to_string()),
        _ => Err("no such file".to_string()),
    };
    let e = parse_args(&["@a.qvmconf"], &mut read).unwrap_err();
    assert_eq!(
        e.to_string(),
        "b.qvmconf:3: vdev pl011: 'loc' expects mem:<addr>, io:<port> or pci:<bus>:<dev>[.<fn>], got 'nowhere'"
    );
    let mut read = |_: &str| Ok("ram 64M\n@c.qvmconf\n".to_string());
    let e = parse_args(&["@c.qvmconf"], &mut read).unwrap_err();
    assert_eq!(
        e.to_string(),
        "c.qvmconf:2: @c.qvmconf: files nest more than 8 deep (does one include itself?)"
    );
}

#[test]
fn a_bad_file_starts_nothing() {
    // The error comes even when the bad line is last and everything before is fine.
    let text = std::fs::read_to_string(common::data_dir().join("linux.qvmconf")).unwrap();
    let e = err(&format!("{text}vdev pl011 intr gic37\n"));
    assert_eq!(
        e,
        "t.qvmconf:14: vdev pl011: 'intr' expects <controller>:<line>, got 'gic37'"
    );
}
