use std::collections::HashSet;
use std::fmt::Debug;
use std::hash::Hash;

use serde::de::value::{Error as DeError, StringDeserializer};
use serde::de::{DeserializeOwned, IntoDeserializer};

use super::*;

/// Deserialises `s` as a JSON string would be, with serde's own in-memory deserializer.
fn deserialize<T: DeserializeOwned>(s: &str) -> Result<T, DeError> {
    let deserializer: StringDeserializer<DeError> = s.to_owned().into_deserializer();
    T::deserialize(deserializer)
}

/// Checks every way in and out of a valid value: re-parsing its canonical and displayed forms gives
/// the same value (idempotence), and all conversions agree with `parse`.
#[track_caller]
fn round_trips<T>(input: &str, value: &T, canonical: &str)
where
    T: Clone
        + Debug
        + Eq
        + Hash
        + fmt::Display
        + FromStr<Err = IdentifierError>
        + TryFrom<String, Error = IdentifierError>
        + DeserializeOwned
        + Into<String>,
{
    assert_eq!(canonical.parse::<T>().as_ref(), Ok(value), "canonical form");
    assert_eq!(
        value.to_string().parse::<T>().as_ref(),
        Ok(value),
        "display"
    );
    assert_eq!(input.parse::<T>().as_ref(), Ok(value), "FromStr");
    assert_eq!(T::try_from(input.to_owned()).as_ref(), Ok(value), "TryFrom");
    assert_eq!(value.clone().into(), canonical, "into String");
    assert_eq!(
        deserialize::<T>(canonical).ok().as_ref(),
        Some(value),
        "serde"
    );
}

/// Checks the error both from `parse` and through serde, which must refuse the same input.
#[track_caller]
fn rejects<T: DeserializeOwned + Debug>(
    result: Result<T, IdentifierError>,
    input: &str,
    kind: IdentifierKind,
    message: &str,
) {
    let error = result.expect_err("should be rejected");
    assert_eq!(error.to_string(), message);
    assert_eq!(error.kind(), kind);
    let serde_error = deserialize::<T>(input).expect_err("serde should reject too");
    assert_eq!(serde_error.to_string(), message);
}

