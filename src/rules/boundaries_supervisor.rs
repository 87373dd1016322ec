use std::sync::OnceLock;

use crate::engine::{Context, Finding, Rule, RuleMeta, Severity};
use crate::rules::cues::{self, Guard, Lexicon};

/// `boundaries/supervisor-connection`
pub struct SupervisorConnection;

static META: RuleMeta = RuleMeta {
    id: "boundaries/supervisor-connection",
    default_severity: Severity::Warning,
    summary: "A supervisor initiating social-media connections with the people they supervise, or faculty with students.",
    what: "Flags a manager, charge nurse, attending or faculty member who friends, follows or adds the people who report to them or their students (“as charge nurse I followed all my staff on TikTok”, “I friended all my residents”), and students initiating with faculty.",
    why: "A request from a supervisor is hard to refuse. Mayo Clinic and MSK ask supervisors not to initiate social-media connections with those they supervise; the University of Minnesota asks faculty not to initiate them with students.",
    fix: "Let the people you supervise choose whether to connect with you; leave the connection out of the post.",
    fires: &[
        "As charge nurse I followed all my staff on TikTok.",
        "I friended all my residents on Facebook before graduation.",
        "Sent friend requests to everyone on my team now that I'm the manager.",
        "I added my clinical instructor on Instagram lol",
        "My old preceptee is now on my staff, sent her a friend request as her new manager lol",
        "sent my clinical instructor a snap of my dog and she sent one back",
    ],
    clean: &[
        "As a manager I never follow my staff on social media.",
        "My staff threw me a surprise party for my birthday.",
        "I followed the residency program's account for updates.",
        "Sent my manager a photo of the broken pump so she could order a new one.",
    ],
};

const TRIGGERS: &[&str] = &[
    "staff",
    "team",
    "reports",
    "residents",
    "interns",
    "students",
    "nurses",
    "employees",
    "instructor",
    "professor",
    "preceptor",
    "attending",
    "manager",
    "supervisor",
    "faculty",
    "fellows",
    "mentees",
    "trainees",
];

pub(crate) fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        let connect = r"(?:friended|followed|added|connected\s+with|sent\s+(?:\w+\s+)?(?:friend|follow|connection)\s+requests?\s+to|requested)";
        let reports = r"(?:(?:all\s+(?:of\s+)?)?(?:my|our)\s+(?:new\s+|direct\s+|night\s+|whole\s+|entire\s+)?(?:staff|team|reports|direct\s+reports|residents|interns|students|nursing\s+students|med\s+students|nurses|employees|techs|fellows|mentees|trainees|orientees|new\s+grads)|everyone\s+(?:on|in)\s+my\s+(?:team|unit|staff|department|class))";
        let superior = r"(?:my\s+(?:clinical\s+)?(?:instructor|professor|prof|preceptor|attending|program\s+director|dean|manager|supervisor|boss|nurse\s+manager|charge\s+nurse|faculty\s+advisor|advisor))";
        Lexicon::new(
            TRIGGERS,
            &[
                format!(r"(?i)\b(?:I|I['’]ve|I\s+just|I\s+finally|just|finally)\s+(?:just\s+|finally\s+)?{connect}\s+{reports}"),
                format!(r"(?i)\b{connect}\s+{reports}\b[^.!?\n]{{0,60}}?\b(?:now\s+that|since|as)\s+I['’]?m\s+(?:the|their|a|an)\s+(?:\w+\s+)?(?:manager|supervisor|charge\s+nurse|director|attending|professor|instructor|preceptor|chief)"),
                format!(r"(?i)\b(?:I|I\s+just|just)\s+{connect}\s+{superior}"),
                // "sent her a friend request as her new manager".
                r"(?i)\bsent\s+(?:her|him|them)\s+(?:a\s+)?(?:friend|follow|connection)\s+requests?\b[^.!?\n]{0,40}?\bas\s+(?:her|his|their)\s+(?:new\s+)?(?:manager|supervisor|charge\s+nurse|preceptor|instructor|professor|attending|boss|director)\b".to_string(),
                // A student and an instructor swapping snaps.
                format!(r"(?i)\b(?:sent|swapped|exchanged)\s+{superior}\s+(?:a\s+)?(?:snaps?|snapchats?|reels?|tiktoks?)\b"),
            ],
        )
    })
}

impl Rule for SupervisorConnection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_block(&self, cx: &Context, block: usize, out: &mut Vec<Finding>) {
        cues::scan(
            cx,
            block,
            lexicon(),
            Guard::ALL,
            &META,
            "A supervisor (or faculty member) connecting with the people they supervise makes it hard for them to say no.",
            out,
        );
    }
}
