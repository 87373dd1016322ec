//! Findings → LSP: diagnostics, hover text, code actions. The only place
//! besides `lsp/mod.rs` that knows LSP types; positions come from
//! [`crate::position`].

use std::collections::HashMap;

use serde_json::json;
use tower_lsp::lsp_types::{
    CodeAction, CodeActionKind, Diagnostic, DiagnosticSeverity, NumberOrString, Position, Range,
    TextEdit, Url, WorkspaceEdit,
};

use ropey::Rope;

use crate::engine::{Finding, Fix, Severity};
use crate::position::{rope_pos_to_char, rope_position, Encoding, LineIndex, Pos};

/// Where a [`Conv`] finds lines: a text with its line index (built once,
/// for converting many ranges), or a rope (nothing built: O(log n) a
/// position, for a few).
enum Lines<'a> {
    Text(&'a str, LineIndex),
    Rope(&'a Rope),
}

/// Converts byte ranges of one text snapshot.
pub struct Conv<'a> {
    lines: Lines<'a>,
    pub enc: Encoding,
}

impl<'a> Conv<'a> {
    pub fn new(text: &'a str, enc: Encoding) -> Self {
        Conv {
            lines: Lines::Text(text, LineIndex::new(text)),
            enc,
        }
    }

    pub fn of_rope(rope: &'a Rope, enc: Encoding) -> Self {
        Conv {
            lines: Lines::Rope(rope),
            enc,
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        let p = match &self.lines {
            Lines::Text(text, index) => index.position(text, offset, self.enc),
            Lines::Rope(rope) => rope_position(rope, offset, self.enc),
        };
        Position::new(p.line, p.character)
    }

    pub fn range(&self, r: &std::ops::Range<usize>) -> Range {
        Range::new(self.position(r.start), self.position(r.end))
    }

    /// The byte offset of an LSP position (clamped).
    pub fn offset(&self, p: Position) -> usize {
        let p = Pos {
            line: p.line,
            character: p.character,
        };
        match &self.lines {
            Lines::Text(text, index) => index.offset(text, p, self.enc),
            Lines::Rope(rope) => rope.char_to_byte(rope_pos_to_char(rope, p, self.enc)),
        }
    }
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

fn text_edits(conv: &Conv, fix: &Fix) -> Vec<TextEdit> {
    fix.edits
        .iter()
        .map(|e| TextEdit {
            range: conv.range(&e.range),
            new_text: e.new_text.clone(),
        })
        .collect()
}

/// A finding as a diagnostic: `code` is the rule id, `source` "scrubs", and
/// `data` the rule and the document version. The fixes are not in it: code
/// actions are computed on the server from its own findings, and a 1 MB
/// draft's ~1,500 diagnostics would carry several hundred KB of edits on
/// every keystroke that no client reads.
pub fn diagnostic(conv: &Conv, f: &Finding, version: i32) -> Diagnostic {
    Diagnostic {
        range: conv.range(&f.range),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.rule.clone())),
        code_description: None,
        source: Some("scrubs".into()),
        message: f.message.clone(),
        related_information: None,
        tags: None,
        data: Some(json!({"rule": f.rule, "version": version})),
    }
}

/// Hover Markdown for the findings at a position.
pub fn hover_markdown(findings: &[&Finding]) -> String {
    let mut out = String::new();
    for (i, f) in findings.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n---\n\n");
        }
        let meta = crate::rules::find(&f.rule).map(|r| r.meta());
        out.push_str(&format!("**{}** · `{}`\n\n", f.message, f.rule));
        if let Some(j) = &f.judged {
            out.push_str(&format!(
                "*Judged by scrubs's sentence model, not matched by a phrase rule:* {}. \
                 Read the passage again with the policy below in mind; if it is fine, \
                 \"Ignore {} here\" keeps it quiet.\n\n",
                j.describe(),
                f.rule
            ));
        }
        if let Some(m) = meta {
            out.push_str(m.why);
            out.push_str("\n\n");
        }
        for c in &f.citations {
            for line in c.quote.lines() {
                out.push_str("> ");
                out.push_str(line);
                out.push('\n');
            }
            let source = match &c.url {
                Some(u) => format!("[{}]({u})", c.source),
                None => c.source.clone(),
            };
            out.push_str(&format!(
                "\n— {}, {} ({}), *{}*\n\n",
                c.institution_name, c.section, c.guideline, source
            ));
        }
    }
    out.trim_end().to_string()
}

/// One quick-fix code action per fix of `f`.
pub fn quick_fixes(conv: &Conv, uri: &Url, f: &Finding, version: i32) -> Vec<CodeAction> {
    let diag = diagnostic(conv, f, version);
    f.fixes
        .iter()
        .map(|fix| CodeAction {
            title: fix.title.clone(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diag.clone()]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), text_edits(conv, fix))])),
                document_changes: None,
                change_annotations: None,
            }),
            command: None,
            is_preferred: Some(fix.preferred),
            disabled: None,
            data: None,
        })
        .collect()
}

