//! A mergeable quantile sketch for durations in whole minutes.
//!
//! Values below [`Sketch::EXACT_BELOW`] (2048 minutes ≈ 34 working hours,
//! over four working days) are kept exactly. Above, a value `v` with
//! `2^e ≤ v < 2^(e+1)` falls in one of 1024 equal sub-buckets of width
//! `2^(e−10)`; a quantile reports the **lower bound** of its bucket, so it
//! is never above the true nearest-rank sample and at most
//! `1/1024 ≈ 0.1 %` below it ([`Sketch::RELATIVE_ERROR`]).
//!
//! The sketch is a sparse list of (bucket, signed count) sorted by bucket,
//! so it merges by addition in one linear pass (associative, commutative)
//! and a sample can be removed again: what the incremental step rollups
//! need. It serializes as that list of pairs (compact in a binary format;
//! see [`Sketch::pairs`]).

use serde::{Deserialize, Deserializer, Serialize};
use std::ops::{Add, AddAssign, Neg, Sub};

/// Mergeable histogram of minute values with ≤ 1/1024 relative error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Sketch {
    /// Sorted by bucket, no zero count.
    buckets: Vec<(u32, i64)>,
}

const SUB_BITS: u32 = 10;
const SUB: u32 = 1 << SUB_BITS;
const EXACT: u32 = SUB << 1;

/// Why a list of pairs is not a sketch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SketchError {
    #[error("sketch buckets are not strictly increasing at bucket {0}")]
    Unsorted(u32),
    #[error("sketch bucket {0} has a zero count")]
    ZeroCount(u32),
}

impl Sketch {
    /// Values below this are exact.
    pub const EXACT_BELOW: u64 = EXACT as u64;
    /// Largest relative error of a reported quantile (below the truth).
    pub const RELATIVE_ERROR: f64 = 1.0 / SUB as f64;

    pub fn new() -> Self {
        Self::default()
    }

    /// The sketch of stored (bucket, count) pairs, as [`Sketch::pairs`]
    /// gives them: strictly increasing buckets, no zero count.
    pub fn from_pairs(buckets: Vec<(u32, i64)>) -> Result<Self, SketchError> {
        let mut last: Option<u32> = None;
        for &(b, c) in &buckets {
            if last.is_some_and(|l| l >= b) {
                return Err(SketchError::Unsorted(b));
            }
            if c == 0 {
                return Err(SketchError::ZeroCount(b));
            }
            last = Some(b);
        }
        Ok(Sketch { buckets })
    }

    /// The (bucket, count) pairs, sorted by bucket, no zero count.
    pub fn pairs(&self) -> &[(u32, i64)] {
        &self.buckets
    }

    fn bucket(v: u64) -> u32 {
        if v < Self::EXACT_BELOW {
            return u32::try_from(v).unwrap_or(0);
        }
        let e = 63 - v.leading_zeros();
        let m = u32::try_from(v >> (e - SUB_BITS)).unwrap_or(EXACT - 1);
        EXACT + (e - SUB_BITS - 1) * SUB + (m - SUB)
    }

    fn lower_bound(b: u32) -> u64 {
        if b < EXACT {
            return u64::from(b);
        }
        let k = b - EXACT;
        let e = SUB_BITS + 1 + k / SUB;
        let m = u64::from(SUB + k % SUB);
        m << (e - SUB_BITS)
    }

    /// Adds `n` samples of value `v` (n may be negative: removal).
    pub fn insert_n(&mut self, v: u64, n: i64) {
        if n == 0 {
            return;
        }
        let b = Self::bucket(v);
        match self.buckets.binary_search_by_key(&b, |&(k, _)| k) {
            Ok(i) => {
                self.buckets[i].1 += n;
                if self.buckets[i].1 == 0 {
                    self.buckets.remove(i);
                }
            }
            Err(i) => self.buckets.insert(i, (b, n)),
        }
    }

