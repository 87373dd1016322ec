//! Institution mentions and the writer's affiliation.
//!
//! A *mention* is an institution's name in the prose ("Mayo Clinic", "MSK").
//! An *affiliation* is a mention the writer ties to themselves: "As a nurse
//! at Mayo Clinic", "I work at MSK", "Mayo Clinic pharmacist here", "RN @
//! UMN Medical Center", "just joined the pharmacy team at MGH". Strong names
//! count as mentions on their own; weak ones ("Mayo", "MSK", "the U") only
//! inside an affiliation phrase, and never when followed by a word that
//! shows another meaning ("MSK pain", "mayo sandwich").
//!
//! The range of an affiliation covers the whole phrase, from its
//! first-person cue to the end of the name, so a finding on it underlines
//! what the writer wrote.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use crate::markup::Markup;
use crate::packs::Pack;

/// An institution's name in the prose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    /// Index into the checker's packs.
    pub pack: usize,
    pub block: usize,
    /// Range in the block's text.
    pub text_range: Range<usize>,
    /// Range in the source.
    pub range: Range<usize>,
    pub strong: bool,
}

/// A phrase that ties the writer to an institution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Affiliation {
    pub pack: usize,
    pub block: usize,
    pub text_range: Range<usize>,
    /// Range in the source: the whole phrase.
    pub range: Range<usize>,
    /// The mention inside it.
    pub mention: Range<usize>,
    /// Shown rather than said: the writer speaks as the institution ("we at MSK", "MGH's
    /// official position") without saying they work there.
    pub implicit: bool,
}

/// Finds institution names, compiled once per set of packs.
pub struct NameMatcher {
    ac: Option<AhoCorasick>,
    /// Per pattern: (pack index, the name as written, strong).
    patterns: Vec<(usize, String, bool)>,
    /// The names as hashtags spell them (lowercase letters and digits, "massgeneral"), longest
    /// first, with their packs: what [`hashtags`] matches a hashtag's start against.
    compact: Vec<(usize, String)>,
}

impl NameMatcher {
    pub fn new(packs: &[Pack]) -> NameMatcher {
        let mut patterns = Vec::new();
        for (i, p) in packs.iter().enumerate() {
            for n in &p.names.strong {
                if !n.trim().is_empty() {
                    patterns.push((i, n.clone(), true));
                }
            }
            for n in &p.names.weak {
                if !n.trim().is_empty() {
                    patterns.push((i, n.clone(), false));
                }
            }
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(patterns.iter().map(|p| p.1.as_str()))
            .ok();
        // Names that start with "the" ("the U") are too short to tell from other words.
        let mut compact: Vec<(usize, String)> = patterns
            .iter()
            .filter(|(_, n, _)| !n.to_ascii_lowercase().starts_with("the "))
            .map(|(i, n, _)| {
                let c: String = n
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                (*i, c)
            })
            .filter(|(_, c)| c.len() >= 3)
            .collect();
        compact.sort_by_key(|(_, c)| std::cmp::Reverse(c.len()));
        NameMatcher {
            ac,
            patterns,
            compact,
        }
    }

    /// Every name match in `text`, overlapping ones included, sorted by
    /// start and then longest first: (pattern index, range). Word-bounded;
    /// letters of all-capital words in a name ("MSK", "the U") must match in
    /// case.
    pub fn find(&self, text: &str) -> Vec<(usize, Range<usize>)> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in ac.find_overlapping_iter(text) {
            let r = m.start()..m.end();
            if !word_bounded(text, &r) {
                continue;
            }
            let name = &self.patterns[m.pattern().as_usize()].1;
            if !caps_match(name, &text[r.clone()]) {
                continue;
            }
            out.push((m.pattern().as_usize(), r));
        }
        out.sort_by_key(|(_, r)| (r.start, std::cmp::Reverse(r.end)));
        out
    }

    pub fn pattern(&self, i: usize) -> &(usize, String, bool) {
        &self.patterns[i]
    }
}

fn word_bounded(text: &str, r: &Range<usize>) -> bool {
    let before = text[..r.start].chars().next_back();
    let after = text[r.end..].chars().next();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    !before.is_some_and(is_word)
        && !after.is_some_and(is_word)
        && !matches!(before, Some('@' | '.' | '/' | '#'))
}