/// The command that strips a picture's metadata (`workspace/executeCommand`).
pub const STRIP_IMAGE_METADATA: &str = "scrubs.stripImageMetadata";

/// "Strip the picture's metadata": a code action that runs [`STRIP_IMAGE_METADATA`] on the
/// picture file `path` a `media/image-metadata` finding of `uri` is about. The writer runs it
/// on purpose; nothing strips a picture by itself.
pub fn strip_action(conv: &Conv, uri: &Url, f: &Finding, version: i32, path: &str) -> CodeAction {
    let name = std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string());
    let title = format!("Strip the metadata from {name} (the original is kept as a .orig copy)");
    CodeAction {
        title: title.clone(),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic(conv, f, version)]),
        edit: None,
        command: Some(tower_lsp::lsp_types::Command {
            title,
            command: STRIP_IMAGE_METADATA.into(),
            arguments: Some(vec![serde_json::json!({"uri": uri, "path": path})]),
        }),
        is_preferred: Some(true),
        disabled: None,
        data: None,
    }
}

/// The kind of the fix-all action.
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.scrubs")
}

/// `source.fixAll.scrubs`: one safe fix per finding, without overlaps
/// ([`crate::engine::fixall::safe_edits`]: the same choice as `--fix`).
pub fn fix_all(conv: &Conv, uri: &Url, findings: &[Finding]) -> Option<CodeAction> {
    let edits = crate::engine::fixall::safe_edits(findings);
    if edits.is_empty() {
        return None;
    }
    let text_edits = edits
        .iter()
        .map(|e| TextEdit {
            range: conv.range(&e.range),
            new_text: e.new_text.clone(),
        })
        .collect();
    Some(CodeAction {
        title: "Fix all safe scrubs findings".into(),
        kind: Some(fix_all_kind()),
        diagnostics: None,
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), text_edits)])),
            document_changes: None,
            change_annotations: None,
        }),
        command: None,
        is_preferred: None,
        disabled: None,
        data: None,
    })
}

/// "Ignore RULE here": inserts the suppression comment (Markdown) or line
/// (plain text) computed by [`crate::engine::suppress::ignore_edit`].
pub fn ignore_action(
    conv: &Conv,
    uri: &Url,
    f: &Finding,
    version: i32,
    edit: &crate::engine::Edit,
) -> CodeAction {
    CodeAction {
        title: format!("Ignore {} here", f.rule),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic(conv, f, version)]),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(
                uri.clone(),
                vec![TextEdit {
                    range: conv.range(&edit.range),
                    new_text: edit.new_text.clone(),
                }],
            )])),
            document_changes: None,
            change_annotations: None,
        }),
        command: None,
        is_preferred: Some(false),
        disabled: None,
        data: None,
    }
}

/// "Turn off RULE in scrubs.toml": an edit to the workspace's config file.
/// `existing` is the file's text when it exists; when it does not, the file
/// is created with a resource operation if the client supports them
/// (`create`), else by a text edit on the new file's URI.
pub fn turn_off_action(
    config_uri: &Url,
    existing: Option<&str>,
    rule: &str,
    enc: Encoding,
    create: bool,
) -> Option<CodeAction> {
    use tower_lsp::lsp_types::{
        CreateFile, CreateFileOptions, DocumentChangeOperation, DocumentChanges,
        OptionalVersionedTextDocumentIdentifier, ResourceOp, TextDocumentEdit,
    };
    let text = existing.unwrap_or("");
    let (range, new_text) = crate::config::turn_off_edit(text, rule)?;
    let conv = Conv::new(text, enc);
    let edit = TextEdit {
        range: conv.range(&range),
        new_text,
    };
    let workspace_edit = if existing.is_none() && create {
        WorkspaceEdit {
            changes: None,
            document_changes: Some(DocumentChanges::Operations(vec![
                DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                    uri: config_uri.clone(),
                    options: Some(CreateFileOptions {
                        overwrite: Some(false),
                        ignore_if_exists: Some(true),
                    }),
                    annotation_id: None,
                })),
                DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier {
                        uri: config_uri.clone(),
                        version: None,
                    },
                    edits: vec![tower_lsp::lsp_types::OneOf::Left(edit)],
                }),
            ])),
            change_annotations: None,
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(config_uri.clone(), vec![edit])])),
            document_changes: None,
            change_annotations: None,
        }
    };
    Some(CodeAction {
        title: format!("Turn off {rule} in scrubs.toml"),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: None,
        edit: Some(workspace_edit),
        command: None,
        is_preferred: Some(false),
        disabled: None,
        data: None,
    })
}
