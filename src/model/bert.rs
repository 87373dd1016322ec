//! A small BERT encoder (all-MiniLM-L6-v2's shape: six layers, width 384, twelve attention heads,
//! feed-forward 1,536), written out operation for operation as `model/encoder.py` trains it, with
//! one logistic output per head on the mean of its last layer.
//!
//! Weights come from `model/encoder.safetensors` (embedded in the binary): int8 rows with one f32
//! scale per row for the word embeddings and every linear layer, f32 for the rest. The word rows
//! are read where they lie in the binary (a text touches only its tokens' rows). The layers'
//! products take one of two paths, with the same results to f32 rounding (a test checks it):
//! - on x86-64 processors with AVX2 and FMA, [`super::kernel`]: the int8 weights, packed once
//!   into panels when the model loads (11 MB), are widened in registers;
//! - elsewhere, and in debug builds, the portable path: each product expands the rows it needs to
//!   f32 where they lie in the binary and hands them to matrixmultiply's `sgemm` (keeping 42 MB of
//!   expanded weights would cost more memory than the expansion costs time).
//!
//! Both are f32 arithmetic: products in int8 are no faster on a processor without VNNI.
//!
//! Many texts are encoded at once with no padding: the linear layers, nearly all the arithmetic,
//! run on every token of every text as one matrix (one product), and only attention works text by
//! text. Texts are taken in chunks of at most [`CHUNK_TOKENS`] tokens (the activations of a chunk
//! are ~8 MB), and the chunks are spread over up to `threads` threads; a job of at most
//! [`SPLIT_TOKENS`] is one chunk shared with a second thread, started for the chunk, that takes
//! half of each product's output columns and half of the attention heads.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use safetensors::SafeTensors;

#[cfg(target_arch = "x86_64")]
use super::kernel;

pub const WIDTH: usize = 384;
const HEADS: usize = 12;
const HEAD_DIM: usize = 32;
const FFN: usize = 1536;
const LN_EPS: f32 = 1e-12;
/// The most tokens a chunk of texts holds (its activations: ~15 KB a token, so ~8 MB a thread).
pub const CHUNK_TOKENS: usize = 512;
/// A job of at most this many tokens (a keystroke's edited block, or its sentences) is one chunk
/// shared with a second thread (on a machine of more than one core; a keystroke's products are
/// too small for more threads to pay for their waiting): split by texts, each thread would read
/// every weight for a few tokens (on the portable path, expanding and packing them took ~10 ms of
/// a 75-token block's 28 ms on one thread), and one text cannot be split at all. Larger jobs are
/// split by texts.
pub const SPLIT_TOKENS: usize = 256;
/// On the portable path, the most columns of a product one `sgemm` call takes when two threads
/// share a product (a keystroke's paragraph, at most [`SPLIT_TOKENS`]). matrixmultiply allocates
/// its packing buffer on every call: 256 × (64 + columns) floats (its f32 blocking: 256 of the
/// inner dimension, 64 rows), which for a thread's 576 or 768 columns is over the 256 KB from
/// which the server has glibc map every block on its own (`lsp::memory::few_arenas`): each of a
/// keystroke's 24 products then mapped, faulted in, zeroed and unmapped ~1 MB, with a TLB
/// shootdown of the other core, ~10% of the judgement. At 184 columns the buffer (248 KB) comes from the heap and is
/// reused; the few rows are packed again for each block, which costs little. A chunk of many
/// texts is taken whole (its rows would be packed again for nothing, and its buffer is mapped
/// once for ~10 ms of arithmetic), and so is any product in `scrubs check`, where glibc keeps
/// large blocks in the heap by itself.
const PRODUCT_COLS: usize = 184;
/// Fewer tokens than this are not worth a thread of their own.
const MIN_CHUNK_TOKENS: usize = 64;

/// int8 rows of a weight matrix, read where they lie in the binary, and each row's scale.
struct Rows {
    q: &'static [u8],
    scale: Vec<f32>,
}

/// A linear layer: `out = x · wᵀ + b`, `w` as `[out][in]`: int8 rows (the parts' rows one after
/// the other), in panels for the kernel or expanded to f32 for each product on the portable path
/// (see the module's documentation). Either way the weights' memory stays at their int8 size.
struct Linear {
    parts: Vec<Rows>,
    b: Vec<f32>,
    n_in: usize,
    n_out: usize,
    /// The same weights in panels, for the processors that run [`kernel::product`].
    #[cfg(target_arch = "x86_64")]
    panels: Option<kernel::Panels>,
}

impl Linear {
    fn new(parts: Vec<Rows>, b: Vec<f32>, n_in: usize, n_out: usize) -> Linear {
        let mut lin = Linear {
            parts,
            b,
            n_in,
            n_out,
            #[cfg(target_arch = "x86_64")]
            panels: None,
        };
        // Debug builds take the portable path (tests that check the kernel against it take the
        // kernel themselves, [`Bert::use_kernel`]): unoptimised, the kernel is over ten times
        // slower than matrixmultiply, which the dev profile optimises, and the tests judge
        // thousands of texts.
        lin.use_kernel(!cfg!(debug_assertions));
        lin
    }

