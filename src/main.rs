use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use scrubs::cli;

/// scrubs: checks health-care workers' social-media drafts against their
/// employer's social-media policy, in the editor (`scrubs lsp`) and on the
/// command line (`scrubs check`).
#[derive(Parser)]
#[command(name = "scrubs", version = SHORT_VERSION, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check drafts: files, folders (walked, honouring .gitignore) or `-` for standard input.
    Check(cli::CheckArgs),
    /// Run the language server on standard input and output.
    Lsp {
        /// Accepted for clients that pass it (stdio is the only transport).
        #[arg(long, hide = true)]
        stdio: bool,
    },
    /// List the rules: id, category, default severity, summary.
    Rules,
    /// Explain a rule: what it flags, why, examples, the fix, and the policy clauses it cites.
    Explain {
        /// A rule id such as `disclaimer/missing`.
        rule: String,
    },
    /// List the institutions' policies and their clauses.
    Policies {
        /// An institution id (`mayo`, `mgh`, `msk`, `umn`, `generic`).
        id: Option<String>,
    },
}

/// `scrubs -V`: the version and the commit it was built from.
const SHORT_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("SCRUBS_COMMIT"), ")");

/// `scrubs --version`: also what judges a draft, the model's heads and the
/// policy packs, each by the SHA-256 of its embedded file (build.rs).
fn long_version() -> String {
    let short = |h: &str| h.get(..12).unwrap_or(h).to_string();
    let model = match scrubs::model::parse_heads() {
        Ok(f) => format!(
            "heads {}, {} of {} heads on (format {}, corpus {})",
            short(env!("SCRUBS_HEADS_SHA256")),
            f.heads.iter().filter(|h| h.enabled).count(),
            f.heads.len(),
            f.format,
            short(&f.corpus_sha256),
        ),
        Err(e) => format!("heads {} ({e})", short(env!("SCRUBS_HEADS_SHA256"))),
    };
    let hashes: Vec<(&str, &str)> = env!("SCRUBS_PACKS_SHA256")
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let packs: Vec<String> = scrubs::packs::builtin()
        .iter()
        .map(|p| {
            let h = hashes.iter().find(|(id, _)| *id == p.id).map(|(_, h)| *h);
            format!("{} {}", p.id, short(h.unwrap_or("?")))
        })
        .collect();
    format!(
        "{}\ncommit: {}\nmodel: {model}\npacks: {}",
        env!("CARGO_PKG_VERSION"),
        env!("SCRUBS_COMMIT"),
        packs.join(", ")
    )
}

fn main() -> ExitCode {
    let mut cmd = Args::command();
    // Only `--version` reads the model's heads, to list them.
    if std::env::args_os().any(|a| a == "--version") {
        let text: &'static str = Box::leak(long_version().into_boxed_str());
        cmd = cmd.long_version(text);
    }
    let args = Args::from_arg_matches(&cmd.get_matches()).unwrap_or_else(|e| e.exit());
    match args.command {
        Command::Check(a) => cli::check(a),
        Command::Lsp { .. } => {
            scrubs::lsp::run_stdio();
            ExitCode::SUCCESS
        }
        Command::Rules => cli::docs::rules(),
        Command::Explain { rule } => cli::docs::explain(&rule),
        Command::Policies { id } => cli::docs::policies(id.as_deref()),
    }
}
