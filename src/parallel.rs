//! Data parallelism without a dependency. In: a slice and a per-item function; out: the results
//! in input order, computed on all cores. Used where one item's work is independent of the
//! others (feed files, articles, an article's candidate pairs), so the output is the sequential
//! one.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `items.iter().map(f)` computed on all cores, exactly the sequential output. Per-article work
/// (parsing, tokenizing, shingling) and per-pair scoring are what dominate at scale; each item's
/// result depends on that item alone.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    par_map_with(items, || (), |(), item| f(item))
}

/// `par_map` where each worker thread owns a scratch state made by `init` and reused across its
/// items (a dense row, a visited-marker array): state that is costly to make per item but
/// carries nothing from one item's result into another's.
///
/// The items are cut into several chunks per thread, handed out in turn, so a thread that drew
/// cheap items takes more (articles and their candidate lists differ widely in cost); the
/// results are put back in chunk order.
pub(crate) fn par_map_with<T: Sync, S, R: Send>(
    items: &[T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    let threads = threads();
    if threads < 2 || items.len() < 2 {
        let mut state = init();
        return items.iter().map(|item| f(&mut state, item)).collect();
    }
    const CHUNKS_PER_THREAD: usize = 8;
    let chunk = items.len().div_ceil(threads * CHUNKS_PER_THREAD).max(1);
    let chunks: Vec<&[T]> = items.chunks(chunk).collect();
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Vec<R>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.min(chunks.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut state = init();
                    let mut out = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(part) = chunks.get(k) else { break };
                        out.push((k, part.iter().map(|i| f(&mut state, i)).collect()));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker thread panicked"))
            .collect()
    });
    done.sort_unstable_by_key(|&(k, _)| k);
    let mut results = Vec::with_capacity(items.len());
    for (_, part) in done {
        results.extend(part);
    }
    results
}

/// `f(index, item)` for every item, each on a thread of its own: for a few shards of one table,
/// each owned by one thread while all of them read the same input (counting the terms of many
/// articles into a table too large for one thread to fill quickly).
pub(crate) fn par_each_mut<T: Send>(items: &mut [T], f: impl Fn(usize, &mut T) + Sync) {
    if items.len() < 2 {
        items
            .iter_mut()
            .enumerate()
            .for_each(|(i, item)| f(i, item));
        return;
    }
    std::thread::scope(|scope| {
        for (i, item) in items.iter_mut().enumerate() {
            let f = &f;
            scope.spawn(move || f(i, item));
        }
    });
}

/// Worker threads `par_map` uses: one per core.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_input_order() {
        let items: Vec<u64> = (0..10_001).collect();
        let squares = par_map(&items, |&x| x * x);
        assert_eq!(squares, items.iter().map(|&x| x * x).collect::<Vec<_>>());
    }

    #[test]
    fn each_worker_keeps_its_own_state() {
        // Every item sees a state that only its own thread has touched: the count of items that
        // thread processed before it, which never exceeds the number of items.
        let items: Vec<usize> = (0..5_000).collect();
        let seen = par_map_with(
            &items,
            || 0usize,
            |count, &x| {
                *count += 1;
                (x, *count)
            },
        );
        assert_eq!(seen.iter().map(|&(x, _)| x).collect::<Vec<_>>(), items);
        assert!(seen.iter().all(|&(_, c)| (1..=items.len()).contains(&c)));
        let total_first_items = seen.iter().filter(|&&(_, c)| c == 1).count();
        assert!((1..=threads()).contains(&total_first_items));
    }

    #[test]
    fn each_item_is_handed_to_one_call_with_its_index() {
        let mut shards = vec![0usize; 5];
        par_each_mut(&mut shards, |i, shard| *shard += i * 10 + 1);
        assert_eq!(shards, [1, 11, 21, 31, 41]);
    }
}