mod plate {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: Result<(&str, PlateFormat), &str>) {
        let result = Plate::parse(input);
        match expected {
            Ok((canonical, format)) => {
                let plate = result.unwrap();
                assert_eq!(plate.as_str(), canonical);
                assert_eq!(plate.to_string(), canonical);
                assert_eq!(plate.format(), format);
                round_trips(input, &plate, canonical);
            }
            Err(message) => rejects(result, input, IdentifierKind::Plate, message),
        }
    }

    use PlateFormat::{Fni, Siv};

    #[test]
    fn valid_siv() {
        for (input, canonical) in [
            ("AB-123-CD", "AB-123-CD"),
            ("ab-123-cd", "AB-123-CD"),
            ("AB123CD", "AB-123-CD"),
            ("ab 123 cd", "AB-123-CD"),
            ("  Ab - 123 - cD  ", "AB-123-CD"),
            ("AB\u{2013}123\u{2014}CD", "AB-123-CD"),
            ("ab\t123\u{a0}cd", "AB-123-CD"),
            ("AB-12-3CD", "AB-123-CD"),
            ("GZ-724-HR", "GZ-724-HR"),
            ("AA-001-AA", "AA-001-AA"),
            ("ZZ-999-ZZ", "ZZ-999-ZZ"),
            ("WW-456-XY", "WW-456-XY"),
            ("FW 802 WW", "FW-802-WW"),
        ] {
            check(input, Ok((canonical, Siv)));
        }
    }

    #[test]
    fn valid_fni() {
        for (input, canonical) in [
            ("123 ABC 75", "123 ABC 75"),
            ("123ABC75", "123 ABC 75"),
            ("123-abc-75", "123 ABC 75"),
            ("  1234   XY   13 ", "1234 XY 13"),
            ("1 A 01", "1 A 01"),
            ("9999 ZZZ 95", "9999 ZZZ 95"),
            ("456 BCD 2A", "456 BCD 2A"),
            ("78 kl 2b", "78 KL 2B"),
            ("12 AB 20", "12 AB 20"),
            ("123 ABC 971", "123 ABC 971"),
            ("45AB976", "45 AB 976"),
        ] {
            check(input, Ok((canonical, Fni)));
        }
    }

    #[test]
    fn invalid() {
        const FORMAT: &str =
            "Immatriculation invalide : format non reconnu (attendu AB-123-CD ou 123 ABC 75)";
        const LETTERS: &str =
            "Immatriculation invalide : les lettres I, O et U ne sont pas utilisées";
        const SS: &str = "Immatriculation invalide : le bloc de lettres SS n'est pas utilisé";
        const FNI_NUMBER: &str = "Immatriculation invalide : le numéro d'ordre doit être compris entre 1 et 9999, sans zéro initial";
        let huge = "A".repeat(100_000);
        for (input, message) in [
            ("", "Immatriculation invalide : la valeur est vide"),
            ("   ", "Immatriculation invalide : la valeur est vide"),
            ("- -", "Immatriculation invalide : la valeur est vide"),
            (
                &huge,
                "Immatriculation invalide : la saisie dépasse 64 caractères",
            ),
            ("AI-123-CD", LETTERS),
            ("AB-123-CO", LETTERS),
            ("UB-123-CD", LETTERS),
            ("SS-123-AB", SS),
            ("AB-123-SS", SS),
            (
                "AB-000-CD",
                "Immatriculation invalide : le numéro 000 n'est pas attribué",
            ),
            ("AB-12-CD", FORMAT),
            ("AB-1234-CD", FORMAT),
            ("ABC-123-DE", FORMAT),
            ("AB-123-CDE", FORMAT),
            ("A", FORMAT),
            (
                "AB_123_CD",
                "Immatriculation invalide : le caractère « _ » n'est pas autorisé",
            ),
            (
                "AB-123-CÉ",
                "Immatriculation invalide : le caractère « É » n'est pas autorisé",
            ),
            (
                "AB\u{0}123CD",
                "Immatriculation invalide : le caractère U+0000 n'est pas autorisé",
            ),
            (
                "🚗",
                "Immatriculation invalide : le caractère « 🚗 » n'est pas autorisé",
            ),
            ("0123 AB 75", FNI_NUMBER),
            ("0 AB 75", FNI_NUMBER),
            ("12345 AB 75", FORMAT),
            ("123 ABCD 75", FORMAT),
            ("123 75", FORMAT),
            ("123 ABC", FORMAT),
            (
                "123 ABC 96",
                "Immatriculation invalide : « 96 » n'est pas un code de département",
            ),
            (
                "123 ABC 00",
                "Immatriculation invalide : « 00 » n'est pas un code de département",
            ),
            (
                "123 ABC 977",
                "Immatriculation invalide : « 977 » n'est pas un code de département",
            ),
            (
                "123 ABC 2C",
                "Immatriculation invalide : « 2C » n'est pas un code de département",
            ),
            (
                "123 ABC 7",
                "Immatriculation invalide : « 7 » n'est pas un code de département",
            ),
            (
                "123 ABC 75X",
                "Immatriculation invalide : « 75X » n'est pas un code de département",
            ),
        ] {
            check(input, Err(message));
        }
    }

    #[test]
    fn spellings_of_one_plate_are_one_value() {
        let set: HashSet<Plate> = [
            "ab-123-cd",
            "AB 123 CD",
            "AB123CD",
            "Ab\u{2011}123\u{2011}cD",
        ]
        .into_iter()
        .map(|s| Plate::parse(s).unwrap())
        .collect();
        assert_eq!(set.len(), 1);
    }
}

