//! The decoder against hand-assembled bytes (checked with `objdump -D -b
//! binary -mi386:x86-64 -Mintel`), in 64-bit and 32-bit code; over
//! random and cut bytes in `random`.

use super::*;

mod random;

/// RAX = 0 .. R15 = 15: byte 0 is the register's number, byte 1 is 0x10
/// more (so AH-BH differ from AL-BL and from SPL-DIL).
const REGS: [u64; 16] = {
    let mut r = [0; 16];
    let mut i = 0;
    while i < 16 {
        r[i] = 0xf0e0_d0c0_b0a0_0000 | ((0x10 + i as u64) << 8) | i as u64;
        i += 1;
    }
    r
};

const fn reg(index: u8) -> Register {
    Register {
        index,
        high_byte: false,
    }
}

const fn high(index: u8) -> Register {
    Register {
        index,
        high_byte: true,
    }
}

fn store(len: usize, width: u8, value: u64) -> Decoded {
    Decoded {
        len,
        width,
        kind: Kind::Store { value },
    }
}

fn load(len: usize, width: u8, reg: Register, extend: Extend, dest_width: u8) -> Decoded {
    Decoded {
        len,
        width,
        kind: Kind::Load(Load {
            reg,
            extend,
            dest_width,
        }),
    }
}

fn in_64(bytes: &[u8]) -> Result<Decoded, Unsupported> {
    decode(bytes, Mode::Long, &REGS)
}

fn in_32(bytes: &[u8]) -> Result<Decoded, Unsupported> {
    decode(bytes, Mode::Protected32, &REGS)
}

#[test]
fn stores_of_a_register_in_64_bit_code() {
    // mov dword [rbx+0x10], eax
    assert_eq!(in_64(&[0x89, 0x43, 0x10]), Ok(store(3, 4, 0xb0a0_1000)));
    // mov qword [rbx+0x10], rax
    let rax = REGS[0];
    assert_eq!(in_64(&[0x48, 0x89, 0x43, 0x10]), Ok(store(4, 8, rax)));
    // mov word [rbx+0x10], ax
    assert_eq!(in_64(&[0x66, 0x89, 0x43, 0x10]), Ok(store(4, 2, 0x1000)));
    // mov qword [rbx], rax (REX.W wins over 66)
    assert_eq!(in_64(&[0x66, 0x48, 0x89, 0x03]), Ok(store(4, 8, rax)));
    // mov byte [rbx+0x10], ah
    assert_eq!(in_64(&[0x88, 0x63, 0x10]), Ok(store(3, 1, 0x10)));
    // mov byte [rbx+0x10], spl
    assert_eq!(in_64(&[0x40, 0x88, 0x63, 0x10]), Ok(store(4, 1, 4)));
    // mov byte [rbx+0x10], r12b
    assert_eq!(in_64(&[0x44, 0x88, 0x63, 0x10]), Ok(store(4, 1, 12)));
    // mov qword [rbx+0x10], r9
    let r9 = REGS[9];
    assert_eq!(in_64(&[0x4c, 0x89, 0x4b, 0x10]), Ok(store(4, 8, r9)));
}

#[test]
fn loads_in_64_bit_code() {
    // mov eax, [rip+0x12345678]
    let rip = [0x8b, 0x05, 0x78, 0x56, 0x34, 0x12];
    assert_eq!(in_64(&rip), Ok(load(6, 4, reg(0), Extend::None, 4)));
    // mov r8, [rip+0x12345678]
    let rip = [0x4c, 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12];
    assert_eq!(in_64(&rip), Ok(load(7, 8, reg(8), Extend::None, 8)));
    // mov ah, [rax+1]
    let ah = load(3, 1, high(0), Extend::None, 1);
    assert_eq!(in_64(&[0x8a, 0x60, 0x01]), Ok(ah));
    // mov bh, [rsp] (SIB, no displacement)
    let bh = load(3, 1, high(3), Extend::None, 1);
    assert_eq!(in_64(&[0x8a, 0x3c, 0x24]), Ok(bh));
    // mov dil, [r12]
    let dil = load(4, 1, reg(7), Extend::None, 1);
    assert_eq!(in_64(&[0x41, 0x8a, 0x3c, 0x24]), Ok(dil));
    // mov eax, [0xfffffffffee00000] (SIB with no base: disp32)
    let abs = [0x8b, 0x04, 0x25, 0x00, 0x00, 0xe0, 0xfe];
    assert_eq!(in_64(&abs), Ok(load(7, 4, reg(0), Extend::None, 4)));
    // mov ax, [rbx]
    let ax = load(3, 2, reg(0), Extend::None, 2);
    assert_eq!(in_64(&[0x66, 0x8b, 0x03]), Ok(ax));
}

