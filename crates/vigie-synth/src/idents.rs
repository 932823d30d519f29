//! Generators of well-formed French identifiers: SIV plates, mobile numbers, IBANs (French RIB key and
//! ISO 13616 check digits), SIREN (Luhn) and crypto addresses (Bitcoin bech32 with a real checksum,
//! Ethereum hex).
//!
//! Every value is produced directly in the canonical form that `vigie_core::identifiers` gives back
//! after parsing, so validation leaves it unchanged. Values are random draws, not allocated numbers;
//! uniqueness is the caller's business. Nothing here checks a registry.

use crate::dice::Dice;
use crate::lists::{FOREIGN_BANKS, FRENCH_BANKS};

/// Letters used in SIV plates: no I, O or U.
const PLATE_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTVWXYZ";

fn plate_letter(dice: &mut Dice) -> char {
    char::from(
        PLATE_LETTERS
            .get(dice.below(PLATE_LETTERS.len()))
            .copied()
            .unwrap_or(b'A'),
    )
}

/// A SIV plate `AB-123-CD`. The first block follows the issue order (A… in 2009 to H… today); the
/// blocks SS and WW (temporary series) are avoided, as is the number 000.
pub(crate) fn plate(dice: &mut Dice) -> String {
    let first = char::from(b"ABCDEFGH".get(dice.below(8)).copied().unwrap_or(b'F'));
    let left = format!("{first}{}", plate_letter(dice));
    let mut right = format!("{}{}", plate_letter(dice), plate_letter(dice));
    while right == "SS" || right == "WW" {
        right = format!("{}{}", plate_letter(dice), plate_letter(dice));
    }
    format!("{left}-{:03}-{right}", dice.range(1, 999))
}

/// Which numbering area a mobile number belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MobileArea {
    Metropolitan,
    Guadeloupe,
    Martinique,
    Reunion,
}

/// Two digits after 06 that belong to overseas mobile ranges.
const OVERSEAS_06: [&str; 8] = ["39", "90", "91", "92", "93", "94", "96", "97"];

/// A mobile number in E.164 form: +336/+337 in metropolitan France, +590 690/691 in Guadeloupe,
/// +596 696/697 in Martinique, +262 692/693 in La Réunion.
pub(crate) fn mobile(dice: &mut Dice, area: MobileArea) -> String {
    match area {
        MobileArea::Metropolitan => {
            if dice.chance(700) {
                // 06 39 and 06 90-97 are overseas ranges (+262, +590, +594, +596): skip them so
                // the number stays metropolitan.
                let mut rest = dice.digits(8);
                while OVERSEAS_06.iter().any(|prefix| rest.starts_with(prefix)) {
                    rest = dice.digits(8);
                }
                format!("+336{rest}")
            } else {
                // 07 mobile ranges in use start at 07 3.
                format!("+337{}{}", dice.range(3, 8), dice.digits(7))
            }
        }
        MobileArea::Guadeloupe => format!("+59069{}{}", dice.range(0, 1), dice.digits(6)),
        MobileArea::Martinique => format!("+59669{}{}", dice.range(6, 7), dice.digits(6)),
        MobileArea::Reunion => format!("+26269{}{}", dice.range(2, 3), dice.digits(6)),
    }
}

/// Remainder modulo 97 of the number formed by the characters, letters counting A=10 … Z=35.
fn mod97(text: &str) -> u32 {
    text.chars().fold(0, |acc, c| match c.to_digit(36) {
        Some(v) if v < 10 => (acc * 10 + v) % 97,
        Some(v) => (acc * 100 + v) % 97,
        None => acc,
    })
}

/// The IBAN of `bban` in `country`: ISO 13616 check digits, compact upper-case form.
fn iban_from_bban(country: &str, bban: &str) -> String {
    let remainder = mod97(&format!("{bban}{country}00"));
    format!("{country}{:02}{bban}", 98 - remainder)
}

/// The French RIB key of a bank code, branch code and numeric account number.
fn rib_key(bank: u64, branch: u64, account: u64) -> u64 {
    97 - ((89 * bank + 15 * branch + 3 * account) % 97)
}

/// A bank account: (IBAN, bank name). French accounts carry a correct RIB key; foreign ones
/// (Spain, Belgium, Lithuania, Germany, Portugal) only the international check digits, except Belgian
/// ones whose national mod-97 key is also right.
pub(crate) fn iban(dice: &mut Dice, foreign: bool) -> (String, &'static str) {
    if foreign {
        if let Some(&(country, length, name)) = dice.pick_ref(FOREIGN_BANKS) {
            let bban = if country == "BE" {
                let head = dice.digits(10);
                let key = head.parse::<u64>().map_or(97, |n| match n % 97 {
                    0 => 97,
                    r => r,
                });
                format!("{head}{key:02}")
            } else {
                dice.digits(length)
            };
            return (iban_from_bban(country, &bban), name);
        }
    }
    let (bank, name) = dice
        .pick_ref(FRENCH_BANKS)
        .copied()
        .unwrap_or(("30004", "BNP Paribas"));
    let branch = dice.digits(5);
    let account = dice.digits(11);
    let key = rib_key(
        bank.parse().unwrap_or(0),
        branch.parse().unwrap_or(0),
        account.parse().unwrap_or(0),
    );
    (
        iban_from_bban("FR", &format!("{bank}{branch}{account}{key:02}")),
        name,
    )
}

