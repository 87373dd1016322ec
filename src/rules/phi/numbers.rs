//! The number-like identifiers: `phi/phone`, `phi/email-address`, `phi/ssn`,
//! `phi/record-number`, `phi/ip-address`, `phi/url`, `phi/vehicle-plate`,
//! `phi/device-serial`, `phi/license-number`.
//!
//! They share one shape (pattern → validation → context → "[redacted]"), so
//! they share this file: each is a [`Cued`] with its own `RuleMeta`, pattern
//! and gate.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::context::window;
use crate::rules::cues::Lexicon;
use crate::rules::phi::{finding, has_person_cue, re, Prose};

/// What ties a match to a patient.
#[derive(Clone, Copy)]
enum Gate {
    /// The cue word in the pattern is enough (MRN, SSN…), unless the writer's own.
    Cue,
    /// A patient or relative named in the same sentence, not the writer's own.
    Person,
    /// A clinical cue in the sentence or next to it, not the writer's own.
    Clinical,
}

/// A number-like identifier rule.
pub struct Cued {
    meta: &'static RuleMeta,
    /// Index into [`pats`].
    pat: usize,
    /// Capture group holding the identifier itself.
    group: usize,
    gate: Gate,
    needs_digit: bool,
    validate: fn(&str) -> bool,
    what: &'static str,
}

fn pats() -> std::sync::Arc<Vec<Regex>> {
    static P: crate::rules::compiled::Reloadable<Vec<Regex>> =
        crate::rules::compiled::Reloadable::new(|| {
            vec![
                // 0 phone
                re(r"(?:\+?1[-. ]?)?(?:\(\d{3}\)\s?|\b\d{3}[-. ])\d{3}[-.]\d{4}\b"),
                // 1 e-mail
                re(
                    r"(?i)\b[a-z0-9][a-z0-9._%+-]*@((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})\b",
                ),
                // 2 ssn
                re(
                    r"(?i)(?:\b(?:SSN|SS#|social security(?:\s+(?:number|no\.?|#))?)\s*[:#]?\s*(?:is\s+|was\s+)?(\d{3}-?\d{2}-?\d{4})\b)|\b(\d{3}-\d{2}-\d{4})\b",
                ),
                // 3 record numbers
                re(
                    r"(?i)\b(?:MRN|med(?:ical)?\.?\s*rec(?:ord)?s?\.?\s*(?:number|no\.?|#)?|chart\s*(?:number|no\.?|#)|acct\.?\s*(?:number|no\.?|#)?|account\s*(?:number|no\.?|#)|member\s*(?:id|number|no\.?|#)|policy\s*(?:number|no\.?|#)|health\s*plan\s*(?:id|number|no\.?|#)|medicaid\s*(?:id|number|no\.?|#)|medicare\s*(?:id|number|no\.?|#)|insurance\s*(?:id|number|no\.?|#)|subscriber\s*(?:id|number|#)|encounter\s*(?:number|no\.?|#)|FIN|CSN)\s*[:#]?\s*(?:is\s+|was\s+|of\s+)?([A-Z0-9][A-Z0-9-]{3,})\b",
                ),
                // 4 ip
                re(
                    r"\b((?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))\b",
                ),
                // 5 url to a personal page
                re(
                    r"(?i)\b((?:https?://)?(?:www\.)?(?:gofundme\.com|caringbridge\.org|facebook\.com|fb\.com|instagram\.com|tiktok\.com|twitter\.com|x\.com|legacy\.com|mealtrain\.com|givesendgo\.com|youtube\.com|youtu\.be|linkedin\.com)/[^\s<>()\]]+)",
                ),
                // 6 plate
                re(
                    r"(?i)\b(?:licen[cs]e\s+plate|plate(?:\s*(?:number|no\.?|#))?)\s*[:#]?\s*(?:is\s+|was\s+|of\s+|reading\s+|reads\s+)?([A-Z0-9]{1,4}[- ]?[A-Z0-9]{1,4})\b",
                ),
                // 7 device serial
                re(
                    r"(?:\b(?i:serial\s*(?:number|no\.?|#)|device\s*(?:id|identifier)|UDI|IMEI)|\bS/N|\bSN\b)\s*[:#]?\s*(?i:is\s+|was\s+)?([A-Za-z0-9][A-Za-z0-9-]{4,})\b",
                ),
                // 8 licence / certificate
                re(
                    r"(?i)\b(?:driver['’]?s?\s*licen[cs]e(?:\s*(?:number|no\.?|#))?|DL\s*#|licen[cs]e\s*(?:number|no\.?|#)|certificate\s*(?:number|no\.?|#)|passport(?:\s*(?:number|no\.?|#))?)\s*[:#]?\s*(?:is\s+|was\s+)?([A-Z0-9][A-Z0-9-]{4,})\b",
                ),
            ]
        });
    P.get()
}

