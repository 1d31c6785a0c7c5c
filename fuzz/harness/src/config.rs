//! The `qvm_config` target: a VM configuration as `cargo xtask qvm-check`
//! takes it: parsed (as a file, and as command-line words), placed, its
//! device tree built, read back by qvm's reader and by the test guests'
//! reader, and its `dryrun` report rendered.

use std::string::{String, ToString};
use std::vec::Vec;

use qvm::config::{Config, ConfigError, parse_args, parse_file};
use qvm::fdt::{Chosen, build};
use qvm::layout::{Region, VmLayout, place};

/// Most `@FILE` reads one input may cause (the parser stops nesting at
/// `MAX_INCLUDE_DEPTH`; this catches a parser that would not).
const MAX_READS: usize = 256;

/// Parses `text` as the file `fuzz.qvmconf`; every `@FILE` in it reads
/// `text` again (so includes nest until the parser's limit).
fn parse(text: &str) -> Result<Config, ConfigError> {
    let mut reads = 0;
    let mut read = |_: &str| {
        reads += 1;
        assert!(reads <= MAX_READS, "@FILE read {reads} times");
        Ok(text.to_string())
    };
    parse_file("fuzz.qvmconf", text, &mut read)
}

/// Parses and places the configuration in `data`; checks the result.
pub fn qvm_config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let first = parse(&text);
    // The same text parses the same way twice (no hidden state).
    assert_eq!(first, parse(&text), "parsing is not deterministic");
    // The same text as command-line words (`qvm WORD...`).
    let words: Vec<&str> = text.split_whitespace().take(512).collect();
    let mut reads = 0;
    let _ = parse_args(&words, &mut |_| {
        reads += 1;
        if reads > MAX_READS {
            return Err("too many reads".to_string());
        }
        Ok(text.to_string())
    });
    let Ok(config) = first else { return };
    let Ok(layout) = place(&config) else { return };
    check_layout(&layout);
    assert_eq!(place(&config).as_ref(), Ok(&layout), "placement changed");
    let _ = qvm::report::render(&config, &layout);
    let chosen = Chosen::from_config(&config);
    match build(&layout, &chosen) {
        Ok(dtb) => crate::fdt::check_generated(&dtb, &layout, true),
        // The writer may refuse a name or size; that is an error, not a
        // panic, but placement already checked names: say what it was.
        Err(e) => panic!("a placed layout has no device tree: {e}"),
    }
}

/// Placement's promises: regions inside the guest-physical space, none
/// overlapping, SPIs in range and distinct, vCPUs numbered from 0.
pub fn check_layout(l: &VmLayout) {
    let mut regions: Vec<(Region, String)> = Vec::new();
    for m in &l.memory {
        regions.push((m.region, std::format!("{:?} at {}", m.kind, m.origin)));
    }
    regions.push((l.gic.gicd, "gicd".to_string()));
    if let Some(r) = l.gic.gicc {
        regions.push((r, "gicc".to_string()));
    }
    if let Some(r) = l.gic.gicr {
        regions.push((r, "gicr".to_string()));
    }
    for v in &l.vdevs {
        regions.push((v.slot, std::format!("{:?}", v.config.kind)));
        assert!(v.reg_size <= v.slot.size, "register window past the slot");
        // Every ARM device has an interrupt.
        let intid = v.intid.expect("an ARM vdev without an INTID");
        assert!(
            (32..=abi::VM_INTID_MAX).contains(&intid) && intid <= l.gic.max_intid,
            "vdev INTID {intid} (max {})",
            l.gic.max_intid
        );
    }
    for (r, what) in &regions {
        assert!(r.size > 0, "{what}: empty region");
        assert!(
            r.base.checked_add(r.size).is_some(),
            "{what}: region wraps: {r:?}"
        );
        // Whatever qvm places, the kernel takes: one set of limits.
        assert!(
            abi::guest_range_ok(r.base, r.size),
            "{what}: {r:?} is outside what the kernel maps or traps"
        );
    }
    let ram: u64 = l.memory.iter().map(|m| m.region.size).sum();
    assert!(ram <= abi::VM_RAM_MAX, "{ram} bytes of RAM and ROM placed");
    for (i, (a, wa)) in regions.iter().enumerate() {
        for (b, wb) in &regions[i + 1..] {
            assert!(
                a.end() <= b.base || b.end() <= a.base,
                "{wa} {a:?} overlaps {wb} {b:?}"
            );
        }
    }
    let mut intids: Vec<u32> = l.vdevs.iter().filter_map(|v| v.intid).collect();
    intids.sort_unstable();
    assert!(
        intids.windows(2).all(|w| w[0] != w[1]),
        "two vdevs share an INTID: {intids:?}"
    );
    assert!(!l.cpus.is_empty(), "no vCPU");
    for (i, c) in l.cpus.iter().enumerate() {
        assert_eq!(c.index as usize, i, "vCPU numbering");
    }
    // Guest memory: `ram`, or host RAM passed through (`pass ... m`).
    let passed_ram = l
        .passes
        .iter()
        .any(|p| matches!(p.kind, qvm::config::PassKind::Mem { attrs, .. } if attrs.ram));
    assert!(l.ram().next().is_some() || passed_ram, "placed without RAM");
}
