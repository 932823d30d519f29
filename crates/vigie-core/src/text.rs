//! Text folding shared by search keys and matching: lower case, accents removed, punctuation to spaces.
//!
//! This is deliberately small: full French analysis (stemming, names kept whole) belongs to the
//! search crate. Here we only need a stable key so that "Hélène" finds "HELENE".

/// Folds `input` to lower-case ASCII-ish words separated by single spaces.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for ch in input.chars() {
        let folded = fold_char(ch);
        match folded {
            Some('\u{153}') => {
                // The "œ" ligature expands to two letters.
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push_str("oe");
            }
            Some(c) if c.is_alphanumeric() => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
            }
            _ => pending_space = true,
        }
    }
    out
}

fn fold_char(ch: char) -> Option<char> {
    let lower = ch.to_lowercase().next()?;
    Some(match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        'æ' => '\u{153}',
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[track_caller]
    fn check(input: &str, expected: &str) {
        assert_eq!(fold(input), expected, "fold({input:?})");
    }

    #[test]
    fn folds_french_text() {
        check("Marie-Hélène LE GOFF", "marie helene le goff");
        check("  d'Alembert  ", "d alembert");
        check("Œuvre", "oeuvre");
        check("AB-123-CD", "ab 123 cd");
        check("", "");
        check("!!!", "");
    }

    #[test]
    fn folding_is_idempotent() {
        for s in ["Ça va, Noël ?", "BEN SALAH Mohamed", "06 12 34 56 78"] {
            assert_eq!(fold(&fold(s)), fold(s));
        }
    }
}
