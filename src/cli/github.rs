//! `--format github`: GitHub Actions workflow commands
//! (`::warning file=…,line=…,col=…,endLine=…,endColumn=…,title=RULE::message`),
//! which GitHub shows as annotations on the pull request's diff; then the
//! summary by category (plain lines are ordinary log output).

use std::fmt::Write;

use crate::cli::FileResult;
use crate::engine::Severity;
use crate::position::{Encoding, LineIndex};

/// Escapes a command's message (`%`, CR, LF).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "notice",
    }
}

/// The annotations, one line per finding (1-based lines, UTF-16 columns).
pub fn github(results: &[FileResult]) -> String {
    let mut out = String::new();
    for r in results {
        let idx = LineIndex::new(&r.text);
        for f in &r.findings {
            let s = idx.position(&r.text, f.range.start, Encoding::Utf16);
            let e = idx.position(&r.text, f.range.end, Encoding::Utf16);
            let mut msg = f.message.clone();
            if let Some(c) = f.citations.first() {
                msg.push_str(&format!(
                    "\nPolicy: {}, {}: “{}”",
                    c.institution_name, c.section, c.quote
                ));
            }
            let _ = writeln!(
                out,
                "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                command(f.severity),
                property(r.path.trim_start_matches("./")),
                s.line + 1,
                s.character + 1,
                e.line + 1,
                e.character + 1,
                property(&format!("scrubs {}", f.rule)),
                data(&msg),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(property("a,b:c"), "a%2Cb%3Ac");
    }
}