    /// Takes the kernel where the processor runs it (packing the panels), if `on`; else the
    /// portable path.
    fn use_kernel(&mut self, on: bool) {
        #[cfg(target_arch = "x86_64")]
        {
            self.panels = (on && kernel::available() && self.n_out % kernel::NR == 0).then(|| {
                kernel::Panels::pack(
                    self.n_in,
                    self.parts
                        .iter()
                        .flat_map(|p| p.q.chunks_exact(self.n_in).zip(p.scale.iter().copied())),
                )
            });
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = on;
    }

    /// Whether the products run on the kernel.
    fn on_kernel(&self) -> bool {
        #[cfg(target_arch = "x86_64")]
        return self.panels.is_some();
        #[cfg(not(target_arch = "x86_64"))]
        false
    }

    /// `x`: `rows` rows of `n_in`; `out` becomes `rows` rows of `n_out`, with GELU applied when
    /// `gelu`; `lanes`: this thread's buffer for the expanded weights, and the helper thread that
    /// takes the other half of the output's columns, if there is one. Sharing the columns, a few
    /// tokens (a keystroke's paragraph) are encoded on both cores rather than each core expanding
    /// and packing every weight for a few tokens of its own.
    fn apply<'a>(
        &'a self,
        x: &[f32],
        rows: usize,
        out: &mut Vec<f32>,
        lanes: &mut Lanes<'_, 'a>,
        gelu: bool,
    ) {
        assert_eq!(x.len(), rows * self.n_in);
        out.clear();
        out.reserve(rows * self.n_out);
        for _ in 0..rows {
            out.extend_from_slice(&self.b);
        }
        if rows == 0 {
            return;
        }
        // The output as an address, so that each thread writes its own columns.
        let c = out.as_mut_ptr();
        let Some(helper) = lanes.helper else {
            // SAFETY: `c` points at `out`, rows × n_out values (filled above), and `x` holds
            // rows × n_in; no other thread writes `out`.
            unsafe { self.product(x, rows, c, 0..self.n_out, lanes.w, gelu) };
            return;
        };
        let per = self.n_out.div_ceil(2);
        let posted = helper.post(Job::Product {
            lin: self,
            x: x.as_ptr() as usize,
            rows,
            out: c as usize,
            cols: per..self.n_out,
            gelu,
        });
        // SAFETY: as above; the helper writes only the columns `per..n_out` meanwhile, and
        // this thread waits for it before `out` or `x` is touched again.
        unsafe { self.product(x, rows, c, 0..per, lanes.w, gelu) };
        helper.wait(posted);
    }

    /// `out[.., cols] += x · w[cols]ᵀ` (then GELU on those columns, when `gelu`): on the kernel
    /// when the layer has its panels and `cols` is whole panels (the encoder's widths and their
    /// halves always are), else expanding the weights' rows `cols` into `w` for `sgemm`.
    ///
    /// # Safety
    /// `out` must point at `rows` × `n_out` writable values that no other thread reads or
    /// writes in the columns `cols`, and `x` must hold `rows` × `n_in` values.
    unsafe fn product(
        &self,
        x: &[f32],
        rows: usize,
        out: *mut f32,
        cols: Range<usize>,
        w: &mut Vec<f32>,
        gelu: bool,
    ) {
        if cols.is_empty() {
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if let Some(panels) = &self.panels {
            if cols.start % kernel::NR == 0 && cols.end % kernel::NR == 0 {
                // SAFETY: the panels exist only where the processor runs the kernel; `x` holds
                // rows × n_in values and `out` rows × n_out, whose columns `cols` (whole panels)
                // are this thread's (the caller's promises).
                unsafe { kernel::product(x.as_ptr(), rows, panels, out, cols.clone()) };
                if gelu {
                    self.gelu(rows, out, cols);
                }
                return;
            }
        }
        // Every value is written below: resizing (not clearing) leaves nothing to zero first.
        w.resize(cols.len() * self.n_in, 0.0);
        let mut dst = w.chunks_exact_mut(self.n_in);
        let mut at = 0; // the first weight row of the part
        for p in &self.parts {
            let n = p.scale.len();
            let (lo, hi) = (cols.start.max(at), cols.end.min(at + n));
            if lo < hi {
                let q = &p.q[(lo - at) * self.n_in..(hi - at) * self.n_in];
                for ((row, &s), o) in q
                    .chunks_exact(self.n_in)
                    .zip(&p.scale[lo - at..hi - at])
                    .zip(&mut dst)
                {
                    expand(row, s, o);
                }
            }
            at += n;
        }
        assert_eq!(at, self.n_out);
        // A product shared between two threads (a keystroke's few tokens) in blocks of at most
        // PRODUCT_COLS columns (see there).
        let block = if cols.len() < self.n_out {
            PRODUCT_COLS
        } else {
            cols.len()
        };
        for b in (0..cols.len()).step_by(block) {
            let n = block.min(cols.len() - b);
            // SAFETY: `x` holds rows × n_in values (the caller's promise), `w` cols × n_in (just
            // filled; its rows b..b + n are the block's), and `out` + cols.start + b with row
            // stride n_out addresses rows × n values of the caller's output, written by no one
            // else meanwhile; no operand aliases another.
            unsafe {
                matrixmultiply::sgemm(
                    rows,
                    self.n_in,
                    n,
                    1.0,
                    x.as_ptr(),
                    self.n_in as isize,
                    1,
                    w.as_ptr().add(b * self.n_in),
                    1,
                    self.n_in as isize,
                    1.0,
                    out.add(cols.start + b),
                    self.n_out as isize,
                    1,
                );
            }
        }
        if gelu {
            self.gelu(rows, out, cols);
        }
    }

    /// GELU on the columns `cols` of `out`'s `rows` rows.
    ///
    /// # Safety
    /// As [`Linear::product`].
    unsafe fn gelu(&self, rows: usize, out: *mut f32, cols: Range<usize>) {
        for r in 0..rows {
            // SAFETY: row r's columns `cols` of the caller's output.
            let v = unsafe {
                std::slice::from_raw_parts_mut(out.add(r * self.n_out + cols.start), cols.len())
            };
            gelu_in_place(v);
        }
    }
}

/// Work handed to the helper thread. Its input and output are given as addresses: the posting
/// thread keeps both borrowed, and touches neither the helper's part of the output nor the input,
/// until the helper is done.
#[derive(Clone)]
enum Job<'a> {
    /// A product's columns `cols`.
    Product {
        lin: &'a Linear,
        x: usize,
        rows: usize,
        out: usize,
        cols: Range<usize>,
        gelu: bool,
    },
    /// Self-attention's `heads` for every text of the chunk.
    Attend {
        texts: &'a [Vec<u32>],
        qkv: usize,
        ctx: usize,
        heads: Range<usize>,
    },
}