/// Whether every all-capital word of `name` is capital in `found`.
fn caps_match(name: &str, found: &str) -> bool {
    for (wn, wf) in name.split_whitespace().zip(found.split_whitespace()) {
        let letters: Vec<char> = wn.chars().filter(|c| c.is_alphabetic()).collect();
        if !letters.is_empty() && letters.iter().all(|c| c.is_uppercase()) && wn != wf {
            return false;
        }
    }
    true
}

const ROLES: &str = r"(?:nurse[ -]practitioner|physician[ -]assistant|pharmacy[ -]tech(?:nician)?|social[ -]worker|team[ -]member|medical[ -]student|med[ -]student|nursing[ -]student|pharmacy[ -]student|grad(?:uate)?[ -]student|nurse|physician|doctor|surgeon|resident|intern|fellow|attending|hospitalist|intensivist|pharmacist|student|trainee|therapist|technician|tech|technologist|scientist|researcher|professor|faculty(?:[ -]member)?|instructor|lecturer|employee|staffer|staff[ -]member|volunteer|chaplain|dietitian|dietician|paramedic|midwife|anesthesiologist|anaesthetist|radiologist|oncologist|pediatrician|paediatrician|cardiologist|neurologist|psychiatrist|psychologist|counselou?r|educator|manager|director|coordinator|administrator|aide|scribe|sonographer|radiographer|phlebotomist|hygienist|dentist|postdoc|clinician|provider|medic|onc|[a-z]+ologist|[a-z]+iatrist|[a-z]+odontist|[a-z]+ographer|obstetrician|optician|optometrist|internist|perfusionist|dosimetrist|(?-i:RN|NP|MD|DO|PA|PA-C|CNA|LPN|APRN|CRNA|PharmD|DNP|PhD|RRT|CRNP|EMT|BSN|MSN|PT|OT|RT|SLP|MS[1-4]|M[1-4]|PGY-?[1-7]))";

#[derive(Clone)]
struct Cues {
    /// Role + preposition right before the name: "nurse at ".
    role_prep: Regex,
    /// First-person cue + determiner + modifiers, ending where a role or
    /// name starts: "As a ", "I'm an ICU ".
    first_person: Regex,
    /// The start of a line or block with up to three modifier words.
    line_start: Regex,
    /// A role right after the name: " nurse here", " pharmacist".
    role_after: Regex,
    /// " here" after a role.
    here_after: Regex,
    /// Verb phrases: "work at ", "joined the pharmacy team at ".
    verb: Regex,
    /// What may stand before a verb phrase: a first-person subject or a
    /// sentence start.
    subject: Regex,
    /// "my residency at ", "my employer, ".
    noun: Regex,
    /// Speaking as a member: "we at ", "on behalf of ", "speaking for ".
    member: Regex,
    /// "At " opening a sentence…
    stance_before: Regex,
    /// …and "we believe", "we stand", "our stance is" after the name.
    stance_after: Regex,
    /// "'s official position", "'s official statement" after the name.
    official_after: Regex,
    /// "my " or "our " right before the name…
    possessive: Regex,
    /// …and a word of the writer's work right after it: "my MSK colleagues", "our MGH unit".
    work_after: Regex,
    /// A health-care institution's proper name that is none of the packs': capitalised words
    /// ending in "Hospital", "Medical Center", "General"…
    other_institution: Regex,
}

