//! Settings (`scrubs.toml` and the LSP JSON) and policy-pack parsing on
//! arbitrary text: an error or a value, never a panic; a parsed config
//! always builds a checker or says why not; a parsed pack checks text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scrubs::config::Settings;
use scrubs::engine::Checker;
use scrubs::markup::Format;
use scrubs::packs::Pack;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(s) = Settings::from_toml("fuzz.toml", &text) {
        let _ = Checker::new(s, Vec::new());
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
        if let Ok(s) = Settings::from_json("fuzz", &v) {
            let _ = Checker::new(s, Vec::new());
        }
    }
    if let Ok(p) = Pack::parse("fuzz.toml", &text) {
        if let Ok(c) = Checker::new(Settings::default(), vec![p]) {
            c.check(
                "As a nurse at Mayo Clinic, I care. Mail me at a@mayo.edu.",
                Format::Markdown,
            );
        }
    }
});
