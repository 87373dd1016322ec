//! The whole engine on arbitrary text: never a panic; every finding's range
//! lies inside the text on character boundaries; every fix's edits do too,
//! and applying a fix gives a string (valid UTF-8 by construction) that is
//! the text outside the edits unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| scrubs::fuzz_support::engine::run(data));
