//! The anti-robot proof of work of the public form: hashcash on SHA-256.
//!
//! The server hands out a `Challenge` (a random nonce, a number of bits, an expiry) as a token
//! signed with HMAC-SHA-256, so that it keeps no state until the answer comes back. The browser
//! searches for a number `solution` such that SHA-256 of the ASCII text `"{nonce}:{solution}"`
//! starts with `bits` zero bits, and sends it with the token. With the default 16 bits a phone
//! needs a fraction of a second; a robot sending thousands of reports pays thousands of times.
//! When the form is flooded, `Difficulty::bits_for` raises the bits.
//!
//! Why hand-written rather than a captcha or a crate: the verification is a few lines over `sha2`
//! and `hmac`, which the workspace already uses; the browser side is WebCrypto's SHA-256
//! (`crypto.subtle.digest`) with no library; and the page's Content Security Policy stays free of
//! workers, WebAssembly and third-party scripts. No service outside the State sees who reports.
//!
//! Without JavaScript (Tor Browser at its "safest" level, which a resident who fears reprisals may
//! well use) nothing can be computed in the page, so the same token offers a second, weaker lane:
//! waiting. A form sent with no solution is accepted once `Difficulty::wait_micros` has passed
//! since the token was issued (30 s in quiet times, doubling with every extra bit under a flood),
//! and refused outright while the form is flooded (`Difficulty::waiting_allowed`): a robot would
//! otherwise just wait alongside. Typing a description takes longer than the wait anyway.
//!
//! This module draws no random numbers and reads no clock: the engine passes the nonce's entropy
//! and the current time. It does not remember spent tokens either: the engine must refuse a token
//! already used until it expires.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// A challenge to solve.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// 32 lower-case hexadecimal digits.
    pub nonce: String,
    /// How many leading zero bits the hash must have.
    pub bits: u8,
    /// Until when the challenge may be answered, microseconds since the Unix epoch (inclusive).
    pub expires_at_micros: i64,
}

/// Why an answer was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PowError {
    #[error("La vérification anti-robot a expiré : recommencez l'envoi.")]
    Expired,
    #[error("La vérification anti-robot est invalide.")]
    Invalid,
    #[error("La vérification anti-robot n'est pas résolue.")]
    Unsolved,
    /// Sent without a solution before the wait was over.
    #[error("Envoi trop rapide : sans JavaScript, le formulaire ne peut être envoyé que {0} secondes après l'ouverture de la page. Patientez un instant, puis envoyez-le de nouveau.")]
    TooSoon(u32),
    /// Sent without a solution while the form is flooded.
    #[error("Le formulaire reçoit beaucoup d'envois en ce moment : sans JavaScript, réessayez dans une dizaine de minutes, ou activez JavaScript pour ce site.")]
    Busy,
}

impl Challenge {
    /// A challenge whose nonce is `nonce_entropy` in 32 hexadecimal digits (the engine passes a
    /// random `u128`).
    pub fn new(nonce_entropy: u128, bits: u8, expires_at_micros: i64) -> Challenge {
        Challenge {
            nonce: format!("{nonce_entropy:032x}"),
            bits,
            expires_at_micros,
        }
    }

    fn signed_part(&self) -> String {
        format!("{}.{}.{}", self.nonce, self.bits, self.expires_at_micros)
    }

    /// The token handed to the browser:
    /// `"{nonce}.{bits}.{expires}.{hex HMAC-SHA-256(key, "{nonce}.{bits}.{expires}")}"`.
    pub fn token(&self, key: &[u8]) -> String {
        let signed = self.signed_part();
        let mut mac = keyed(key);
        mac.update(signed.as_bytes());
        format!("{signed}.{}", to_hex(&mac.finalize().into_bytes()))
    }

    /// Reads a token back: `Invalid` if it is malformed or its MAC is wrong (compared in constant
    /// time), `Expired` if `now_micros` is past its expiry.
    pub fn from_token(token: &str, key: &[u8], now_micros: i64) -> Result<Challenge, PowError> {
        let mut parts = token.split('.');
        let (Some(nonce), Some(bits), Some(expires), Some(tag), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(PowError::Invalid);
        };
        if nonce.len() != 32 || !nonce.bytes().all(is_lower_hex) {
            return Err(PowError::Invalid);
        }
        let bits: u8 = parse_decimal(bits).ok_or(PowError::Invalid)?;
        let expires_at_micros: i64 = parse_decimal(expires).ok_or(PowError::Invalid)?;
        let tag = from_hex(tag).ok_or(PowError::Invalid)?;
        let challenge = Challenge {
            nonce: nonce.to_owned(),
            bits,
            expires_at_micros,
        };
        let mut mac = keyed(key);
        mac.update(challenge.signed_part().as_bytes());
        mac.verify_slice(&tag).map_err(|_| PowError::Invalid)?;
        if now_micros > challenge.expires_at_micros {
            return Err(PowError::Expired);
        }
        Ok(challenge)
    }

