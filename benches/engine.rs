//! Engine benchmarks (criterion): markup extraction alone, the engine per
//! category, the whole check, and a re-check after one keystroke with the
//! block cache, on generated drafts of 1 KB to 1 MB.
//!
//! `cargo bench --bench engine` (all), `cargo bench --bench engine -- check/`
//! (one group). Figures and the machine they were measured on: BENCHMARKS.md.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use scrubs::bench_support::markdown;
use scrubs::config::{Level, Settings};
use scrubs::engine::{Cache, Checker, CATEGORIES};
use scrubs::markup::{self, Format};

#[allow(dead_code)]
#[path = "../tests/common/pictures.rs"]
mod pictures;

const SIZES: &[(&str, usize)] = &[
    ("1KB", 1_000),
    ("10KB", 10_000),
    ("100KB", 100_000),
    ("1MB", 1_000_000),
];

fn markup_extract(c: &mut Criterion) {
    let mut g = c.benchmark_group("markup");
    for &(name, size) in SIZES {
        let text = markdown(size);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), &text, |b, t| {
            b.iter(|| markup::extract(black_box(t), Format::Markdown))
        });
    }
    g.finish();
}

/// The whole check, no cache: what `scrubs check` does per file.
fn check(c: &mut Criterion) {
    whole_checks(c, "check");
}

/// The whole check of each size, as criterion group `group`.
fn whole_checks(c: &mut Criterion, group: &str) {
    let checker = Checker::default_checker();
    let mut g = c.benchmark_group(group);
    for &(name, size) in SIZES {
        let text = markdown(size);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), &text, |b, t| {
            b.iter(|| checker.check(black_box(t), Format::Markdown))
        });
    }
    g.finish();
}

/// The whole check on one thread, as the language server runs it (it keeps
/// the helper thread off to save its memory; see `use_helper_thread`).
fn check_one_thread(c: &mut Criterion) {
    scrubs::engine::use_helper_thread(false);
    whole_checks(c, "check-one-thread");
    scrubs::engine::use_helper_thread(true);
}

/// A generated draft of `size` bytes, and the same with one character typed at the end of a
/// prose line in its middle.
fn keystroke(size: usize) -> [String; 2] {
    let a = markdown(size);
    let line = scrubs::bench_support::edit_line(&a);
    let at: usize = a.lines().take(line + 1).map(|l| l.len() + 1).sum::<usize>() - 1;
    let mut b = a.clone();
    b.insert(at, 'x');
    [a, b]
}

/// A check after a one-character edit, with the block cache warm: what the
/// language server does per keystroke.
fn recheck_after_keystroke(c: &mut Criterion) {
    let checker = Checker::default_checker();
    let mut g = c.benchmark_group("recheck");
    for &(name, size) in SIZES {
        let texts = keystroke(size);
        let mut cache = Cache::new();
        checker.check_cached(&texts[0], Format::Markdown, &mut cache);
        let mut i = 0;
        g.throughput(Throughput::Bytes(texts[0].len() as u64));
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                i ^= 1;
                checker.check_cached(black_box(&texts[i]), Format::Markdown, &mut cache)
            })
        });
    }
    g.finish();
}

/// The keystroke after the server gave the rules' compiled matchers back (BENCHMARKS.md (X)): a
/// one-character edit of the 10 KB draft re-checked with the block cache warm, after
/// `release_all` (`pause`: the writer stopped for 2 s; the matchers nearly every check needs are
/// kept) and after `release_everything` (`minute`: a minute after a long draft's last edit, when
/// those and the trigger index go too).
fn recheck_after_release(c: &mut Criterion) {
    let checker = Checker::default_checker();
    let mut g = c.benchmark_group("recheck-after-release");
    let texts = keystroke(10_000);
    let mut cache = Cache::new();
    checker.check_cached(&texts[0], Format::Markdown, &mut cache);
    let mut i = 0;
    let releases: [(&str, fn()); 2] = [
        ("pause", scrubs::rules::compiled::release_all),
        ("minute", scrubs::rules::compiled::release_everything),
    ];
    for (name, release) in releases {
        g.bench_function(name, |b| {
            b.iter_batched(
                release,
                |()| {
                    i ^= 1;
                    checker.check_cached(black_box(&texts[i]), Format::Markdown, &mut cache)
                },
                criterion::BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

/// The sentence model beside the rules (`Checker::check_judged`): `judged-cold` judges every
/// sentence (the verdict cache emptied before each check: opening a draft for the first time),
/// `judged-recheck` a one-character edit with the block cache and the verdict cache warm (the
/// server's second publish after a keystroke), and `model/encode+heads` one sentence through the
/// model alone.
fn judged(c: &mut Criterion) {
    let checker = Checker::default_checker();
    // The encoder reads a 10 KB draft in about a second: larger drafts' cold judgement is
    // measured once (BENCHMARKS.md), not in criterion's repeated samples.
    let mut g = c.benchmark_group("judged-cold");
    g.sample_size(10);
    for &(name, size) in &SIZES[..2] {
        let text = markdown(size);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), &text, |b, t| {
            b.iter_batched(
                || {
                    scrubs::model::release_if_idle(Duration::ZERO);
                    scrubs::model::judge().unwrap()
                },
                |j| checker.check_judged(black_box(t), Format::Markdown, None, Some(&*j)),
                criterion::BatchSize::PerIteration,
            )
        });
    }
    g.finish();
    let mut g = c.benchmark_group("judged-recheck");
    for &(name, size) in &SIZES[..2] {
        let texts = keystroke(size);
        let mut cache = Cache::new();
        let j = scrubs::model::judge().unwrap();
        checker.check_judged(&texts[0], Format::Markdown, Some(&mut cache), Some(&*j));
        let mut i = 0;
        g.throughput(Throughput::Bytes(texts[0].len() as u64));
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                i ^= 1;
                checker.check_judged(
                    black_box(&texts[i]),
                    Format::Markdown,
                    Some(&mut cache),
                    Some(&*j),
                )
            })
        });
    }
    g.finish();
    let model = scrubs::model::Model::load().unwrap();
    c.bench_function("model/encode+heads", |b| {
        b.iter(|| model.score(black_box("Had a patient today who cried when I remembered her daughter's name from her last admission.")))
    });
    c.bench_function("model/load", |b| {
        b.iter(|| scrubs::model::Model::load().unwrap())
    });
}