/// The second thread of a chunk whose products share their columns: started once for the chunk
/// (not once a product: a keystroke's paragraph takes 24 products, and a thread woken 24 times on
/// an idle core costs more than its half of the work saves), it waits for each product between
/// them by spinning briefly, then yielding.
struct Helper<'a> {
    job: std::sync::Mutex<Option<Job<'a>>>,
    posted: AtomicUsize,
    done: AtomicUsize,
    stop: AtomicBool,
}

/// The buffers and the helper of the thread taking a product's first columns.
struct Lanes<'s, 'a> {
    w: &'s mut Vec<f32>,
    helper: Option<&'s Helper<'a>>,
}

/// Spins until `ready`, yielding the core after ~1 ms of spinning.
fn wait_until(mut ready: impl FnMut() -> bool) {
    let mut spins = 0u32;
    while !ready() {
        if spins < 20_000 {
            spins += 1;
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }
}

impl<'a> Helper<'a> {
    fn new() -> Self {
        Helper {
            job: std::sync::Mutex::new(None),
            posted: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        }
    }

    /// Hands `job` to the helper; its number, for [`Helper::wait`].
    fn post(&self, job: Job<'a>) -> usize {
        *self.job.lock().unwrap_or_else(|e| e.into_inner()) = Some(job);
        self.posted.fetch_add(1, Ordering::AcqRel) + 1
    }

    /// Waits until the helper has done job number `n`.
    fn wait(&self, n: usize) {
        wait_until(|| self.done.load(Ordering::Acquire) >= n || self.stop.load(Ordering::Acquire));
        // The helper stops on its own only when it panicked: the chunk cannot be finished.
        assert!(
            self.done.load(Ordering::Acquire) >= n,
            "the encoder's helper thread stopped"
        );
    }

    /// The helper thread's loop: each posted job, until [`Helper::finish`]. `w` and `scores`: its
    /// buffers for the expanded weights and the attention scores.
    fn serve(&self, w: &mut Vec<f32>, scores: &mut Vec<f32>) {
        /// Stops the waiting thread if a job panics.
        struct Stop<'h, 'a>(&'h Helper<'a>);
        impl Drop for Stop<'_, '_> {
            fn drop(&mut self) {
                self.0.stop.store(true, Ordering::Release);
            }
        }
        let _stop = Stop(self);
        let mut seen = 0;
        loop {
            wait_until(|| {
                self.posted.load(Ordering::Acquire) != seen || self.stop.load(Ordering::Acquire)
            });
            let posted = self.posted.load(Ordering::Acquire);
            if posted == seen {
                return; // stopped, nothing left
            }
            seen = posted;
            let job = self.job.lock().unwrap_or_else(|e| e.into_inner()).clone();
            match job {
                // SAFETY: the posting thread keeps `x` (rows × n_in values) and the output
                // (rows × n_out) alive and touches neither these columns of the output nor `x`
                // until this job is done.
                Some(Job::Product {
                    lin,
                    x,
                    rows,
                    out,
                    cols,
                    gelu,
                }) => unsafe {
                    let x = std::slice::from_raw_parts(x as *const f32, rows * lin.n_in);
                    lin.product(x, rows, out as *mut f32, cols, w, gelu);
                },
                // SAFETY: the posting thread keeps `qkv` and `ctx` (the chunk's tokens' rows)
                // alive, writes neither meanwhile but `ctx`'s columns of its own heads.
                Some(Job::Attend {
                    texts,
                    qkv,
                    ctx,
                    heads,
                }) => unsafe {
                    attend_all(texts, qkv as *const f32, ctx as *mut f32, scores, heads);
                },
                None => {}
            }
            self.done.store(seen, Ordering::Release);
        }
    }

    /// Ends the helper's loop once the posted jobs are done.
    fn finish(&self) {
        self.stop.store(true, Ordering::Release);
    }
}

struct Norm {
    g: Vec<f32>,
    b: Vec<f32>,
}

impl Norm {
    fn apply(&self, x: &mut [f32]) {
        normalize(x, &self.g, &self.b);
    }
}

wide! {
    /// Layer norm of each row of [`WIDTH`] values, with gains `g` and biases `b`.
    fn normalize(x: &mut [f32], g: &[f32], b: &[f32]) {
        for row in x.chunks_exact_mut(WIDTH) {
            let mean = sum8(row) / WIDTH as f32;
            for v in row.iter_mut() {
                *v -= mean;
            }
            let var = dot8(row, row) / WIDTH as f32;
            let inv = 1.0 / (var + LN_EPS).sqrt();
            for ((v, g), b) in row.iter_mut().zip(g).zip(b) {
                *v = *v * inv * g + b;
            }
        }
    }
}

wide! {
    /// One int8 weight row expanded to f32: `out[i] = q[i] · scale`.
    fn expand(q: &[u8], scale: f32, out: &mut [f32]) {
        for (o, &v) in out.iter_mut().zip(q) {
            *o = f32::from(v as i8) * scale;
        }
    }
}

wide! {
    /// `a += b`, value by value (the residual connections).
    fn add_in_place(a: &mut [f32], b: &[f32]) {
        for (a, b) in a.iter_mut().zip(b) {
            *a += b;
        }
    }
}

struct Layer {
    /// Query, key and value in one matrix (`[3 × 384][384]`).
    qkv: Linear,
    o: Linear,
    f1: Linear,
    f2: Linear,
    ln1: Norm,
    ln2: Norm,
}

/// The buffers for the activations of a chunk, kept in the encoder's pool for the next chunk: a
/// long run (`scrubs check` on a thousand files) reuses them rather than allocating and freeing
/// megabytes per chunk between the verdict cache's small allocations, which fragmented the heap
/// (RSS grew with the number of files), and a keystroke's judgement does not fault in fresh pages
/// for them. The pool goes with the encoder when the server gives the model back.
#[derive(Default)]
struct Scratch {
    x: Vec<f32>,
    qkv: Vec<f32>,
    ctx: Vec<f32>,
    tmp: Vec<f32>,
    ffn: Vec<f32>,
    scores: Vec<f32>,
    /// The expanded weights' buffer, and the helper thread's when a second thread shares the
    /// products' columns.
    w: Vec<f32>,
    w2: Vec<f32>,
    /// The helper thread's attention scores.
    scores2: Vec<f32>,
}

/// The encoder and its heads.
pub struct Bert {
    /// int8 rows of the word embeddings, in the binary.
    word: &'static [u8],
    word_scale: Vec<f32>,
    position: Vec<f32>,
    kind: Vec<f32>,
    norm: Norm,
    layers: Vec<Layer>,
    head_w: Vec<f32>,
    head_b: Vec<f32>,
    maxlen: usize,
    /// Buffers free for the next chunk (one per thread that has encoded at once, at most).
    scratch: std::sync::Mutex<Vec<Scratch>>,
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Reads a tensor's shape and bytes, checking its type.
fn tensor<'a>(
    st: &SafeTensors<'a>,
    name: &str,
    dtype: safetensors::Dtype,
) -> Result<(Vec<usize>, &'a [u8]), String> {
    let t = st
        .tensor(name)
        .map_err(|e| format!("model/encoder.safetensors: {name}: {e}"))?;
    if t.dtype() != dtype {
        return Err(format!(
            "model/encoder.safetensors: {name} is {:?}, not {dtype:?}",
            t.dtype()
        ));
    }
    Ok((t.shape().to_vec(), t.data()))
}

fn vector(st: &SafeTensors<'_>, name: &str, len: usize) -> Result<Vec<f32>, String> {
    let (shape, data) = tensor(st, name, safetensors::Dtype::F32)?;
    if shape.iter().product::<usize>() != len {
        return Err(format!(
            "model/encoder.safetensors: {name} has shape {shape:?}, not {len} values"
        ));
    }
    Ok(f32s(data))
}

/// An int8 matrix and its row scales.
fn matrix(st: &SafeTensors<'static>, name: &str, rows: usize, cols: usize) -> Result<Rows, String> {
    let (shape, q) = tensor(st, &format!("{name}.q"), safetensors::Dtype::I8)?;
    if shape != [rows, cols] {
        return Err(format!(
            "model/encoder.safetensors: {name} has shape {shape:?}, not [{rows}, {cols}]"
        ));
    }
    let scale = vector(st, &format!("{name}.scale"), rows)?;
    Ok(Rows { q, scale })
}

fn linear(
    st: &SafeTensors<'static>,
    name: &str,
    n_in: usize,
    n_out: usize,
) -> Result<Linear, String> {
    Ok(Linear::new(
        vec![matrix(st, name, n_out, n_in)?],
        vector(st, &format!("{name}.bias"), n_out)?,
        n_in,
        n_out,
    ))
}

fn norm(st: &SafeTensors<'_>, name: &str) -> Result<Norm, String> {
    Ok(Norm {
        g: vector(st, &format!("{name}.weight"), WIDTH)?,
        b: vector(st, &format!("{name}.bias"), WIDTH)?,
    })
}

/// Defines a function whose body (a loop over many values) is compiled twice: for x86-64's
/// baseline SSE2, for which the rest of the binary is compiled, and for AVX2, with twice the lanes,
/// taken when the processor has it (matrixmultiply picks its kernels the same way). In SSE2 the
/// encoder's own loops (GELU, the expansion of the int8 weights, softmax, layer norm) took ~15% of
/// `scrubs check`'s time. Neither build fuses a multiply and an add, so both give the same bits.
/// The body's helpers are `inline(always)`, so that they are compiled inside it.
macro_rules! wide {
    ($(#[$m:meta])* fn $name:ident($($a:ident: $t:ty),* $(,)?) $body:block) => {
        $(#[$m])*
        fn $name($($a: $t),*) {
            #[inline(always)]
            fn body($($a: $t),*) $body
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                #[target_feature(enable = "avx2")]
                unsafe fn avx2($($a: $t),*) {
                    body($($a),*)
                }
                // SAFETY: the processor has AVX2 (detected just above).
                return unsafe { avx2($($a),*) };
            }
            body($($a),*)
        }
    };
}
use wide;

/// The sum of `a`, in eight lanes (so that the compiler may use vector instructions: a plain sum
/// must add in order).
#[inline(always)]
fn sum8(a: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let mut chunks = a.chunks_exact(8);
    for c in &mut chunks {
        for (x, y) in acc.iter_mut().zip(c) {
            *x += y;
        }
    }
    acc.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>()
}

/// The dot product of `a` and `b`, in eight lanes.
#[inline(always)]
fn dot8(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (mut ca, mut cb) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let rest: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    acc.iter().sum::<f32>() + rest
}

/// e^x for x ≤ 0 (relative error ~2e-7; 0 below -87), branch-free so that a loop of it vectorises:
/// x = n·ln 2 + r with |r| ≤ ln 2 / 2, e^r by its Taylor polynomial to r⁷, 2^n by the exponent bits.
#[inline(always)]
fn exp_nonpositive(x: f32) -> f32 {
    const ROUND: f32 = 12_582_912.0; // 1.5 · 2^23: adding it rounds to an integer
    let x = x.clamp(-87.0, 0.0);
    let t = x * std::f32::consts::LOG2_E + ROUND;
    let n = t - ROUND;
    let r = x - n * 0.693_145_75 - n * 1.428_606_8e-6;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0
                        + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
    // 2^n: t's low bits hold n (t = 1.5 · 2^23 + n), and shifting them into the exponent drops
    // the rest. Not `n as i32`, whose saturating conversion does not vectorise.
    let bits = t.to_bits().wrapping_add(127) << 23;
    p * f32::from_bits(bits)
}

/// erf (Abramowitz and Stegun 7.1.26: absolute error below 1.5e-7), branch-free.
#[inline(always)]
fn erf(x: f32) -> f32 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152 + t * 1.061_405_4))));
    let r = 1.0 - poly * exp_nonpositive(-z * z);
    r.copysign(x)
}

