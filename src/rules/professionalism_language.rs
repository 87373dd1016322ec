use std::sync::OnceLock;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard, Lexicon};

/// `professionalism/unprofessional-language`
pub struct UnprofessionalLanguage;

static META: RuleMeta = RuleMeta {
    id: "professionalism/unprofessional-language",
    default_severity: Severity::Warning,
    summary: "Profanity (masked too), intoxication or drug use, slurs, threats and violent language.",
    what: "Flags profanity, also masked (“a$$”, “f***ing”), boasts of intoxication or drug use (“blackout drunk”, “I was so high”, “six beers deep”, “mimosas x4 and then back up to the unit”), slurs and discriminatory terms, threats (“I'm going to kill him”), and harm wished or threatened through an idiom, even as a joke or on a condition (“hope the guy who spat at me gets hit by a bus”, “if he yells at my new grad again I'm going to key his car”, “go full postal”, “let them die”). Clinical terms (“alcohol use disorder”, “high blood pressure”), ordinary tiredness (“this shift was exhausting”), and a death hoped for as a release (“let him die peacefully at home”) are left alone.",
    why: "Your posts reflect on you as a professional and on the people you care for. Mayo Clinic asks you to be respectful and professional; Mass General, MSK and the University of Minnesota forbid harassing, threatening, discriminatory or obscene material.",
    fix: "Reword without the language; no quick fix replaces your voice.",
    fires: &[
        "This f***ing shift will not end.",
        "Got blackout drunk after finals lol",
        "Some a$$hole parked in the ambulance bay again.",
        "I swear I'm going to kill the next person who microwaves fish on our unit.",
        "We were so high at the concert last night.",
        "Six beers deep on the porch and I can still smell that call.",
        "Post-call brunch, bottomless mimosas x4 and then back up to the unit for sign-out.",
        "Hope the guy who yelled at my tech tonight gets hit by a bus on his way home.",
        "if that dad yells at my new grad again I'm going to key his car in the garage",
        "one more 'do more with less' email and I'm going full postal in the C-suite",
        "Hope she rots, honestly.",
        "Anti-vaxxers who end up on a vent? Let them die.",
    ],
    clean: &[
        "This shift was exhausting, but we got everyone home.",
        "Alcohol use disorder is a disease, not a moral failing.",
        "Her blood pressure was so high we called a rapid response.",
        "Ugh, what a day. Grateful for my team.",
        "High five to the night crew!",
        "No drinks before shift, ever.",
        "Patient reports six drinks in a typical week.",
        "If I get hit by a bus tomorrow, my sister knows where the will is.",
        "I hope he doesn't die before his daughter lands.",
        "The family decided to let him die peacefully at home.",
        "We should stop saying \"let them die\" about anyone on a vent.",
        "I hope the tumor dies a slow death in there.",
        "Honestly I hope she dies soon, she is suffering so much.",
        "I'm not saying let them die, I'm saying ask what they want.",
        "After two weeks the family decided to let her die with us holding her hands.",
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
    "obliterated",
    "sloshed",
    "blitzed",
    "tipsy",
    "beers",
    "drinks",
    "shots",
    "mimosas",
    "margs",
    "claws",
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
                r"(?i)\b(?:I\s+was|I['’]?m|I\s+am|I\s+got|we\s+were|we\s+got|getting|got|gonna\s+get|going\s+to\s+get|get)\s+(?:so\s+|super\s+|really\s+|totally\s+|absolutely\s+|completely\s+)?(?:drunk|wasted|hammered|plastered|trashed|shitfaced|stoned|baked|blazed|high|obliterated|sloshed|blitzed|tipsy)\b(?:\s+\w+){0,2}",
                r"(?i)\b(?:smoked|smoking|did|doing|took|taking|popped|popping|snorted|snorting|ate\s+an?)\s+(?:some\s+)?(?:weed|coke|cocaine|molly|ecstasy|shrooms|acid|lines|edibles?|an\s+edible)\b",
                r"(?i)\b(?:tripping|rolling)\s+(?:on|balls)\b",
                // Counting the drinks: "six beers deep", "4 mimosas in and…" (not "six drinks in a
                // week", a history).
                r"(?i)\b(?:\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\s+(?:beers|drinks|shots|margs|margaritas|mimosas|white\s+claws|claws|seltzers|glasses\s+of\s+wine)\s+(?:deep\b|in\s*(?:[,.!;:…)]|$|and\b|lol\b|lmao\b|rn\b|[🍺🍻🥂🍷🍹]))",
                // Drinking, then back to patients: "mimosas x4 and then back up to the unit".
                r"(?i)\b(?:beers?|drinks|shots|mimosas|margs|margaritas|white\s+claws|wine)\b[^.!?\n]{0,60}?\b(?:(?:and\s+)?(?:then\s+)?back\s+(?:up\s+)?(?:to|on)\s+(?:the\s+)?(?:unit|floor|wards?|clinic|shift|call)|before\s+(?:my\s+|the\s+)?(?:shift|rounds|clinic))\b",
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

/// Harm wished on people or threatened through an idiom ("hope he gets hit by a bus", "I'm going
/// to key his car", "go full postal", "let them die"): hostility that needs no profanity.
const HARM_TRIGGERS: &[&str] = &[
    "hit by a",
    "run over by",
    "postal",
    "key his",
    "key her",
    "key their",
    "key your",
    "keyed",
    "keying",
    "throat punch",
    "throat-punch",
    "throatpunch",
    "die",
    "rot",
    "croak",
    "burn in hell",
    "burns in hell",
];

/// People a wish of harm can be aimed at, after "the", "that", "this"… ("hope the guy …").
const HARM_SUBJECT: &str = r"(?:he|she|they|you|u|y['’]?all|(?:the|that|this|those|these|his|her|their|your|whoever|every|some)\s+(?:\w+\s+){0,3}?(?:guy|guys|man|men|woman|women|lady|ladies|dude|patient|patients|pts?|family|families|mom|dad|son|daughter|wife|husband|kid|kids|boy|girl|doctor|doc|docs|nurse|nurses|attending|surgeon|manager|boss|admin|driver|person|people|reviewer|customer|customers|idiot|idiots|jerk|jerks|bastard|one|ones|anti-?vaxx?ers?))";

pub(crate) fn harm_lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        Lexicon::new(
            HARM_TRIGGERS,
            &[
                // A wish that someone is hit by a vehicle, dies or suffers.
                format!(r"(?i)\b(?:hope|hoping|wish|wishing|pray|praying)\s+(?:that\s+)?{HARM_SUBJECT}\s+(?:\w+\s+){{0,8}}?(?:gets?|got|is|are)\s+(?:hit|run\s+over)\s+by\s+an?\s+(?:bus|truck|train|car)\b"),
                format!(r"(?i)\b(?:hope|hoping|wish|wishing)\s+(?:that\s+)?{HARM_SUBJECT}\s+(?:\w+\s+){{0,3}}?(?:dies|die|rots?|croaks?|chokes?|burns?\s+in\s+hell)\b"),
                // Violence or vandalism said through an idiom.
                r"(?i)\b(?:go|goes|going|gonna\s+go|went|gone)\s+(?:full\s+|totally\s+|completely\s+)?postal\b".to_string(),
                r"(?i)\bkey(?:ing|ed)?\s+(?:his|her|their|your)\s+(?:car|truck)\b".to_string(),
                r"(?i)\bthroat[- ]?punch(?:ed|ing|es)?\b".to_string(),
                // Refusing care to people.
                r"(?i)\b(?:let|letting)\s+(?:['’]?em|them|him|her)\s+(?:die|rot)\b".to_string(),
            ],
        )
    })
}