fn cues() -> std::sync::Arc<Cues> {
    static CUES: crate::rules::compiled::Reloadable<Cues> =
        crate::rules::compiled::Reloadable::kept(|| {
            let modifiers = r"(?:[\w/&'’-]+\s+){0,3}";
            let fp = r"(?:as|i['’]?m|i\s+am|i\s+was|i['’]ve\s+been|i\s+have\s+been|i\s+work\s+as|i\s+became|being)";
            let build = crate::rules::regex;
            Cues {
                role_prep: build(&format!(
                    r"(?i)\b(?:one\s+of\s+the\s+{ROLES}s|{ROLES})\s*(?:at|@|with|for|from|in|on)\s+(?:the\s+)?\z|(?i)\b{ROLES}\s+(?:in|on)\s+(?:[\w&/'’-]+\s+){{1,3}}(?:at|@)\s+(?:the\s+)?\z|(?i)\b{ROLES}\s*(?:\||·|•|,|–|—)\s*\z"
                )),
                first_person: build(&format!(
                    r"(?i)\b{fp}\s+(?:(?:now|currently|also|still|just|proudly|a\s+former)\s+)?(?:an?|the|one\s+of\s+the|one\s+of|former)\s+{modifiers}\z"
                )),
                // Also a sign-off: "— Dana, RN, MGH", "~ Sam, PGY-2 @ UMN", after a sentence
                // on the same line ("… before you call. - an MSK oncologist"), or after a
                // closing word ("Sincerely, a U of M peds resident", "source: MS2 at the U").
                line_start: build(&format!(
                    r"(?:(?:\A|[\n|•·])\s*(?:(?:[-*+]\s+)?{modifiers}|(?:[–—~]+|--)\s*(?:[\w'’.-]+,\s+)?{modifiers})|[.!?)]\s+(?:[-–—~]+)\s*(?:[\w'’.-]+,\s+)?{modifiers}|(?i:\b(?:sincerely|signed|regards|cheers|source)\s*[,:]\s+){modifiers})\z"
                )),
                // Group 1: the plural's "s" ("Mayo nurses").
                role_after: build(&format!(
                    r"(?i)\A[\s-]*(?:[\w/&-]+\s+){{0,2}}?{ROLES}(s?)\b"
                )),
                here_after: build(r"(?i)\A\s+(?:here|like\s+(?:me|us|myself))\b"),
                verb: build(
                    r"(?i)\b(?:(?:work|works|worked|working|practi[cs]e|practi[cs]es|practi[cs]ed|practi[cs]ing|train|trained|training|stud(?:y|ied|ying)|rotat(?:e|ed|ing)|volunteer(?:s|ed|ing)?|intern(?:ed|ing)?|teach|teaching|taught|employed|on\s+staff|precept(?:ing|ed)?)\s+(?:here\s+)?(?:at|for|with|in|on|@)|(?:work|works|worked|working|start(?:s|ed|ing)?|join(?:s|ed|ing)?|began|begin|beginning|rotat(?:e|ed|ing)|stud(?:y|ied|ying)|train(?:ed|ing)?)(?:\s+[\w&'’-]+){1,5}?\s+(?:at|@|for)|(?:join(?:s|ed|ing)?|hired\s+by|employed\s+by|matched\s+(?:at|to|into)|accepted\s+(?:a\s+|an\s+)?(?:job|position|offer)\s+(?:at|with|from)))\s+(?:the\s+)?\z",
                ),
                subject: build(
                    r"(?i)(?:\A|[.!?\n:;•|]|\b(?:i|i['’]m|i\s+am|i['’]ve|i\s+have|i\s+had|i\s+was|i['’]ll|i\s+will|i['’]d|we|we['’]re|we\s+are|we['’]ve|i['’]ve\s+been|i\s+have\s+been|i\s+will\s+be|i['’]ll\s+be|proud\s+to|excited\s+to|happy\s+to|thrilled\s+to|honou?red\s+to|grateful\s+to|lucky\s+to|get\s+to))(?:\s*\b(?:just|now|currently|recently|proudly|also|still|finally|officially|happily|have|had|been|be|am|gonna|going\s+to|get\s+to|got\s+to|used\s+to|will|soon)\b)*\s*\z",
                ),
                noun: build(
                    r"(?i)\b(?:residency|fellowship|internship|externship|clinical\s+rotation)\s+(?:here\s+)?(?:at|@|through)\s+(?:the\s+)?\z|(?i)\b(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|twenty-five|thirty)\s+(?:years?|yrs?)\s+(?:(?:in|now|today)\s+)?(?:at|@)\s+(?:the\s+)?\z|(?i)\b(?:first|last)\s+(?:day|week|shift|night)\s+of\s+(?:intern\s+year|residency|fellowship|orientation|clinicals?|rotation|nursing\s+school|med(?:ical)?\s+school|(?:PA|PT|dental|pharmacy)\s+school|work|the\s+job)\s+(?:at|@)\s+(?:the\s+)?\z|(?i)\b(?:week|day|month)\s+\d{1,2}\s+of\s+(?:clinicals?|rotations?|residency|intern\s+year|orientation|nursing\s+school|med(?:ical)?\s+school)\s+(?:at|@)\s+(?:the\s+)?\z|(?i)\b(?:shifts?|call\s+nights?)\s+(?:I['’]ve|I\s+have|I)\s+(?:ever\s+)?(?:had|worked|pulled|done|covered)\s+(?:here\s+)?(?:at|@)\s+(?:the\s+)?\z|(?i)\b(?:my|our)\s+(?:[\w-]+\s+){0,2}?(?:job|residency|fellowship|internship|rotation|shifts?|unit|team|floor|department|lab|program|programme|clinic|colleagues|coworkers|co-workers|workplace|employer|externship|practicum|placement|preceptor|clinicals|ward)\s*(?:here\s+)?(?:at|@|in|with|,)\s*(?:the\s+)?\z",
                ),
                member: build(
                    r"(?i)\b(?:we|us)\s+(?:(?:all|here|over)\s+)*(?:at|@)\s+(?:the\s+)?\z|\bon\s+behalf\s+of\s+(?:(?:the|all|everyone|everybody|entire|whole|of|us|at|in)\s+)*(?:[\w&'’-]+\s+){0,3}?(?:(?:at|in|of)\s+)?(?:the\s+)?\z|\bspeaking\s+(?:for|as)\s+(?:the\s+)?\z|\bas\s+the\s+voice\s+of\s+(?:the\s+)?\z",
                ),
                possessive: build(r"(?i)\b(?:my|our)\s+(?:official\s+)?\z"),
                stance_before: build(r"(?i)(?:\A|[.!?\n:]\s*)at\s+(?:the\s+)?\z"),
                stance_after: build(
                    r"(?i)\A(?:\s+[\w&'’-]+){0,3}?,?\s+(?:we(?:['’]re|\s+are)?\s+(?:all\s+)?(?:believe|stand|hold|value|strive|pride|committed|proud|will\s+(?:not|never|always|continue)|won['’]t|do\s+not|don['’]t|never|always|have\s+(?:decided|made\s+a\s+decision))|our\s+(?:stance|position|view|policy|commitment)\s+is)\b",
                ),
                official_after: build(
                    r"(?i)\A(?:\s+[\w&-]+){0,2}?['’]s\s+official\s+(?:stance|position|response|statement|view|word|answer)\b",
                ),
                work_after: build(
                    r"(?i)\A(?:['’]s)?\s+(?:[\w-]+\s+){0,2}?(?:colleagues?|co-?workers?|unit|floor|ward|shifts?|badge|lanyard|locker|manager|boss|residency|fellowship|internship|orientation|onboarding|cohort|department|dept|lab|preceptor|employer|job|crew|response|statement|position|stance)\b",
                ),
                other_institution: build(
                    r"\b(?:(?:St\.|Saint)\s+)?[A-Z][\w'’&.-]*(?:[ \t]+(?:of[ \t]+|&[ \t]+|the[ \t]+)?[A-Z][\w'’&.-]*){0,4}?(?:[ \t]+(?:Hospital|Medical[ \t]+Cent(?:er|re)|Health(?:care)?(?:[ \t]+System)?|Clinic|General|Regional|Infirmary|Cancer[ \t]+(?:Center|Centre|Institute)|Children['’]s))+\b",
                ),
            }
        });
    CUES.get()
}