    /// Adds one sample.
    pub fn insert(&mut self, v: u64) {
        self.insert_n(v, 1);
    }

    /// Removes one sample.
    pub fn remove(&mut self, v: u64) {
        self.insert_n(v, -1);
    }

    /// Number of samples.
    pub fn count(&self) -> i64 {
        self.buckets.iter().map(|(_, c)| c).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// The nearest-rank quantile for `per_mille` (500 = median, 900 = p90):
    /// the lower bound of the bucket holding the ⌈p·n⌉-th smallest sample.
    /// None when empty (or when removals exceed insertions).
    pub fn quantile_per_mille(&self, per_mille: u32) -> Option<u64> {
        let n = self.count();
        if n <= 0 {
            return None;
        }
        let p = i64::from(per_mille.min(1000));
        let rank = ((p * n + 999) / 1000).clamp(1, n);
        let mut seen = 0;
        for (b, c) in &self.buckets {
            seen += c;
            if seen >= rank {
                return Some(Self::lower_bound(*b));
            }
        }
        self.buckets.last().map(|(b, _)| Self::lower_bound(*b))
    }

    /// The median (nearest rank: the ⌈n/2⌉-th smallest).
    pub fn median(&self) -> Option<u64> {
        self.quantile_per_mille(500)
    }

    /// The 90th percentile (nearest rank: the ⌈0.9·n⌉-th smallest).
    pub fn p90(&self) -> Option<u64> {
        self.quantile_per_mille(900)
    }

    /// Adds `sign × o` in one merge pass over both sorted lists.
    pub(super) fn combine(&mut self, o: &Sketch, sign: i64) {
        if o.buckets.is_empty() {
            return;
        }
        if self.buckets.is_empty() {
            self.buckets = o.buckets.iter().map(|&(b, c)| (b, sign * c)).collect();
            return;
        }
        let mine = std::mem::take(&mut self.buckets);
        let mut out = Vec::with_capacity(mine.len().max(o.buckets.len()));
        let (mut a, mut b) = (mine.into_iter().peekable(), o.buckets.iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(&(x, cx)), Some(&&(y, cy))) => match x.cmp(&y) {
                    std::cmp::Ordering::Less => {
                        a.next();
                        (x, cx)
                    }
                    std::cmp::Ordering::Greater => {
                        b.next();
                        (y, sign * cy)
                    }
                    std::cmp::Ordering::Equal => {
                        a.next();
                        b.next();
                        (x, cx + sign * cy)
                    }
                },
                (Some(&(x, cx)), None) => {
                    a.next();
                    (x, cx)
                }
                (None, Some(&&(y, cy))) => {
                    b.next();
                    (y, sign * cy)
                }
                (None, None) => break,
            };
            if next.1 != 0 {
                out.push(next);
            }
        }
        self.buckets = out;
    }
}

impl<'de> Deserialize<'de> for Sketch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let pairs = Vec::<(u32, i64)>::deserialize(d)?;
        Sketch::from_pairs(pairs).map_err(serde::de::Error::custom)
    }
}