wide! {
    /// GELU as PyTorch computes it by default: x · Φ(x), with Φ from erf.
    fn gelu_in_place(x: &mut [f32]) {
        for v in x {
            *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
        }
    }
}

wide! {
    /// The softmax of each row of `n` values of `x`.
    fn softmax_rows(x: &mut [f32], n: usize) {
        for r in x.chunks_exact_mut(n) {
            // The row's largest value, in eight lanes.
            let mut lanes = [f32::NEG_INFINITY; 8];
            let mut chunks = r.chunks_exact(8);
            for c in &mut chunks {
                for (m, &v) in lanes.iter_mut().zip(c) {
                    *m = m.max(v);
                }
            }
            let max = chunks
                .remainder()
                .iter()
                .chain(&lanes)
                .copied()
                .fold(f32::NEG_INFINITY, f32::max);
            for v in r.iter_mut() {
                *v = exp_nonpositive(*v - max);
            }
            let inv = 1.0 / sum8(r);
            for v in r.iter_mut() {
                *v *= inv;
            }
        }
    }
}

/// Self-attention of every text of a chunk, for the attention heads `heads`: see [`attend`].
///
/// # Safety
/// `qkv` must point at the chunk's tokens' rows of 3 × [`WIDTH`] values and `ctx` at their rows
/// of [`WIDTH`], which no other thread writes meanwhile in these heads' columns.
unsafe fn attend_all(
    texts: &[Vec<u32>],
    qkv: *const f32,
    ctx: *mut f32,
    scores: &mut Vec<f32>,
    heads: Range<usize>,
) {
    let mut off = 0;
    for t in texts {
        // SAFETY: the caller's promise; the text's rows lie inside the chunk's.
        unsafe { attend(qkv, ctx, off, t.len(), scores, heads.clone()) };
        off += t.len();
    }
}