mod phone {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: Result<&str, &str>) {
        let result = PhoneNumber::parse(input);
        match expected {
            Ok(canonical) => {
                let phone = result.unwrap();
                assert_eq!(phone.as_str(), canonical);
                assert_eq!(phone.to_string(), canonical);
                round_trips(input, &phone, canonical);
            }
            Err(message) => rejects(result, input, IdentifierKind::PhoneNumber, message),
        }
    }

    #[test]
    fn valid_metropolitan() {
        for (input, canonical) in [
            ("06 12 34 56 78", "+33612345678"),
            ("0612345678", "+33612345678"),
            ("06.12.34.56.78", "+33612345678"),
            ("06-12-34-56-78", "+33612345678"),
            ("06/12/34/56/78", "+33612345678"),
            ("\u{a0}06\u{202f}12 34 56 78 ", "+33612345678"),
            ("+33 6 12 34 56 78", "+33612345678"),
            ("+33612345678", "+33612345678"),
            ("+33 (0)6 12 34 56 78", "+33612345678"),
            ("+33(0)612345678", "+33612345678"),
            ("0033 6 12 34 56 78", "+33612345678"),
            ("00 33 (0)6 12 34 56 78", "+33612345678"),
            ("+33 06 12 34 56 78", "+33612345678"),
            ("(+33) 6 12 34 56 78", "+33612345678"),
            ("07 98 76 54 32", "+33798765432"),
            ("01 42 75 80 00", "+33142758000"),
            ("(01) 42 75 80 00", "+33142758000"),
            ("04 91 12 34 56", "+33491123456"),
            ("09 70 12 34 56", "+33970123456"),
            ("0800 123 456", "+33800123456"),
        ] {
            check(input, Ok(canonical));
        }
    }

    #[test]
    fn valid_overseas() {
        for (input, canonical) in [
            ("0690 12 34 56", "+590690123456"),
            ("0691 23 45 67", "+590691234567"),
            ("0590 81 23 45", "+590590812345"),
            ("0596 71 23 45", "+596596712345"),
            ("0696 12 34 56", "+596696123456"),
            ("0697 12 34 56", "+596697123456"),
            ("0594 29 12 34", "+594594291234"),
            ("0694 12 34 56", "+594694123456"),
            ("0262 41 23 45", "+262262412345"),
            ("0263 41 23 45", "+262263412345"),
            ("0692 12 34 56", "+262692123456"),
            ("0693 12 34 56", "+262693123456"),
            ("0269 61 23 45", "+262269612345"),
            ("0639 12 34 56", "+262639123456"),
            // Written with +33 by mistake: moved to the overseas code so both spellings match.
            ("+33 6 90 12 34 56", "+590690123456"),
            ("+33 (0)6 39 12 34 56", "+262639123456"),
            ("+590 690 12 34 56", "+590690123456"),
            ("+590 (0)690 12 34 56", "+590690123456"),
            ("+262 0692 12 34 56", "+262692123456"),
            ("00596 596 71 23 45", "+596596712345"),
        ] {
            check(input, Ok(canonical));
        }
    }

    #[test]
    fn valid_foreign() {
        for (input, canonical) in [
            ("+44 20 7946 0958", "+442079460958"),
            ("+44 (0)20 7946 0958", "+442079460958"),
            ("+1 (202) 555-0143", "+12025550143"),
            ("+49 30 901820", "+4930901820"),
            ("0049 30 901820", "+4930901820"),
            ("+212 6 61 23 45 67", "+212661234567"),
            ("+32 470 12 34 56", "+32470123456"),
            ("+39 06 6982 1234", "+390669821234"),
            ("+683 4002", "+6834002"),
            ("+49 1234 5678 90123", "+491234567890123"),
        ] {
            check(input, Ok(canonical));
        }
    }

    #[test]
    fn invalid() {
        const EMPTY: &str = "Numéro de téléphone invalide : la valeur est vide";
        const PREFIX: &str =
            "Numéro de téléphone invalide : il doit commencer par 0, par + ou par 00";
        const COUNTRY: &str =
            "Numéro de téléphone invalide : l'indicatif pays ne peut pas commencer par 0";
        let huge = "0".repeat(1_000_000);
        let sixty_five = format!("06 12 34 56 78{}", " ".repeat(51));
        for (input, message) in [
            ("", EMPTY),
            ("+", EMPTY),
            ("( )", EMPTY),
            (
                &huge,
                "Numéro de téléphone invalide : la saisie dépasse 64 caractères",
            ),
            (
                &sixty_five,
                "Numéro de téléphone invalide : la saisie dépasse 64 caractères",
            ),
            (
                "06 12 34 56 7",
                "Numéro de téléphone invalide : 9 chiffres au lieu de 10",
            ),
            (
                "06 12 34 56 78 9",
                "Numéro de téléphone invalide : 11 chiffres au lieu de 10",
            ),
            ("0", "Numéro de téléphone invalide : 1 chiffre au lieu de 10"),
            ("6 12 34 56 78", PREFIX),
            ("612345678", PREFIX),
            (
                "+33 6 12 34 56 7",
                "Numéro de téléphone invalide : 8 chiffres après l'indicatif +33 au lieu de 9",
            ),
            (
                "+33 6 12 34 56 78 9",
                "Numéro de téléphone invalide : 10 chiffres après l'indicatif +33 au lieu de 9",
            ),
            (
                "+33 012345678",
                "Numéro de téléphone invalide : après l'indicatif +33, le numéro ne peut pas commencer par 0",
            ),
            (
                "+590 12345",
                "Numéro de téléphone invalide : 5 chiffres après l'indicatif +590 au lieu de 9",
            ),
            ("+0 123 456 789", COUNTRY),
            ("000 123 456 789", COUNTRY),
            (
                "+1234567890123456",
                "Numéro de téléphone invalide : 16 chiffres, un numéro international en compte de 7 à 15",
            ),
            (
                "+123456",
                "Numéro de téléphone invalide : 6 chiffres, un numéro international en compte de 7 à 15",
            ),
            (
                "06 12 34 56 78 ext",
                "Numéro de téléphone invalide : le caractère « e » n'est pas autorisé",
            ),
            (
                "06+12345678",
                "Numéro de téléphone invalide : le caractère « + » n'est pas autorisé",
            ),
            (
                "++33612345678",
                "Numéro de téléphone invalide : le caractère « + » n'est pas autorisé",
            ),
            (
                "06 12 34 56 7\u{ff18}",
                "Numéro de téléphone invalide : le caractère « \u{ff18} » n'est pas autorisé",
            ),
            (
                "06\u{1}12345678",
                "Numéro de téléphone invalide : le caractère U+0001 n'est pas autorisé",
            ),
        ] {
            check(input, Err(message));
        }
    }

    #[test]
    fn sixty_four_characters_are_accepted() {
        let input = format!("06 12 34 56 78{}", " ".repeat(50));
        assert_eq!(input.chars().count(), MAX_INPUT_CHARS);
        check(&input, Ok("+33612345678"));
    }

    #[test]
    fn is_mobile() {
        for (input, mobile) in [
            ("06 12 34 56 78", true),
            ("07 98 76 54 32", true),
            ("+33 7 98 76 54 32", true),
            ("01 42 75 80 00", false),
            ("09 70 12 34 56", false),
            ("0800 123 456", false),
            ("0690 12 34 56", true),
            ("0691 23 45 67", true),
            ("0590 81 23 45", false),
            ("0696 12 34 56", true),
            ("0697 12 34 56", true),
            ("0596 71 23 45", false),
            ("0694 12 34 56", true),
            ("0594 29 12 34", false),
            ("0692 12 34 56", true),
            ("0693 12 34 56", true),
            ("0262 41 23 45", false),
            ("0639 12 34 56", true),
            ("0269 61 23 45", false),
            // Foreign plans are not modelled, even for a UK mobile.
            ("+44 7700 900123", false),
        ] {
            let phone = PhoneNumber::parse(input).unwrap();
            assert_eq!(phone.is_mobile(), mobile, "{input}");
        }
    }
}