    /// Reads a token and checks its solution: the challenge if all is well.
    pub fn verify(
        token: &str,
        key: &[u8],
        now_micros: i64,
        solution: u64,
    ) -> Result<Challenge, PowError> {
        let challenge = Challenge::from_token(token, key, now_micros)?;
        if check(&challenge, solution) {
            Ok(challenge)
        } else {
            Err(PowError::Unsolved)
        }
    }
}

/// HMAC-SHA-256 keyed with `key`. HMAC takes keys of any length: a key longer than a block is
/// first hashed, a shorter one padded with zeros (RFC 2104). Doing it here makes the
/// construction infallible, where `new_from_slice` returns a `Result` that cannot fail.
fn keyed(key: &[u8]) -> HmacSha256 {
    let mut block = hmac::digest::Key::<HmacSha256>::default();
    if key.len() > block.len() {
        let digest = Sha256::digest(key);
        block[..digest.len()].copy_from_slice(&digest);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    <HmacSha256 as hmac::digest::KeyInit>::new(&block)
}

fn is_lower_hex(byte: u8) -> bool {
    byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte)
}

/// Reads a decimal number written canonically (digits only, a leading minus for negatives).
fn parse_decimal<T: std::str::FromStr>(text: &str) -> Option<T> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// Reads 64 lower-case hexadecimal digits into 32 bytes.
fn from_hex(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let value = |byte: u8| match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    };
    let mut out = [0_u8; 32];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *slot = (value(pair[0])? << 4) | value(pair[1])?;
    }
    Some(out)
}

/// How many zero bits `hash` starts with (0 to 256).
pub fn leading_zero_bits(hash: &[u8; 32]) -> u32 {
    let mut bits = 0;
    for byte in hash {
        if *byte == 0 {
            bits += 8;
        } else {
            return bits + byte.leading_zeros();
        }
    }
    bits
}

/// Whether `solution` solves `challenge`: SHA-256 of `"{nonce}:{solution}"` starts with at least
/// `bits` zero bits.
pub fn check(challenge: &Challenge, solution: u64) -> bool {
    let hash: [u8; 32] = Sha256::digest(format!("{}:{solution}", challenge.nonce)).into();
    leading_zero_bits(&hash) >= u32::from(challenge.bits)
}

/// Finds the smallest solution, counting from 0 (for tests, benchmarks and the command line; the
/// browser does the same in JavaScript). Expect about 2^bits hashes. Returns `u64::MAX` if none
/// exists below it, which for any reasonable number of bits does not happen.
pub fn solve(challenge: &Challenge) -> u64 {
    (0..u64::MAX)
        .find(|solution| check(challenge, *solution))
        .unwrap_or(u64::MAX)
}

/// The wait of the no-JavaScript lane in quiet times.
pub const BASE_WAIT_MICROS: i64 = 30 * 1_000_000;

/// How hard challenges are, depending on how many reports were sent recently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difficulty {
    /// Bits asked in quiet times (default 16: some 65 000 hashes, well under a second on a phone).
    pub base_bits: u8,
    /// Most bits ever asked (default 22: some 4 million hashes, a few seconds on a phone).
    pub max_bits: u8,
    /// Reports per 10 minutes above which the form is considered flooded (default 60).
    pub flood_threshold: u32,
}

impl Default for Difficulty {
    fn default() -> Self {
        Difficulty {
            base_bits: 16,
            max_bits: 22,
            flood_threshold: 60,
        }
    }
}

impl Difficulty {
    /// How long a form sent without a solution must wait after its token was issued: 30 s at the
    /// base bits, doubled for every bit above them (the flood raised them), at most 8 minutes.
    pub fn wait_micros(&self, challenge_bits: u8) -> i64 {
        let extra = u32::from(challenge_bits.saturating_sub(self.base_bits)).min(4);
        BASE_WAIT_MICROS << extra
    }

    /// Whether the waiting lane is open: not while the form is flooded.
    pub fn waiting_allowed(&self, recent_submissions: u32) -> bool {
        self.bits_for(recent_submissions) <= self.base_bits
    }

