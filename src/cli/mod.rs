//! `scrubs check`: the command-line shell around the engine.
//!
//! Walks the given paths, finds each file's `scrubs.toml`, checks the file
//! and prints findings as text (like rustc and ruff) or JSON (the contract in
//! `../shared/CONTRACT.md`). Exit status: 0 no finding at warning level or
//! above, 1 at least one, 2 the command could not do its job.

mod cache;
mod diff;
pub mod docs;
mod github;
mod html;
mod output;
mod sarif;
mod summary;
mod walk;

use std::collections::HashMap;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::config::Settings;
use crate::engine::{Checker, Finding, Severity};
use crate::markup::Format;
use crate::project;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    /// SARIF 2.1.0 (GitHub code scanning, review tools).
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// A self-contained HTML report (use with `-o report.html`).
    Html,
}

/// The least severe finding that makes `scrubs check` exit with status 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Information,
    Hint,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Information => Severity::Information,
            FailOn::Hint => Severity::Hint,
        }
    }
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or folders to check; `-` reads standard input. Default: the current folder.
    pub paths: Vec<PathBuf>,
    /// Output format: `text` for people, `json` for tools, `sarif` for code
    /// scanning, `github` for Actions annotations, `html` for a report.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Write the output to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The least severe finding that makes the exit status 1.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Institution whose policy applies (mayo, mgh, msk, umn; repeatable). Overrides the config.
    #[arg(long = "institution", value_name = "ID")]
    pub institutions: Vec<String>,
    /// A scrubs.toml to use instead of the one found by walking up from each file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The file name to report (and pick the format by) for standard input.
    #[arg(long, value_name = "NAME", default_value = "-")]
    pub stdin_filename: String,
    /// Apply the safe fixes (disclaimer and notice insertion, work e-mail
    /// removal) to the files, then report what is left. Standard input: the
    /// fixed text is printed instead.
    #[arg(long)]
    pub fix: bool,
    /// Print a unified diff of what `--fix` would change, without writing.
    /// Exit status 1 when there is something to change.
    #[arg(long)]
    pub diff: bool,
    /// Colour: auto (on a terminal), always or never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: String,
    /// Rules only: leave the sentence model out (as `[judgement] enabled = false` does).
    #[arg(long)]
    pub no_judgement: bool,
    /// Keep no verdict cache: judge every sentence again, and write nothing.
    #[arg(long)]
    pub no_cache: bool,
    /// Where the sentence model's verdicts are kept between runs (hashes and scores, never
    /// text). Default: `.scrubs_cache` in the current folder.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Leave linked pictures alone: no metadata read, no text recognised.
    #[arg(long)]
    pub no_images: bool,
    /// Strip the identifying metadata (GPS position, time, owner, people tags) from the local
    /// pictures the drafts link to, without re-encoding them, then report what is left. The
    /// original of each is kept as NAME.orig.EXT.
    #[arg(long)]
    pub fix_images: bool,
    /// With --fix-images: keep no NAME.orig.EXT copy of the originals.
    #[arg(long, requires = "fix_images")]
    pub no_backup: bool,
}

/// One checked file.
pub struct FileResult {
    pub path: String,
    pub text: String,
    pub findings: Vec<Finding>,
}

/// Builds checkers per config file, once each.
struct Checkers {
    overrides: Settings,
    explicit: Option<PathBuf>,
    by_config: HashMap<Option<PathBuf>, std::sync::Arc<Checker>>,
    errors: Vec<String>,
    excludes: walk::Excludes,
}

impl Checkers {
    /// Whether `[files] exclude` in the file's scrubs.toml excludes it.
    fn excluded(&mut self, path: &Path) -> bool {
        let config = self.config_for(Some(path));
        self.excludes.excluded(config.as_deref(), path)
    }

    fn config_for(&self, path: Option<&Path>) -> Option<PathBuf> {
        match &self.explicit {
            Some(c) => Some(c.clone()),
            None => {
                let dir = path
                    .and_then(|p| p.parent())
                    .map(|d| {
                        if d.as_os_str().is_empty() {
                            Path::new(".")
                        } else {
                            d
                        }
                    })
                    .unwrap_or(Path::new("."));
                let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
                project::find_config(&dir)
            }
        }
    }

