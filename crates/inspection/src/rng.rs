//! The draw's random generator: SHA-256 in counter mode, nothing else.
//!
//! Specified in `docs/INSPECTION-DRAW.md` §4 so that anyone holding the
//! seed and the plan id can re-implement it with a SHA-256 function alone.

use sha2::{Digest, Sha256};

/// The domain tag hashed first into the generator's key (ASCII, 25 bytes).
pub const GENERATOR_TAG: &[u8] = b"xinyong-inspection-draw/1";

/// The deterministic generator of a draw.
///
/// * `key = SHA-256(GENERATOR_TAG ‖ u64_be(len(seed)) ‖ seed ‖
///   u64_be(len(plan_id)) ‖ plan_id)` (the plan id as UTF-8 bytes);
/// * block `i` (`i` = 0, 1, 2, …) `= SHA-256(key ‖ u64_be(i))`, 32 bytes;
/// * the outputs are the block's four 8-byte words read big-endian, in
///   order, then the next block's.
///
/// [`Generator::below`] turns outputs into unbiased integers by rejection.
#[derive(Debug, Clone)]
pub struct Generator {
    key: [u8; 32],
    next_block: u64,
    block: [u8; 32],
    /// Words of `block` already used (4 = none left).
    used: usize,
    outputs: u64,
}

impl Generator {
    /// The generator of the draw with this seed for this plan.
    pub fn new(seed: &[u8], plan_id: &str) -> Generator {
        let mut h = Sha256::new();
        h.update(GENERATOR_TAG);
        h.update((seed.len() as u64).to_be_bytes());
        h.update(seed);
        h.update((plan_id.len() as u64).to_be_bytes());
        h.update(plan_id.as_bytes());
        Generator {
            key: h.finalize().into(),
            next_block: 0,
            block: [0; 32],
            used: 4,
            outputs: 0,
        }
    }

    /// The key (`SHA-256` of the tag, seed and plan id), for test vectors.
    pub fn key(&self) -> [u8; 32] {
        self.key
    }

    /// The next 64-bit output.
    pub fn next_u64(&mut self) -> u64 {
        if self.used == 4 {
            let mut input = [0u8; 40];
            input[..32].copy_from_slice(&self.key);
            input[32..].copy_from_slice(&self.next_block.to_be_bytes());
            self.block = Sha256::digest(input).into();
            self.next_block += 1;
            self.used = 0;
        }
        let at = self.used * 8;
        let mut word = [0u8; 8];
        word.copy_from_slice(&self.block[at..at + 8]);
        self.used += 1;
        self.outputs += 1;
        u64::from_be_bytes(word)
    }

    /// A uniform integer in `[0, n)`, `n ≥ 1`, by rejection sampling.
    ///
    /// With `r = 2^64 mod n`: draw `x = next_u64()`; if `x ≥ 2^64 − r`,
    /// discard it and draw again; otherwise return `x mod n`. Every call
    /// consumes at least one output, also when `n = 1`.
    ///
    /// # Panics
    ///
    /// When `n` is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Generator::below(0)");
        // (2^64 − n) mod n = 2^64 mod n; 2^64 − n fits in a u64 for n ≥ 1.
        let r = (u64::MAX - n + 1) % n;
        // Accept x < 2^64 − r, that is x ≤ u64::MAX − r.
        let last_accepted = u64::MAX - r;
        loop {
            let x = self.next_u64();
            if x <= last_accepted {
                return x % n;
            }
        }
    }

    /// How many 64-bit outputs have been consumed so far.
    pub fn outputs_consumed(&self) -> u64 {
        self.outputs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_sha256_of_key_and_counter() {
        let mut g = Generator::new(b"0123456789abcdef", "P");
        let key = g.key();
        let mut first = [0u8; 40];
        first[..32].copy_from_slice(&key);
        let block0: [u8; 32] = Sha256::digest(first).into();
        first[39] = 1;
        let block1: [u8; 32] = Sha256::digest(first).into();
        let words: Vec<u64> = (0..8).map(|_| g.next_u64()).collect();
        for (i, w) in words.iter().enumerate() {
            let block = if i < 4 { &block0 } else { &block1 };
            let at = (i % 4) * 8;
            assert_eq!(
                *w,
                u64::from_be_bytes(block[at..at + 8].try_into().unwrap())
            );
        }
        assert_eq!(g.outputs_consumed(), 8);
    }

    #[test]
    fn key_is_length_prefixed() {
        // "ab" + "c" and "a" + "bc" must not give the same stream.
        assert_ne!(
            Generator::new(b"ab", "c").key(),
            Generator::new(b"a", "bc").key()
        );
    }

    #[test]
    fn below_one_consumes_an_output() {
        let mut g = Generator::new(b"0123456789abcdef", "P");
        assert_eq!(g.below(1), 0);
        assert_eq!(g.outputs_consumed(), 1);
    }

    #[test]
    fn below_stays_in_range() {
        let mut g = Generator::new(b"0123456789abcdef", "P");
        for n in [1u64, 2, 3, 7, 10, 1000, u64::MAX / 2 + 2, u64::MAX] {
            for _ in 0..50 {
                assert!(g.below(n) < n);
            }
        }
    }

    #[test]
    fn below_rejects_the_top_zone() {
        // n = 2^63 + 1: r = 2^64 mod n = 2^63 − 1, so every output ≥ 2^63 + 1
        // is rejected: about half of them. Count consumption against a clone.
        let n = (1u64 << 63) + 1;
        let mut g = Generator::new(b"0123456789abcdef", "reject");
        let mut shadow = g.clone();
        for _ in 0..64 {
            let v = g.below(n);
            // Replay: the first shadow output below 2^63 + 1 must give v.
            loop {
                let x = shadow.next_u64();
                if x <= 1u64 << 63 {
                    assert_eq!(x % n, v);
                    break;
                }
            }
        }
        assert_eq!(g.outputs_consumed(), shadow.outputs_consumed());
        assert!(
            g.outputs_consumed() > 64,
            "some outputs must have been rejected"
        );
    }
}
