//! Grades of intelligence: the Europol 4x4 scale, the UK 3x5x2 scale, and the UK's historic 5x5x5
//! scale (read only: items graded in it before 3x5x2 replaced it keep their grade, new items cannot
//! use it).
//!
//! A grade is a typed value of one scheme, written the way its users write it ("B2", "1BP", "B24")
//! and stored as `{"scheme": ..., "code": ...}`. There is no free-text grade and no grade without a
//! scheme. The wording of each level is the published one, in French; see
//! `shared/research/anchors-intel.md` §5 for the sources.
//!
//! Conversions go one way only, from the older or more detailed scheme to the one Vigie exchanges
//! (`convert`); each says what it loses, and a level with no equivalent (information "suspected to
//! be false") is refused rather than rounded. There is no conversion back: it would invent a
//! precision the original grader never gave. The table is rendered to `docs/grading.md` by a test.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A grading scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scheme {
    /// Europol 4x4 (Regulation (EU) 2016/794, art. 29): source A/B/C/X, information 1-4.
    #[serde(rename = "europol_4x4")]
    Europol4x4,
    /// UK 3x5x2 (College of Policing APP): source 1-3, intelligence A-E, handling P/C.
    #[serde(rename = "uk_3x5x2")]
    Uk3x5x2,
    /// UK 5x5x5, replaced by 3x5x2: source A-E, intelligence 1-5, handling 1-5. Read only.
    #[serde(rename = "uk_5x5x5")]
    Uk5x5x5,
}

impl Scheme {
    pub const ALL: [Scheme; 3] = [Scheme::Europol4x4, Scheme::Uk3x5x2, Scheme::Uk5x5x5];

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Europol4x4 => "europol_4x4",
            Scheme::Uk3x5x2 => "uk_3x5x2",
            Scheme::Uk5x5x5 => "uk_5x5x5",
        }
    }

    pub fn parse(text: &str) -> Result<Scheme, GradeError> {
        Scheme::ALL
            .into_iter()
            .find(|scheme| scheme.as_str() == text.trim())
            .ok_or_else(|| GradeError::UnknownScheme(text.to_owned()))
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Scheme::Europol4x4 => "Europol 4x4",
            Scheme::Uk3x5x2 => "3x5x2 (Royaume-Uni)",
            Scheme::Uk5x5x5 => "5x5x5 (historique)",
        }
    }

    /// Whether new items may be graded in this scheme (5x5x5 is only read on historic items).
    pub fn open_to_new_items(self) -> bool {
        self != Scheme::Uk5x5x5
    }

    /// How a code of this scheme is written, for error messages.
    fn written_form(self) -> &'static str {
        match self {
            Scheme::Europol4x4 => "une lettre A, B, C ou X puis un chiffre de 1 à 4, par exemple « B2 »",
            Scheme::Uk3x5x2 => "un chiffre de 1 à 3, une lettre de A à E puis P ou C, par exemple « 1BP »",
            Scheme::Uk5x5x5 => "une lettre de A à E, un chiffre de 1 à 5 puis un chiffre de 1 à 5, par exemple « B24 »",
        }
    }
}

/// Declares one level scale: its written code and the French wording of each level.
macro_rules! scale {
    ($(#[$doc:meta])* $name:ident { $($level:ident = $code:literal : $label:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($level,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$level,)+];

            pub fn code(self) -> char {
                match self { $($name::$level => $code,)+ }
            }

            pub fn label_fr(self) -> &'static str {
                match self { $($name::$level => $label,)+ }
            }

            /// Every level as (code, French wording), for the documentation.
            pub fn levels() -> Vec<(char, &'static str)> {
                $name::ALL.iter().map(|level| (level.code(), level.label_fr())).collect()
            }

            fn from_code(code: char) -> Option<$name> {
                match code.to_ascii_uppercase() { $($code => Some($name::$level),)+ _ => None }
            }
        }
    };
}