    /// Checks a form sent without a solution at `now_micros`, for a token issued at
    /// `issued_at_micros` (its expiry minus its lifetime, which the engine knows).
    pub fn check_wait(
        &self,
        challenge: &Challenge,
        issued_at_micros: i64,
        now_micros: i64,
        recent_submissions: u32,
    ) -> Result<(), PowError> {
        if !self.waiting_allowed(recent_submissions) {
            return Err(PowError::Busy);
        }
        let wait = self.wait_micros(challenge.bits);
        if now_micros < issued_at_micros.saturating_add(wait) {
            return Err(PowError::TooSoon(
                u32::try_from(wait / 1_000_000).unwrap_or(u32::MAX),
            ));
        }
        Ok(())
    }

    /// The bits to ask given the number of reports sent in the last 10 minutes: `base_bits` up to
    /// the threshold, then one more bit per doubling above it (more than the threshold: +1, more
    /// than twice: +2, more than four times: +3...), never more than `max_bits` (nor fewer than
    /// `base_bits`). A threshold of 0 counts as 1.
    pub fn bits_for(&self, recent_submissions: u32) -> u8 {
        let mut limit = u64::from(self.flood_threshold.max(1));
        let mut extra: u32 = 0;
        while u64::from(recent_submissions) > limit {
            extra += 1;
            limit *= 2;
        }
        let ceiling = u32::from(self.max_bits.max(self.base_bits));
        let bits = (u32::from(self.base_bits) + extra).min(ceiling);
        u8::try_from(bits).unwrap_or(u8::MAX)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    const KEY: &[u8] = b"cle-de-test-de-la-preuve-de-travail";

    #[test]
    fn the_waiting_lane_waits_longer_under_a_flood_and_closes_when_flooded() {
        let difficulty = Difficulty::default();
        let challenge = Challenge::new(7, 16, 600_000_000);
        assert_eq!(difficulty.wait_micros(16), 30_000_000);
        assert_eq!(difficulty.wait_micros(17), 60_000_000);
        assert_eq!(difficulty.wait_micros(22), 480_000_000, "at most 8 minutes");
        assert_eq!(
            difficulty.check_wait(&challenge, 0, 29_999_999, 0),
            Err(PowError::TooSoon(30))
        );
        assert_eq!(difficulty.check_wait(&challenge, 0, 30_000_000, 60), Ok(()));
        assert_eq!(
            difficulty.check_wait(&challenge, 0, 30_000_000, 61),
            Err(PowError::Busy),
            "above the flood threshold"
        );
        let harder = Challenge::new(7, 18, 600_000_000);
        assert_eq!(
            difficulty.check_wait(&harder, 0, 100_000_000, 0),
            Err(PowError::TooSoon(120))
        );
        assert!(PowError::TooSoon(30).to_string().contains("30 secondes"));
    }

    #[test]
    fn keyed_is_standard_hmac() {
        for key in [&b""[..], b"k", &[7_u8; 64], &[9_u8; 65], &[1_u8; 200]] {
            let mut ours = keyed(key);
            ours.update(b"message");
            let mut reference = <HmacSha256 as Mac>::new_from_slice(key).unwrap();
            reference.update(b"message");
            assert_eq!(
                ours.finalize().into_bytes(),
                reference.finalize().into_bytes(),
                "key of {} bytes",
                key.len()
            );
        }
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mut mac = keyed(b"Jefe");
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            to_hex(&mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn leading_zero_bits_table() {
        let mut hash = [0_u8; 32];
        assert_eq!(leading_zero_bits(&hash), 256);
        hash[0] = 0x80;
        assert_eq!(leading_zero_bits(&hash), 0);
        hash[0] = 0x01;
        assert_eq!(leading_zero_bits(&hash), 7);
        hash[0] = 0;
        hash[1] = 0x10;
        assert_eq!(leading_zero_bits(&hash), 11);
        hash[1] = 0;
        hash[31] = 1;
        assert_eq!(leading_zero_bits(&hash), 255);
    }

    #[test]
    fn token_round_trip_and_refusals() {
        let challenge = Challenge::new(0xdead_beef, 12, 1_000);
        assert_eq!(challenge.nonce, "000000000000000000000000deadbeef");
        let token = challenge.token(KEY);
        assert!(token.starts_with("000000000000000000000000deadbeef.12.1000."));
        assert_eq!(
            Challenge::from_token(&token, KEY, 999),
            Ok(challenge.clone())
        );
        assert_eq!(
            Challenge::from_token(&token, KEY, 1_000),
            Ok(challenge.clone())
        );
        assert_eq!(
            Challenge::from_token(&token, KEY, 1_001),
            Err(PowError::Expired)
        );
        assert_eq!(
            Challenge::from_token(&token, b"autre cle", 0),
            Err(PowError::Invalid)
        );
        // Tampering with any part breaks the MAC.
        let easier = token.replacen(".12.", ".1.", 1);
        assert_eq!(
            Challenge::from_token(&easier, KEY, 0),
            Err(PowError::Invalid)
        );
        let later = token.replacen(".1000.", ".9999999.", 1);
        assert_eq!(
            Challenge::from_token(&later, KEY, 0),
            Err(PowError::Invalid)
        );
        // An expired forgery is invalid, not expired.
        assert_eq!(
            Challenge::from_token(&later, KEY, 5_000),
            Err(PowError::Invalid)
        );
        let negative = Challenge::new(1, 3, -5);
        assert_eq!(
            Challenge::from_token(&negative.token(KEY), KEY, -6),
            Ok(negative)
        );
    }

    #[track_caller]
    fn check_malformed(token: &str) {
        assert_eq!(
            Challenge::from_token(token, KEY, 0),
            Err(PowError::Invalid),
            "{token:?}"
        );
    }

    #[test]
    fn malformed_tokens() {
        let token = Challenge::new(5, 10, 100).token(KEY);
        let parts: Vec<&str> = token.split('.').collect();
        check_malformed("");
        check_malformed("...");
        check_malformed(&format!("{token}."));
        check_malformed(&format!("{token}.x"));
        check_malformed(&parts[..3].join("."));
        check_malformed(&token.to_uppercase());
        check_malformed(&format!("{}.+10.{}.{}", parts[0], parts[2], parts[3]));
        check_malformed(&format!("{}.256.{}.{}", parts[0], parts[2], parts[3]));
        check_malformed(&format!(
            "{}.{}.{}.{}",
            &parts[0][1..],
            parts[1],
            parts[2],
            parts[3]
        ));
        check_malformed(&format!(
            "{}.{}.{}.{}",
            parts[0],
            parts[1],
            parts[2],
            &parts[3][2..]
        ));
        check_malformed(&format!(
            "{}.{}.{}.{}zz",
            parts[0],
            parts[1],
            parts[2],
            &parts[3][2..]
        ));
        check_malformed(&format!("{}.{}.1e3.{}", parts[0], parts[1], parts[3]));
    }

    #[test]
    fn solve_and_check() {
        let challenge = Challenge::new(0x0123_4567_89ab_cdef, 10, 100);
        let solution = solve(&challenge);
        assert!(check(&challenge, solution));
        assert!(
            (0..solution).all(|s| !check(&challenge, s)),
            "smallest solution"
        );
        let hash: [u8; 32] = Sha256::digest(format!("{}:{solution}", challenge.nonce)).into();
        assert!(leading_zero_bits(&hash) >= 10);
        let token = challenge.token(KEY);
        assert_eq!(
            Challenge::verify(&token, KEY, 50, solution),
            Ok(challenge.clone())
        );
        let wrong = (0..).find(|s| !check(&challenge, *s)).unwrap();
        assert_eq!(
            Challenge::verify(&token, KEY, 50, wrong),
            Err(PowError::Unsolved)
        );
        assert_eq!(
            Challenge::verify(&token, KEY, 101, solution),
            Err(PowError::Expired)
        );
        // Zero bits: everything solves.
        assert_eq!(solve(&Challenge::new(1, 0, 0)), 0);
    }

    #[test]
    fn messages() {
        assert_eq!(
            PowError::Expired.to_string(),
            "La vérification anti-robot a expiré : recommencez l'envoi."
        );
        assert_eq!(
            PowError::Invalid.to_string(),
            "La vérification anti-robot est invalide."
        );
        assert_eq!(
            PowError::Unsolved.to_string(),
            "La vérification anti-robot n'est pas résolue."
        );
    }

    #[track_caller]
    fn check_bits(difficulty: Difficulty, recent: u32, expected: u8) {
        assert_eq!(
            difficulty.bits_for(recent),
            expected,
            "{recent} recent, {difficulty:?}"
        );
    }

    #[test]
    fn difficulty_table() {
        let d = Difficulty::default();
        check_bits(d, 0, 16);
        check_bits(d, 60, 16);
        check_bits(d, 61, 17);
        check_bits(d, 120, 17);
        check_bits(d, 121, 18);
        check_bits(d, 240, 18);
        check_bits(d, 241, 19);
        check_bits(d, 1_000, 21);
        check_bits(d, 1_920, 21);
        check_bits(d, 1_921, 22);
        check_bits(d, u32::MAX, 22);
        let zero = Difficulty {
            flood_threshold: 0,
            ..d
        };
        check_bits(zero, 0, 16);
        check_bits(zero, 1, 16);
        check_bits(zero, 2, 17);
        let inverted = Difficulty {
            base_bits: 20,
            max_bits: 18,
            flood_threshold: 60,
        };
        check_bits(inverted, 1_000, 20);
    }
}
