//! The `bounded` target: any bytes through the bounded line readers (`bounded_check.rs`
//! says what is checked).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "bounded_check.rs"]
mod bounded_check;

fuzz_target!(|data: &[u8]| bounded_check::check(data));