#[test]
fn immediates() {
    // mov byte [rax], 0xff
    assert_eq!(in_64(&[0xc6, 0x00, 0xff]), Ok(store(3, 1, 0xff)));
    // mov dword [rax+0x100], 0x12345678
    let b = [0xc7, 0x80, 0x00, 0x01, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12];
    assert_eq!(in_64(&b), Ok(store(10, 4, 0x1234_5678)));
    // mov qword [rax+8], -1 (imm32 sign-extended)
    let b = [0x48, 0xc7, 0x40, 0x08, 0xff, 0xff, 0xff, 0xff];
    assert_eq!(in_64(&b), Ok(store(8, 8, u64::MAX)));
    // mov qword [rax], 0x7fffffff (positive: no extension)
    let b = [0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f];
    assert_eq!(in_64(&b), Ok(store(7, 8, 0x7fff_ffff)));
    // mov word [rax], 0x1234
    assert_eq!(
        in_64(&[0x66, 0xc7, 0x00, 0x34, 0x12]),
        Ok(store(5, 2, 0x1234))
    );
    // xabort 0 (C6 /7), xbegin (C7 /7)
    assert_eq!(
        in_64(&[0xc6, 0xf8, 0x00]),
        Err(Unsupported::Extension(0xf8))
    );
    let xbegin = [0xc7, 0xf8, 0, 0, 0, 0];
    assert_eq!(in_64(&xbegin), Err(Unsupported::Extension(0xf8)));
}

#[test]
fn zero_and_sign_extension() {
    // movzx eax, byte [rax]
    let b = load(3, 1, reg(0), Extend::Zero, 4);
    assert_eq!(in_64(&[0x0f, 0xb6, 0x00]), Ok(b));
    // movzx rax, word [rax]
    let w = load(4, 2, reg(0), Extend::Zero, 8);
    assert_eq!(in_64(&[0x48, 0x0f, 0xb7, 0x00]), Ok(w));
    // movsx eax, byte [rsp+1]
    let sb = load(5, 1, reg(0), Extend::Sign, 4);
    assert_eq!(in_64(&[0x0f, 0xbe, 0x44, 0x24, 0x01]), Ok(sb));
    // movsx ecx, word [rcx*4+0x1000]
    let sib = [0x0f, 0xbf, 0x0c, 0x8d, 0x00, 0x10, 0x00, 0x00];
    assert_eq!(in_64(&sib), Ok(load(8, 2, reg(1), Extend::Sign, 4)));
    // movsx rax, byte [rbx]
    let sq = load(4, 1, reg(0), Extend::Sign, 8);
    assert_eq!(in_64(&[0x48, 0x0f, 0xbe, 0x03]), Ok(sq));

    let old = 0x1111_2222_3333_4444;
    assert_eq!(b.result_of(old, 0xff), 0xff);
    assert_eq!(w.result_of(old, 0xdead_8001), 0x8001);
    assert_eq!(sb.result_of(old, 0x80), 0xffff_ff80);
    assert_eq!(sq.result_of(old, 0x80), 0xffff_ffff_ffff_ff80);
    assert_eq!(sq.result_of(old, 0x7f), 0x7f);
}

impl Decoded {
    /// The destination after a load of `loaded`.
    fn result_of(&self, old: u64, loaded: u64) -> u64 {
        match self.kind {
            Kind::Load(l) => l.result(self.width, old, loaded),
            Kind::Store { .. } => panic!("a store"),
        }
    }
}