/// Self-attention of one text (tokens `off..off + n` of the chunk): for each head of `heads`,
/// the softmax of Q·Kᵀ/√32 over the text's tokens, times V, into `ctx` (rows of [`WIDTH`]).
/// Two matrix products a head (`sgemm`, strided views of `qkv`'s rows of 3 × 384).
///
/// # Safety
/// As [`attend_all`], with the tokens `off..off + n` inside the chunk.
unsafe fn attend(
    qkv: *const f32,
    ctx: *mut f32,
    off: usize,
    n: usize,
    scores: &mut Vec<f32>,
    heads: Range<usize>,
) {
    if n == 0 {
        return;
    }
    let scale = 1.0 / (HEAD_DIM as f32).sqrt();
    scores.clear();
    scores.resize(n * n, 0.0);
    let row = (3 * WIDTH) as isize;
    for h in heads {
        let base = off * 3 * WIDTH + h * HEAD_DIM;
        // SAFETY: the caller's promise: the text's rows lie inside `qkv` and `ctx`; head `h`'s
        // columns (h·32 .. h·32 + 32 of the query, key and value thirds) inside each row;
        // `scores` holds n × n. The strides describe those views exactly, and no output aliases
        // an input.
        unsafe {
            let q = qkv.add(base);
            let k = qkv.add(base + WIDTH);
            // scores = scale · Q Kᵀ: (n × 32) · (32 × n).
            matrixmultiply::sgemm(
                n,
                HEAD_DIM,
                n,
                scale,
                q,
                row,
                1,
                k,
                1,
                row,
                0.0,
                scores.as_mut_ptr(),
                n as isize,
                1,
            );
        }
        softmax_rows(scores, n);
        // SAFETY: as above; the output is head h's 32 columns of the text's rows of `ctx`.
        unsafe {
            let v = qkv.add(base + 2 * WIDTH);
            matrixmultiply::sgemm(
                n,
                n,
                HEAD_DIM,
                1.0,
                scores.as_ptr(),
                n as isize,
                1,
                v,
                row,
                1,
                0.0,
                ctx.add(off * WIDTH + h * HEAD_DIM),
                WIDTH as isize,
                1,
            );
        }
    }
}

