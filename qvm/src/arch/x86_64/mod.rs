//! x86_64 guests: what `qvm` builds for a PC-like VM; so far its ACPI
//! tables ([`acpi`]).

pub mod acpi;
