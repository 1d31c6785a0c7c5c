//! The exit path's pure half against a mock backend: exits "decoded" by
//! the mock, turned into records for `qvm`, and completed or injected
//! without hardware.

use super::*;
use arch::BadRegisters;

/// A guest CPU with a PC, a few registers and a log of what the backend
/// did to it.
#[derive(Clone, Default, Debug)]
struct MockFrame {
    pc: u64,
    regs: [u64; 8],
    log: Vec<&'static str>,
}

/// The mock's vCPU state: the next exit its "hardware" reports and the
/// length of the instruction that exited.
struct MockState {
    next: GuestExit,
    len: u64,
}

struct Mock;

impl Virtualization for Mock {
    type Frame = MockFrame;
    type VcpuState = MockState;
    type Regs = [u64; 8];
    const FIRMWARE_CALLS: bool = true;

    fn emulated_irq_chip() -> Option<u64> {
        None
    }

    fn guest_flags_supported(flags: u64) -> bool {
        flags == 0
    }

    fn new_state(_: usize, _: usize, _: u64) -> MockState {
        MockState {
            next: GuestExit::Handled,
            len: 4,
        }
    }

    fn power_on(frame: &mut MockFrame, _: &mut MockState, pc: u64, arg: u64) {
        *frame = MockFrame {
            pc,
            ..Default::default()
        };
        frame.regs[0] = arg;
    }

    fn start_up(_: &mut MockFrame, _: &mut MockState, _: u64) {}

    fn set_regs(
        frame: &mut MockFrame,
        _: &mut MockState,
        regs: &[u64; 8],
    ) -> Result<(), BadRegisters> {
        frame.regs = *regs;
        Ok(())
    }

    fn get_regs(frame: &MockFrame, _: &MockState) -> [u64; 8] {
        frame.regs
    }

    fn pc(frame: &MockFrame) -> u64 {
        frame.pc
    }

    fn decode_exit(frame: &mut MockFrame, state: &mut MockState, _: u64) -> GuestExit {
        if state.next == GuestExit::Halt {
            frame.pc += state.len;
        }
        state.next
    }

    fn exit_detail(state: &MockState) -> [u64; abi::EXIT_ARCH_WORDS] {
        [state.len, 0]
    }

    fn read_reg(frame: &MockFrame, reg: u8) -> u64 {
        frame.regs.get(reg as usize).copied().unwrap_or(0)
    }

    fn complete_load(
        frame: &mut MockFrame,
        state: &mut MockState,
        access: &MmioAccess,
        value: u64,
    ) {
        frame.regs[access.reg as usize] = access.load_result(value);
        frame.pc += state.len;
        frame.log.push("load");
    }

    fn step(frame: &mut MockFrame, state: &mut MockState) {
        frame.pc += state.len;
        frame.log.push("step");
    }

    fn complete_register_read(
        frame: &mut MockFrame,
        state: &mut MockState,
        access: &RegisterAccess,
        value: u64,
    ) {
        frame.regs[access.reg as usize] = value;
        frame.pc += state.len;
        frame.log.push("register");
    }

    fn complete_hypercall(frame: &mut MockFrame, results: [u64; 4]) {
        frame.regs[..4].copy_from_slice(&results);
        frame.log.push("hypercall");
    }

    fn inject_data_abort(frame: &mut MockFrame, _: &mut MockState, write: bool) {
        frame
            .log
            .push(if write { "abort-write" } else { "abort-read" });
    }

    fn inject_undefined(frame: &mut MockFrame, _: &mut MockState) {
        frame.log.push("undefined");
    }

    fn interrupt_window_open(_frame: &MockFrame, _state: &MockState) -> bool {
        false
    }

    fn inject_interrupt(_state: &mut MockState, _vector: u8) {}

    fn want_interrupt_window(_state: &mut MockState, _on: bool) {}

    fn guest_counter_offset(_state: &MockState) -> u64 {
        0
    }

    fn load(_: &mut MockState, _: usize, _: bool) {}
    fn save(_: &mut MockState) {}
    fn host_mode() {}
    fn park(_: &mut MockState) {}
    fn unpark(_: &MockState) {}
    fn guest_timer_deadline() -> Option<u64> {
        None
    }
}

/// A vCPU of the mock at `pc`, nothing logged yet.
fn at(pc: u64) -> (MockFrame, MockState) {
    let frame = MockFrame {
        pc,
        ..Default::default()
    };
    (frame, Mock::new_state(0, 1, 0))
}

fn answer(value: u64, response: u64) -> VcpuExit {
    VcpuExit {
        value,
        response,
        ..Default::default()
    }
}

/// Decodes `exit` through the mock, as the kernel's exit handler would.
fn decoded(frame: &mut MockFrame, state: &mut MockState, exit: GuestExit) -> GuestExit {
    state.next = exit;
    Mock::decode_exit(frame, state, 0)
}

fn load16(reg: u8, sign_extend: bool) -> MmioAccess {
    MmioAccess {
        gpa: 0x0900_0018,
        width: 2,
        write: false,
        value: 0,
        reg,
        sign_extend,
        wide: false,
    }
}