mod iban {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: Result<(&str, &str), &str>) {
        let result = Iban::parse(input);
        match expected {
            Ok((compact, grouped)) => {
                let iban = result.unwrap();
                assert_eq!(iban.as_str(), compact);
                assert_eq!(iban.to_string(), grouped);
                assert_eq!(Some(iban.country_code()), compact.get(..2));
                round_trips(input, &iban, compact);
            }
            Err(message) => rejects(result, input, IdentifierKind::Iban, message),
        }
    }

    #[test]
    fn valid() {
        for (input, compact, grouped) in [
            (
                "FR7630006000011234567890189",
                "FR7630006000011234567890189",
                "FR76 3000 6000 0112 3456 7890 189",
            ),
            (
                "FR76 3000 6000 0112 3456 7890 189",
                "FR7630006000011234567890189",
                "FR76 3000 6000 0112 3456 7890 189",
            ),
            (
                " fr76 3000 6000 0112 3456 7890 189 ",
                "FR7630006000011234567890189",
                "FR76 3000 6000 0112 3456 7890 189",
            ),
            (
                "FR14 2004 1010 0505 0001 3M02 606",
                "FR1420041010050500013M02606",
                "FR14 2004 1010 0505 0001 3M02 606",
            ),
            (
                "FR0230006000011234567800050",
                "FR0230006000011234567800050",
                "FR02 3000 6000 0112 3456 7800 050",
            ),
            (
                "FR9830006000011234567800068",
                "FR9830006000011234567800068",
                "FR98 3000 6000 0112 3456 7800 068",
            ),
            (
                "MC5811222000010123456789030",
                "MC5811222000010123456789030",
                "MC58 1122 2000 0101 2345 6789 030",
            ),
            (
                "DE89 3704 0044 0532 0130 00",
                "DE89370400440532013000",
                "DE89 3704 0044 0532 0130 00",
            ),
            (
                "BE68539007547034",
                "BE68539007547034",
                "BE68 5390 0754 7034",
            ),
            (
                "ES9121000418450200051332",
                "ES9121000418450200051332",
                "ES91 2100 0418 4502 0005 1332",
            ),
            (
                "IT60X0542811101000000123456",
                "IT60X0542811101000000123456",
                "IT60 X054 2811 1010 0000 0123 456",
            ),
            (
                "NL91ABNA0417164300",
                "NL91ABNA0417164300",
                "NL91 ABNA 0417 1643 00",
            ),
            (
                "LU280019400644750000",
                "LU280019400644750000",
                "LU28 0019 4006 4475 0000",
            ),
            (
                "CH9300762011623852957",
                "CH9300762011623852957",
                "CH93 0076 2011 6238 5295 7",
            ),
            (
                "gb29 nwbk 6016 1331 9268 19",
                "GB29NWBK60161331926819",
                "GB29 NWBK 6016 1331 9268 19",
            ),
            (
                "PT50000201231234567890154",
                "PT50000201231234567890154",
                "PT50 0002 0123 1234 5678 9015 4",
            ),
            ("NO9386011117947", "NO9386011117947", "NO93 8601 1117 947"),
            (
                "MT84MALT011000012345MTLCAST001S",
                "MT84MALT011000012345MTLCAST001S",
                "MT84 MALT 0110 0001 2345 MTLC AST0 01S",
            ),
            // Countries outside the length table: only the 15..=34 range applies.
            (
                "SA03 8000 0000 6080 1016 7519",
                "SA0380000000608010167519",
                "SA03 8000 0000 6080 1016 7519",
            ),
            (
                "BR1800360305000010009795493C1",
                "BR1800360305000010009795493C1",
                "BR18 0036 0305 0000 1000 9795 493C 1",
            ),
        ] {
            check(input, Ok((compact, grouped)));
        }
    }

    #[test]
    fn invalid() {
        const CHECKSUM: &str = "IBAN invalide : la clé de contrôle ne correspond pas";
        const COUNTRY: &str = "IBAN invalide : le code pays doit être composé de deux lettres";
        for (input, message) in [
            ("", "IBAN invalide : la valeur est vide"),
            ("FR7630006000011234567890188", CHECKSUM),
            // Transposed last two digits.
            ("FR7630006000011234567890198", CHECKSUM),
            ("DE89370400440532013001", CHECKSUM),
            // 99 and 01 pass mod 97 in place of 02 and 98 but are never issued.
            ("FR9930006000011234567800050", CHECKSUM),
            ("FR0130006000011234567800068", CHECKSUM),
            ("FR0030006000011234567800068", CHECKSUM),
            (
                "FR7630006000011234567890",
                "IBAN invalide : 24 caractères au lieu de 27 pour le pays FR",
            ),
            (
                "DE8937040044053201300",
                "IBAN invalide : 21 caractères au lieu de 22 pour le pays DE",
            ),
            (
                "MC58112220000101234567890301",
                "IBAN invalide : 28 caractères au lieu de 27 pour le pays MC",
            ),
            (
                "FR",
                "IBAN invalide : 2 caractères au lieu de 27 pour le pays FR",
            ),
            ("7630006000011234567890189", COUNTRY),
            ("F", COUNTRY),
            ("F7630006000011234567890189", COUNTRY),
            (
                "FRAB30006000011234567890189",
                "IBAN invalide : la clé de contrôle doit être composée de deux chiffres",
            ),
            (
                "XX12345678901",
                "IBAN invalide : 13 caractères, un IBAN en compte de 15 à 34",
            ),
            (
                "XX12345678901234567890123456789012345",
                "IBAN invalide : 37 caractères, un IBAN en compte de 15 à 34",
            ),
            (
                "FR76-3000-6000-0112-3456-7890-189",
                "IBAN invalide : le caractère « - » n'est pas autorisé",
            ),
            (
                "FR76 3000 6000 0112 3456 7890 18é",
                "IBAN invalide : le caractère « é » n'est pas autorisé",
            ),
        ] {
            check(input, Err(message));
        }
    }
}