impl Bert {
    /// Reads the encoder from its safetensors bytes (the embedded `model/encoder.safetensors`).
    pub fn load(bytes: &'static [u8], outputs: usize, maxlen: usize) -> Result<Bert, String> {
        let st = SafeTensors::deserialize(bytes)
            .map_err(|e| format!("model/encoder.safetensors: {e}"))?;
        let (shape, word) = tensor(&st, "embeddings.word.q", safetensors::Dtype::I8)?;
        if shape.len() != 2 || shape[1] != WIDTH {
            return Err(format!(
                "model/encoder.safetensors: word embeddings of shape {shape:?}"
            ));
        }
        let vocab = shape[0];
        let word_scale = vector(&st, "embeddings.word.scale", vocab)?;
        let (pshape, _) = tensor(&st, "embeddings.position", safetensors::Dtype::F32)?;
        if pshape.len() != 2 || pshape[1] != WIDTH || pshape[0] < maxlen {
            return Err(format!(
                "model/encoder.safetensors: position embeddings of shape {pshape:?} for {maxlen} tokens"
            ));
        }
        let position = vector(&st, "embeddings.position", pshape[0] * WIDTH)?;
        let kind = vector(&st, "embeddings.type", WIDTH)?;
        let norm_e = norm(&st, "embeddings.norm")?;
        let mut layers = Vec::new();
        for i in 0.. {
            if st.tensor(&format!("layer.{i}.q.q")).is_err() {
                break;
            }
            let p = |n: &str| format!("layer.{i}.{n}");
            let (q, k, v) = (
                linear(&st, &p("q"), WIDTH, WIDTH)?,
                linear(&st, &p("k"), WIDTH, WIDTH)?,
                linear(&st, &p("v"), WIDTH, WIDTH)?,
            );
            let qkv = Linear::new(
                [q.parts, k.parts, v.parts].into_iter().flatten().collect(),
                [q.b, k.b, v.b].concat(),
                WIDTH,
                3 * WIDTH,
            );
            layers.push(Layer {
                qkv,
                o: linear(&st, &p("o"), WIDTH, WIDTH)?,
                f1: linear(&st, &p("f1"), WIDTH, FFN)?,
                f2: linear(&st, &p("f2"), FFN, WIDTH)?,
                ln1: norm(&st, &p("ln1"))?,
                ln2: norm(&st, &p("ln2"))?,
            });
        }
        if layers.is_empty() {
            return Err("model/encoder.safetensors: no layers".into());
        }
        let head_w = vector(&st, "head.weight", outputs * WIDTH)?;
        let head_b = vector(&st, "head.bias", outputs)?;
        Ok(Bert {
            word,
            word_scale,
            position,
            kind,
            norm: norm_e,
            layers,
            head_w,
            head_b,
            maxlen,
            scratch: Default::default(),
        })
    }

    /// Whether the linear layers run on the kernel (AVX2 and FMA), not the portable path.
    pub fn on_kernel(&self) -> bool {
        self.layers.iter().all(|l| {
            [&l.qkv, &l.o, &l.f1, &l.f2]
                .iter()
                .all(|lin| lin.on_kernel())
        })
    }

    /// Takes the kernel where the processor runs it, if `on`, else the portable path (to check
    /// one against the other).
    #[cfg(test)]
    pub(super) fn use_kernel(&mut self, on: bool) {
        for l in &mut self.layers {
            for lin in [&mut l.qkv, &mut l.o, &mut l.f1, &mut l.f2] {
                lin.use_kernel(on);
            }
        }
    }

    /// The most tokens a text is read to ([CLS] and [SEP] included); longer texts are cut.
    pub fn maxlen(&self) -> usize {
        self.maxlen
    }

    /// The byte range of the word embeddings' rows (to give their pages back).
    pub fn word_rows(&self) -> Range<usize> {
        let start = self.word.as_ptr() as usize;
        start..start + self.word.len()
    }

    pub fn vocab(&self) -> usize {
        self.word_scale.len()
    }

    pub fn outputs(&self) -> usize {
        self.head_b.len()
    }

