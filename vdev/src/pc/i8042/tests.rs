use super::*;

fn cmd(kbc: &mut I8042, c: u8) {
    kbc.write(STATUS, 1, u64::from(c)).unwrap();
}

fn put(kbc: &mut I8042, v: u8) {
    kbc.write(DATA, 1, u64::from(v)).unwrap();
}

fn status(kbc: &mut I8042) -> u8 {
    kbc.read(STATUS, 1).unwrap() as u8
}

/// Every byte waiting, as a driver reads them (checking OBF first).
fn drain(kbc: &mut I8042) -> Vec<u8> {
    let mut v = Vec::new();
    while status(kbc) & STATUS_OBF != 0 {
        v.push(kbc.read(DATA, 1).unwrap() as u8);
    }
    v
}

#[test]
fn self_test_answers_0x55_and_sets_the_system_flag() {
    let mut kbc = I8042::new();
    assert_eq!(status(&mut kbc), STATUS_INH);
    cmd(&mut kbc, CMD_SELF_TEST);
    let s = status(&mut kbc);
    assert_eq!(s, STATUS_INH | STATUS_CMD | STATUS_SYS | STATUS_OBF);
    assert_eq!(s & STATUS_IBF, 0);
    assert_eq!(drain(&mut kbc), [0x55]);
    cmd(&mut kbc, CMD_KBD_TEST);
    assert_eq!(drain(&mut kbc), [0x00]);
    assert_eq!(
        kbc.read(DATA, 1),
        Ok(0x00),
        "an empty buffer reads its last byte"
    );
}

#[test]
fn command_byte_round_trip() {
    let mut kbc = I8042::new();
    cmd(&mut kbc, CMD_READ_CCB);
    assert_eq!(drain(&mut kbc), [0x61]);
    cmd(&mut kbc, CMD_WRITE_CCB);
    put(&mut kbc, 0x47);
    assert_eq!(status(&mut kbc) & (STATUS_CMD | STATUS_SYS), STATUS_SYS);
    cmd(&mut kbc, CMD_READ_CCB);
    assert_eq!(drain(&mut kbc), [0x47]);
    cmd(&mut kbc, CMD_KBD_DISABLE);
    cmd(&mut kbc, CMD_AUX_DISABLE);
    assert_eq!(kbc.command_byte(), 0x47 | CCB_KBD_DIS | CCB_AUX_DIS);
    cmd(&mut kbc, CMD_KBD_ENABLE);
    cmd(&mut kbc, CMD_AUX_ENABLE);
    cmd(&mut kbc, CMD_READ_CCB);
    assert_eq!(drain(&mut kbc), [0x47]);
}

#[test]
fn pulsing_output_line_0_requests_a_reset() {
    let mut kbc = I8042::new();
    assert!(!kbc.take_reset_request());
    // Linux's BOOT_KBD: wait for IBF clear, then 0xFE to 0x64.
    assert_eq!(status(&mut kbc) & STATUS_IBF, 0);
    cmd(&mut kbc, CMD_PULSE_RESET);
    assert!(kbc.take_reset_request());
    assert!(!kbc.take_reset_request(), "taken once");
    cmd(&mut kbc, 0xFF); // pulses nothing
    cmd(&mut kbc, 0xFD); // line 1 only
    assert!(!kbc.take_reset_request());
    cmd(&mut kbc, 0xF0); // all four lines
    assert!(kbc.take_reset_request());
}

#[test]
fn writing_the_output_port_with_bit_0_clear_requests_a_reset() {
    let mut kbc = I8042::new();
    cmd(&mut kbc, CMD_READ_OUTPUT);
    assert_eq!(drain(&mut kbc), [0xCF]);
    cmd(&mut kbc, CMD_WRITE_OUTPUT);
    put(&mut kbc, 0xDD); // A20 off, not a reset
    assert!(!kbc.take_reset_request());
    assert!(
        drain(&mut kbc).is_empty(),
        "the data byte is not a keyboard command"
    );
    cmd(&mut kbc, CMD_WRITE_OUTPUT);
    put(&mut kbc, 0xDE);
    assert!(kbc.take_reset_request());
    cmd(&mut kbc, CMD_READ_OUTPUT);
    assert_eq!(drain(&mut kbc), [0xDE]);
}