mod siren {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: Result<&str, &str>) {
        let result = Siren::parse(input);
        match expected {
            Ok(canonical) => {
                let siren = result.unwrap();
                assert_eq!(siren.as_str(), canonical);
                assert_eq!(siren.to_string(), canonical);
                round_trips(input, &siren, canonical);
            }
            Err(message) => rejects(result, input, IdentifierKind::Siren, message),
        }
    }

    #[test]
    fn valid() {
        for (input, canonical) in [
            ("732829320", "732829320"),
            ("732 829 320", "732829320"),
            (" 732\u{a0}829\u{202f}320 ", "732829320"),
            ("552100554", "552100554"),
            ("356000000", "356000000"),
            ("443061841", "443061841"),
            ("542107651", "542107651"),
            ("120027016", "120027016"),
            ("123456782", "123456782"),
        ] {
            check(input, Ok(canonical));
        }
    }

    #[test]
    fn invalid() {
        const CHECKSUM: &str = "SIREN invalide : la clé de contrôle ne correspond pas";
        for (input, message) in [
            ("", "SIREN invalide : la valeur est vide"),
            ("732829321", CHECKSUM),
            ("123456789", CHECKSUM),
            ("723829320", CHECKSUM),
            ("73282932", "SIREN invalide : 8 chiffres au lieu de 9"),
            ("7328293200", "SIREN invalide : 10 chiffres au lieu de 9"),
            (
                "73282932000074",
                "SIREN invalide : 14 chiffres au lieu de 9",
            ),
            (
                "000000000",
                "SIREN invalide : un numéro composé uniquement de zéros n'est pas attribué",
            ),
            (
                "732-829-320",
                "SIREN invalide : le caractère « - » n'est pas autorisé",
            ),
            (
                "73282932O",
                "SIREN invalide : le caractère « O » n'est pas autorisé",
            ),
        ] {
            check(input, Err(message));
        }
    }
}