/// For each pattern of [`pats`] that needs a cue word, the literals one of
/// which its every match holds: blocks without any are not searched.
fn gates() -> &'static [Option<Lexicon>] {
    static G: OnceLock<Vec<Option<Lexicon>>> = OnceLock::new();
    G.get_or_init(|| {
        vec![
            None,
            None,
            // 2 ssn: its cued form (the bare one needs digits joined by `-`)
            Some(Lexicon::gate(&["ssn", "ss#", "social security"])),
            // 3 record numbers
            Some(Lexicon::gate(&[
                "mrn",
                "med",
                "rec",
                "chart",
                "acct",
                "account",
                "member",
                "policy",
                "health",
                "medicaid",
                "medicare",
                "insurance",
                "subscriber",
                "encounter",
                "fin",
                "csn",
            ])),
            None,
            // 5 url
            Some(Lexicon::gate(&[
                "gofundme",
                "caringbridge",
                "facebook",
                "fb.com",
                "instagram",
                "tiktok",
                "twitter",
                "x.com",
                "legacy.com",
                "mealtrain",
                "givesendgo",
                "youtube",
                "youtu.be",
                "linkedin",
            ])),
            // 6 plate
            Some(Lexicon::gate(&["plate"])),
            // 7 device serial
            Some(Lexicon::gate(&[
                "serial", "device", "udi", "imei", "s/n", "sn",
            ])),
            // 8 licence / certificate
            Some(Lexicon::gate(&["licen", "dl", "certificate", "passport"])),
        ]
    })
}

/// A digit: what every pattern but e-mail and URL needs (a gate, so the
/// block's one trigger scan answers it for all the number rules).
pub(crate) fn digit_gate() -> &'static Lexicon {
    static G: OnceLock<Lexicon> = OnceLock::new();
    G.get_or_init(|| Lexicon::gate(&["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]))
}

/// The gates of [`gates`] and the digit gate, for the one trigger scan per
/// block.
pub(crate) fn gate_lexicons() -> impl Iterator<Item = &'static Lexicon> {
    gates().iter().flatten().chain([digit_gate()])
}

/// Whether `text` has a digit, one of `seps`, and a digit, in a row (what
/// a phone number, a bare SSN or an IP address cannot do without).
fn digits_joined(text: &str, seps: &[u8]) -> bool {
    let b = text.as_bytes();
    let joins = |i: usize| {
        i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(|c| c.is_ascii_digit())
    };
    match seps {
        [a] => memchr::memchr_iter(*a, b).any(joins),
        [a, c] => memchr::memchr2_iter(*a, *c, b).any(joins),
        _ => b
            .windows(3)
            .any(|w| w[0].is_ascii_digit() && seps.contains(&w[1]) && w[2].is_ascii_digit()),
    }
}

fn any(_: &str) -> bool {
    true
}

fn has_digits(s: &str) -> bool {
    s.bytes().filter(|b| b.is_ascii_digit()).count() >= 3
}

fn plate_ok(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit()) && s.len() >= 4
}

