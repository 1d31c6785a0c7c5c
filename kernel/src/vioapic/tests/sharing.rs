//! Several pins behind one vector: one EOI serves all of them.

use super::*;

#[test]
fn eoi_of_a_shared_vector() {
    let mut io = ioapic();
    program(&mut io, 3, level(0x40, 0));
    program(&mut io, 7, level(0x40, 1));
    program(&mut io, 8, edge(0x40, 0));
    program(&mut io, 9, level(0x41, 0));
    for pin in [3, 7, 9] {
        assert!(io.set_line(pin, true).unwrap().is_some());
    }
    assert!(io.set_line(8, true).unwrap().is_some());
    // Both level pins with the vector are sent again, in pin order.
    let d = io.eoi(0x40);
    assert_eq!(&d[..], &[fixed(3, 0x40, 0, true), fixed(7, 0x40, 1, true)]);
    assert!(remote_irr(&mut io, 9), "another vector");
    // Pin 3 fell: only pin 7 comes back, and pin 3 is idle.
    io.set_line(3, false).unwrap();
    assert_eq!(pins_of(&io.eoi(0x40)), [7]);
    assert!(!remote_irr(&mut io, 3));
    assert!(remote_irr(&mut io, 7));
    // Pin 3 rises again while pin 7 is in service: only pin 3 is sent.
    assert_eq!(io.set_line(3, true), Ok(Some(fixed(3, 0x40, 0, true))));
    io.set_line(7, false).unwrap();
    io.set_line(3, false).unwrap();
    assert!(io.eoi(0x40).is_empty());
    assert!(!remote_irr(&mut io, 3) && !remote_irr(&mut io, 7));
}

#[test]
fn deliveries_of_every_pin_fit_in_pin_order() {
    let mut io = ioapic();
    for pin in 0..24 {
        program(&mut io, pin, level(0x70, pin as u8));
        io.set_line(pin, true).unwrap();
    }
    let d = io.eoi(0x70);
    assert_eq!(d.len(), 24);
    assert!(
        (&d).into_iter()
            .enumerate()
            .all(|(i, m)| usize::from(m.pin) == i)
    );
    let dests: std::vec::Vec<u8> = d.iter().map(|m| m.destination).collect();
    assert_eq!(dests, (0..24).collect::<std::vec::Vec<u8>>());
}
