//! Picture files of any bytes: metadata reading and stripping never panic, and a stripped file
//! strips to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| scrubs::fuzz_support::pictures::run(data));