#[test]
fn loads_write_their_register_as_the_sdm_says() {
    let old = 0x1111_2222_3333_4444;
    let eax = load(3, 4, reg(0), Extend::None, 4);
    assert_eq!(eax.result_of(old, 0xffff_ffff_8765_4321), 0x8765_4321);
    let rax = load(3, 8, reg(0), Extend::None, 8);
    assert_eq!(rax.result_of(old, u64::MAX), u64::MAX);
    let ax = load(3, 2, reg(0), Extend::None, 2);
    assert_eq!(ax.result_of(old, 0xabcd_beef), 0x1111_2222_3333_beef);
    let al = load(3, 1, reg(0), Extend::None, 1);
    assert_eq!(al.result_of(old, 0x1ee), 0x1111_2222_3333_44ee);
    let ah = load(3, 1, high(0), Extend::None, 1);
    assert_eq!(ah.result_of(old, 0x1ee), 0x1111_2222_3333_ee44);
    // movzx ax, byte: a 16-bit destination still merges.
    let zx = load(4, 1, reg(0), Extend::Zero, 2);
    assert_eq!(in_64(&[0x66, 0x0f, 0xb6, 0x00]), Ok(zx));
    assert_eq!(zx.result_of(old, 0xff), 0x1111_2222_3333_00ff);
}

#[test]
fn moffs_forms() {
    // mov eax, [0xfee00000] (movabs: 8-byte offset)
    let b = [0xa1, 0x00, 0x00, 0xe0, 0xfe, 0, 0, 0, 0];
    assert_eq!(in_64(&b), Ok(load(9, 4, reg(0), Extend::None, 4)));
    // mov eax, [dword 0xfee00000] (67: 4-byte offset)
    let b = [0x67, 0xa1, 0x00, 0x00, 0xe0, 0xfe];
    assert_eq!(in_64(&b), Ok(load(6, 4, reg(0), Extend::None, 4)));
    // mov [0xfee00008], al
    let b = [0xa2, 0x08, 0x00, 0xe0, 0xfe, 0, 0, 0, 0];
    assert_eq!(in_64(&b), Ok(store(9, 1, 0)));
    // mov [0xfee00008], rax
    let b = [0x48, 0xa3, 0x08, 0x00, 0xe0, 0xfe, 0, 0, 0, 0];
    assert_eq!(in_64(&b), Ok(store(10, 8, REGS[0])));
    // 32-bit: mov eax, [0xfee00000]; mov [0xfee00008], ax; mov eax, [0x1000] (67)
    let b = [0xa1, 0x00, 0x00, 0xe0, 0xfe];
    assert_eq!(in_32(&b), Ok(load(5, 4, reg(0), Extend::None, 4)));
    let b = [0x66, 0xa3, 0x08, 0x00, 0xe0, 0xfe];
    assert_eq!(in_32(&b), Ok(store(6, 2, 0x1000)));
    let b = [0x67, 0xa1, 0x00, 0x10];
    assert_eq!(in_32(&b), Ok(load(4, 4, reg(0), Extend::None, 4)));
}

#[test]
fn prefixes() {
    // mov [fs:rbx], eax; mov [ebx], eax (67 in 64-bit code)
    assert_eq!(in_64(&[0x64, 0x89, 0x03]), Ok(store(3, 4, 0xb0a0_1000)));
    assert_eq!(in_64(&[0x67, 0x89, 0x03]), Ok(store(3, 4, 0xb0a0_1000)));
    // cs ds rex mov eax, [rbx]
    let b = [0x2e, 0x3e, 0x40, 0x8b, 0x03];
    assert_eq!(in_64(&b), Ok(load(5, 4, reg(0), Extend::None, 4)));
    // rex cs mov [rbx], ah: a REX not right before the opcode is ignored.
    assert_eq!(in_64(&[0x40, 0x2e, 0x88, 0x23]), Ok(store(4, 1, 0x10)));
    // rex.w 66 mov [rbx], ax: likewise (REX.W dropped, 66 counts).
    assert_eq!(in_64(&[0x48, 0x66, 0x89, 0x03]), Ok(store(4, 2, 0x1000)));
    // lock mov [rbx], eax; rep movsb; mov [rbx], ecx behind rep
    assert_eq!(in_64(&[0xf0, 0x89, 0x03]), Err(Unsupported::Lock));
    assert_eq!(in_64(&[0xf3, 0xa4]), Err(Unsupported::Repeat));
    assert_eq!(in_32(&[0x2e, 0xf2, 0x89, 0x0b]), Err(Unsupported::Repeat));
    // 14 segment prefixes and a 2-byte mov are 16 bytes.
    let mut long = [0x3e; 16];
    long[14..].copy_from_slice(&[0x89, 0x03]);
    assert_eq!(in_64(&long), Err(Unsupported::TooLong));
    assert_eq!(in_64(&long[1..]), Ok(store(15, 4, 0xb0a0_1000)));
}

