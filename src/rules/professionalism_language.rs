use std::sync::OnceLock;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard, Lexicon};

/// `professionalism/unprofessional-language`
pub struct UnprofessionalLanguage;

static META: RuleMeta = RuleMeta {
    id: "professionalism/unprofessional-language",
    default_severity: Severity::Warning,
    summary: "Profanity (masked too), intoxication or drug use, slurs, threats and violent language.",
    what: "Flags profanity, also masked (“a$$”, “f***ing”), boasts of intoxication or drug use (“blackout drunk”, “I was so high”), slurs and discriminatory terms, and threats (“I'm going to kill him”). Clinical terms (“alcohol use disorder”, “high blood pressure”) and ordinary tiredness (“this shift was exhausting”) are left alone.",
    why: "Your posts reflect on you as a professional and on the people you care for. Mayo Clinic asks you to be respectful and professional; Mass General, MSK and the University of Minnesota forbid harassing, threatening, discriminatory or obscene material.",
    fix: "Reword without the language; no quick fix replaces your voice.",
    fires: &[
        "This f***ing shift will not end.",
        "Got blackout drunk after finals lol",
        "Some a$$hole parked in the ambulance bay again.",
        "I swear I'm going to kill the next person who microwaves fish on our unit.",
        "We were so high at the concert last night.",
    ],
    clean: &[
        "This shift was exhausting, but we got everyone home.",
        "Alcohol use disorder is a disease, not a moral failing.",
        "Her blood pressure was so high we called a rapid response.",
        "Ugh, what a day. Grateful for my team.",
        "High five to the night crew!",
    ],
};

const TRIGGERS: &[&str] = &[
    "fuck",
    "f*",
    "f#",
    "f@",
    "fck",
    "fk",
    "shit",
    "sh*",
    "sh!",
    "bitch",
    "b*tch",
    "b!tch",
    "bastard",
    "asshole",
    "a$$",
    "a**",
    "arse",
    "dick",
    "cunt",
    "c*nt",
    "wtf",
    "stfu",
    "fml",
    "piss",
    "drunk",
    "wasted",
    "hammered",
    "plastered",
    "trashed",
    "high",
    "stoned",
    "baked",
    "blazed",
    "tripping",
    "coke",
    "molly",
    "weed",
    "edible",
    "hungover",
    "hung over",
    "blackout",
    "retard",
    "tranny",
    "spaz",
    "kill",
    "punch",
    "strangle",
    "slap",
    "shoot",
    "shot",
    "beat ",
    "murder",
    "choke",
];

pub(crate) fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        Lexicon::new(
            TRIGGERS,
            &[
                // Profanity, spelled out or masked.
                r"(?i)\b(?:fuck\w*|motherfuck\w*|fck\w*|fk(?:ing|in)|shit\w*|bullshit|horseshit|bitch\w*|bastards?|assholes?|dickheads?|dicks?|cunts?|wtf|stfu|fml|pissed|piss\s+off)\b",
                r"(?i)\b(?:f[*#@!$%]{2,}(?:k|ck)?(?:ing|in|ed|er|s)?|f[*#@!]ck\w*|sh[*!#@]t\w*|b[*!#@]tch\w*|c[*#@]nt)",
                r"(?i)\ba(?:\$\$|\*\*)(?:holes?)?",
                // Intoxication and drug use, owned by the writer.
                r"(?i)\bblackout\s+drunk\b",
                r"(?i)\b(?:I\s+was|I['’]?m|I\s+am|I\s+got|we\s+were|we\s+got|getting|got|gonna\s+get|going\s+to\s+get|get)\s+(?:so\s+|super\s+|really\s+|totally\s+|absolutely\s+|completely\s+)?(?:drunk|wasted|hammered|plastered|trashed|shitfaced|stoned|baked|blazed|high)\b(?:\s+\w+){0,2}",
                r"(?i)\b(?:smoked|smoking|did|doing|took|taking|popped|popping|snorted|snorting|ate\s+an?)\s+(?:some\s+)?(?:weed|coke|cocaine|molly|ecstasy|shrooms|acid|lines|edibles?|an\s+edible)\b",
                r"(?i)\b(?:tripping|rolling)\s+(?:on|balls)\b",
                r"(?i)\b(?:still\s+)?(?:hungover|hung\s+over|drunk|high|tipsy)\s+(?:at|on|during|for)\s+(?:work|shift|rounds|clinic|the\s+unit|my\s+shift)\b",
                // Slurs and discriminatory terms.
                r"(?i)\b(?:retard(?:s|ed)?|trann(?:y|ies)|spaz|spastic|illegals)\b",
                // Threats and violent language.
                r"(?i)\b(?:I['’]?m|I\s+am|I\s+will|I['’]ll|gonna|going\s+to|want\s+to|wanna|ready\s+to|about\s+to)\s+(?:literally\s+)?(?:kill|murder|strangle|punch|slap|choke|shoot|beat\s+up|stab|smack)\s+(?:him|her|them|you|someone|somebody|the\s+next|that|this|my|every|whoever)\b",
                r"(?i)\b(?:should|deserves?\s+to)\s+be\s+(?:shot|killed|beaten|strangled|punched|slapped)\b",
            ],
        )
    })
}