/// A SIREN: 8 drawn digits (recent registrations start with 8 or 9) and a Luhn check digit.
pub(crate) fn siren(dice: &mut Dice) -> String {
    let head = format!("{}{}", dice.range(8, 9), dice.digits(7));
    // Luhn from the right: the check digit is position 0, so head digits at odd positions double.
    let sum: u32 = head
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap_or(0);
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    format!("{head}{}", (10 - sum % 10) % 10)
}

const BECH32_CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

fn bech32_polymod(values: &[u8]) -> u32 {
    const GENERATOR: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut check: u32 = 1;
    for value in values {
        let top = check >> 25;
        check = ((check & 0x01ff_ffff) << 5) ^ u32::from(*value);
        for (i, generator) in GENERATOR.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                check ^= generator;
            }
        }
    }
    check
}

/// A Bitcoin native SegWit (P2WPKH) address `bc1q…` over a drawn 20-byte program, with a valid
/// bech32 checksum.
pub(crate) fn bitcoin_address(dice: &mut Dice) -> String {
    // Witness version 0, then 160 bits as 32 groups of 5.
    let mut data: Vec<u8> = vec![0];
    data.extend((0..32).map(|_| u8::try_from(dice.below(32)).unwrap_or(0)));
    let hrp = b"bc";
    let mut values: Vec<u8> = hrp.iter().map(|c| c >> 5).collect();
    values.push(0);
    values.extend(hrp.iter().map(|c| c & 31));
    values.extend(&data);
    values.extend([0u8; 6]);
    let polymod = bech32_polymod(&values) ^ 1;
    let checksum = (0..6u32).map(|i| u8::try_from((polymod >> (5 * (5 - i))) & 31).unwrap_or(0));
    let encoded: String = data
        .into_iter()
        .chain(checksum)
        .map(|group| {
            char::from(
                BECH32_CHARSET
                    .get(usize::from(group))
                    .copied()
                    .unwrap_or(b'q'),
            )
        })
        .collect();
    format!("bc1{encoded}")
}

/// An Ethereum address in lower-case hex (valid without the optional EIP-55 case checksum).
pub(crate) fn ethereum_address(dice: &mut Dice) -> String {
    let hex: String = (0..40)
        .map(|_| {
            char::from(
                b"0123456789abcdef"
                    .get(dice.below(16))
                    .copied()
                    .unwrap_or(b'0'),
            )
        })
        .collect();
    format!("0x{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::identifiers::{Iban, PhoneNumber, Plate, PlateFormat, Siren};

    #[test]
    fn generated_identifiers_parse_to_themselves() {
        let mut dice = Dice::new(7, 0);
        for round in 0..5_000 {
            let value = plate(&mut dice);
            let parsed = Plate::parse(&value).unwrap();
            assert_eq!(parsed.as_str(), value);
            assert_eq!(parsed.format(), PlateFormat::Siv);

            for area in [
                MobileArea::Metropolitan,
                MobileArea::Guadeloupe,
                MobileArea::Martinique,
                MobileArea::Reunion,
            ] {
                let value = mobile(&mut dice, area);
                let parsed = PhoneNumber::parse(&value).unwrap();
                assert_eq!(parsed.as_str(), value);
                assert!(parsed.is_mobile(), "{value}");
            }

            let (value, _) = iban(&mut dice, round % 3 == 0);
            assert_eq!(Iban::parse(&value).unwrap().as_str(), value);

            let value = siren(&mut dice);
            assert_eq!(Siren::parse(&value).unwrap().as_str(), value);
        }
    }

    #[test]
    fn french_iban_has_a_correct_rib_key() {
        // Known example: bank 30006, branch 00001, account 12345678901 has RIB key 89.
        assert_eq!(rib_key(30006, 1, 12_345_678_901), 89);
        assert_eq!(
            iban_from_bban("FR", "30006000011234567890189"),
            "FR7630006000011234567890189"
        );
    }

    #[test]
    fn bitcoin_checksum_matches_a_known_address() {
        // A valid address from the BIP 173 test vectors: its polymod over the full data is 1.
        let address = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
        let mut values: Vec<u8> = b"bc".iter().map(|c| c >> 5).collect();
        values.push(0);
        values.extend(b"bc".iter().map(|c| c & 31));
        for c in address.bytes().skip(3) {
            let position = BECH32_CHARSET.iter().position(|x| *x == c).unwrap();
            values.push(u8::try_from(position).unwrap());
        }
        assert_eq!(bech32_polymod(&values), 1);

        let mut dice = Dice::new(1, 0);
        let generated = bitcoin_address(&mut dice);
        assert_eq!(generated.len(), 42);
        let mut values: Vec<u8> = b"bc".iter().map(|c| c >> 5).collect();
        values.push(0);
        values.extend(b"bc".iter().map(|c| c & 31));
        for c in generated.bytes().skip(3) {
            let position = BECH32_CHARSET.iter().position(|x| *x == c).unwrap();
            values.push(u8::try_from(position).unwrap());
        }
        assert_eq!(bech32_polymod(&values), 1);
    }
}
