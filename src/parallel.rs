//! Running independent items on a few scoped threads.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` of every item, on `workers` threads that each take the next item not yet taken (so
/// uneven items balance out), with the results in the items' order. A panic in `f` is
/// passed on, not swallowed with the results of its thread.
pub(crate) fn map_in_order<T: Sync, R: Send>(items: &[T], workers: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = workers.clamp(1, items.len().max(1));
    if workers == 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break mine };
                        mine.push((i, f(item)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order_on_any_number_of_workers() {
        let items: Vec<u64> = (0..1000).collect();
        for workers in [0, 1, 2, 7] {
            assert_eq!(map_in_order(&items, workers, |x| x * 2), items.iter().map(|x| x * 2).collect::<Vec<_>>());
        }
        assert!(map_in_order(&[] as &[u8], 4, |x| *x).is_empty());
    }
}
