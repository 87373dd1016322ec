//! Edit sequences applied to the LSP document store (a rope) and to a
//! reference `String` (positions resolved with `position::LineIndex`): the
//! two always hold the same text, whatever the ranges (out of range,
//! reversed, inside a surrogate pair or a CRLF) and the encoding.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| scrubs::fuzz_support::edits::run(data));
