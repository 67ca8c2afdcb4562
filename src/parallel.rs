//! Data parallelism without a dependency. In: a slice and a per-item function; out: the results
//! in input order, computed on all cores. Used where one item's work is independent of the
//! others (feed files, articles, candidate pairs), so the output is the sequential one.

/// `items.iter().map(f)` computed on all cores: the items are cut into one contiguous chunk per
/// thread and the results concatenated in order, so the output is exactly the sequential one.
/// Per-article work (parsing, tokenizing, shingling) and per-pair scoring are what dominate at
/// scale; each item's result depends on that item alone.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 2 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker thread panicked"))
            .collect()
    })
}