#[test]
fn keyboard_commands_answer_in_order() {
    let mut kbc = I8042::new();
    put(&mut kbc, 0xFF);
    assert_eq!(status(&mut kbc) & STATUS_CMD, 0);
    assert_eq!(drain(&mut kbc), [KBD_ACK, KBD_BAT_OK]);
    put(&mut kbc, 0xF2);
    assert_eq!(drain(&mut kbc), [KBD_ACK, 0xAB, 0x83]);
    put(&mut kbc, 0xEE);
    assert_eq!(drain(&mut kbc), [0xEE]);
    put(&mut kbc, 0xF4);
    assert_eq!(drain(&mut kbc), [KBD_ACK]);
    // Set LEDs: the parameter is acknowledged, not taken as a command.
    put(&mut kbc, 0xED);
    put(&mut kbc, 0xF2);
    assert_eq!(drain(&mut kbc), [KBD_ACK, KBD_ACK]);
    // Get, set and get the scan-code set.
    for v in [0xF0, 0x00, 0xF0, 0x03, 0xF0, 0x00] {
        put(&mut kbc, v);
    }
    assert_eq!(
        drain(&mut kbc),
        [KBD_ACK, KBD_ACK, 2, KBD_ACK, KBD_ACK, KBD_ACK, KBD_ACK, 3]
    );
    // Nothing goes to the aux device, and nothing comes back.
    for c in [CMD_WRITE_AUX, CMD_WRITE_AUX_OUT] {
        cmd(&mut kbc, c);
        put(&mut kbc, 0xFF);
    }
    assert!(drain(&mut kbc).is_empty());
    cmd(&mut kbc, CMD_AUX_TEST);
    assert_eq!(drain(&mut kbc), [0x02]);
    cmd(&mut kbc, CMD_WRITE_KBD_OUT);
    put(&mut kbc, 0x1C);
    assert_eq!(drain(&mut kbc), [0x1C]);
}

#[test]
fn irq_follows_the_output_buffer_and_the_interrupt_enable() {
    let mut kbc = I8042::new();
    assert!(!kbc.irq_level());
    assert!(kbc.push_scancode(0x1C));
    assert!(kbc.irq_level());
    assert_eq!(kbc.read(DATA, 1), Ok(0x1C));
    assert!(!kbc.irq_level());
    put(&mut kbc, 0xFF);
    assert!(kbc.irq_level());
    kbc.read(DATA, 1).unwrap();
    assert!(kbc.irq_level(), "0xAA still queued");
    kbc.read(DATA, 1).unwrap();
    assert!(!kbc.irq_level());
    // Interrupt disabled: the buffer fills, the line stays down.
    cmd(&mut kbc, CMD_WRITE_CCB);
    put(&mut kbc, 0x60);
    cmd(&mut kbc, CMD_READ_CCB);
    assert!(!kbc.irq_level());
    assert_eq!(drain(&mut kbc), [0x60]);
    // Keyboard disabled: scancodes are dropped; a full queue drops too.
    cmd(&mut kbc, CMD_KBD_DISABLE);
    assert!(!kbc.push_scancode(0x1C));
    cmd(&mut kbc, CMD_KBD_ENABLE);
    let taken = (0..40).filter(|_| kbc.push_scancode(0x9C)).count();
    assert_eq!(taken, 16);
}

#[test]
fn odd_accesses_fault_and_nothing_panics() {
    let mut kbc = I8042::new();
    for off in 1..=3 {
        assert_eq!(kbc.read(off, 1), Err(Fault::Unsupported));
        assert_eq!(kbc.write(off, 1, 0), Err(Fault::Unsupported));
    }
    assert_eq!(kbc.read(DATA, 2), Err(Fault::Unsupported));
    assert_eq!(kbc.write(STATUS, 4, 0xFE), Err(Fault::Unsupported));
    assert_eq!(kbc.read(5, 1), Err(Fault::Unsupported));
    for c in 0..=255u8 {
        for v in [0u8, 0xFF, c] {
            cmd(&mut kbc, c);
            put(&mut kbc, v);
            kbc.read(DATA, 1).unwrap();
            kbc.irq_level();
        }
    }
    let _ = I8042::default().take_reset_request();
}
