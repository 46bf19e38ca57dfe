//! A small, fast, deterministic PRNG (SplitMix64) and the few distributions
//! the city needs.
//!
//! Only integer arithmetic and IEEE basic operations (`+ - * /`) are used, no
//! `ln`/`exp` from the platform's libm, so that a given seed produces the same
//! city on every platform.

/// SplitMix64 (Steele, Lea, Flood 2014): 64-bit state, passes BigCrush, one
/// multiply-xorshift chain per draw.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 finaliser: a good 64-bit mixing function.
pub(crate) const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator for stream `stream` of the city seeded with `seed`.
    /// Different streams are independent for practical purposes.
    pub(crate) fn new(seed: u64, stream: u64) -> Rng {
        Rng {
            state: mix64(seed ^ mix64(stream.wrapping_add(GOLDEN))),
        }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix64(self.state)
    }

    /// Uniform in `0..n` (`n > 0`), by 128-bit multiplication (Lemire); the
    /// bias is below 2^-40 for the ranges used here.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi` (returns `lo` when `hi < lo`).
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// True with probability `per_mille / 1000`.
    pub(crate) fn permille(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// One element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One string of a non-empty slice.
    pub(crate) fn pick_s<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// Index chosen with the given integer weights (not all zero).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total.max(1));
        for (i, &w) in weights.iter().enumerate() {
            let w = u64::from(w);
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// An element of `(weight, item)` pairs chosen by weight.
    pub(crate) fn pick_w<'a, T>(&mut self, items: &'a [(u32, T)]) -> &'a T {
        let total: u64 = items.iter().map(|(w, _)| u64::from(*w)).sum();
        let mut x = self.below(total.max(1));
        for (w, item) in items {
            let w = u64::from(*w);
            if x < w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].1
    }

    /// A small count with the given mean: the number of successes of
    /// `k` Bernoulli trials of probability `mean / k` (a binomial close to a
    /// Poisson law for small means), without transcendental functions.
    pub(crate) fn count(&mut self, mean: f64) -> u32 {
        if mean <= 0.0 {
            return 0;
        }
        let k = (mean * 4.0) as u32 + 6;
        let p = mean / f64::from(k);
        (0..k).filter(|_| self.chance(p)).count() as u32
    }

    /// Money in cents, roughly log-uniform between `lo` and `hi` yuan, with a
    /// "human" precision: three significant digits.
    pub(crate) fn amount_yuan(&mut self, lo: u64, hi: u64) -> u64 {
        let lo = lo.max(1);
        let hi = hi.max(lo);
        // Pick a decade, then a 3-digit mantissa, then clamp.
        let lo_exp = ilog10(lo);
        let hi_exp = ilog10(hi);
        let e = self.range(i64::from(lo_exp), i64::from(hi_exp)) as u32;
        let mantissa = self.range(100, 999) as u64; // 1.00 .. 9.99
        let value = mantissa * 10u64.pow(e) / 100;
        value.clamp(lo, hi) * 100
    }
}

fn ilog10(x: u64) -> u32 {
    x.max(1).ilog10()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_deterministic_and_distinct() {
        let mut a = Rng::new(7, 1);
        let mut b = Rng::new(7, 1);
        let mut c = Rng::new(7, 2);
        let xa: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..5).map(|_| c.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn distributions_stay_in_range() {
        let mut r = Rng::new(1, 1);
        for _ in 0..10_000 {
            let x = r.range(-3, 5);
            assert!((-3..=5).contains(&x));
            let a = r.amount_yuan(200, 500_000);
            assert!((20_000..=50_000_000).contains(&a), "{a}");
            assert!(r.unit() < 1.0);
        }
        let mean: f64 = (0..20_000).map(|_| f64::from(r.count(0.5))).sum::<f64>() / 20_000.0;
        assert!((0.45..0.55).contains(&mean), "{mean}");
        assert_eq!(r.weighted(&[0, 0, 5]), 2);
    }
}
