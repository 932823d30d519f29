//! The generator's dice: one ChaCha8 stream and a few portable helpers on top of it.
//!
//! Everything the generator draws goes through here. Only the raw `next_u64` output of ChaCha8 is used
//! (its output is fixed by the algorithm), never rand's distributions, whose algorithms may change from
//! one version to the next and whose `usize` sampling depends on the pointer width. So the same seed
//! gives the same draws on every machine. This module does not know what it is drawing for.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration};
use uuid::Uuid;

/// A deterministic source of draws.
pub(crate) struct Dice {
    rng: ChaCha8Rng,
}

impl Dice {
    /// A stream for `seed`; different `stream` numbers give independent sequences for the same seed.
    pub(crate) fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Self { rng }
    }

    /// Moves to `word` 32-bit words from the start of the stream, so that what is drawn from there
    /// depends only on the seed, the stream and `word` (not on what was drawn before).
    pub(crate) fn seek(&mut self, word: u128) {
        self.rng.set_word_pos(word);
    }

    /// A number in `0..n` (0 when `n` is 0), by multiply-shift: portable and fast, bias negligible.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        let wide = (u128::from(self.rng.next_u64()) * u128::from(n)) >> 64;
        usize::try_from(wide).unwrap_or(0)
    }

    /// A number in `low..=high` (`low` when the range is empty).
    pub(crate) fn range(&mut self, low: u32, high: u32) -> u32 {
        if high <= low {
            return low;
        }
        let span = usize::try_from(high - low + 1).unwrap_or(1);
        low + u32::try_from(self.below(span)).unwrap_or(0)
    }

    /// True with probability `per_mille` / 1000.
    pub(crate) fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < usize::try_from(per_mille).unwrap_or(1000)
    }

    /// One item of a list of static strings ("" for an empty list).
    pub(crate) fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }

    /// One item of a list, `None` only when the list is empty.
    pub(crate) fn pick_ref<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// One item of a weighted list, `None` only when all weights are zero.
    pub(crate) fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> Option<&'a T> {
        let total: u64 = items.iter().map(|(_, weight)| u64::from(*weight)).sum();
        let mut draw = u64::try_from(self.below(usize::try_from(total).unwrap_or(0))).unwrap_or(0);
        for (item, weight) in items {
            let weight = u64::from(*weight);
            if draw < weight {
                return Some(item);
            }
            draw -= weight;
        }
        None
    }

    /// A string of `count` decimal digits.
    pub(crate) fn digits(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| char::from(b'0' + u8::try_from(self.below(10)).unwrap_or(0)))
            .collect()
    }

    /// A version 4 UUID whose random bits come from the stream.
    pub(crate) fn uuid(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// A date between `max_days` and `min_days` days before `day` (`day` itself if out of range).
    pub(crate) fn days_before(&mut self, day: Date, min_days: u32, max_days: u32) -> Date {
        let back = self.range(min_days, max_days);
        day.checked_sub(Duration::days(i64::from(back)))
            .unwrap_or(day)
    }

    /// Shuffles `items` in place (Fisher-Yates).
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}
