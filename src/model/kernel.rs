//! The encoder's linear layers on x86-64 processors with AVX2 and FMA: a matrix product that reads
//! the int8 weights as they are stored and widens them in registers.
//!
//! `matrixmultiply` (the portable path, [`super::bert`]) takes f32 operands and packs both of them
//! into its own layout on every call, so each product first expanded every weight to f32 (a pass
//! over ~2 MB for the largest layer) and then packed the expansion and the activations again: in
//! `scrubs check`, ~12% of the time went to those passes rather than to arithmetic. Here the
//! weights are packed once, when the model loads, into panels of [`NR`] output columns, still int8
//! (the same 11 MB), and the activations are read where they lie.
//!
//! Within a panel, `out[r][c] += scale[c] · Σₖ x[r][k] · q[c][k]`: the int8 values are summed
//! as f32 and each column's scale is applied once, at the end. The sums are the portable path's,
//! rounded differently (a few units in the last place).

use std::arch::x86_64::*;
use std::ops::Range;

/// Output columns per panel: two registers of eight.
pub(super) const NR: usize = 16;
/// Rows per tile: 6 × 2 accumulators, two weight registers and a broadcast fill 15 of the 16
/// registers.
const MR: usize = 6;
/// Rows per block: a panel (at most 24 KB) stays in the L1 cache while this many rows pass it,
/// and the block's rows (at most 288 KB) in L2.
const MC: usize = 48;

/// Whether this processor runs [`product`].
pub(super) fn available() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// int8 weights `[n_out][n_in]` in panels: panel `p` holds, for each `k` of `n_in`, the [`NR`]
/// values `w[NR·p + j][k]`, `j = 0..NR`, one after the other; and each output column's scale.
pub(super) struct Panels {
    q: Vec<i8>,
    scale: Vec<f32>,
    n_in: usize,
    n_out: usize,
}

impl Panels {
    /// `rows`: each output column's `n_in` weights and scale, in order. `n_out` (their number)
    /// must be a multiple of [`NR`].
    pub(super) fn pack<'a>(n_in: usize, rows: impl Iterator<Item = (&'a [u8], f32)>) -> Panels {
        let (mut q, mut scale) = (Vec::new(), Vec::new());
        for (c, (row, s)) in rows.enumerate() {
            assert_eq!(row.len(), n_in);
            let (p, j) = (c / NR, c % NR);
            if j == 0 {
                q.resize((p + 1) * n_in * NR, 0);
            }
            let panel = &mut q[p * n_in * NR..];
            for (k, &v) in row.iter().enumerate() {
                panel[k * NR + j] = v as i8;
            }
            scale.push(s);
        }
        let n_out = scale.len();
        assert_eq!(n_out % NR, 0, "the encoder's widths are multiples of {NR}");
        Panels {
            q,
            scale,
            n_in,
            n_out,
        }
    }
}

/// `out[r][c] += scale[c] · Σₖ x[r][k] · w[c][k]` for the rows `0..rows` and the columns `cols`.
///
/// # Safety
/// The processor must have AVX2 and FMA ([`available`]). `x` must point at `rows` × `n_in`
/// readable values, `out` at `rows` × `n_out` values of which no other thread reads or writes
/// the columns `cols` meanwhile; `cols` must lie in `0..n_out` with both ends multiples of
/// [`NR`].
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn product(
    x: *const f32,
    rows: usize,
    w: &Panels,
    out: *mut f32,
    cols: Range<usize>,
) {
    assert!(cols.start % NR == 0 && cols.end % NR == 0 && cols.end <= w.n_out);
    let (n_in, scale) = (w.n_in, &w.scale[..]);
    for r0 in (0..rows).step_by(MC) {
        let end = (r0 + MC).min(rows);
        for p in cols.start / NR..cols.end / NR {
            let panel = &w.q[p * n_in * NR..(p + 1) * n_in * NR];
            let c = p * NR;
            let mut r = r0;
            // SAFETY (every tile): rows r..r + M lie below `rows` and columns c..c + NR inside
            // `cols` (the caller's promises on `x` and `out`); `panel` holds n_in × NR weights.
            unsafe {
                while r + MR <= end {
                    tile::<MR>(x, r, n_in, panel, &scale[c..c + NR], out, w.n_out, c);
                    r += MR;
                }
                match end - r {
                    1 => tile::<1>(x, r, n_in, panel, &scale[c..c + NR], out, w.n_out, c),
                    2 => tile::<2>(x, r, n_in, panel, &scale[c..c + NR], out, w.n_out, c),
                    3 => tile::<3>(x, r, n_in, panel, &scale[c..c + NR], out, w.n_out, c),
                    4 => tile::<4>(x, r, n_in, panel, &scale[c..c + NR], out, w.n_out, c),
                    5 => tile::<5>(x, r, n_in, panel, &scale[c..c + NR], out, w.n_out, c),
                    _ => {}
                }
            }
        }
    }
}

/// Rows `r..r + M` of the output's columns `c..c + NR`: the sums over every `k` in registers,
/// then scaled and added to the output.
///
/// # Safety
/// As [`product`], for rows `r..r + M` and columns `c..c + NR`; `panel` holds `n_in` × [`NR`]
/// values and `scale` [`NR`].
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn tile<const M: usize>(
    x: *const f32,
    r: usize,
    n_in: usize,
    panel: &[i8],
    scale: &[f32],
    out: *mut f32,
    n_out: usize,
    c: usize,
) {
    debug_assert!(panel.len() >= n_in * NR && scale.len() >= NR);
    // SAFETY: the caller's promises; every address below is inside the rows and columns named.
    unsafe {
        let mut acc = [[_mm256_setzero_ps(); 2]; M];
        let rows: [*const f32; M] = std::array::from_fn(|i| x.add((r + i) * n_in));
        let b = panel.as_ptr();
        for k in 0..n_in {
            let at = b.add(k * NR);
            let b0 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(at.cast())));
            let b1 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(at.add(8).cast())));
            for i in 0..M {
                let a = _mm256_broadcast_ss(&*rows[i].add(k));
                acc[i][0] = _mm256_fmadd_ps(a, b0, acc[i][0]);
                acc[i][1] = _mm256_fmadd_ps(a, b1, acc[i][1]);
            }
        }
        let s0 = _mm256_loadu_ps(scale.as_ptr());
        let s1 = _mm256_loadu_ps(scale.as_ptr().add(8));
        for (i, acc) in acc.iter().enumerate() {
            let o = out.add((r + i) * n_out + c);
            _mm256_storeu_ps(o, _mm256_fmadd_ps(acc[0], s0, _mm256_loadu_ps(o)));
            _mm256_storeu_ps(
                o.add(8),
                _mm256_fmadd_ps(acc[1], s1, _mm256_loadu_ps(o.add(8))),
            );
        }
    }
}
