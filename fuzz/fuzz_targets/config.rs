//! Settings (`scrubs.toml` and the LSP JSON) and policy-pack parsing on
//! arbitrary text: an error or a value, never a panic; a parsed config
//! always builds a checker or says why not; a parsed pack checks text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| scrubs::fuzz_support::config::run(data));
