//! Work spread over a few threads, results in input order: `scrubs check`'s files, the sentence
//! encoder's chunks of texts.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// `f(index, item)` for every item, on up to `threads` scoped threads that each take the next
/// item as they finish one (items of uneven size balance out); the results in input order.
pub(crate) fn map<T: Send, R: Send>(
    items: Vec<T>,
    threads: usize,
    f: impl Fn(usize, T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items
            .into_iter()
            .enumerate()
            .map(|(i, t)| f(i, t))
            .collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(slot) = slots.get(i) else { break };
                        let item = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
                        if let Some(item) = item {
                            mine.push((i, f(i, item)));
                        }
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_back_in_input_order_on_any_number_of_threads() {
        let items: Vec<u64> = (0..100).collect();
        for threads in [0, 1, 2, 7, 500] {
            let got = super::map(items.clone(), threads, |i, x| {
                // Uneven work, so that threads finish out of order.
                std::thread::sleep(std::time::Duration::from_micros((x % 7) * 50));
                (i, x * x)
            });
            let want: Vec<(usize, u64)> = items.iter().map(|&x| (x as usize, x * x)).collect();
            assert_eq!(got, want, "{threads} threads");
        }
        assert!(super::map(Vec::<u8>::new(), 4, |_, x| x).is_empty());
    }
}
