//! Build facts for `scrubs --version`: the commit, and the SHA-256 of the
//! embedded model heads and policy packs (so a report can name exactly what
//! judged a draft; `sha256sum model/heads.json src/packs/*.toml` gives the same).
//!
//! The commit comes from, in order: the `SCRUBS_COMMIT` variable (a release
//! workflow may set it), `git rev-parse --short HEAD` when this folder is the
//! top of a git checkout, the `.cargo_vcs_info.json` that `cargo package`
//! writes into a published crate, or "unknown". A build never fails for want
//! of git.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

fn main() {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));

    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SCRUBS_COMMIT");
    println!("cargo:rustc-env=SCRUBS_COMMIT={}", commit(&root));

    let heads = root.join("model/heads.json");
    println!("cargo:rerun-if-changed={}", heads.display());
    let bytes = fs::read(&heads).expect("model/heads.json");
    println!("cargo:rustc-env=SCRUBS_HEADS_SHA256={}", sha256_hex(&bytes));

    // "mayo=<sha256>,mgh=<sha256>,…" for every src/packs/*.toml, by file stem.
    let packs_dir = root.join("src/packs");
    println!("cargo:rerun-if-changed={}", packs_dir.display());
    let mut packs: Vec<(String, String)> = fs::read_dir(&packs_dir)
        .expect("src/packs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, sha256_hex(&fs::read(&p).expect("pack")))
        })
        .collect();
    packs.sort();
    let packs: Vec<String> = packs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!("cargo:rustc-env=SCRUBS_PACKS_SHA256={}", packs.join(","));
}

fn commit(root: &Path) -> String {
    if let Some(c) = env::var("SCRUBS_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
    {
        return c.trim().to_string();
    }
    if let Some(c) = git_commit(root) {
        return c;
    }
    // A crate unpacked from crates.io: `cargo package` recorded the commit.
    if let Ok(text) = fs::read_to_string(root.join(".cargo_vcs_info.json")) {
        if let Some(sha) = text
            .split("\"sha1\"")
            .nth(1)
            .and_then(|rest| rest.split('"').nth(1))
            .filter(|s| s.len() >= 7 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return sha[..7].to_string();
        }
    }
    "unknown".to_string()
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// The short commit of HEAD, only when `root` is the top of its own checkout
/// (not a crate unpacked inside some other repository), and rebuild when HEAD
/// moves.
fn git_commit(root: &Path) -> Option<String> {
    let top = git(root, &["rev-parse", "--show-toplevel"])?;
    let same = match (fs::canonicalize(&top), fs::canonicalize(root)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same {
        return None;
    }
    let short = git(root, &["rev-parse", "--short", "HEAD"])?;
    // Watch HEAD, the branch it points to and packed-refs (a missing path
    // would make cargo rerun this script on every build: only existing ones).
    let mut watch = Vec::new();
    for what in ["HEAD", "packed-refs"] {
        if let Some(p) = git(root, &["rev-parse", "--git-path", what]) {
            watch.push(p);
        }
    }
    if let Some(branch) = git(root, &["symbolic-ref", "-q", "HEAD"]) {
        if let Some(p) = git(root, &["rev-parse", "--git-path", &branch]) {
            watch.push(p);
        }
    }
    for p in watch {
        let p = root.join(p);
        if p.exists() {
            println!("cargo:rerun-if-changed={}", p.display());
        }
    }
    Some(short)
}

/// SHA-256 (FIPS 180-4), lower-case hex. Small enough to keep the build free
/// of build dependencies.
fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, c) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}
