//! Term vectors and their cosine. In: term weights; out: L2-normalised vectors and dot products.
//! Two shapes: `SparseVec` (term ids, sorted — for many documents over one vocabulary, as in
//! clustering) and `TermVector` (terms by name in a BTreeMap, so sums run in a fixed order — for a
//! few dozen sentences). Both are reproducible bit for bit: additions happen in term order.

use std::collections::BTreeMap;

/// A sparse vector: `(term id, weight)` sorted by term id, L2 norm 1 (or empty).
pub type SparseVec = Vec<(u32, f32)>;

/// `vec` scaled to L2 norm 1 (an all-zero vector is returned as is).
pub fn normalised(mut vec: SparseVec) -> SparseVec {
    let norm = vec.iter().map(|&(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        vec.iter_mut().for_each(|(_, w)| *w /= norm);
    }
    vec
}

/// Cosine of two normalised sparse vectors (their dot product), by a merge walk over term ids.
pub fn cosine(a: &SparseVec, b: &SparseVec) -> f32 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0f32);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    dot
}

/// A term vector keyed by the term itself.
pub type TermVector = BTreeMap<String, f64>;

/// Dot product of two term vectors (the cosine when both are normalised).
pub fn dot(a: &TermVector, b: &TermVector) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .filter_map(|(k, x)| large.get(k).map(|y| x * y))
        .sum()
}

/// `v` scaled to L2 norm 1 (an all-zero vector is returned as is).
pub fn normalize(mut v: TermVector) -> TermVector {
    let norm = dot(&v, &v).sqrt();
    if norm > 0.0 {
        v.values_mut().for_each(|x| *x /= norm);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosines_of_both_shapes() {
        let a = normalised(vec![(0, 3.0), (2, 4.0)]);
        let b = normalised(vec![(2, 1.0), (5, 1.0)]);
        assert!((a[0].1 - 0.6).abs() < 1e-6 && (a[1].1 - 0.8).abs() < 1e-6);
        assert!((cosine(&a, &b) - 0.8 / 2f32.sqrt()).abs() < 1e-6);
        assert_eq!(cosine(&a, &Vec::new()), 0.0);
        let x = normalize(TermVector::from([("a".into(), 3.0), ("b".into(), 4.0)]));
        let y = normalize(TermVector::from([("b".into(), 2.0)]));
        assert!((dot(&x, &y) - 0.8).abs() < 1e-12);
        assert!((dot(&x, &x) - 1.0).abs() < 1e-12);
        assert!(normalize(TermVector::new()).is_empty());
    }
}