    /// Head probabilities for each text, given as token ids with [CLS] and [SEP] (at most
    /// [`Bert::maxlen`] of them, ids below [`Bert::vocab`]: the caller cuts and checks). Texts are
    /// encoded in chunks, on up to `threads` threads.
    pub fn probabilities(&self, texts: &[Vec<u32>], threads: usize) -> Vec<Vec<f32>> {
        // Chunks of consecutive texts, up to CHUNK_TOKENS tokens each, and at least one per thread
        // for a job of a few hundred tokens (a keystroke's sentences).
        let total: usize = texts.iter().map(Vec::len).sum();
        if threads > 1 && total <= SPLIT_TOKENS {
            return self.chunk(texts, true);
        }
        let size = total
            .div_ceil(threads.max(1))
            .clamp(MIN_CHUNK_TOKENS, CHUNK_TOKENS);
        let mut chunks: Vec<Range<usize>> = Vec::new();
        let mut start = 0;
        let mut tokens = 0;
        for (i, t) in texts.iter().enumerate() {
            if tokens > 0 && tokens + t.len() > size {
                chunks.push(start..i);
                start = i;
                tokens = 0;
            }
            tokens += t.len();
        }
        if start < texts.len() {
            chunks.push(start..texts.len());
        }
        crate::par::map(chunks, threads, |_, c| self.chunk(&texts[c], false))
            .into_iter()
            .flatten()
            .collect()
    }