mod siret {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: Result<(&str, &str), &str>) {
        let result = Siret::parse(input);
        match expected {
            Ok((canonical, siren)) => {
                let siret = result.unwrap();
                assert_eq!(siret.as_str(), canonical);
                assert_eq!(siret.to_string(), canonical);
                assert_eq!(siret.siren(), Siren::parse(siren).unwrap());
                round_trips(input, &siret, canonical);
            }
            Err(message) => rejects(result, input, IdentifierKind::Siret, message),
        }
    }

    #[test]
    fn valid() {
        for (input, canonical, siren) in [
            ("73282932000074", "73282932000074", "732829320"),
            ("732 829 320 00074", "73282932000074", "732829320"),
            ("44306184100047", "44306184100047", "443061841"),
            ("55210055400013", "55210055400013", "552100554"),
            ("13000548100010", "13000548100010", "130005481"),
            // La Poste head office: passes Luhn.
            ("35600000000048", "35600000000048", "356000000"),
            // La Poste establishments: fail Luhn, digits sum to a multiple of 5.
            ("35600000049837", "35600000049837", "356000000"),
            ("356 000 000 00001", "35600000000001", "356000000"),
        ] {
            check(input, Ok((canonical, siren)));
        }
    }

    #[test]
    fn invalid() {
        const CHECKSUM: &str = "SIRET invalide : la clé de contrôle ne correspond pas";
        for (input, message) in [
            ("", "SIRET invalide : la valeur est vide"),
            ("73282932000075", CHECKSUM),
            ("73282932000047", CHECKSUM),
            // La Poste: neither Luhn nor a digit sum multiple of 5 (sums 27 and 29).
            ("35600000000049", CHECKSUM),
            ("35600000012345", CHECKSUM),
            (
                "73282932100074",
                "SIRET invalide : le SIREN qu'il contient n'est pas valide",
            ),
            (
                "7328293200007",
                "SIRET invalide : 13 chiffres au lieu de 14",
            ),
            ("732829320", "SIRET invalide : 9 chiffres au lieu de 14"),
            (
                "00000000000000",
                "SIRET invalide : un numéro composé uniquement de zéros n'est pas attribué",
            ),
            (
                "732.829.320.00074",
                "SIRET invalide : le caractère « . » n'est pas autorisé",
            ),
        ] {
            check(input, Err(message));
        }
    }
}

