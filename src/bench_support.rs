//! Deterministic generated drafts for the benchmarks (`benches/`) and the
//! LSP round-trip program: realistic Markdown mixing clean prose with the
//! firing examples of every rule in the catalogue, so the documents grow
//! findings of every category as rules are added.
//!
//! Not part of the product; public only so the benchmark targets can use it.

/// Clean prose: what a nurse's blog reads like between the findings.
const PROSE: &[&str] = &[
    "Night shift starts with coffee and a quiet handover at the desk.",
    "The hardest part of the job is not the hours but the waiting.",
    "I learned more about listening this year than in all of school.",
    "Our unit celebrated a colleague's retirement with cake and terrible puns.",
    "Hand hygiene is still the single best thing anyone can do for infection control.",
    "Some days the only win is a warm blanket and five minutes of conversation.",
    "New graduates ask me how to survive the first year; I tell them to sleep and to ask questions.",
    "Charting takes longer than anyone admits in the recruitment videos.",
    "A good preceptor changes the whole shape of a career.",
    "I walked home at sunrise and the city felt brand new.",
    "Compassion fatigue is real, and talking about it helps.",
    "We practised the new code blue drill twice this month.",
    "My favourite study trick is teaching the topic to my cat.",
    "Flu season came early, so get your vaccine if you have not yet.",
    "The break room kettle deserves a medal for its service.",
    "I keep a notebook of small kindnesses I see at work.",
    "Twelve-hour shifts teach you to pack a serious lunch.",
    "Research articles are easier to read once you know where the methods hide.",
];

const WORDS: &[&str] = &[
    "shift",
    "team",
    "coffee",
    "handover",
    "rounds",
    "family",
    "sleep",
    "morning",
    "station",
    "learning",
    "practice",
    "care",
    "quiet",
    "schedule",
    "training",
    "weekend",
    "colleague",
];

/// A tiny deterministic generator (no dependency, same output everywhere).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.next() % xs.len()]
    }
}

/// The firing examples of every rule, in catalogue order.
fn findings() -> Vec<&'static str> {
    crate::rules::all()
        .iter()
        .flat_map(|r| r.meta().fires.iter().copied())
        .collect()
}

/// A Markdown draft of about `size` bytes (at most `size`, cut at a
/// paragraph boundary): front matter, then sections of headings, prose paragraphs, lists,
/// block quotes, tables, code, links and images, with one rule's firing
/// example every few paragraphs. Deterministic in `size`.
pub fn markdown(size: usize) -> String {
    let fires = findings();
    let mut rng = Lcg(0x5eed ^ size as u64);
    let mut out = String::with_capacity(size + 4096);
    out.push_str("---\ntitle: Notes from the night shift\ntags: [nursing, life]\n---\n\n");
    let mut section = 0usize;
    let mut fire = 0usize;
    while out.len() < size {
        section += 1;
        out.push_str(&format!("## Week {section}: {}\n\n", rng.pick(WORDS)));
        for p in 0..4 {
            // A prose paragraph of three to five sentences, on one line.
            let n = 3 + rng.next() % 3;
            let sentences: Vec<&str> = (0..n).map(|_| rng.pick(PROSE)).collect();
            out.push_str(&sentences.join(" "));
            if p == 1 {
                out.push_str(" More on *that* in [my notes](https://example.org/notes).");
            }
            out.push_str("\n\n");
            if !fires.is_empty() && (section + p) % 2 == 0 {
                out.push_str(fires[fire % fires.len()]);
                fire += 1;
                out.push_str("\n\n");
            }
        }
        match section % 4 {
            0 => {
                for _ in 0..3 {
                    out.push_str(&format!("- {} and {}\n", rng.pick(WORDS), rng.pick(WORDS)));
                }
                out.push('\n');
            }
            1 => out.push_str(&format!("> {}\n\n", rng.pick(PROSE))),
            2 => out.push_str(
                "| day | hours |\n|---|---|\n| Monday | 12 |\n| Friday | 8 |\n\n```\nshift_minutes = 720\n```\n\n",
            ),
            _ => out.push_str("![Sunrise over the parking garage](sunrise.jpg)\n\n"),
        }
    }
    if let Some(cut) = out[..size.min(out.len())].rfind("\n\n") {
        out.truncate(cut + 1);
    }
    out
}

/// The line an editing benchmark types at: the first prose line (a
/// paragraph of clean sentences) at or after the middle of `text`.
pub fn edit_line(text: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let mid = lines.len() / 2;
    (mid..lines.len())
        .chain(0..mid)
        .find(|&i| PROSE.iter().any(|p| lines[i].starts_with(p)))
        .unwrap_or(mid)
}

/// `text` with a paragraph the sentence model keeps open, for an editing benchmark to type in:
/// one of the model's documented examples put before the paragraph [`edit_line`] picks, the
/// first whose paragraph then reaches the score from which the engine judges its units
/// (`engine::judgement::opens_at`: the paragraph is judged, then its sentences and windows).
/// The new text and that line. Loads the model.
pub fn with_judged_paragraph(text: &str) -> Option<(String, usize)> {
    let judge = crate::model::judge().ok()?;
    let model = judge.model();
    let line = edit_line(text);
    let lines: Vec<&str> = text.lines().collect();
    let open = |paragraph: &str| {
        let scores = model.score(paragraph);
        model.heads().iter().zip(&scores).any(|(h, &x)| {
            h.enabled && x >= crate::engine::judgement::opens_at(h.threshold, model.block_weight())
        })
    };
    model.heads().iter().find_map(|h| {
        let example = crate::model::examples(&h.name).0.first()?;
        let paragraph = format!("{example} {}", lines.get(line)?);
        open(&paragraph).then(|| {
            let mut out: Vec<&str> = lines.clone();
            out[line] = &paragraph;
            (out.join("\n") + "\n", line)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Checker;
    use crate::markup::Format;

    #[test]
    fn generated_drafts_are_deterministic_sized_and_have_findings_of_every_rule() {
        let a = markdown(10_000);
        assert_eq!(a, markdown(10_000));
        assert!(a.len() > 9_000 && a.len() <= 10_000, "{}", a.len());
        // Findings of most rules (document-level ones may exclude each
        // other: a stated affiliation versus an unstated one).
        let found = Checker::default_checker().check(&markdown(100_000), Format::Markdown);
        let missing: Vec<&str> = crate::rules::all()
            .iter()
            .map(|r| r.meta().id)
            .filter(|id| !found.iter().any(|f| f.rule == *id))
            .collect();
        assert!(
            missing.len() * 4 <= crate::rules::all().len(),
            "{missing:?}"
        );
        let line = a.lines().nth(edit_line(&a)).unwrap();
        assert!(PROSE.iter().any(|p| line.starts_with(p)));
    }
}