/// Each category's rules alone (the others off) on the 10 KB draft, plus
/// the cost of the context (markup and affiliations) every check pays.
fn per_category(c: &mut Criterion) {
    let text = markdown(10_000);
    let mut g = c.benchmark_group("category-10KB");
    let none = checker_for(None);
    g.bench_function("context-only", |b| {
        b.iter(|| none.check(black_box(&text), Format::Markdown))
    });
    for cat in CATEGORIES {
        if !scrubs::rules::all()
            .iter()
            .any(|r| r.meta().category() == *cat)
        {
            continue;
        }
        let checker = checker_for(Some(cat));
        g.bench_function(*cat, |b| {
            b.iter(|| checker.check(black_box(&text), Format::Markdown))
        });
    }
    g.finish();
}

/// Each rule alone on the 10 KB draft (finer than [`per_category`]: which
/// rule to make faster). `cargo bench --bench engine -- rule-10KB/`.
fn per_rule(c: &mut Criterion) {
    let text = markdown(10_000);
    let mut g = c.benchmark_group("rule-10KB");
    for rule in scrubs::rules::all() {
        let id = rule.meta().id;
        let mut settings = Settings::default();
        for other in scrubs::rules::all() {
            if other.meta().id != id {
                settings
                    .rules
                    .insert(other.meta().id.to_string(), Level::Off);
            }
        }
        let checker = Checker::new(settings, Vec::new()).expect("valid settings");
        g.bench_function(id, |b| {
            b.iter(|| checker.check(black_box(&text), Format::Markdown))
        });
    }
    g.finish();
}

/// A checker with only `only`'s rules on (none when `None`).
/// A 10 KB draft linking three local pictures (two with a phone's EXIF): the check with no
/// pictures, on a keystroke (every picture in the cache: what the server does), and with the
/// metadata read afresh (a new cache: the first check after a picture changed). OCR is not in
/// these (it runs off the keystroke path; BENCHMARKS.md times it per picture).
fn pictures_check(c: &mut Criterion) {
    use scrubs::images::{FilePictures, ImageCache, Ocr};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ward.jpg"), pictures::jpeg_with_exif()).unwrap();
    std::fs::write(dir.path().join("sunset.jpg"), pictures::jpeg()).unwrap();
    std::fs::write(dir.path().join("chart.png"), pictures::png_with_exif()).unwrap();
    let text = format!(
        "{}\n\n![ward](ward.jpg) ![sunset](sunset.jpg) ![chart](chart.png)\n",
        markdown(10_000)
    );
    let draft = dir.path().join("post.md");
    let checker = Checker::default_checker();
    let mut g = c.benchmark_group("pictures-10KB");
    g.bench_function("none", |b| {
        b.iter(|| checker.check_full(black_box(&text), Format::Markdown, None, None, None))
    });
    let warm = ImageCache::new();
    g.bench_function("keystroke-cached", |b| {
        b.iter(|| {
            let p = FilePictures::new(Some(&draft), &warm, Ocr::Cached);
            checker.check_full(black_box(&text), Format::Markdown, None, None, Some(&p))
        })
    });
    g.bench_function("metadata-read", |b| {
        b.iter_batched(
            ImageCache::new,
            |cache| {
                let p = FilePictures::new(Some(&draft), &cache, Ocr::Off);
                checker.check_full(black_box(&text), Format::Markdown, None, None, Some(&p))
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn checker_for(only: Option<&str>) -> Checker {
    let mut settings = Settings::default();
    for cat in CATEGORIES {
        if Some(*cat) != only {
            settings.rules.insert(cat.to_string(), Level::Off);
        }
    }
    Checker::new(settings, Vec::new()).expect("valid settings")
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = markup_extract, check, check_one_thread, recheck_after_keystroke, recheck_after_release, judged, per_category, per_rule, pictures_check
}
criterion_main!(benches);
