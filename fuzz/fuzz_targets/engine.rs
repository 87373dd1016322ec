//! The whole engine on arbitrary text: never a panic; every finding's range
//! lies inside the text on character boundaries; every fix's edits do too,
//! and applying a fix gives a string (valid UTF-8 by construction) that is
//! the text outside the edits unchanged.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use scrubs::config::Settings;
use scrubs::engine::Checker;
use scrubs::markup::Format;

fn checkers() -> &'static [Checker] {
    static C: OnceLock<Vec<Checker>> = OnceLock::new();
    C.get_or_init(|| {
        let mut v = vec![Checker::default_checker()];
        for id in ["mayo", "msk"] {
            let s = Settings::from_toml("fuzz", &format!("institution = \"{id}\"\n")).unwrap();
            v.push(Checker::new(s, Vec::new()).unwrap());
        }
        v
    })
}

fn on_boundaries(text: &str, r: &std::ops::Range<usize>) {
    assert!(
        r.start <= r.end && r.end <= text.len(),
        "{r:?} outside 0..{}",
        text.len()
    );
    assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{r:?} splits a char"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let format = if sel & 1 == 0 {
        Format::Markdown
    } else {
        Format::PlainText
    };
    let checker = &checkers()[(sel as usize >> 1) % checkers().len()];
    for f in checker.check(&text, format) {
        on_boundaries(&text, &f.range);
        for fix in &f.fixes {
            for e in &fix.edits {
                on_boundaries(&text, &e.range);
            }
            let fixed = fix.apply(&text);
            // Text before the first edit is untouched.
            let first = fix
                .edits
                .iter()
                .map(|e| e.range.start)
                .min()
                .unwrap_or(text.len());
            assert!(fixed.starts_with(&text[..first]));
        }
    }
});
