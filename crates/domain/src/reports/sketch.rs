//! A mergeable quantile sketch for durations in whole minutes.
//!
//! Values below [`Sketch::EXACT_BELOW`] (2048 minutes ≈ 34 working hours,
//! over four working days) are kept exactly. Above, a value `v` with
//! `2^e ≤ v < 2^(e+1)` falls in one of 1024 equal sub-buckets of width
//! `2^(e−10)`; a quantile reports the **lower bound** of its bucket, so it
//! is never above the true nearest-rank sample and at most
//! `1/1024 ≈ 0.1 %` below it ([`Sketch::RELATIVE_ERROR`]).
//!
//! The sketch is a sparse map bucket → signed count, so it merges by
//! addition (associative, commutative) and a sample can be removed again:
//! what the incremental step rollups need.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::{Add, AddAssign, Neg, Sub};

/// Mergeable histogram of minute values with ≤ 1/1024 relative error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sketch {
    buckets: BTreeMap<u32, i64>,
}

const SUB_BITS: u32 = 10;
const SUB: u32 = 1 << SUB_BITS;
const EXACT: u32 = SUB << 1;

impl Sketch {
    /// Values below this are exact.
    pub const EXACT_BELOW: u64 = EXACT as u64;
    /// Largest relative error of a reported quantile (below the truth).
    pub const RELATIVE_ERROR: f64 = 1.0 / SUB as f64;

    pub fn new() -> Self {
        Self::default()
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
        let b = Self::bucket(v);
        let e = self.buckets.entry(b).or_insert(0);
        *e += n;
        if *e == 0 {
            self.buckets.remove(&b);
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
        self.buckets.values().sum()
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
        self.buckets
            .keys()
            .next_back()
            .map(|b| Self::lower_bound(*b))
    }

    /// The median (nearest rank: the ⌈n/2⌉-th smallest).
    pub fn median(&self) -> Option<u64> {
        self.quantile_per_mille(500)
    }

    /// The 90th percentile (nearest rank: the ⌈0.9·n⌉-th smallest).
    pub fn p90(&self) -> Option<u64> {
        self.quantile_per_mille(900)
    }

    pub(super) fn combine(&mut self, o: &Sketch, sign: i64) {
        for (b, c) in &o.buckets {
            let e = self.buckets.entry(*b).or_insert(0);
            *e += sign * c;
            if *e == 0 {
                self.buckets.remove(b);
            }
        }
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

    proptest! {
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