#[test]
fn refused_forms() {
    // mov eax, ebx (mod 11)
    assert_eq!(in_64(&[0x8b, 0xc3]), Err(Unsupported::RegisterOperand));
    // add [rbx], eax; 0f 10 (movups); inc eax in 32-bit code
    assert_eq!(in_64(&[0x01, 0x03]), Err(Unsupported::Opcode(0x01)));
    assert_eq!(in_64(&[0x0f, 0x10, 0x03]), Err(Unsupported::Opcode0F(0x10)));
    assert_eq!(in_32(&[0x40, 0x89, 0x03]), Err(Unsupported::Opcode(0x40)));
    assert_eq!(in_64(&[]), Err(Unsupported::Truncated));
    assert!(!Unsupported::Lock.reason().is_empty());
}

#[test]
fn thirty_two_bit_code() {
    let eax = REGS[0] & 0xffff_ffff;
    // mov [ebx+0x10], eax; mov [ebx+0x10], ax; mov [ebx+0x10], ah
    assert_eq!(in_32(&[0x89, 0x43, 0x10]), Ok(store(3, 4, eax)));
    assert_eq!(in_32(&[0x66, 0x89, 0x43, 0x10]), Ok(store(4, 2, 0x1000)));
    assert_eq!(in_32(&[0x88, 0x63, 0x10]), Ok(store(3, 1, 0x10)));
    // mov eax, [0xfee00000]: mod 00 rm 101 is an absolute disp32 here.
    let b = [0x8b, 0x05, 0x00, 0x00, 0xe0, 0xfe];
    assert_eq!(in_32(&b), Ok(load(6, 4, reg(0), Extend::None, 4)));
    // mov bh, [esp+4]
    let b = [0x8a, 0x7c, 0x24, 0x04];
    assert_eq!(in_32(&b), Ok(load(4, 1, high(3), Extend::None, 1)));
    // mov byte [0xfee01000], 1; mov dword [ebx+0x10], 0x12345678
    let b = [0xc6, 0x05, 0x00, 0x10, 0xe0, 0xfe, 0x01];
    assert_eq!(in_32(&b), Ok(store(7, 1, 1)));
    let b = [0xc7, 0x43, 0x10, 0x78, 0x56, 0x34, 0x12];
    assert_eq!(in_32(&b), Ok(store(7, 4, 0x1234_5678)));
    // mov word [ebx], 0x1234
    assert_eq!(
        in_32(&[0x66, 0xc7, 0x03, 0x34, 0x12]),
        Ok(store(5, 2, 0x1234))
    );
    // movzx eax, byte [ebx]; movsx eax, word [ebx+ecx*4+0x100]
    let zx = load(3, 1, reg(0), Extend::Zero, 4);
    assert_eq!(in_32(&[0x0f, 0xb6, 0x03]), Ok(zx));
    let b = [0x0f, 0xbf, 0x84, 0x8b, 0x00, 0x01, 0x00, 0x00];
    assert_eq!(in_32(&b), Ok(load(8, 2, reg(0), Extend::Sign, 4)));
    // 16-bit addressing (67): [bx], [0x1000], [bx+2], [bx+0x100]
    let l = |len| Ok(load(len, 4, reg(0), Extend::None, 4));
    assert_eq!(in_32(&[0x67, 0x8b, 0x07]), l(3));
    assert_eq!(in_32(&[0x67, 0x8b, 0x06, 0x00, 0x10]), l(5));
    assert_eq!(in_32(&[0x67, 0x8b, 0x47, 0x02]), l(4));
    assert_eq!(in_32(&[0x67, 0x8b, 0x87, 0x00, 0x01]), l(5));
}