    /// One chunk: every token of every text as one matrix.
    /// `split`: whether a second thread shares each product's columns.
    fn chunk(&self, texts: &[Vec<u32>], split: bool) -> Vec<Vec<f32>> {
        let pool = || self.scratch.lock().unwrap_or_else(|e| e.into_inner());
        let mut scratch = pool().pop().unwrap_or_default();
        let Scratch {
            x,
            qkv,
            ctx,
            tmp,
            ffn,
            scores,
            w,
            w2,
            scores2,
        } = &mut scratch;
        let out = if split {
            let helper = Helper::new();
            std::thread::scope(|s| {
                s.spawn(|| helper.serve(w2, scores2));
                // Whatever happens (a panic in this thread too), the helper's loop ends.
                struct Finish<'h, 'a>(&'h Helper<'a>);
                impl Drop for Finish<'_, '_> {
                    fn drop(&mut self) {
                        self.0.finish();
                    }
                }
                let _finish = Finish(&helper);
                let mut lanes = Lanes {
                    w,
                    helper: Some(&helper),
                };
                self.chunk_in(texts, x, qkv, ctx, tmp, ffn, scores, &mut lanes)
            })
        } else {
            let mut lanes = Lanes { w, helper: None };
            self.chunk_in(texts, x, qkv, ctx, tmp, ffn, scores, &mut lanes)
        };
        pool().push(scratch);
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn chunk_in<'a>(
        &'a self,
        texts: &'a [Vec<u32>],
        x: &mut Vec<f32>,
        qkv: &mut Vec<f32>,
        ctx: &mut Vec<f32>,
        tmp: &mut Vec<f32>,
        ffn: &mut Vec<f32>,
        scores: &mut Vec<f32>,
        lanes: &mut Lanes<'_, 'a>,
    ) -> Vec<Vec<f32>> {
        let total: usize = texts.iter().map(Vec::len).sum();
        x.clear();
        for t in texts {
            for (pos, &id) in t.iter().enumerate() {
                let id = id as usize;
                let s = self.word_scale[id];
                let row = &self.word[id * WIDTH..(id + 1) * WIDTH];
                let p = &self.position[pos * WIDTH..(pos + 1) * WIDTH];
                x.extend(
                    row.iter()
                        .zip(p)
                        .zip(&self.kind)
                        .map(|((&q, &p), &k)| f32::from(q as i8) * s + p + k),
                );
            }
        }
        self.norm.apply(x);
        for layer in &self.layers {
            layer.qkv.apply(x, total, qkv, lanes, false);
            ctx.clear();
            ctx.resize(total * WIDTH, 0.0);
            assert!(qkv.len() == total * 3 * WIDTH);
            let (q, c) = (qkv.as_ptr(), ctx.as_mut_ptr());
            // The helper takes half of the attention heads.
            let mine = match lanes.helper {
                Some(h) => {
                    let heads = HEADS / 2..HEADS;
                    let posted = h.post(Job::Attend {
                        texts,
                        qkv: q as usize,
                        ctx: c as usize,
                        heads,
                    });
                    Some(posted)
                }
                None => None,
            };
            let heads = if mine.is_some() {
                0..HEADS / 2
            } else {
                0..HEADS
            };
            // SAFETY: `qkv` holds the chunk's tokens' rows of 3 × WIDTH (asserted) and `ctx` their
            // rows of WIDTH; the helper writes only its own heads' columns of `ctx`, and this
            // thread waits for it before either is touched again.
            unsafe { attend_all(texts, q, c, scores, heads) };
            if let (Some(h), Some(posted)) = (lanes.helper, mine) {
                h.wait(posted);
            }
            layer.o.apply(ctx, total, tmp, lanes, false);
            add_in_place(tmp, x);
            layer.ln1.apply(tmp);
            std::mem::swap(x, tmp);
            layer.f1.apply(x, total, ffn, lanes, true);
            layer.f2.apply(ffn, total, tmp, lanes, false);
            add_in_place(tmp, x);
            layer.ln2.apply(tmp);
            std::mem::swap(x, tmp);
        }
        let outputs = self.outputs();
        let mut off = 0;
        texts
            .iter()
            .map(|t| {
                let n = t.len();
                let mut e = vec![0f32; WIDTH];
                for row in x[off * WIDTH..(off + n) * WIDTH].chunks_exact(WIDTH) {
                    for (a, v) in e.iter_mut().zip(row) {
                        *a += v;
                    }
                }
                off += n;
                let inv = 1.0 / n.max(1) as f32;
                (0..outputs)
                    .map(|o| {
                        let w = &self.head_w[o * WIDTH..(o + 1) * WIDTH];
                        let z = w.iter().zip(&e).map(|(a, b)| a * b * inv).sum::<f32>()
                            + self.head_b[o];
                        1.0 / (1.0 + (-z).exp())
                    })
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_exp() {
        for i in 0..=2000 {
            let x = -(i as f32) * 0.05;
            let (got, want) = (exp_nonpositive(x), x.exp());
            assert!(
                (got - want).abs() <= 3e-7 * want + 1e-30,
                "exp({x}) = {got}, not {want}"
            );
        }
        assert_eq!(exp_nonpositive(-1000.0), exp_nonpositive(-87.0));
    }

    /// A layer of `n_out` × `n_in` pseudo-random int8 weights with scales and biases like the
    /// encoder's; with its panels unless `portable`.
    fn random_linear(n_in: usize, n_out: usize, portable: bool) -> Linear {
        let mut seed = 0x2545_f491_4f6c_dd1du64 ^ (n_in * 31 + n_out) as u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let q: Vec<u8> = (0..n_in * n_out)
            .map(|_| (next() % 255) as u8 ^ 0x80)
            .collect();
        let q: &'static [u8] = Box::leak(q.into_boxed_slice());
        let scale = (0..n_out)
            .map(|c| 0.002 + 0.0001 * (c % 37) as f32)
            .collect();
        let b = (0..n_out).map(|c| (c % 11) as f32 * 0.1 - 0.5).collect();
        let mut lin = Linear::new(vec![Rows { q, scale }], b, n_in, n_out);
        lin.use_kernel(!portable);
        lin
    }

    /// `lin`'s output for `x`, columns `cols` only (the rest stays the biases), through
    /// [`Linear::product`].
    fn columns(lin: &Linear, x: &[f32], rows: usize, cols: Range<usize>, gelu: bool) -> Vec<f32> {
        let mut out: Vec<f32> = (0..rows).flat_map(|_| lin.b.iter().copied()).collect();
        let mut w = Vec::new();
        // SAFETY: `out` holds rows × n_out values and `x` rows × n_in; one thread.
        unsafe { lin.product(x, rows, out.as_mut_ptr(), cols, &mut w, gelu) };
        out
    }

    /// Both ways of taking a product (the kernel reading int8 panels where the processor has
    /// AVX2 and FMA, and the portable expansion and `sgemm`) give the exact product, to f32
    /// rounding, for every shape the encoder uses, rows in whole tiles of six and not, in one
    /// block of 48 and more, and either half of the columns.
    #[test]
    fn products_match_the_exact_product_on_every_path() {
        for (n_in, n_out) in [
            (WIDTH, WIDTH),
            (WIDTH, 3 * WIDTH),
            (WIDTH, FFN),
            (FFN, WIDTH),
        ] {
            let paths = [
                random_linear(n_in, n_out, false),
                random_linear(n_in, n_out, true),
            ];
            #[cfg(target_arch = "x86_64")]
            assert_eq!(paths[0].on_kernel(), kernel::available());
            assert!(!paths[1].on_kernel());
            let p = &paths[0].parts[0];
            for rows in [1, 5, 7, 50] {
                let x: Vec<f32> = (0..rows * n_in)
                    .map(|i| ((i * 7919 % 2003) as f32 / 1001.5 - 1.0) * 1.5)
                    .collect();
                // The exact product (without the biases), and the sum of its terms' sizes.
                let (mut exact, mut size) = (vec![0f64; rows * n_out], vec![0f64; rows * n_out]);
                for r in 0..rows {
                    for c in 0..n_out {
                        let w = &p.q[c * n_in..(c + 1) * n_in];
                        for (k, &q) in w.iter().enumerate() {
                            let t = f64::from(x[r * n_in + k])
                                * f64::from(q as i8)
                                * f64::from(p.scale[c]);
                            exact[r * n_out + c] += t;
                            size[r * n_out + c] += t.abs();
                        }
                    }
                }
                let half = n_out / 2;
                for (cols, gelu) in [(0..n_out, false), (0..half, true), (half..n_out, true)] {
                    for lin in &paths {
                        let got = columns(lin, &x, rows, cols.clone(), gelu);
                        for (i, &g) in got.iter().enumerate() {
                            let c = i % n_out;
                            let mut want = f64::from(lin.b[c]);
                            if cols.contains(&c) {
                                want += exact[i];
                                if gelu {
                                    let e = erf((want / std::f64::consts::SQRT_2) as f32);
                                    want *= 0.5 * (1.0 + f64::from(e));
                                }
                            }
                            assert!(
                                (f64::from(g) - want).abs() <= 1e-6 * size[i] + 1e-5,
                                "{n_in}→{n_out}, {rows} rows, columns {cols:?}, gelu {gelu}: \
                                 [{}][{c}] = {g}, not {want}",
                                i / n_out
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn erf_is_erf() {
        for (x, want) in [
            (0.0f32, 0.0f32),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (-1.0, -0.842_700_8),
            (2.5, 0.999_593),
        ] {
            assert!((erf(x) - want).abs() < 1e-6, "erf({x}) = {}", erf(x));
        }
    }
}
