use std::process::ExitCode;

use clap::{Parser, Subcommand};

use scrubs::cli;

/// scrubs: checks health-care workers' social-media drafts against their
/// employer's social-media policy, in the editor (`scrubs lsp`) and on the
/// command line (`scrubs check`).
#[derive(Parser)]
#[command(name = "scrubs", version, about, long_about = None)]
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

fn main() -> ExitCode {
    let args = Args::parse();
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