scale!(
    /// Europol: reliability of the source, as assessed by the provider.
    EuropolSource {
        A = 'A': "aucun doute sur l'authenticité, la fiabilité et la compétence de la source, ou source qui s'est révélée fiable dans tous les cas",
        B = 'B': "source qui s'est révélée fiable dans la plupart des cas",
        C = 'C': "source qui s'est révélée peu fiable dans la plupart des cas",
        X = 'X': "fiabilité de la source impossible à évaluer",
    }
);
scale!(
    /// Europol: accuracy of the information.
    EuropolInformation {
        One = '1': "information dont l'exactitude ne fait aucun doute",
        Two = '2': "information connue personnellement de la source mais non de l'agent qui la transmet",
        Three = '3': "information non connue personnellement de la source mais corroborée par des informations déjà enregistrées",
        Four = '4': "information non connue personnellement de la source et non corroborée",
    }
);
scale!(
    /// 3x5x2: evaluation of the source.
    UkSource {
        Reliable = '1': "source fiable",
        Untested = '2': "source non éprouvée",
        NotReliable = '3': "source non fiable",
    }
);
scale!(
    /// 3x5x2: assessment of the intelligence.
    UkIntelligence {
        A = 'A': "connu directement de la source",
        B = 'B': "connu indirectement de la source, mais corroboré",
        C = 'C': "connu indirectement de la source",
        D = 'D': "non connu de la source",
        E = 'E': "soupçonné d'être faux",
    }
);
scale!(
    /// 3x5x2: handling code.
    UkHandling {
        P = 'P': "partage légal permis",
        C = 'C': "partage légal permis sous conditions (instructions de traitement particulières)",
    }
);
scale!(
    /// 5x5x5 (historic): evaluation of the source.
    LegacySource {
        A = 'A': "toujours fiable",
        B = 'B': "le plus souvent fiable",
        C = 'C': "parfois fiable",
        D = 'D': "non fiable",
        E = 'E': "source non éprouvée",
    }
);
scale!(
    /// 5x5x5 (historic): evaluation of the intelligence.
    LegacyIntelligence {
        One = '1': "connu pour être vrai sans réserve",
        Two = '2': "connu personnellement de la source mais non de l'agent",
        Three = '3': "non connu personnellement de la source, mais corroboré",
        Four = '4': "ne peut être évalué",
        Five = '5': "soupçonné d'être faux ou malveillant",
    }
);
scale!(
    /// 5x5x5 (historic): handling code, from 1 (widest dissemination) to 5 (none).
    LegacyHandling {
        One = '1': "diffusable aux services répressifs et de poursuite",
        Two = '2': "diffusable aux organismes non chargés des poursuites",
        Three = '3': "diffusable, sous conditions, aux services répressifs hors Union européenne",
        Four = '4': "diffusion limitée au service d'origine",
        Five = '5': "aucune diffusion sans l'accord du service d'origine",
    }
);

/// A grade in one scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "GradeCode", into = "GradeCode")]
pub enum Grade {
    Europol4x4 {
        source: EuropolSource,
        information: EuropolInformation,
    },
    Uk3x5x2 {
        source: UkSource,
        intelligence: UkIntelligence,
        handling: UkHandling,
    },
    Uk5x5x5 {
        source: LegacySource,
        intelligence: LegacyIntelligence,
        handling: LegacyHandling,
    },
}

/// A grade as written and stored: its scheme and its code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeCode {
    pub scheme: String,
    pub code: String,
}

impl TryFrom<GradeCode> for Grade {
    type Error = GradeError;

    fn try_from(value: GradeCode) -> Result<Self, Self::Error> {
        Grade::parse(Scheme::parse(&value.scheme)?, &value.code)
    }
}

impl From<Grade> for GradeCode {
    fn from(grade: Grade) -> Self {
        GradeCode {
            scheme: grade.scheme().as_str().to_owned(),
            code: grade.code(),
        }
    }
}