/// SSN validity: no 000, 666 or 9xx area, no 00 group, no 0000 serial.
pub fn ssn_ok(s: &str) -> bool {
    let d: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    if d.len() != 9 {
        return false;
    }
    let (area, group, serial) = (&d[..3], &d[3..5], &d[5..]);
    area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000"
}

macro_rules! meta {
    ($name:ident, $id:literal, $summary:literal, $what:literal, $why:literal, [$($f:literal),*], [$($c:literal),*]) => {
        static $name: RuleMeta = RuleMeta {
            id: $id,
            default_severity: Severity::Error,
            summary: $summary,
            what: $what,
            why: $why,
            fix: "Replaces the identifier with “[redacted]”.",
            fires: &[$($f),*],
            clean: &[$($c),*],
        };
    };
}

meta!(PHONE, "phi/phone", "A patient's or relative's phone or fax number.",
    "Flags a phone or fax number in a sentence that gives it as a patient's or a relative's (“her daughter's cell is 612-555-0147”). Your own number in a signature is left alone.",
    "Telephone and fax numbers are HIPAA Safe Harbor identifiers.",
    ["Pt's daughter kept calling from 612-555-0147 all night."],
    ["Call me at 612-555-0147 to book a talk.", "Nurse line: (507) 555-0100"]);
meta!(EMAIL, "phi/email-address", "A patient's or relative's e-mail address.",
    "Flags an e-mail address given as a patient's or a relative's. Your own address is left alone (a work address is `work-email/institutional-address`).",
    "E-mail addresses are HIPAA Safe Harbor identifiers.",
    ["My patient's wife emailed me from lindaok52@gmail.com to say thanks."],
    ["Email me at jane.doe@gmail.com for the slides."]);
meta!(SSN, "phi/ssn", "A Social Security number.",
    "Flags a valid Social Security number (no 000, 666 or 9xx area, no 00 group, no 0000 serial) after an SSN cue or near a patient.",
    "Social Security numbers are HIPAA Safe Harbor identifiers and open the door to identity theft.",
    ["Pt's SSN 123-45-6789 was on the whiteboard."],
    ["Fake SSN format: 000-12-3456.", "Order number 123-45-6789 shipped."]);
meta!(RECORD, "phi/record-number", "A medical record, chart, account or member number.",
    "Flags a number after a record cue: MRN, med rec #, chart #, account #, member ID, policy #, health-plan, Medicare or Medicaid ID.",
    "Medical record, account and health-plan numbers are HIPAA Safe Harbor identifiers.",
    ["Pt MRN 00482913 needs a consult.", "Chart # A12345 is the one with the allergy."],
    ["MRN stands for medical record number.", "Never share a patient's MRN online."]);
meta!(
    IP,
    "phi/ip-address",
    "A patient's IP address.",
    "Flags an IPv4 address (valid octets) in a sentence about a patient or a relative.",
    "IP addresses are HIPAA Safe Harbor identifiers.",
    ["The patient's portal login came from 73.12.201.44 at 3am."],
    [
        "Our router is at 192.168.1.1.",
        "Version 1.2.3.4 of the app shipped."
    ]
);
meta!(URL, "phi/url", "A link to a patient's personal page.",
    "Flags a link to a personal page (GoFundMe, CaringBridge, Facebook, Instagram, an obituary on legacy.com…) in a sentence about a patient or a relative.",
    "URLs are HIPAA Safe Harbor identifiers; a fundraiser or profile names the patient outright.",
    ["Please donate to my patient's GoFundMe: gofundme.com/f/help-rosa-heal"],
    ["Follow me on instagram.com/nurse_jen for tips.", "Read https://example.org/hipaa for the rules."]);