impl AddAssign<&Sketch> for Sketch {
    fn add_assign(&mut self, o: &Sketch) {
        self.combine(o, 1);
    }
}
impl Add for Sketch {
    type Output = Sketch;
    fn add(mut self, o: Sketch) -> Sketch {
        self.combine(&o, 1);
        self
    }
}
impl Sub for Sketch {
    type Output = Sketch;
    fn sub(mut self, o: Sketch) -> Sketch {
        self.combine(&o, -1);
        self
    }
}
impl Neg for Sketch {
    type Output = Sketch;
    fn neg(self) -> Sketch {
        Sketch::default() - self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn exact_quantile(sorted: &[u64], per_mille: u32) -> u64 {
        let n = sorted.len() as u64;
        let rank = (u64::from(per_mille) * n).div_ceil(1000).clamp(1, n);
        sorted[usize::try_from(rank - 1).expect("index")]
    }

    #[test]
    fn buckets_are_monotone_and_exact_where_promised() {
        let mut last = 0;
        for v in (0..200_000u64).chain([u64::MAX / 3, u64::MAX]) {
            let b = Sketch::bucket(v);
            assert!(b >= last);
            last = b;
            let lb = Sketch::lower_bound(b);
            assert!(lb <= v);
            if v < Sketch::EXACT_BELOW {
                assert_eq!(lb, v);
            }
            #[allow(clippy::cast_precision_loss)]
            let err = (v - lb) as f64 / v.max(1) as f64;
            assert!(err <= Sketch::RELATIVE_ERROR, "{v}");
        }
    }

    #[test]
    fn nearest_rank() {
        let mut s = Sketch::new();
        for v in [10, 20, 30, 40] {
            s.insert(v);
        }
        assert_eq!(s.median(), Some(20));
        assert_eq!(s.p90(), Some(40));
        s.remove(40);
        assert_eq!(s.p90(), Some(30));
        assert_eq!(Sketch::new().median(), None);
    }

    #[test]
    fn pairs_round_trip_and_bad_lists_are_refused() {
        let mut s = Sketch::new();
        for v in [5, 5, 3000, 7, 100_000] {
            s.insert(v);
        }
        assert_eq!(Sketch::from_pairs(s.pairs().to_vec()), Ok(s.clone()));
        let json = serde_json::to_string(&s).expect("json");
        assert_eq!(serde_json::from_str::<Sketch>(&json).expect("back"), s);
        assert_eq!(
            Sketch::from_pairs(vec![(4, 1), (4, 2)]),
            Err(SketchError::Unsorted(4))
        );
        assert_eq!(
            Sketch::from_pairs(vec![(4, 1), (3, 2)]),
            Err(SketchError::Unsorted(3))
        );
        assert_eq!(
            Sketch::from_pairs(vec![(9, 0)]),
            Err(SketchError::ZeroCount(9))
        );
        assert!(serde_json::from_str::<Sketch>("[[2,1],[1,1]]").is_err());
    }

    proptest! {
        /// Merging two sketches gives the sketch of all their samples
        /// (signed: removals included), buckets kept sorted and non-zero.
        #[test]
        fn merge_equals_inserting_everything(
            a in prop::collection::vec((0u64..200_000, -3i64..4), 0..60),
            b in prop::collection::vec((0u64..200_000, -3i64..4), 0..60),
        ) {
            let of = |v: &[(u64, i64)]| {
                let mut s = Sketch::new();
                for (x, n) in v {
                    s.insert_n(*x, *n);
                }
                s
            };
            let all: Vec<(u64, i64)> = a.iter().chain(&b).copied().collect();
            let merged = of(&a) + of(&b);
            prop_assert_eq!(&merged, &of(&all));
            prop_assert!(Sketch::from_pairs(merged.pairs().to_vec()).is_ok());
            prop_assert_eq!(of(&all) - of(&b), of(&a));
        }

        #[test]
        fn quantiles_within_the_documented_error(
            values in prop::collection::vec(0u64..200_000, 1..200),
            per_mille in 0u32..=1000,
        ) {
            let mut s = Sketch::new();
            for v in &values {
                s.insert(*v);
            }
            let mut sorted = values.clone();
            sorted.sort_unstable();
            let exact = exact_quantile(&sorted, per_mille);
            let got = s.quantile_per_mille(per_mille).expect("non-empty");
            prop_assert!(got <= exact);
            #[allow(clippy::cast_precision_loss)]
            let err = (exact - got) as f64;
            #[allow(clippy::cast_precision_loss)]
            let bound = exact as f64 * Sketch::RELATIVE_ERROR;
            prop_assert!(err <= bound, "exact {} got {}", exact, got);
        }
    }
}
