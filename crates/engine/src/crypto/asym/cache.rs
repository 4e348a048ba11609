//! A memo of key pairs derived from seeds, injected into a run by whoever runs scenarios
//! repeatedly (the app on every edit, a lab check, the CLI over many files).
//!
//! Every pair a run generates is a pure function of its spec and a 32-byte seed drawn from the
//! run's seeded generator, so running the same scenario again asks for the same pairs. RSA
//! generation is the one slow thing in a run (a quarter of a second for RSA_2048 in wasm, seconds
//! for RSA_4096), and without the memo each keystroke in a lab with an import would pay it
//! again. The memo changes no result: a hit returns the pair a miss would have generated.

use super::{AsymError, KeyPair, PairSpec};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::collections::VecDeque;
use std::fmt;
use std::sync::Mutex;
use zeroize::Zeroizing;

/// The seed a pair is derived from.
pub type PairSeed = Zeroizing<[u8; 32]>;

/// The pair of `spec` derived from `seed` (ChaCha20 seeded with it drives the generation).
pub fn derive_pair(spec: PairSpec, seed: &PairSeed) -> Result<KeyPair, AsymError> {
    let mut rng = ChaCha20Rng::from_seed(**seed);
    KeyPair::generate(spec, &mut rng)
}

/// Remembers the pairs derived from seeds most recently used (a bounded memo: the least
/// recently used goes first, so a run needing more pairs than it holds still finds those it
/// keeps asking for).
pub struct PairCache {
    capacity: usize,
    entries: Mutex<VecDeque<(PairSpec, PairSeed, KeyPair)>>,
}

impl PairCache {
    /// Pairs kept by [`PairCache::default`]: the app's labs and examples use a handful.
    pub const DEFAULT_CAPACITY: usize = 32;

    /// A memo of at most `capacity` pairs.
    pub fn new(capacity: usize) -> PairCache {
        PairCache {
            capacity,
            entries: Mutex::new(VecDeque::new()),
        }
    }

    /// The pair of `spec` derived from `seed`, remembered or derived now.
    pub fn derive(&self, spec: PairSpec, seed: &PairSeed) -> Result<KeyPair, AsymError> {
        if let Ok(mut entries) = self.entries.lock() {
            let hit = entries
                .iter()
                .position(|(p, s, _)| *p == spec && s == seed)
                .and_then(|i| entries.remove(i));
            if let Some(entry) = hit {
                let pair = entry.2.clone();
                entries.push_back(entry);
                return Ok(pair);
            }
        }
        let pair = derive_pair(spec, seed)?;
        // A poisoned lock (a panic elsewhere while holding it) only loses the memo.
        if let Ok(mut entries) = self.entries.lock() {
            if self.capacity > 0 {
                while entries.len() >= self.capacity {
                    entries.pop_front();
                }
                entries.push_back((spec, seed.clone(), pair.clone()));
            }
        }
        Ok(pair)
    }

    /// How many pairs are remembered.
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for PairCache {
    fn default() -> Self {
        PairCache::new(PairCache::DEFAULT_CAPACITY)
    }
}

impl fmt::Debug for PairCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PairCache({} pairs, <keys redacted>)", self.len())
    }
}

/// Derives through `cache` when there is one.
pub fn derive_with(
    cache: Option<&PairCache>,
    spec: PairSpec,
    seed: &PairSeed,
) -> Result<KeyPair, AsymError> {
    match cache {
        Some(c) => c.derive(spec, seed),
        None => derive_pair(spec, seed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(b: u8) -> PairSeed {
        Zeroizing::new([b; 32])
    }

    #[test]
    fn a_hit_returns_the_pair_a_miss_derives() {
        let cache = PairCache::new(2);
        let fresh = derive_pair(PairSpec::EccNistP256, &seed(1)).unwrap();
        let first = cache.derive(PairSpec::EccNistP256, &seed(1)).unwrap();
        let again = cache.derive(PairSpec::EccNistP256, &seed(1)).unwrap();
        assert_eq!(cache.len(), 1);
        for p in [&first, &again] {
            assert_eq!(p.public_key_der().unwrap(), fresh.public_key_der().unwrap());
            assert_eq!(
                p.private_key_der().unwrap().expose(),
                fresh.private_key_der().unwrap().expose()
            );
        }
    }

    /// Whether `cache` holds the pair of `spec` and `seed` (without refreshing it).
    fn holds(cache: &PairCache, spec: PairSpec, seed: &PairSeed) -> bool {
        cache
            .entries
            .lock()
            .unwrap()
            .iter()
            .any(|(p, s, _)| *p == spec && s == seed)
    }

    #[test]
    fn spec_and_seed_both_key_the_memo_and_the_least_recently_used_goes_first() {
        let cache = PairCache::new(2);
        let a = cache.derive(PairSpec::EccNistP256, &seed(1)).unwrap();
        let b = cache.derive(PairSpec::EccNistP384, &seed(1)).unwrap();
        assert_ne!(a.public_key_der().unwrap(), b.public_key_der().unwrap());
        // Using `a` again makes `b` the least recently used: a third pair pushes `b` out.
        cache.derive(PairSpec::EccNistP256, &seed(1)).unwrap();
        let c = cache.derive(PairSpec::EccNistP256, &seed(2)).unwrap();
        assert_ne!(a.public_key_der().unwrap(), c.public_key_der().unwrap());
        assert_eq!(cache.len(), 2);
        assert!(holds(&cache, PairSpec::EccNistP256, &seed(1)));
        assert!(!holds(&cache, PairSpec::EccNistP384, &seed(1)));
        // Asking again derives the same pair anew.
        let b2 = cache.derive(PairSpec::EccNistP384, &seed(1)).unwrap();
        assert_eq!(b.public_key_der().unwrap(), b2.public_key_der().unwrap());
        assert_eq!(cache.len(), 2);
        assert!(format!("{cache:?}").contains("redacted"));
    }

    #[test]
    fn a_zero_capacity_memo_remembers_nothing() {
        let cache = PairCache::new(0);
        cache.derive(PairSpec::EccNistP256, &seed(3)).unwrap();
        assert!(cache.is_empty());
    }
}