meta!(
    PLATE,
    "phi/vehicle-plate",
    "A patient's licence plate.",
    "Flags a licence plate number after a plate cue in a sentence about a patient or relative.",
    "Vehicle identifiers, including licence plates, are HIPAA Safe Harbor identifiers.",
    ["The patient's car, plate 7ABC123, was still in the ED lot."],
    ["My new plate ABC-1234 finally arrived."]
);
meta!(SERIAL, "phi/device-serial", "A patient's device serial number.",
    "Flags a serial number or device identifier (S/N, serial #, UDI, IMEI) near a patient.",
    "Device identifiers and serial numbers are HIPAA Safe Harbor identifiers: an implant's serial points to one person.",
    ["Pt's pacemaker serial number PJN402177 was recalled."],
    ["My laptop serial number is C02XK1ZYJG5H."]);
meta!(LICENSE, "phi/license-number", "A patient's licence or certificate number.",
    "Flags a driver's licence, passport, licence or certificate number given as a patient's or relative's.",
    "Certificate and licence numbers are HIPAA Safe Harbor identifiers.",
    ["The patient's driver's license D1234567 was in his wallet."],
    ["My nursing license number 123456 renews in May."]);

pub static PHONE_RULE: Cued = Cued {
    meta: &PHONE,
    pat: 0,
    group: 0,
    gate: Gate::Person,
    needs_digit: true,
    validate: any,
    what: "a phone number",
};
pub static EMAIL_RULE: Cued = Cued {
    meta: &EMAIL,
    pat: 1,
    group: 0,
    gate: Gate::Person,
    needs_digit: false,
    validate: any,
    what: "an e-mail address",
};
pub static SSN_RULE: Cued = Cued {
    meta: &SSN,
    pat: 2,
    group: 1,
    gate: Gate::Cue,
    needs_digit: true,
    validate: ssn_ok,
    what: "a Social Security number",
};
pub static RECORD_RULE: Cued = Cued {
    meta: &RECORD,
    pat: 3,
    group: 1,
    gate: Gate::Cue,
    needs_digit: true,
    validate: has_digits,
    what: "a record number",
};
pub static IP_RULE: Cued = Cued {
    meta: &IP,
    pat: 4,
    group: 1,
    gate: Gate::Person,
    needs_digit: true,
    validate: any,
    what: "an IP address",
};
pub static URL_RULE: Cued = Cued {
    meta: &URL,
    pat: 5,
    group: 1,
    gate: Gate::Person,
    needs_digit: false,
    validate: any,
    what: "a link to a personal page",
};
pub static PLATE_RULE: Cued = Cued {
    meta: &PLATE,
    pat: 6,
    group: 1,
    gate: Gate::Person,
    needs_digit: true,
    validate: plate_ok,
    what: "a licence plate",
};
pub static SERIAL_RULE: Cued = Cued {
    meta: &SERIAL,
    pat: 7,
    group: 1,
    gate: Gate::Clinical,
    needs_digit: true,
    validate: has_digits,
    what: "a device serial number",
};
pub static LICENSE_RULE: Cued = Cued {
    meta: &LICENSE,
    pat: 8,
    group: 1,
    gate: Gate::Person,
    needs_digit: true,
    validate: has_digits,
    what: "a licence number",
};