/// How far back from a name a cue may start, in bytes.
const WINDOW: usize = 120;

/// Finds mentions and affiliations in every block of `markup`.
pub fn find(
    matcher: &NameMatcher,
    packs: &[Pack],
    markup: &Markup,
) -> (Vec<Mention>, Vec<Affiliation>) {
    let mut mentions = Vec::new();
    let mut affiliations = Vec::new();
    for (bi, block) in markup.blocks.iter().enumerate() {
        let text = &block.text;
        // Greedy leftmost-longest over the names that survive the checks.
        let mut taken_until = 0;
        for (pi, r) in matcher.find(text) {
            if r.start < taken_until {
                continue;
            }
            let (pack, _, strong) = matcher.pattern(pi).clone();
            if !strong && other_meaning(&packs[pack], text, &r) {
                continue;
            }
            let aff = affiliation_phrase(text, &r);
            if strong || aff.is_some() {
                taken_until = r.end;
                mentions.push(Mention {
                    pack,
                    block: bi,
                    text_range: r.clone(),
                    range: block.source_range(r.clone()),
                    strong,
                });
            }
            if let Some((ar, implicit)) = aff {
                affiliations.push(Affiliation {
                    pack,
                    block: bi,
                    range: block.source_range(ar.clone()),
                    text_range: ar,
                    mention: block.source_range(r.clone()),
                    implicit,
                });
            }
        }
        // A hashtag of a name and a role: "#MGHnurse", "#UMNnursing".
        if text.contains('#') {
            for (pack, tag, name) in hashtags(matcher, text) {
                affiliations.push(Affiliation {
                    pack,
                    block: bi,
                    range: block.source_range(tag.clone()),
                    text_range: tag,
                    mention: block.source_range(name),
                    implicit: false,
                });
            }
        }
        // Other institutions ("Lakeview Regional Medical Center", "Riverside General"): the
        // generic pack's, and like a weak name only inside an affiliation phrase.
        let Some(generic) = packs.iter().position(|p| p.id == crate::packs::GENERIC) else {
            continue;
        };
        // Every match ends in one of these words: a block without any is not searched (the
        // pattern opens with a capital, which gives the regex no literal to skip ahead by).
        if !institution_words().is_match(text) {
            continue;
        }
        for m in cues().other_institution.find_iter(text) {
            let Some(r) = proper_name(text, m.range()) else {
                continue;
            };
            let named = mentions
                .iter()
                .any(|n| n.block == bi && n.text_range.start < r.end && r.start < n.text_range.end);
            if named {
                continue;
            }
            if let Some((ar, implicit)) = affiliation_phrase(text, &r) {
                affiliations.push(Affiliation {
                    pack: generic,
                    block: bi,
                    range: block.source_range(ar.clone()),
                    text_range: ar,
                    mention: block.source_range(r),
                    implicit,
                });
            }
        }
    }
    affiliations.sort_by_key(|a| a.range.start);
    (mentions, affiliations)
}

