//! Plain text: every paragraph (lines up to a blank line) is prose.

use super::{Block, BlockKind, Markup};

pub(super) fn extract(text: &str) -> Markup {
    let mut markup = Markup::default();
    let mut para: Option<(usize, usize)> = None;
    let mut pos = 0;
    for line in text.split_inclusive(['\n']) {
        let content = line.trim_end_matches(['\n', '\r']);
        // A lone \r inside `line` also ends lines; for paragraphs only blank
        // lines matter, so treat the \n-split lines as they are.
        if content.trim().is_empty() {
            if let Some((s, e)) = para.take() {
                push(&mut markup, text, s, e);
            }
        } else {
            let start = pos + (content.len() - content.trim_start().len());
            let end = pos + content.trim_end().len();
            para = Some(match para {
                Some((s, _)) => (s, end),
                None => (start, end),
            });
        }
        pos += line.len();
    }
    if let Some((s, e)) = para {
        push(&mut markup, text, s, e);
    }
    markup
}

fn push(markup: &mut Markup, text: &str, start: usize, end: usize) {
    let mut block = Block::new(BlockKind::Paragraph, false);
    block.push_verbatim(start..end, &text[start..end]);
    markup.blocks.push(block);
}