/// Words inside a wish that turn it around ("hope he doesn't die"), and words after "let him
/// die" that make it comfort care ("peacefully", "at home").
fn harm_spared(text: &str, m: &std::ops::Range<usize>) -> bool {
    // Inside the wish, or in the three words before it ("I'm not saying let them die").
    let s = cues::sentence(text, m);
    let before: Vec<&str> = text[s.start..m.start.max(s.start)]
        .split_whitespace()
        .rev()
        .take(3)
        .collect();
    let t = text[m.clone()].to_ascii_lowercase();
    let negated = t
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .chain(before.iter().copied())
        .map(|w| w.to_ascii_lowercase())
        .any(|w| w == "not" || w == "never" || w.ends_with("n't") || w.ends_with("n’t"));
    let after = text[m.end..].trim_start().to_ascii_lowercase();
    let gently = [
        "peacefully",
        "with dignity",
        "in peace",
        "comfortably",
        "at home",
        "on their own terms",
        "on his own terms",
        "on her own terms",
        "naturally",
    ]
    .iter()
    .any(|w| after.starts_with(w));
    // A decision to let someone die ("the family decided to let her die", "we had to let him go
    // and let him die") is care, not a wish.
    let decided =
        t.starts_with("let") && before.first().is_some_and(|w| w.eq_ignore_ascii_case("to"));
    // A death hoped for as a release ("hope she dies soon, she is suffering so").
    let sentence = text[s].to_ascii_lowercase();
    let release = [
        "hospice",
        "comfort care",
        "suffering",
        "in peace",
        "at peace",
    ]
    .iter()
    .any(|w| sentence.contains(w));
    negated || gently || release || decided
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
        // A wish or threat of harm is one even when it is conditional ("if he yells again I'm
        // going to key his car"); quoted, taught or negated before it, it is not.
        let guard = Guard {
            hypothetical: false,
            ..Guard::ALL
        };
        for m in harm_lexicon().matches(cx, block, guard) {
            if harm_spared(&b.text, &m) {
                continue;
            }
            let r = cues::source(cx, block, m);
            if out
                .iter()
                .any(|f| f.rule == META.id && f.range.start < r.end && r.start < f.range.end)
            {
                continue;
            }
            out.push(Finding::new(
                &META,
                r,
                "Violent language: wishing or threatening harm, even as a joke or an idiom, reflects on you and on your workplace.",
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
