//! Markup extraction on arbitrary bytes taken as UTF-8 (lossily): never a
//! panic, and every block, link, image and comment maps into the source on
//! character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| scrubs::fuzz_support::markup::run(data));