/// What a hashtag may say after an institution's name to tie the writer to it: a role or the
/// school ("#MGHnurse", "#UMNnursing", "#MayoClinicResident", "#UMNmed"). Not "strong", "proud",
/// "family" or "kids", which patients and their families tag too, nor "pt", a patient.
const HASHTAG_ROLES: &[&str] = &[
    "nurse",
    "nurses",
    "nursing",
    "rn",
    "rns",
    "np",
    "nps",
    "crna",
    "md",
    "mds",
    "doc",
    "docs",
    "doctor",
    "doctors",
    "resident",
    "residents",
    "residency",
    "intern",
    "interns",
    "fellow",
    "fellows",
    "fellowship",
    "pharmacist",
    "pharmacists",
    "pharmacy",
    "pharmd",
    "med",
    "medstudent",
    "medstudents",
    "medschool",
    "student",
    "students",
    "dental",
    "dentistry",
    "dentist",
    "dentists",
    "tech",
    "techs",
    "paramedic",
    "paramedics",
    "medic",
    "medics",
    "emt",
    "emts",
    "staff",
    "employee",
    "employees",
];

/// The hashtags in `text` that join an institution's name (its letters and digits, no spaces:
/// "MassGeneral", "UofM") to one of [`HASHTAG_ROLES`]: (pack, the hashtag, its name part).
/// The longest name wins ("#MayoClinicNurse" is Mayo Clinic's, not Mayo's).
fn hashtags(matcher: &NameMatcher, text: &str) -> Vec<(usize, Range<usize>, Range<usize>)> {
    static TAG: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let tag =
        TAG.get_or_init(|| crate::rules::regex(r"(?:^|[^\w&])#([A-Za-z][A-Za-z0-9_]{2,60})\b"));
    let mut out = Vec::new();
    for caps in tag.captures_iter(text) {
        let Some(body) = caps.get(1) else { continue };
        let lower = body.as_str().to_ascii_lowercase();
        let found = matcher.compact.iter().find(|(_, name)| {
            lower
                .strip_prefix(name.as_str())
                .is_some_and(|role| HASHTAG_ROLES.contains(&role))
        });
        if let Some((pack, name)) = found {
            out.push((
                *pack,
                body.start() - 1..body.end(),
                body.start()..body.start() + name.len(),
            ));
        }
    }
    out
}