#[test]
fn an_mmio_load_goes_to_qvm_and_completes_into_its_register() {
    let (mut frame, mut state) = at(0x1000);
    let exit = decoded(&mut frame, &mut state, GuestExit::Mmio(load16(3, true)));
    let GuestExit::Mmio(access) = exit else {
        panic!("{exit:?}")
    };
    let (header, mut pending) = mmio(&access);
    let record = header.record(Mock::pc(&frame), Mock::exit_detail(&state));
    assert_eq!(record.kind, ExitKind::Mmio as u64);
    assert_eq!(
        (record.address, record.size, record.write),
        (0x0900_0018, 2, 0)
    );
    assert_eq!((record.pc, record.arch), (0x1000, [4, 0]));
    complete::<Mock>(
        &mut frame,
        &mut state,
        &mut pending,
        &answer(0x1_8000, response::COMPLETE),
    )
    .unwrap();
    assert_eq!(
        frame.regs[3], 0xffff_8000,
        "16 bits, sign-extended into a 32-bit register"
    );
    assert_eq!(frame.pc, 0x1004);
    assert_eq!(pending, Pending::None);
}

#[test]
fn an_mmio_store_carries_its_value_and_is_stepped() {
    let (mut frame, mut state) = at(0);
    let store = MmioAccess {
        write: true,
        value: 0xab,
        ..load16(1, false)
    };
    let (header, mut pending) = mmio(&store);
    assert!(header.write);
    assert_eq!(header.value, 0xab);
    complete::<Mock>(
        &mut frame,
        &mut state,
        &mut pending,
        &answer(0, response::COMPLETE),
    )
    .unwrap();
    assert_eq!((frame.pc, frame.log.as_slice()), (4, &["step"][..]));
}

#[test]
fn injecting_on_an_access_aborts_it_and_leaves_the_pc() {
    let (mut frame, mut state) = at(0);
    let (_, mut pending) = mmio(&load16(0, false));
    complete::<Mock>(
        &mut frame,
        &mut state,
        &mut pending,
        &answer(0, response::INJECT_ABORT),
    )
    .unwrap();
    let (_, mut store) = mmio(&MmioAccess {
        write: true,
        ..load16(0, false)
    });
    complete::<Mock>(
        &mut frame,
        &mut state,
        &mut store,
        &answer(0, response::INJECT_ABORT),
    )
    .unwrap();
    assert_eq!(frame.log, ["abort-read", "abort-write"]);
    assert_eq!(frame.pc, 0);
}

#[test]
fn a_hypercall_returns_qvms_answer_in_its_argument_registers() {
    let (mut frame, mut state) = at(0);
    let call = Hypercall {
        args: [0xc200_0001, 1, 2, 3],
        conduit: 0,
    };
    let (header, mut pending) = hypercall(&call);
    assert_eq!(
        (header.kind, header.args),
        (ExitKind::Hypercall, [0xc200_0001, 1, 2, 3])
    );
    let mut reply = answer(0, response::INJECT_ABORT);
    reply.args = [9, 8, 7, 6];
    complete::<Mock>(&mut frame, &mut state, &mut pending, &reply).unwrap();
    assert_eq!(
        frame.regs[..4],
        [9, 8, 7, 6],
        "a hypercall's answer is taken even with INJECT_ABORT"
    );
}

#[test]
fn a_register_read_gets_the_value_and_a_write_is_stepped() {
    let (mut frame, mut state) = at(0);
    let read = RegisterAccess {
        id: 0x30_c004,
        write: false,
        value: 0,
        reg: 5,
    };
    let (header, mut pending) = register(&read);
    assert_eq!(
        (header.kind, header.address, header.write),
        (ExitKind::Register, 0x30_c004, false)
    );
    complete::<Mock>(
        &mut frame,
        &mut state,
        &mut pending,
        &answer(77, response::COMPLETE),
    )
    .unwrap();
    assert_eq!((frame.regs[5], frame.pc), (77, 4));
    let (_, mut pending) = register(&RegisterAccess {
        write: true,
        value: 1,
        reg: MmioAccess::NO_REGISTER,
        ..read
    });
    complete::<Mock>(
        &mut frame,
        &mut state,
        &mut pending,
        &answer(0, response::COMPLETE),
    )
    .unwrap();
    assert_eq!(frame.log, ["register", "step"]);
    let (_, mut pending) = register(&read);
    complete::<Mock>(
        &mut frame,
        &mut state,
        &mut pending,
        &answer(0, response::INJECT_ABORT),
    )
    .unwrap();
    assert_eq!(frame.log.last(), Some(&"undefined"));
}

#[test]
fn a_stuck_exit_cannot_be_completed_only_injected() {
    let (mut frame, mut state) = at(0);
    let exit = decoded(&mut frame, &mut state, GuestExit::Unhandled(0x42));
    let (header, mut pending) = stuck(&exit).expect("unhandled goes to qvm");
    assert_eq!((header.kind, header.address), (ExitKind::Unhandled, 0x42));
    assert_eq!(
        complete::<Mock>(
            &mut frame,
            &mut state,
            &mut pending,
            &answer(0, response::COMPLETE)
        ),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        pending,
        Pending::Stuck,
        "a refused answer leaves the exit pending"
    );
    complete::<Mock>(
        &mut frame,
        &mut state,
        &mut pending,
        &answer(0, response::INJECT_ABORT),
    )
    .unwrap();
    assert_eq!(
        (frame.log.as_slice(), pending),
        (&["undefined"][..], Pending::None)
    );
    assert!(stuck(&GuestExit::Halt).is_none());
}

#[test]
fn nothing_pending_ignores_the_answer() {
    let (mut frame, mut state) = at(8);
    let exit = decoded(&mut frame, &mut state, GuestExit::Halt);
    assert_eq!(
        (exit, frame.pc),
        (GuestExit::Halt, 12),
        "the mock steps past a wait"
    );
    let mut pending = Pending::None;
    complete::<Mock>(
        &mut frame,
        &mut state,
        &mut pending,
        &answer(5, response::INJECT_ABORT),
    )
    .unwrap();
    assert!(frame.log.is_empty());
}
