//! The resident's receipt: a 16-digit code given once, after sending, with which they can follow
//! their report and answer the CROSS's questions without an account.
//!
//! Sixteen digits (some 53 bits) are easy to read out, to type on a phone keypad and to copy on
//! paper. `ReceiptCode::from_entropy` makes a code from a number the engine draws at random (this
//! crate draws nothing); `ReceiptCode::parse` reads what a person types back, spaces, dashes and
//! dots between digits included. This module does not store codes, look them up or throttle
//! guesses: the engine keeps only a keyed Argon2id digest of each code, whose cost slows lookups.
//!
//! `Debug` shows only the last four digits, so that a code does not end up whole in a log.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Number of digits of a code.
pub const RECEIPT_DIGITS: usize = 16;

/// A receipt code: exactly 16 ASCII digits.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReceiptCode(String);

/// Why a typed code was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("Le code de suivi comporte 16 chiffres.")]
    Malformed,
}

impl ReceiptCode {
    /// The code of a random number: `n` modulo 10^16, zero-padded. The engine passes a random
    /// `u128`; the bias of the modulo (2^128 is not a multiple of 10^16) is below 10^-22.
    pub fn from_entropy(n: u128) -> Self {
        ReceiptCode(format!("{:016}", n % 10_u128.pow(16)))
    }

    /// Reads a typed code: 16 ASCII digits, optionally grouped by spaces (ordinary or
    /// non-breaking), dashes or dots between them; surrounding spaces are ignored.
    pub fn parse(input: &str) -> Result<Self, ReceiptError> {
        let input = input.trim();
        let mut digits = String::with_capacity(RECEIPT_DIGITS);
        let mut previous_is_digit = false;
        for ch in input.chars() {
            if ch.is_ascii_digit() {
                digits.push(ch);
                previous_is_digit = true;
            } else if matches!(ch, ' ' | '-' | '.' | '\u{a0}' | '\u{202f}') && !digits.is_empty() {
                previous_is_digit = false;
            } else {
                return Err(ReceiptError::Malformed);
            }
        }
        if digits.len() == RECEIPT_DIGITS && previous_is_digit {
            Ok(ReceiptCode(digits))
        } else {
            Err(ReceiptError::Malformed)
        }
    }

    /// The 16 digits, ungrouped.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReceiptCode {
    /// Four groups of four digits: "0612 3456 7890 1234".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups: Vec<&str> = (0..self.0.len())
            .step_by(4)
            .filter_map(|start| self.0.get(start..start + 4))
            .collect();
        f.write_str(&groups.join(" "))
    }
}

impl fmt::Debug for ReceiptCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let last = self.0.get(12..).unwrap_or("");
        write!(f, "ReceiptCode(…{last})")
    }
}

impl TryFrom<String> for ReceiptCode {
    type Error = ReceiptError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        ReceiptCode::parse(&text)
    }
}

impl From<ReceiptCode> for String {
    fn from(code: ReceiptCode) -> String {
        code.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[track_caller]
    fn check(input: &str, expected: Option<&str>) {
        let got = ReceiptCode::parse(input);
        match expected {
            Some(digits) => assert_eq!(
                got.map(|c| c.digits().to_owned()),
                Ok(digits.to_owned()),
                "{input:?}"
            ),
            None => assert_eq!(got, Err(ReceiptError::Malformed), "{input:?}"),
        }
    }

    #[test]
    fn parsing_table() {
        let digits = "0612345678901234";
        check("0612345678901234", Some(digits));
        check("0612 3456 7890 1234", Some(digits));
        check("  0612 3456 7890 1234\n", Some(digits));
        check("0612-3456-7890-1234", Some(digits));
        check("0612.3456.7890.1234", Some(digits));
        check("0612 - 3456 - 7890 - 1234", Some(digits));
        check("0612\u{a0}3456\u{202f}7890 1234", Some(digits));
        check("06 12 34 56 78 90 12 34", Some(digits));
        check("061234567890123", None);
        check("06123456789012345", None);
        check("-0612345678901234", None);
        check("0612345678901234-", None);
        check("0612 3456 7890 123A", None);
        check("0612_3456_7890_1234", None);
        check("٠٦١٢٣٤٥٦٧٨٩٠١٢٣٤", None);
        check("", None);
        check("   ", None);
    }

    #[test]
    fn error_message() {
        assert_eq!(
            ReceiptCode::parse("12").unwrap_err().to_string(),
            "Le code de suivi comporte 16 chiffres."
        );
    }

    #[test]
    fn from_entropy_is_sixteen_digits() {
        for (n, expected) in [
            (0_u128, "0000000000000000"),
            (42, "0000000000000042"),
            (612_345_678_901_234, "0612345678901234"),
            (10_u128.pow(16), "0000000000000000"),
            (10_u128.pow(16) + 7, "0000000000000007"),
            (u128::MAX, "4607431768211455"),
        ] {
            let code = ReceiptCode::from_entropy(n);
            assert_eq!(code.digits().len(), 16);
            assert!(code.digits().ends_with(expected), "{n}: {}", code.digits());
            assert_eq!(ReceiptCode::parse(&code.to_string()).unwrap(), code);
        }
    }

    #[test]
    fn display_debug_and_json() {
        let code = ReceiptCode::parse("0612345678901234").unwrap();
        assert_eq!(code.to_string(), "0612 3456 7890 1234");
        assert_eq!(format!("{code:?}"), "ReceiptCode(…1234)");
        let json = serde_json::to_value(&code).unwrap();
        assert_eq!(json, "0612345678901234");
        assert_eq!(serde_json::from_value::<ReceiptCode>(json).unwrap(), code);
        assert!(serde_json::from_value::<ReceiptCode>(serde_json::json!("123")).is_err());
    }
}