/// The words a match of [`Cues::other_institution`] ends in, as written (capitalised).
fn institution_words() -> &'static AhoCorasick {
    static AC: std::sync::OnceLock<AhoCorasick> = std::sync::OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::new([
            "Hospital",
            "Medical",
            "Health",
            "Clinic",
            "General",
            "Regional",
            "Infirmary",
            "Cancer",
            "Children",
        ])
        .expect("literal words")
    })
}

/// A match of [`Cues::other_institution`] without the capitalised words that open a sentence
/// ("At", "The", "As"…): `None` when no name is left before the institution word.
fn proper_name(text: &str, mut r: Range<usize>) -> Option<Range<usize>> {
    const OPENERS: &[&str] = &[
        "a", "an", "and", "as", "at", "but", "for", "from", "i", "in", "my", "on", "our", "so",
        "the", "to", "we", "with",
    ];
    loop {
        let word = text[r.clone()].split([' ', '\t']).next()?;
        if !OPENERS.iter().any(|o| o.eq_ignore_ascii_case(word)) {
            break;
        }
        r.start += word.len();
        r.start += text[r.clone()].len() - text[r.clone()].trim_start().len();
    }
    let first = text[r.clone()].split([' ', '\t']).next()?;
    let institution_word = matches!(
        first,
        "Hospital"
            | "Medical"
            | "Health"
            | "Healthcare"
            | "Clinic"
            | "General"
            | "Regional"
            | "Infirmary"
            | "Cancer"
            | "Children's"
            | "Children’s"
    );
    (!institution_word && r.start < r.end).then_some(r)
}

/// Whether the word after a weak name at `r` gives it another meaning ("MSK pain", "mayo
/// sandwich": the pack's `weak_not_followed_by`).
pub fn other_meaning(pack: &Pack, text: &str, r: &Range<usize>) -> bool {
    let next_word: String = text[r.end..]
        .trim_start_matches([' ', '\t', '-'])
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    pack.names
        .weak_not_followed_by
        .iter()
        .any(|w| w.to_lowercase() == next_word)
}

/// The start of the window before `at`: at most [`WINDOW`] bytes back, on a
/// char boundary.
fn window_start(text: &str, at: usize) -> usize {
    let mut s = at.saturating_sub(WINDOW);
    while !text.is_char_boundary(s) {
        s += 1;
    }
    s
}