    fn for_file(&mut self, path: Option<&Path>) -> Result<std::sync::Arc<Checker>, String> {
        let config = self.config_for(path);
        if let Some(c) = self.by_config.get(&config) {
            return Ok(c.clone());
        }
        let (settings, root) = match &config {
            Some(c) => {
                let s = project::read_config(c).map_err(|e| e.to_string())?;
                let root = c.parent().map(Path::to_path_buf).unwrap_or_default();
                (s, root)
            }
            None => (Settings::default(), PathBuf::from(".")),
        };
        let settings = settings.merged(&self.overrides);
        let (packs, pack_errors) = project::load_packs(&root, &settings);
        for e in pack_errors {
            self.errors.push(e.to_string());
        }
        let checker = std::sync::Arc::new(Checker::new(settings, packs)?);
        self.by_config.insert(config, checker.clone());
        Ok(checker)
    }
}

/// Runs `scrubs check`.
pub fn check(args: CheckArgs) -> ExitCode {
    if args.fix_images {
        if let Err(e) = fix_images(&args) {
            eprintln!("scrubs: error: {e}");
            return ExitCode::from(2);
        }
    }
    if args.fix || args.diff {
        return fix(&args);
    }
    match run_check(&args) {
        Ok((results, errors)) => {
            let color = match args.color.as_str() {
                "always" => true,
                "never" => false,
                _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            if let Err(e) = emit(&args, &results, color) {
                eprintln!("scrubs: error: {e}");
                return ExitCode::from(2);
            }
            for r in &results {
                let n = crate::engine::checked_len(&r.text);
                if n < r.text.len() {
                    eprintln!(
                        "scrubs: warning: {}: only the first {n} of {} bytes were checked (limit {} bytes); the rest was not checked",
                        r.path,
                        r.text.len(),
                        crate::engine::MAX_CHECKED_BYTES
                    );
                }
            }
            for e in &errors {
                eprintln!("scrubs: error: {e}");
            }
            if !errors.is_empty() {
                return ExitCode::from(2);
            }
            let failing = results
                .iter()
                .flat_map(|r| &r.findings)
                .any(|f| f.severity >= args.fail_on.severity());
            if failing {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("scrubs: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Renders the results in the chosen format to standard output or `-o FILE`.
/// Text and GitHub output end with the summary by category; when the output
/// goes to a file, a one-line count goes to standard error.
fn emit(args: &CheckArgs, results: &[FileResult], color: bool) -> Result<(), String> {
    let color = color && args.output.is_none();
    let out = match args.format {
        OutputFormat::Json => output::json(results),
        OutputFormat::Text => output::text(results, color) + &summary::text(results),
        OutputFormat::Sarif => sarif::sarif(results),
        OutputFormat::Github => github::github(results) + &summary::text(results),
        OutputFormat::Html => html::html(results),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, out)
                .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
            eprintln!(
                "scrubs: wrote {}: {}",
                path.display(),
                summary::line(results)
            );
        }
        None => print!("{out}"),
    }
    Ok(())
}

/// The settings the command line gives, on top of each file's config.
fn overrides(args: &CheckArgs) -> Settings {
    let mut overrides = Settings::default();
    if !args.institutions.is_empty() {
        overrides.institution = Some(crate::config::OneOrMany::Many(args.institutions.clone()));
    }
    overrides
}

/// Checks every input; `Err` when the command cannot do its job at all,
/// `Ok` with the results and the errors of inputs that could not be read.
pub fn run_check(args: &CheckArgs) -> Result<(Vec<FileResult>, Vec<String>), String> {
    let overrides = overrides(args);
    if let Some(c) = &args.config {
        if !c.is_file() {
            return Err(format!("{}: no such config file", c.display()));
        }
    }
    let mut checkers = Checkers {
        overrides,
        explicit: args.config.clone(),
        by_config: HashMap::new(),
        errors: Vec::new(),
        excludes: walk::Excludes::default(),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut jobs: Vec<Job> = Vec::new();
    let mut errors = Vec::new();
    for p in &paths {
        if p.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("standard input: {e}"))?;
            let name = &args.stdin_filename;
            let format = Format::from_path(Path::new(name));
            let format = if name == "-" {
                Format::Markdown
            } else {
                format
            };
            let checker = checkers.for_file(Some(Path::new(name)))?;
            jobs.push((name.clone(), text, format, checker));
            continue;
        }
        if !p.exists() {
            return Err(format!("{}: no such file or folder", p.display()));
        }
        let files: Vec<PathBuf> = if p.is_dir() {
            walk::walk(p)
        } else {
            vec![p.clone()]
        };
        for f in files {
            if checkers.excluded(&f) {
                continue;
            }
            let text = match std::fs::read(&f) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
                },
                Err(e) => {
                    errors.push(format!("{}: cannot read: {e}", f.display()));
                    continue;
                }
            };
            let checker = checkers.for_file(Some(&f))?;
            let format = Format::from_path(&f);
            jobs.push((f.display().to_string(), text, format, checker));
        }
    }
    errors.extend(checkers.errors);
    let judge = judgement(args);
    // The verdicts of the last run: a rerun judges only what changed.
    // `--diff` writes nothing, the cache included.
    let cache_dir = (!args.no_cache && !args.diff && !jobs.is_empty())
        .then(|| cache::dir(args.cache_dir.as_deref()));
    let loaded = match (&judge, &cache_dir) {
        (Some(j), Some(d)) => cache::load(d, j),
        _ => 0,
    };
    let images = (!args.no_images).then(crate::images::ImageCache::new);
    let results = check_all(jobs, judge.as_deref(), images.as_ref());
    if let (Some(j), Some(d)) = (&judge, &cache_dir) {
        if let Err(e) = cache::save(d, j, loaded) {
            eprintln!("scrubs: warning: the verdict cache was not written ({e})");
        }
    }
    Ok((results, errors))
}

/// `scrubs check --fix-images`: strips the metadata of every local picture a
/// `media/image-metadata` finding is about (each file once), reporting each on standard error.
fn fix_images(args: &CheckArgs) -> Result<(), String> {
    let (results, errors) = run_check(args)?;
    if let Some(e) = errors.first() {
        return Err(e.clone());
    }
    let mut done: Vec<std::path::PathBuf> = Vec::new();
    let mut failed = Vec::new();
    for r in &results {
        let draft = Path::new(&r.path);
        let format = Format::from_path(draft);
        for path in crate::images::metadata_paths(&r.text, format, Some(draft), &r.findings) {
            if done.contains(&path) {
                continue;
            }
            match crate::images::strip(&path, !args.no_backup) {
                Ok(s) if s.removed > 0 => {
                    let kept = s
                        .backup
                        .map(|b| format!(" (the original is kept as {})", b.display()))
                        .unwrap_or_default();
                    eprintln!(
                        "scrubs: stripped {} bytes of metadata from {}{kept}",
                        s.removed,
                        path.display()
                    );
                }
                Ok(_) => {}
                Err(e) => failed.push(e),
            }
            done.push(path);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("; "))
    }
}

/// The sentence model, unless `--no-judgement` (each file's `[judgement] enabled` is honoured by
/// its checker). A model that cannot load is reported and the rules run alone.
fn judgement(args: &CheckArgs) -> Option<std::sync::Arc<crate::model::Judgement>> {
    if args.no_judgement {
        return None;
    }
    match crate::model::judge() {
        Ok(j) => Some(j),
        Err(e) => {
            eprintln!("scrubs: warning: the sentence model could not be loaded ({e}); rules only");
            None
        }
    }
}

/// A file to check: its path, text, format and checker.
type Job = (String, String, Format, std::sync::Arc<Checker>);

/// Checks every job, on as many threads as the machine has cores (at most one per file), in
/// input order.
fn check_all(
    jobs: Vec<Job>,
    judge: Option<&crate::model::Judgement>,
    images: Option<&crate::images::ImageCache>,
) -> Vec<FileResult> {
    let judge = judge.map(|j| j as &dyn crate::engine::Judge);
    let run = |(path, text, format, checker): Job| {
        let pictures = images.map(|cache| {
            crate::images::FilePictures::new(Some(Path::new(&path)), cache, crate::images::Ocr::Now)
        });
        let pictures = pictures.as_ref().map(|p| p as &dyn crate::engine::Pictures);
        let findings = checker.check_full(&text, format, None, judge, pictures);
        FileResult {
            path,
            text,
            findings,
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads.min(jobs.len()) <= 1 {
        return jobs.into_iter().map(run).collect();
    }
    crate::par::map(jobs, threads, |i, job| {
        // Files are spread over the cores: the model judges each on its file's thread.
        let r = crate::model::one_thread(|| run(job));
        // The tokenizer's and the checks' small allocations, freed between files, otherwise
        // stay resident in the threads' arenas (a thousand short posts: 190 MB at the peak
        // instead of 116).
        if judge.is_some() && i % 4 == 3 {
            crate::lsp::memory::trim();
        }
        r
    })
}

/// `scrubs check --fix` / `--diff`: applies the safe fixes (writing the files,
/// or printing a diff), then reports what is left like `scrubs check`.
fn fix(args: &CheckArgs) -> ExitCode {
    let (results, mut errors) = match run_check(args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("scrubs: error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut checkers = Checkers {
        overrides: overrides(args),
        explicit: args.config.clone(),
        by_config: HashMap::new(),
        errors: Vec::new(),
        excludes: walk::Excludes::default(),
    };
    let stdin = |r: &FileResult| {
        args.paths.iter().any(|p| p.as_os_str() == "-") && r.path == args.stdin_filename
    };
    // Loaded once (the report after the fixes is judged like `scrubs check`'s).
    let judge = if args.diff { None } else { judgement(args) };
    let images = (!args.no_images).then(crate::images::ImageCache::new);
    let mut remaining = Vec::new();
    let mut changed_files = 0;
    let mut fixes = 0;
    for r in results {
        let path = Path::new(&r.path);
        let format = if stdin(&r) && r.path == "-" {
            Format::Markdown
        } else {
            Format::from_path(path)
        };
        let checker = match checkers.for_file(Some(path)) {
            Ok(c) => c,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let (fixed, n) = crate::engine::fixall::fix_text(&checker, &r.text, format);
        if fixed != r.text {
            changed_files += 1;
            fixes += n;
            if args.diff {
                print!("{}", diff::unified(&r.path, &r.text, &fixed));
            } else if stdin(&r) {
                print!("{fixed}");
            } else if let Err(e) = std::fs::write(path, &fixed) {
                errors.push(format!("{}: cannot write: {e}", r.path));
                continue;
            }
        } else if args.fix && !args.diff && stdin(&r) {
            print!("{fixed}");
        }
        let findings = if args.diff {
            r.findings
        } else {
            let judge = judge.as_deref().map(|j| j as &dyn crate::engine::Judge);
            let pictures = images.as_ref().map(|cache| {
                crate::images::FilePictures::new(Some(path), cache, crate::images::Ocr::Now)
            });
            let pictures = pictures.as_ref().map(|p| p as &dyn crate::engine::Pictures);
            checker.check_full(&fixed, format, None, judge, pictures)
        };
        remaining.push(FileResult {
            path: r.path,
            text: fixed,
            findings,
        });
    }
    errors.extend(checkers.errors);
    if args.diff {
        eprintln!(
            "scrubs: {fixes} fix{} would change {changed_files} file{}",
            if fixes == 1 { "" } else { "es" },
            if changed_files == 1 { "" } else { "s" }
        );
    } else {
        eprintln!(
            "scrubs: applied {fixes} fix{} in {changed_files} file{}",
            if fixes == 1 { "" } else { "es" },
            if changed_files == 1 { "" } else { "s" }
        );
        let reading_stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
        if !reading_stdin {
            let color = args.color == "always";
            if let Err(e) = emit(args, &remaining, color) {
                errors.push(e);
            }
        }
    }
    for e in &errors {
        eprintln!("scrubs: error: {e}");
    }
    if !errors.is_empty() {
        return ExitCode::from(2);
    }
    let failing = if args.diff {
        changed_files > 0
    } else {
        remaining
            .iter()
            .flat_map(|r| &r.findings)
            .any(|f| f.severity >= args.fail_on.severity())
    };
    if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