impl Grade {
    /// Reads a code written in `scheme`: "B2", "1BP", "B24" (case and spaces ignored).
    pub fn parse(scheme: Scheme, code: &str) -> Result<Grade, GradeError> {
        let chars: Vec<char> = code.chars().filter(|c| !c.is_whitespace()).collect();
        let bad = || GradeError::BadCode {
            scheme,
            code: code.to_owned(),
        };
        match (scheme, chars.as_slice()) {
            (Scheme::Europol4x4, [source, information]) => Ok(Grade::Europol4x4 {
                source: EuropolSource::from_code(*source).ok_or_else(bad)?,
                information: EuropolInformation::from_code(*information).ok_or_else(bad)?,
            }),
            (Scheme::Uk3x5x2, [source, intelligence, handling]) => Ok(Grade::Uk3x5x2 {
                source: UkSource::from_code(*source).ok_or_else(bad)?,
                intelligence: UkIntelligence::from_code(*intelligence).ok_or_else(bad)?,
                handling: UkHandling::from_code(*handling).ok_or_else(bad)?,
            }),
            (Scheme::Uk5x5x5, [source, intelligence, handling]) => Ok(Grade::Uk5x5x5 {
                source: LegacySource::from_code(*source).ok_or_else(bad)?,
                intelligence: LegacyIntelligence::from_code(*intelligence).ok_or_else(bad)?,
                handling: LegacyHandling::from_code(*handling).ok_or_else(bad)?,
            }),
            _ => Err(bad()),
        }
    }

    pub fn scheme(self) -> Scheme {
        match self {
            Grade::Europol4x4 { .. } => Scheme::Europol4x4,
            Grade::Uk3x5x2 { .. } => Scheme::Uk3x5x2,
            Grade::Uk5x5x5 { .. } => Scheme::Uk5x5x5,
        }
    }

    /// The written code: "B2", "1BP", "B24".
    pub fn code(self) -> String {
        match self {
            Grade::Europol4x4 {
                source,
                information,
            } => [source.code(), information.code()].iter().collect(),
            Grade::Uk3x5x2 {
                source,
                intelligence,
                handling,
            } => [source.code(), intelligence.code(), handling.code()]
                .iter()
                .collect(),
            Grade::Uk5x5x5 {
                source,
                intelligence,
                handling,
            } => [source.code(), intelligence.code(), handling.code()]
                .iter()
                .collect(),
        }
    }

    /// What each part of the grade means, in French, part by part.
    pub fn labels_fr(self) -> Vec<(&'static str, &'static str)> {
        match self {
            Grade::Europol4x4 {
                source,
                information,
            } => vec![
                ("Source", source.label_fr()),
                ("Information", information.label_fr()),
            ],
            Grade::Uk3x5x2 {
                source,
                intelligence,
                handling,
            } => vec![
                ("Source", source.label_fr()),
                ("Renseignement", intelligence.label_fr()),
                ("Traitement", handling.label_fr()),
            ],
            Grade::Uk5x5x5 {
                source,
                intelligence,
                handling,
            } => vec![
                ("Source", source.label_fr()),
                ("Renseignement", intelligence.label_fr()),
                ("Diffusion", handling.label_fr()),
            ],
        }
    }

    /// "Europol 4x4 B2".
    /// The grade its `Display` form names ("europol_4x4:B2", as search filters and facets write
    /// it), if any.
    pub fn from_key(key: &str) -> Option<Grade> {
        let (scheme, code) = key.split_once(':')?;
        Grade::parse(Scheme::parse(scheme).ok()?, code).ok()
    }

    pub fn display_fr(self) -> String {
        format!("{} {}", self.scheme().label_fr(), self.code())
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.scheme().as_str(), self.code())
    }
}

/// A grade converted to another scheme, with what the conversion lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversion {
    pub from: Grade,
    pub to: Grade,
    /// What the converted grade no longer says, in French (empty when nothing is lost).
    pub losses: Vec<&'static str>,
}

/// The one-way conversions: (from, to). A grade in its own scheme needs none.
pub const CONVERSIONS: [(Scheme, Scheme); 3] = [
    (Scheme::Uk5x5x5, Scheme::Uk3x5x2),
    (Scheme::Uk5x5x5, Scheme::Europol4x4),
    (Scheme::Uk3x5x2, Scheme::Europol4x4),
];