/// The range in `text` of an affiliation phrase around the name at `name`,
/// if there is one.
/// The second value: whether the phrase only shows the tie ([`Affiliation::implicit`]).
fn affiliation_phrase(text: &str, name: &Range<usize>) -> Option<(Range<usize>, bool)> {
    let c = cues();
    let ws = window_start(text, name.start);
    let before = &text[ws..name.start];
    // A: role + preposition before the name, tied to the writer.
    if let Some(m) = c.role_prep.find(before) {
        let role_start = ws + m.start();
        if let Some(start) = first_person_start(text, role_start) {
            return Some((start..name.end, false));
        }
    }
    // B: a verb phrase with a first-person subject or at a sentence start.
    if let Some(m) = c.verb.find(before) {
        let verb_start = ws + m.start();
        let pre = &text[window_start(text, verb_start)..verb_start];
        if let Some(s) = c.subject.find(pre) {
            let subject_start = verb_start - pre.len() + s.start();
            // Start at the subject's first word, not at punctuation.
            let start = skip_non_word(text, subject_start, verb_start);
            return Some((start..name.end, false));
        }
    }
    // N: "my residency at", "my employer, ".
    if let Some(m) = c.noun.find(before) {
        return Some((ws + m.start()..name.end, false));
    }
    // M: speaking as one of the institution: "we at MSK", "on behalf of the Mayo Clinic
    // pharmacy team", "speaking for MGH".
    if let Some(m) = c.member.find(before) {
        // Not a phrase quoted as an example: "never write “we at Mayo Clinic”".
        let quoted = text[..ws + m.start()]
            .chars()
            .next_back()
            .is_some_and(|q| matches!(q, '“' | '"' | '‘' | '\'' | '«' | '`'));
        if !quoted {
            return Some((ws + m.start()..name.end, true));
        }
    }
    // P: the writer's own part of it: "my MSK colleagues", "our MGH unit's video".
    if let Some(m) = c.possessive.find(before) {
        if let Some(w) = c.work_after.find(&text[name.end..]) {
            return Some((ws + m.start()..name.end + w.end(), false));
        }
    }
    // S: the institution's stance in its own voice: "At MSK, we believe", "MSK's official
    // position", "Mayo Clinic Pharmacy's official response".
    if c.stance_before.is_match(before) && c.stance_after.is_match(&text[name.end..]) {
        let end = name.end
            + c.stance_after
                .find(&text[name.end..])
                .map_or(0, |m| m.end());
        let start = c
            .stance_before
            .find(before)
            .map_or(name.start, |m| ws + m.start());
        return Some((skip_non_word(text, start, name.start)..end, true));
    }
    if let Some(m) = c.official_after.find(&text[name.end..]) {
        return Some((name.start..name.end + m.end(), true));
    }
    // C: a role right after the name: "Mayo Clinic pharmacist here",
    // "I'm a Mayo nurse", a bio line "Proud MSK nurse".
    let after = &text[name.end..];
    if let Some(caps) = c.role_after.captures(after) {
        let mut end = name.end + caps.get(0).map_or(0, |m| m.end());
        let here = c.here_after.find(&text[end..]);
        if let Some(h) = here {
            end += h.end();
        }
        // A plural ("Mayo nurses") is the writer's own group only at the very start of a line
        // ("Mayo nurses for Senator Smith!") or with "here" or "like me": "my MGH nurses were
        // kind" is a patient's.
        let plural = caps.get(1).is_some_and(|s| !s.is_empty());
        let opens_line = text[..name.start].rsplit('\n').next().is_some_and(|l| {
            l.trim_start_matches([' ', '\t', '-', '*', '+', '>'])
                .is_empty()
        });
        if !plural || opens_line {
            if let Some(start) = first_person_start(text, name.start) {
                return Some((start..end, false));
            }
        }
        if here.is_some() {
            return Some((name.start..end, false));
        }
    }
    None
}

/// Where the first-person phrase that owns a role or name starting at `at`
/// begins ("As a " → the "As"), or `at` itself when the role opens a line
/// (a bio line), or `None` when it is someone else's.
fn first_person_start(text: &str, at: usize) -> Option<usize> {
    let c = cues();
    let ws = window_start(text, at);
    let before = &text[ws..at];
    if let Some(m) = c.first_person.find(before) {
        return Some(ws + m.start());
    }
    if let Some(m) = c.line_start.find(before) {
        return Some(skip_non_word(text, ws + m.start(), at));
    }
    None
}

/// The first word character at or after `from` (before `to`).
fn skip_non_word(text: &str, from: usize, to: usize) -> usize {
    text[from..to]
        .char_indices()
        .find(|(_, c)| c.is_alphanumeric())
        .map(|(i, _)| from + i)
        .unwrap_or(from)
}

#[cfg(test)]
mod tests {
    use crate::engine::Checker;
    use crate::markup::Format;

    /// The words between "As a" and the institution are Latin-script words
    /// ([`crate::rules::WORD`]), accented ones included.
    #[test]
    fn an_affiliation_with_accented_words_is_found() {
        let checker = Checker::default_checker();
        for text in [
            "As a bilingüe night-shift nurse at Mayo Clinic, I love my job.\n",
            "My première rotation at Mayo Clinic taught me a lot.\n",
            "I worked nights on the café team at Mayo Clinic.\n",
        ] {
            let found = checker.check(text, Format::Markdown);
            assert!(
                found.iter().any(|f| f.rule == "disclaimer/missing"),
                "{text}: {found:?}"
            );
        }
    }
}
