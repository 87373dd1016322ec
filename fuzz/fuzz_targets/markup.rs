//! Markup extraction on arbitrary bytes taken as UTF-8 (lossily): never a
//! panic, and every block, link, image and comment maps into the source on
//! character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scrubs::markup::{extract, Format};

fn inside(text: &str, r: &std::ops::Range<usize>) {
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
    let text = String::from_utf8_lossy(data);
    for format in [Format::Markdown, Format::PlainText] {
        let m = extract(&text, format);
        for b in &m.blocks {
            inside(&text, &b.span());
            for (i, _) in b
                .text
                .char_indices()
                .chain(std::iter::once((b.text.len(), ' ')))
            {
                let s = b.source_offset(i, false);
                let e = b.source_offset(i, true);
                assert!(s <= text.len() && e <= text.len());
                assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
            }
            inside(&text, &b.source_range(0..b.text.len()));
        }
        for l in &m.links {
            inside(&text, &l.range);
            if let Some(d) = &l.dest_range {
                inside(&text, d);
            }
        }
        for i in &m.images {
            inside(&text, &i.range);
            if let Some(d) = &i.dest_range {
                inside(&text, d);
            }
        }
        for c in m.comments.iter().chain(m.front_matter.iter()) {
            inside(&text, c);
        }
        for (h, _, _) in &m.headings {
            inside(&text, h);
        }
        if let Some(t) = m.trailing_definitions {
            assert!(t <= text.len() && text.is_char_boundary(t));
        }
    }
});
