//! A unified diff of two texts, line by line (for `scrubs check --diff`).

/// The unified diff (three lines of context) turning `old` into `new`, with
/// `path` in the `---`/`+++` headers. Empty when the texts are equal.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    // Common prefix and suffix first: fixes touch few lines, so the table
    // below stays small.
    let mut pre = 0;
    while pre < a.len() && pre < b.len() && a[pre] == b[pre] {
        pre += 1;
    }
    let mut suf = 0;
    while suf < a.len() - pre && suf < b.len() - pre && a[a.len() - 1 - suf] == b[b.len() - 1 - suf]
    {
        suf += 1;
    }
    let (am, bm) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    // Longest common subsequence of the middle.
    let (n, m) = (am.len(), bm.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if am[i] == bm[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // The whole script: (tag, line) with ' ', '-', '+'.
    let mut script: Vec<(char, &str)> = a[..pre].iter().map(|l| (' ', *l)).collect();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && am[i] == bm[j] {
            script.push((' ', am[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            script.push(('-', am[i]));
            i += 1;
        } else {
            script.push(('+', bm[j]));
            j += 1;
        }
    }
    script.extend(a[a.len() - suf..].iter().map(|l| (' ', *l)));
    // Hunks: changes with up to three lines of context, merged when close.
    let changed: Vec<usize> = (0..script.len()).filter(|&k| script[k].0 != ' ').collect();
    let mut out = format!("--- {path}\n+++ {path}\n");
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(3);
        let mut end = changed[k] + 1;
        while k < changed.len() && changed[k] <= end + 6 {
            end = changed[k] + 1;
            k += 1;
        }
        let end = (end + 3).min(script.len());
        let old_start = script[..start].iter().filter(|s| s.0 != '+').count();
        let new_start = script[..start].iter().filter(|s| s.0 != '-').count();
        let old_len = script[start..end].iter().filter(|s| s.0 != '+').count();
        let new_len = script[start..end].iter().filter(|s| s.0 != '-').count();
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            old_start + usize::from(old_len > 0),
            old_len,
            new_start + usize::from(new_len > 0),
            new_len
        ));
        for (tag, line) in &script[start..end] {
            out.push(*tag);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hunk_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\ni\n";
        assert_eq!(
            unified("p.md", old, new),
            "--- p.md\n+++ p.md\n@@ -2,7 +2,8 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n+i\n"
        );
        assert_eq!(unified("p.md", old, old), "");
        assert_eq!(
            unified("p.md", "x", "x\n\ny\n"),
            "--- p.md\n+++ p.md\n@@ -1,1 +1,3 @@\n-x\n\\ No newline at end of file\n+x\n+\n+y\n"
        );
    }
}
