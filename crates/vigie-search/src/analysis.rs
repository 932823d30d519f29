//! How French text becomes terms, for the index and for queries alike.
//!
//! Two analyses of the same text:
//! - `fr_stem`: split on non-alphanumerics, lower-cased, French stop words dropped, then the
//!   Snowball French stemmer ("livrées", "livré" → "livr"), then accents folded ("déplacé",
//!   "deplace" → "deplac"; the stemmer needs the accents, so it goes first). A bare word in a query
//!   searches here, so "livré" finds "livrées" and "cocaine" finds "cocaïne".
//! - `fr_exact`: the same without stop words or stemming. A quoted query ("Martine") searches here
//!   only, so a name is kept whole: "Martine" does not find "Martin", which stemming would conflate.
//!
//! This module also reads a user's query text into words, quoted phrases and excluded words. It
//! does not build index queries (see `query`).

use std::sync::OnceLock;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenizerManager,
};

pub const STEMMED: &str = "fr_stem";
pub const EXACT: &str = "fr_exact";

/// Tokens longer than this are dropped (base64 blobs, hashes): nobody searches them by a word.
const LONGEST_TOKEN: usize = 60;

fn stemmed() -> TextAnalyzer {
    // Stemming before folding: the French stemmer reads accents ("livrées" → "livr").
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_TOKEN))
        .filter(LowerCaser);
    match StopWordFilter::new(Language::French) {
        Some(stop_words) => builder
            .filter(stop_words)
            .filter(Stemmer::new(Language::French))
            .filter(AsciiFoldingFilter)
            .build(),
        // The list ships with tantivy's `stopwords` feature, which is on; without it, no loss but
        // a bigger index.
        None => builder
            .filter(Stemmer::new(Language::French))
            .filter(AsciiFoldingFilter)
            .build(),
    }
}

fn exact() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_TOKEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Registers both analyses on an index's tokenizer manager.
pub fn register(manager: &TokenizerManager) {
    manager.register(STEMMED, stemmed());
    manager.register(EXACT, exact());
}

/// The terms `text` gives under the analysis `name` (`STEMMED` or `EXACT`). The analysers are
/// built once (the stop-word list is a set) and cloned per call (a clone shares that set).
pub fn terms(name: &str, text: &str) -> Vec<String> {
    static STEMMED_ANALYSER: OnceLock<TextAnalyzer> = OnceLock::new();
    static EXACT_ANALYSER: OnceLock<TextAnalyzer> = OnceLock::new();
    let mut analyzer = if name == STEMMED {
        STEMMED_ANALYSER.get_or_init(stemmed).clone()
    } else {
        EXACT_ANALYSER.get_or_init(exact).clone()
    };
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while stream.advance() {
        terms.push(stream.token().text.clone());
    }
    terms
}

/// One part of a user's query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// A bare word: searched stemmed. "l'appartement" is one word of two terms, searched as a phrase.
    Word(String),
    /// A quoted phrase: searched exactly, its words in this order.
    Phrase(String),
    /// A word or phrase after a minus sign: items containing it are left out.
    Not(Box<Part>),
}

/// Reads a query: words separated by spaces, "quoted phrases", and `-excluded` words or phrases.
/// An unclosed quote runs to the end. Nothing is ever an error: a user's text is always a query.
pub fn parse_query(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (negated, after_sign) = match rest.strip_prefix('-') {
            Some(after) if !after.is_empty() && !after.starts_with(char::is_whitespace) => {
                (true, after)
            }
            _ => (false, rest),
        };
        let (part, remaining) = if let Some(quoted) = after_sign.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (Part::Phrase(quoted[..end].to_owned()), &quoted[end + 1..]),
                None => (Part::Phrase(quoted.to_owned()), ""),
            }
        } else {
            let end = after_sign
                .find(char::is_whitespace)
                .unwrap_or(after_sign.len());
            (Part::Word(after_sign[..end].to_owned()), &after_sign[end..])
        };
        let empty = match &part {
            Part::Word(text) | Part::Phrase(text) => text.trim().is_empty(),
            Part::Not(_) => false,
        };
        if !empty {
            parts.push(if negated {
                Part::Not(Box::new(part))
            } else {
                part
            });
        }
        rest = remaining.trim_start();
    }
    parts
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[track_caller]
    fn check(name: &str, text: &str, expected: &[&str]) {
        assert_eq!(terms(name, text), expected, "{name} on {text:?}");
    }

    #[test]
    fn french_words_are_folded_and_stemmed_names_kept_whole_when_exact() {
        check(
            STEMMED,
            "Livraisons LIVRÉES livré",
            &["livraison", "livr", "livr"],
        );
        check(
            STEMMED,
            "Cocaïne cocaine HÉROÏNE",
            &["cocain", "cocain", "heroin"],
        );
        check(STEMMED, "la cité Félix-Pyat", &["cit", "felix", "pyat"]);
        check(STEMMED, "résine de cannabis", &["resin", "cannab"]);
        check(
            STEMMED,
            "déplacés déplacé deplace",
            &["deplac", "deplac", "deplac"],
        );
        check(EXACT, "Martine Dupont", &["martine", "dupont"]);
        check(EXACT, "l'appartement", &["l", "appartement"]);
        // Stemming conflates these two first names; the exact analysis does not.
        assert_eq!(terms(STEMMED, "Martine"), terms(STEMMED, "Martin"));
        assert_ne!(terms(EXACT, "Martine"), terms(EXACT, "Martin"));
    }

    #[test]
    fn queries_are_read_into_words_phrases_and_exclusions() {
        use Part::*;
        assert_eq!(
            parse_query(r#"  cocaïne "Martine Dupont" -herbe -"gare routière" go-fast "ouvert"#),
            vec![
                Word("cocaïne".into()),
                Phrase("Martine Dupont".into()),
                Not(Box::new(Word("herbe".into()))),
                Not(Box::new(Phrase("gare routière".into()))),
                Word("go-fast".into()),
                Phrase("ouvert".into()),
            ]
        );
        assert_eq!(parse_query(" - \"\" "), vec![Word("-".into())]);
        assert_eq!(parse_query(""), vec![]);
    }
}