/// Converts `grade` to `to`, by the documented one-way mapping, or says why it cannot.
pub fn convert(grade: Grade, to: Scheme) -> Result<Conversion, GradeError> {
    use EuropolInformation as EI;
    use EuropolSource as ES;
    let no_equivalent = |why: &'static str| GradeError::NoEquivalent {
        grade,
        to,
        why: why.to_owned(),
    };
    let mut losses = Vec::new();
    let converted = match (grade, to) {
        (grade, to) if grade.scheme() == to => grade,
        (
            Grade::Uk5x5x5 {
                source,
                intelligence,
                handling,
            },
            Scheme::Uk3x5x2,
        ) => {
            let source = match source {
                LegacySource::A | LegacySource::B => {
                    losses.push(
                        "une source « toujours » ou « le plus souvent » fiable devient « fiable »",
                    );
                    UkSource::Reliable
                }
                LegacySource::C | LegacySource::E => UkSource::Untested,
                LegacySource::D => UkSource::NotReliable,
            };
            let intelligence = match intelligence {
                LegacyIntelligence::One | LegacyIntelligence::Two => UkIntelligence::A,
                LegacyIntelligence::Three => UkIntelligence::B,
                LegacyIntelligence::Four => UkIntelligence::D,
                LegacyIntelligence::Five => UkIntelligence::E,
            };
            let handling = match handling {
                LegacyHandling::One | LegacyHandling::Two => UkHandling::P,
                LegacyHandling::Three | LegacyHandling::Four | LegacyHandling::Five => {
                    losses.push("les conditions de diffusion (codes 3 à 5) deviennent « C » : reportez-les en instructions de traitement");
                    UkHandling::C
                }
            };
            Grade::Uk3x5x2 {
                source,
                intelligence,
                handling,
            }
        }
        (
            Grade::Uk5x5x5 {
                source,
                intelligence,
                ..
            },
            Scheme::Europol4x4,
        ) => {
            let information = match intelligence {
                LegacyIntelligence::One => EI::One,
                LegacyIntelligence::Two => EI::Two,
                LegacyIntelligence::Three => EI::Three,
                LegacyIntelligence::Four => EI::Four,
                LegacyIntelligence::Five => {
                    return Err(no_equivalent(
                        "le barème Europol n'a pas de niveau « soupçonné d'être faux »",
                    ))
                }
            };
            let source = match source {
                LegacySource::A => ES::A,
                LegacySource::B => ES::B,
                LegacySource::D => ES::C,
                LegacySource::C | LegacySource::E => ES::X,
            };
            losses.push("le code de diffusion 5x5x5 ne se traduit pas : fixez les codes H0 à H3");
            Grade::Europol4x4 {
                source,
                information,
            }
        }
        (
            Grade::Uk3x5x2 {
                source,
                intelligence,
                ..
            },
            Scheme::Europol4x4,
        ) => {
            let information = match intelligence {
                UkIntelligence::A => EI::Two,
                UkIntelligence::B => EI::Three,
                UkIntelligence::C | UkIntelligence::D => EI::Four,
                UkIntelligence::E => {
                    return Err(no_equivalent(
                        "le barème Europol n'a pas de niveau « soupçonné d'être faux »",
                    ))
                }
            };
            let source = match source {
                // "Reliable" is not "no doubt at all": B, the more prudent reading.
                UkSource::Reliable => ES::B,
                UkSource::Untested => ES::X,
                UkSource::NotReliable => ES::C,
            };
            losses.push("le code de traitement P/C ne se traduit pas : fixez les codes H0 à H3");
            Grade::Europol4x4 {
                source,
                information,
            }
        }
        (grade, to) => {
            return Err(GradeError::NoConversion {
                from: grade.scheme(),
                to,
            })
        }
    };
    Ok(Conversion {
        from: grade,
        to: converted,
        losses,
    })
}

