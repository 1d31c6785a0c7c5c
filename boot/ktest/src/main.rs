//! `ktest`: kernel tests run as host processes.
#![no_std]
#![no_main]

use ulib::println;

#[unsafe(no_mangle)]
fn main(args: &[&str]) -> usize {
    println!("ktest: hello from a host process, args {:?}", args);
    0
}