mod robustness {
    use super::*;

    /// Runs every parser on `input`: none may panic, errors name the right kind, and successes
    /// re-parse to themselves.
    #[track_caller]
    fn parse_all(input: &str) {
        fn one<T: FromStr<Err = IdentifierError> + AsRef<str> + PartialEq + Debug>(
            input: &str,
            kind: IdentifierKind,
        ) {
            match input.parse::<T>() {
                Ok(value) => assert_eq!(value.as_ref().parse::<T>(), Ok(value), "{input:?}"),
                Err(error) => assert_eq!(error.kind(), kind, "{input:?}"),
            }
        }
        one::<Plate>(input, IdentifierKind::Plate);
        one::<PhoneNumber>(input, IdentifierKind::PhoneNumber);
        one::<Iban>(input, IdentifierKind::Iban);
        one::<Siren>(input, IdentifierKind::Siren);
        one::<Siret>(input, IdentifierKind::Siret);
    }

    #[test]
    fn odd_inputs_never_panic() {
        let mut inputs: Vec<String> = [
            "",
            " ",
            "\u{0}",
            "+",
            "00",
            "(0)",
            "+(0)",
            "+33(0)",
            "0(0)",
            "-",
            "é",
            "ß",
            "İ",
            "\u{301}",
            "e\u{301}",
            "👨‍👩‍👧",
            "\u{feff}AB-123-CD",
            "\u{200b}",
            "\u{fffd}",
            "٠٦١٢٣٤٥٦٧٨",
            "ＡＢ-１２３-ＣＤ",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        for len in [63, 64, 65, 1_000, 100_000] {
            inputs.push("9".repeat(len));
            inputs.push("A".repeat(len));
            inputs.push("é".repeat(len));
        }
        // Every prefix of valid values, then each with one character appended.
        for valid in [
            "AB-123-CD",
            "123 ABC 2A",
            "+33 (0)6 90 12 34 56",
            "FR76 3000 6000 0112 3456 7890 189",
            "35600000000048",
        ] {
            for (end, _) in valid.char_indices() {
                inputs.push(valid.get(..end).unwrap().to_owned());
                for c in ['0', 'A', '(', ')', '+', '\u{e9}', '\u{1F600}'] {
                    inputs.push(format!("{}{c}", valid.get(..end).unwrap()));
                }
            }
        }
        for c in (0..0x3000).filter_map(char::from_u32) {
            inputs.push(c.to_string());
            inputs.push(format!("06 12 34 56 7{c}"));
        }
        for input in &inputs {
            parse_all(input);
        }
    }
}

mod errors {
    use super::*;

    #[test]
    fn kinds_are_named_in_french() {
        for (kind, name) in [
            (IdentifierKind::Plate, "Immatriculation"),
            (IdentifierKind::PhoneNumber, "Numéro de téléphone"),
            (IdentifierKind::Iban, "IBAN"),
            (IdentifierKind::Siren, "SIREN"),
            (IdentifierKind::Siret, "SIRET"),
        ] {
            assert_eq!(kind.to_string(), name);
            let empty = IdentifierError::Empty { kind };
            assert_eq!(empty.kind(), kind);
            assert_eq!(
                empty.to_string(),
                format!("{name} invalide : la valeur est vide")
            );
        }
    }

    #[test]
    fn messages_do_not_echo_the_input() {
        let input = "06 12 34 56 78 9";
        let message = PhoneNumber::parse(input).unwrap_err().to_string();
        assert!(!message.contains("12 34"), "{message}");
        let message = Iban::parse("FR7630006000011234567890188")
            .unwrap_err()
            .to_string();
        assert!(!message.contains("30006"), "{message}");
    }
}