impl Rule for Cued {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        let text = cx.markup.blocks[block].text.as_str();
        // The cheapest tests first: the block's trigger scan, then memchr.
        if let (Some(gate), false) = (&gates()[self.pat], self.pat == 2) {
            if !gate.triggered_in(cx, block) {
                return;
            }
        }
        if self.needs_digit && !digit_gate().triggered_in(cx, block) {
            return;
        }
        if self.pat == 1 && !text.contains('@') {
            return;
        }
        if self.pat == 5 && !text.contains('/') {
            return;
        }
        // Patterns without a cue word need digits joined by a separator.
        let may_match = match self.pat {
            0 => digits_joined(text, b"-."),
            2 => {
                gates()[2]
                    .as_ref()
                    .is_some_and(|g| g.triggered_in(cx, block))
                    || digits_joined(text, b"-")
            }
            4 => digits_joined(text, b"."),
            _ => true,
        };
        if !may_match {
            return;
        }
        let prose = Prose::of(cx, block);
        let searched = match &gates()[self.pat] {
            Some(gate) if self.pat != 2 => gate.gated(cx, block),
            _ => text,
        };
        for c in pats()[self.pat].captures_iter(searched) {
            let Some(m) = c.get(0) else { continue };
            // SSN: the cued form (group 1) or the bare form (group 2).
            let id: Range<usize> = match (self.pat, c.get(self.group)) {
                (2, None) => match c.get(2) {
                    Some(g) => g.range(),
                    None => continue,
                },
                (_, Some(g)) => g.range(),
                (_, None) => continue,
            };
            if !(self.validate)(&text[id.clone()]) {
                continue;
            }
            if self.pat == 1 {
                if let Some(domain) = c.get(1) {
                    if cx.checker.work_domain(domain.as_str()).is_some() {
                        continue;
                    }
                }
            }
            if self.pat == 4 && text[..m.start()].ends_with(['v', 'V']) {
                continue;
            }
            let sentence = prose.sentence(m.start());
            if !prose.real_case(m.start()) || writers_own(text, m.start()) {
                continue;
            }
            let bare_ssn = self.pat == 2 && c.get(1).is_none();
            let ok = match self.gate {
                Gate::Cue if bare_ssn => prose.patient_near(m.start()),
                Gate::Cue => !crate::rules::context::negated_before(text, m.start()),
                Gate::Person => has_person_cue(sentence),
                Gate::Clinical => prose.patient_near(m.start()),
            };
            if !ok {
                continue;
            }
            out.push(finding(
                cx,
                block,
                self.meta,
                id.clone(),
                format!(
                    "“{}” is {} tied to a patient.",
                    &text[id.clone()],
                    self.what
                ),
                "Redact it",
                vec![(id, "[redacted]".into())],
            ));
        }
    }
}

/// Whether the detail is the writer's own: "call me at", "my cell:",
/// "my laptop serial number", "I'm at".
fn writers_own(text: &str, at: usize) -> bool {
    static OWN: crate::rules::compiled::LazyRegex = crate::rules::compiled::LazyRegex::new(
        r"(?i)(?:\b(?:me|us)\s+(?:at|on|via|@)\s*:?\s*|\bmy\s+(?:[a-z']+\s+){0,2}(?:(?:is|:)\s*)?|\b(?:my|our)\s+[a-z]+\s*:\s*|\bI(?:'m|’m|\s+am)?\s+(?:at|on)\s+)\z",
    );
    let own = OWN.get();
    let w = window(text, at..at, 40, 0);
    let before = &text[w.start..at];
    let cut = before
        .rfind(['.', '!', '?', ';', '\n'])
        .map(|i| i + 1)
        .unwrap_or(0);
    own.is_match(&before[cut..])
}

#[cfg(test)]
mod tests {
    use super::ssn_ok;
    use crate::rules::phi::tests::{fixed, found};

    #[test]
    fn ssn_validation() {
        assert!(ssn_ok("123-45-6789"));
        assert!(!ssn_ok("000-12-3456"));
        assert!(!ssn_ok("666-12-3456"));
        assert!(!ssn_ok("912-12-3456"));
        assert!(!ssn_ok("123-00-3456"));
        assert!(!ssn_ok("123-45-0000"));
    }

    #[test]
    fn redactions() {
        assert_eq!(
            fixed("Pt MRN 00482913 needs a consult.", "phi/record-number"),
            "Pt MRN [redacted] needs a consult."
        );
        assert_eq!(
            fixed("Pt's daughter called from 612-555-0147 again.", "phi/phone"),
            "Pt's daughter called from [redacted] again."
        );
        assert_eq!(
            found("Pt's SSN 123-45-6789 was visible.", "phi/ssn"),
            vec!["123-45-6789"]
        );
    }
}
