//! Handling codes (Europol H0-H3) and what they gate.
//!
//! Every item is under H0 (used only to prevent and fight crime, as the law allows). On top of it an
//! item may carry H1 (not to be used in judicial proceedings without the provider's permission), H2
//! (not to be disseminated without the provider's permission) and H3 (other restrictions, in words).
//! The engine asks `IntelItem::gate` before a judicial export or an onward share; a recorded
//! permission of the owning unit opens the gate for that use.
//!
//! This module only states the codes and the refusals; who may record a permission is the policy's.

use serde::{Deserialize, Serialize};
use vigie_core::entity::FieldError;

/// The handling codes of an item (H0 always applies).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handling {
    /// H1: not to be used in judicial proceedings without the provider's permission.
    #[serde(default)]
    pub no_judicial_use: bool,
    /// H2: not to be disseminated without the provider's permission.
    #[serde(default)]
    pub no_dissemination: bool,
    /// H3: other restrictions, in the provider's words.
    #[serde(default)]
    pub other_restrictions: Option<String>,
}

/// Longest H3 text.
const MAX_RESTRICTIONS_CHARS: usize = 500;

impl Handling {
    /// Reads codes as written ("H0".."H3", case ignored) and the H3 text. H3 needs its text and the
    /// text needs H3; H0 alone or nothing means no restriction beyond H0.
    pub fn parse(codes: &[String], restrictions: Option<&str>) -> Result<Handling, FieldError> {
        let error = |message: String| FieldError {
            field: "handling".to_owned(),
            message,
        };
        let mut handling = Handling::default();
        let mut h3 = false;
        for code in codes {
            match code.trim().to_ascii_uppercase().as_str() {
                "H0" => {}
                "H1" => handling.no_judicial_use = true,
                "H2" => handling.no_dissemination = true,
                "H3" => h3 = true,
                other => {
                    return Err(error(format!(
                        "Code de traitement « {other} » inconnu : attendu H0, H1, H2 ou H3"
                    )))
                }
            }
        }
        let restrictions = restrictions.map(str::trim).filter(|text| !text.is_empty());
        match (h3, restrictions) {
            (true, None) => Err(error(
                "H3 : précisez les restrictions (instructions de traitement)".to_owned(),
            )),
            (false, Some(_)) => Err(error(
                "Des restrictions sont écrites sans le code H3 : cochez H3 ou effacez-les"
                    .to_owned(),
            )),
            (true, Some(text)) if text.chars().count() > MAX_RESTRICTIONS_CHARS => Err(error(
                format!("H3 : {MAX_RESTRICTIONS_CHARS} caractères au plus"),
            )),
            (true, Some(text)) => {
                handling.other_restrictions = Some(text.to_owned());
                Ok(handling)
            }
            (false, None) => Ok(handling),
        }
    }

    /// The codes as written: "H0" alone, or the restrictions among H1, H2, H3.
    pub fn codes(&self) -> Vec<&'static str> {
        let mut codes = Vec::new();
        if self.no_judicial_use {
            codes.push("H1");
        }
        if self.no_dissemination {
            codes.push("H2");
        }
        if self.other_restrictions.is_some() {
            codes.push("H3");
        }
        if codes.is_empty() {
            codes.push("H0");
        }
        codes
    }

    /// Each code with its meaning, in French.
    pub fn labels_fr(&self) -> Vec<(&'static str, String)> {
        let mut labels = vec![(
            "H0",
            "à n'utiliser que pour prévenir et combattre la criminalité, dans le cadre de la loi"
                .to_owned(),
        )];
        if self.no_judicial_use {
            labels.push((
                "H1",
                "ne pas verser en procédure judiciaire sans l'accord du service d'origine"
                    .to_owned(),
            ));
        }
        if self.no_dissemination {
            labels.push((
                "H2",
                "ne pas diffuser sans l'accord du service d'origine".to_owned(),
            ));
        }
        if let Some(text) = &self.other_restrictions {
            labels.push(("H3", format!("autres restrictions : {text}")));
        }
        labels
    }
}

/// A use of an item that handling codes can forbid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    /// Put into a judicial file (an export to a court, a procès-verbal).
    JudicialUse,
    /// Share with another unit than the owner.
    OnwardSharing,
}

impl Gate {
    pub fn label_fr(self) -> &'static str {
        match self {
            Gate::JudicialUse => "versement en procédure judiciaire",
            Gate::OnwardSharing => "diffusion à un autre service",
        }
    }
}

/// A use refused by a handling code, with the reason shown to the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandlingRefusal {
    pub gate: Gate,
    pub message: String,
}