impl Rule for UnprofessionalLanguage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        let b = &cx.markup.blocks[block];
        for m in lexicon().find_in(cx, block) {
            // A block quote of the policy holds none of this; a post that
            // teaches ("never post that you were drunk") is spared for the
            // intoxication and threat phrases, not for profanity.
            let t = &b.text[m.clone()];
            if let Some((_, rest)) = intoxication_tail(t) {
                if BENIGN_AFTER.iter().any(|w| rest.starts_with(w)) {
                    continue;
                }
            }
            let profane = t.contains(['*', '$', '#', '@', '!'])
                || [
                    "fuck", "shit", "bitch", "asshole", "cunt", "dick", "bastard", "wtf", "stfu",
                    "fml", "piss", "retard", "tranny", "spaz", "illegals",
                ]
                .iter()
                .any(|w| t.to_lowercase().contains(w));
            let guard = if profane { Guard::NONE } else { Guard::ALL };
            if cues::guarded(b, &m, guard) {
                continue;
            }
            let start = m.start
                + t.find(|c: char| c.is_alphanumeric() || c == '$' || c == '*')
                    .unwrap_or(0);
            // The intoxication pattern reads two words on to check the
            // meaning; underline only up to the adjective.
            let end = match intoxication_tail(t) {
                Some((end, _)) => m.start + end,
                None => m.end,
            };
            out.push(Finding::new(
                &META,
                cues::source(cx, block, start..end.max(start)),
                "Unprofessional language: profanity, intoxication, slurs or threats reflect on you and on your workplace.",
            ));
        }
    }
}

/// Words after "so high", "got baked"… that give it another meaning.
const BENIGN_AFTER: &[&str] = &[
    "on life",
    "on adrenaline",
    "on caffeine",
    "on coffee",
    "on sugar",
    "on love",
    "on success",
    "marks",
    "score",
    "grades",
    "praise",
    "five",
    "fever",
    "pressure",
    "ceiling",
    "school",
    "enough",
    "up",
    "risk",
    "blood",
    "bp",
    "glucose",
    "sugar",
    "potassium",
    "temp",
    "dose",
    "priority",
    "quality",
    "hopes",
    "expectations",
    "a high",
    "in the",
    "tide",
    "heat",
];

/// For a match of the intoxication pattern ("I was so high on life"):
/// where the adjective ends in the match, and the lowercased words read
/// after it ("on life").
fn intoxication_tail(t: &str) -> Option<(usize, String)> {
    let lower = t.to_ascii_lowercase();
    if lower.starts_with("blackout") {
        return None;
    }
    for adj in [
        "drunk",
        "wasted",
        "hammered",
        "plastered",
        "trashed",
        "shitfaced",
        "stoned",
        "baked",
        "blazed",
        "high",
    ] {
        let needle = format!(" {adj}");
        if let Some(i) = lower.find(&needle) {
            let end = i + needle.len();
            let after = &lower[end..];
            if after.is_empty() || after.starts_with(' ') {
                return Some((end, after.trim_start().to_string()));
            }
        }
    }
    None
}