/// Every grade a scheme can express (for the documentation and for tests).
pub fn all_grades(scheme: Scheme) -> Vec<Grade> {
    let mut grades = Vec::new();
    match scheme {
        Scheme::Europol4x4 => {
            for &source in EuropolSource::ALL {
                for &information in EuropolInformation::ALL {
                    grades.push(Grade::Europol4x4 {
                        source,
                        information,
                    });
                }
            }
        }
        Scheme::Uk3x5x2 => {
            for &source in UkSource::ALL {
                for &intelligence in UkIntelligence::ALL {
                    for &handling in UkHandling::ALL {
                        grades.push(Grade::Uk3x5x2 {
                            source,
                            intelligence,
                            handling,
                        });
                    }
                }
            }
        }
        Scheme::Uk5x5x5 => {
            for &source in LegacySource::ALL {
                for &intelligence in LegacyIntelligence::ALL {
                    for &handling in LegacyHandling::ALL {
                        grades.push(Grade::Uk5x5x5 {
                            source,
                            intelligence,
                            handling,
                        });
                    }
                }
            }
        }
    }
    grades
}

/// The levels of every scheme and the conversion tables, as Markdown (`docs/grading.md`).
pub fn grading_markdown() -> String {
    let mut out = String::from(
        "# Grading schemes and conversions\n\n\
         Generated from `crates/vigie-intel/src/grade.rs` by its tests \
         (`VIGIE_BLESS=1 cargo test -p vigie-intel` rewrites it). Do not edit by hand.\n\n\
         A grade is always one scheme's typed value. New items are graded in Europol 4x4 or UK 3x5x2; \
         UK 5x5x5 grades are read on historic items only. Conversions go one way, from left to right \
         in the tables below; there is none back.\n",
    );
    let levels: [(&str, Vec<(char, &str)>); 8] = [
        ("Europol 4x4, source", EuropolSource::levels()),
        ("Europol 4x4, information", EuropolInformation::levels()),
        ("UK 3x5x2, source", UkSource::levels()),
        ("UK 3x5x2, intelligence", UkIntelligence::levels()),
        ("UK 3x5x2, handling", UkHandling::levels()),
        ("UK 5x5x5 (historic), source", LegacySource::levels()),
        (
            "UK 5x5x5 (historic), intelligence",
            LegacyIntelligence::levels(),
        ),
        (
            "UK 5x5x5 (historic), handling (wording recalled from secondary sources, unverified)",
            LegacyHandling::levels(),
        ),
    ];
    out.push_str("\n## Levels (as shown to users)\n");
    for (title, rows) in levels {
        out.push_str(&format!("\n### {title}\n\n| code | libellé |\n|---|---|\n"));
        for (code, label) in rows {
            out.push_str(&format!("| {code} | {label} |\n"));
        }
    }
    out.push_str("\n## Conversions\n");
    for (from, to) in CONVERSIONS {
        out.push_str(&format!(
            "\n### {} → {}\n\n| from | to | losses |\n|---|---|---|\n",
            from.label_fr(),
            to.label_fr()
        ));
        for grade in all_grades(from) {
            match convert(grade, to) {
                Ok(conversion) => out.push_str(&format!(
                    "| {} | {} | {} |\n",
                    grade.code(),
                    conversion.to.code(),
                    conversion.losses.join(" ; ")
                )),
                Err(error) => out.push_str(&format!("| {} | refused | {error} |\n", grade.code())),
            }
        }
    }
    out
}

/// Why a grade was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GradeError {
    UnknownScheme(String),
    BadCode {
        scheme: Scheme,
        code: String,
    },
    NoConversion {
        from: Scheme,
        to: Scheme,
    },
    NoEquivalent {
        grade: Grade,
        to: Scheme,
        why: String,
    },
}

impl fmt::Display for GradeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GradeError::UnknownScheme(scheme) => write!(
                f,
                "barème inconnu « {scheme} » : attendu europol_4x4, uk_3x5x2 ou uk_5x5x5"
            ),
            GradeError::BadCode { scheme, code } => write!(
                f,
                "cotation « {code} » invalide dans le barème {} : attendu {}",
                scheme.label_fr(),
                scheme.written_form()
            ),
            GradeError::NoConversion { from, to } => write!(
                f,
                "aucune conversion documentée de {} vers {}",
                from.label_fr(),
                to.label_fr()
            ),
            GradeError::NoEquivalent { grade, to, why } => write!(
                f,
                "la cotation {} n'a pas d'équivalent en {} : {why}",
                grade.display_fr(),
                to.label_fr()
            ),
        }
    }
}

impl std::error::Error for GradeError {}
