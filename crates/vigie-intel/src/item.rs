//! An item of intelligence: what was learned, when, where, about which entities, from which kind of
//! source, graded, with its handling codes and legal regime; how a draft is validated; how a
//! sanitised copy is derived; and which uses its handling codes allow.
//!
//! A human source is referenced by a code, never named (the register of sources is kept elsewhere):
//! a code must hold a digit and no space, which a name does not. A sanitised copy drops the source's
//! kind and code and takes a text the analyst rewrote; it stays linked to its original.
//!
//! No I/O and no clock: the engine gives the identifiers, the author and the instant.

use crate::grade::{Grade, GradeCode, Scheme, UkHandling};
use crate::handling::{Gate, Handling, HandlingRefusal};
use serde::{Deserialize, Serialize};
use std::fmt;
use time::macros::format_description;
use time::Date;
use uuid::Uuid;
use vigie_core::entity::{EntityId, FieldError, LegalRegime};
use vigie_core::org::UnitId;

/// An item's identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ItemId(pub Uuid);

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Longest text of an item, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Most entities one item may be about.
pub const MAX_ENTITIES: usize = 50;

/// Where an item came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceKind {
    /// A human source, by its code in the register of sources (never a name).
    HumanSource { code: String },
    /// Technical means: interceptions, geolocation, surveillance.
    Technical,
    /// Open sources: press, social networks, public registers.
    OpenSource,
    /// A document seized or received.
    Document,
    /// An act of a procedure (hearing, search).
    Procedure,
    /// A partner's report (social landlord, transport operator, municipal police).
    Partner,
    /// The source of a sanitised copy, withheld.
    Protected,
}

impl SourceKind {
    pub const CHOICES: [(&'static str, &'static str); 6] = [
        ("human_source", "Source humaine (code)"),
        ("technical", "Moyens techniques"),
        ("open_source", "Sources ouvertes"),
        ("document", "Document"),
        ("procedure", "Acte de procédure"),
        ("partner", "Signalement d'un partenaire"),
    ];

    /// The kind's key, as forms, the search index and exports write it ("human_source"...).
    pub fn key(&self) -> &'static str {
        match self {
            SourceKind::HumanSource { .. } => "human_source",
            SourceKind::Technical => "technical",
            SourceKind::OpenSource => "open_source",
            SourceKind::Document => "document",
            SourceKind::Procedure => "procedure",
            SourceKind::Partner => "partner",
            SourceKind::Protected => "protected",
        }
    }

    /// The French label of a kind given by its key (a human source without its code).
    pub fn key_label_fr(key: &str) -> Option<String> {
        if key == SourceKind::Protected.key() {
            return Some(SourceKind::Protected.label_fr());
        }
        SourceKind::CHOICES
            .iter()
            .find(|(choice, _)| *choice == key)
            .map(|(_, label)| (*label).to_owned())
    }

    pub fn label_fr(&self) -> String {
        match self {
            SourceKind::HumanSource { code } => format!("Source humaine {code}"),
            SourceKind::Technical => "Moyens techniques".to_owned(),
            SourceKind::OpenSource => "Sources ouvertes".to_owned(),
            SourceKind::Document => "Document".to_owned(),
            SourceKind::Procedure => "Acte de procédure".to_owned(),
            SourceKind::Partner => "Signalement d'un partenaire".to_owned(),
            SourceKind::Protected => "Source protégée (copie épurée)".to_owned(),
        }
    }
}

/// What a user submits to record an item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntelItemDraft {
    pub text: String,
    /// The day it was observed (AAAA-MM-JJ), and the last day for a period.
    pub observed_on: String,
    #[serde(default)]
    pub observed_until: Option<String>,
    /// The place in words ("hall du bâtiment C").
    #[serde(default)]
    pub place: Option<String>,
    /// The commune's INSEE code, when known.
    #[serde(default)]
    pub commune: Option<String>,
    #[serde(default)]
    pub entities: Vec<EntityId>,
    /// One of `SourceKind::CHOICES`.
    pub source: String,
    #[serde(default)]
    pub source_code: Option<String>,
    pub grade_scheme: String,
    pub grade: String,
    #[serde(default)]
    pub handling: Vec<String>,
    #[serde(default)]
    pub restrictions: Option<String>,
    /// A `LegalRegime` as written (`judicial`, `administrative`...).
    pub regime: String,
}

/// A validated draft: everything an item holds but its identity, owner and time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidItem {
    pub text: String,
    pub observed_on: Date,
    pub observed_until: Option<Date>,
    pub place: Option<String>,
    pub commune: Option<String>,
    pub entities: Vec<EntityId>,
    pub source: SourceKind,
    pub grade: Grade,
    pub handling: Handling,
    pub regime: LegalRegime,
}

/// A permission of the owning unit to use an item beyond its handling codes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permission {
    pub kind: PermissionKind,
    /// For onward sharing, the unit it may go to (`None`: any unit).
    pub to_unit: Option<UnitId>,
    pub reason: String,
    pub by: String,
    pub at_micros: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermissionKind {
    /// Lifts H1 for a judicial use.
    JudicialUse,
    /// Lifts H2 for a share.
    OnwardSharing,
}

/// An item as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntelItem {
    pub id: ItemId,
    pub owner_unit: UnitId,
    pub recorded_by: String,
    pub recorded_at_micros: i64,
    pub text: String,
    pub observed_on: Date,
    pub observed_until: Option<Date>,
    pub place: Option<String>,
    pub commune: Option<String>,
    pub departement: Option<String>,
    pub entities: Vec<EntityId>,
    pub source: SourceKind,
    pub grade: Grade,
    pub handling: Handling,
    pub regime: LegalRegime,
    /// The original, for a sanitised copy.
    pub sanitised_from: Option<ItemId>,
    #[serde(default)]
    pub permissions: Vec<Permission>,
}

/// What an analyst writes to derive a sanitised copy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanitisedDraft {
    /// The text rewritten without what identifies the source.
    pub text: String,
    /// The place in words, if it does not point at the source.
    #[serde(default)]
    pub place: Option<String>,
    /// The copy's handling codes (H1 stays if the original has it: sanitising is no permission).
    #[serde(default)]
    pub handling: Vec<String>,
    #[serde(default)]
    pub restrictions: Option<String>,
}

fn error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.into(),
    }
}

fn parse_day(field: &str, value: &str) -> Result<Date, FieldError> {
    Date::parse(value.trim(), format_description!("[year]-[month]-[day]")).map_err(|_| {
        error(
            field,
            format!("Date « {value} » invalide : attendu AAAA-MM-JJ"),
        )
    })
}

fn optional_text(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

/// Checks a human source's code: 3 to 32 letters, digits or dashes, at least one digit, no space
/// (a name has no digit: this is what keeps names out of the field).
fn source_code(code: Option<&str>) -> Result<String, FieldError> {
    let code = code.map(str::trim).unwrap_or_default().to_uppercase();
    if code.is_empty() {
        return Err(error(
            "source_code",
            "Source humaine : indiquez son code au registre des sources, jamais son nom",
        ));
    }
    let allowed = code
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    let length = (3..=32).contains(&code.chars().count());
    if !allowed || !length || !code.chars().any(|c| c.is_ascii_digit()) {
        return Err(error(
            "source_code",
            "Code de source invalide : 3 à 32 lettres, chiffres ou tirets, dont au moins un chiffre (un code, jamais un nom)",
        ));
    }
    Ok(code)
}

fn text_of(field: &str, text: &str, errors: &mut Vec<FieldError>) -> String {
    let text = text.trim();
    if text.is_empty() {
        errors.push(error(field, "Texte : décrivez ce qui a été appris"));
    } else if text.chars().count() > MAX_TEXT_CHARS {
        errors.push(error(
            field,
            format!("Texte : {MAX_TEXT_CHARS} caractères au plus"),
        ));
    }
    text.to_owned()
}

/// Handling codes that contradict the regime or the grade's own handling part.
fn handling_conflicts(handling: &Handling, regime: LegalRegime, grade: Grade) -> Option<String> {
    if regime == LegalRegime::Judicial && handling.no_judicial_use {
        return Some(
            "H1 contredit le régime judiciaire : un élément recueilli en procédure appartient au dossier"
                .to_owned(),
        );
    }
    if let Grade::Uk3x5x2 { handling: code, .. } = grade {
        if code == UkHandling::P && handling.no_dissemination {
            return Some(
                "H2 contredit le code de traitement P de la cotation, qui permet le partage"
                    .to_owned(),
            );
        }
        if code == UkHandling::C && handling.other_restrictions.is_none() {
            return Some(
                "Le code de traitement C de la cotation impose des conditions : précisez-les en H3"
                    .to_owned(),
            );
        }
    }
    None
}

/// Validates a draft against `today` (an observation cannot be in the future). Every error names
/// its field.
pub fn validate_item(draft: &IntelItemDraft, today: Date) -> Result<ValidItem, Vec<FieldError>> {
    let mut errors = Vec::new();
    let text = text_of("text", &draft.text, &mut errors);
    let observed_on = match parse_day("observed_on", &draft.observed_on) {
        Ok(day) if day > today => {
            errors.push(error("observed_on", "Date d'observation dans le futur"));
            None
        }
        Ok(day) => Some(day),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let observed_until = match draft.observed_until.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(value) => match parse_day("observed_until", value) {
            Ok(day) if observed_on.is_some_and(|start| day < start) => {
                errors.push(error(
                    "observed_until",
                    "La fin de la période précède son début",
                ));
                None
            }
            Ok(day) if day > today => {
                errors.push(error("observed_until", "Fin de période dans le futur"));
                None
            }
            Ok(day) => Some(day),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    };
    let commune = optional_text(draft.commune.as_deref());
    if let Some(code) = &commune {
        let valid = code.len() == 5 && code.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid {
            errors.push(error(
                "commune",
                format!("Code commune « {code} » invalide : code INSEE à 5 caractères attendu"),
            ));
        }
    }
    let mut entities = draft.entities.clone();
    entities.sort();
    entities.dedup();
    if entities.len() > MAX_ENTITIES {
        errors.push(error(
            "entities",
            format!("{MAX_ENTITIES} entités au plus par élément"),
        ));
    }
    let source = match draft.source.trim() {
        "human_source" => match source_code(draft.source_code.as_deref()) {
            Ok(code) => Some(SourceKind::HumanSource { code }),
            Err(e) => {
                errors.push(e);
                None
            }
        },
        other => {
            let kind = match other {
                "technical" => Some(SourceKind::Technical),
                "open_source" => Some(SourceKind::OpenSource),
                "document" => Some(SourceKind::Document),
                "procedure" => Some(SourceKind::Procedure),
                "partner" => Some(SourceKind::Partner),
                _ => None,
            };
            if kind.is_none() {
                errors.push(error(
                    "source",
                    format!("Type de source « {other} » inconnu"),
                ));
            } else if optional_text(draft.source_code.as_deref()).is_some() {
                errors.push(error(
                    "source_code",
                    "Un code de source ne s'indique que pour une source humaine",
                ));
            }
            kind
        }
    };
    let grade = match Scheme::parse(&draft.grade_scheme) {
        Ok(scheme) if !scheme.open_to_new_items() => {
            errors.push(error(
                "grade_scheme",
                "Le barème 5x5x5 n'est plus en usage : il ne se lit que sur des éléments historiques (cotez en Europol 4x4 ou en 3x5x2)",
            ));
            None
        }
        Ok(_) => match Grade::try_from(GradeCode {
            scheme: draft.grade_scheme.clone(),
            code: draft.grade.clone(),
        }) {
            Ok(grade) => Some(grade),
            Err(e) => {
                errors.push(error("grade", e.to_string()));
                None
            }
        },
        Err(e) => {
            errors.push(error("grade_scheme", e.to_string()));
            None
        }
    };
    let regime = match LegalRegime::ALL
        .into_iter()
        .find(|regime| regime.as_str() == draft.regime.trim())
    {
        Some(regime) => Some(regime),
        None => {
            errors.push(error(
                "regime",
                format!("Régime juridique « {} » inconnu", draft.regime),
            ));
            None
        }
    };
    let handling = match Handling::parse(&draft.handling, draft.restrictions.as_deref()) {
        Ok(handling) => Some(handling),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    if let (Some(handling), Some(regime), Some(grade)) = (&handling, regime, grade) {
        if let Some(message) = handling_conflicts(handling, regime, grade) {
            errors.push(error("handling", message));
        }
    }
    match (observed_on, source, grade, handling, regime) {
        (Some(observed_on), Some(source), Some(grade), Some(handling), Some(regime))
            if errors.is_empty() =>
        {
            Ok(ValidItem {
                text,
                observed_on,
                observed_until,
                place: optional_text(draft.place.as_deref()),
                commune,
                entities,
                source,
                grade,
                handling,
                regime,
            })
        }
        _ => Err(errors),
    }
}

impl IntelItem {
    /// A short caption for lists: the first words of the text.
    pub fn caption(&self) -> String {
        let mut caption: String = self.text.chars().take(90).collect();
        if self.text.chars().count() > 90 {
            caption.push('…');
        }
        caption
    }

    /// Whether the item may be put to `gate`'s use (for onward sharing, towards `recipient`).
    pub fn gate(&self, gate: Gate, recipient: Option<UnitId>) -> Result<(), HandlingRefusal> {
        let permitted = |kind: PermissionKind| {
            self.permissions.iter().any(|permission| {
                permission.kind == kind
                    && (permission.to_unit.is_none() || permission.to_unit == recipient)
            })
        };
        let refused = |message: &str| {
            Err(HandlingRefusal {
                gate,
                message: message.to_owned(),
            })
        };
        match gate {
            Gate::JudicialUse
                if self.handling.no_judicial_use && !permitted(PermissionKind::JudicialUse) =>
            {
                refused("H1 : cet élément ne peut être versé en procédure judiciaire sans l'accord enregistré du service d'origine")
            }
            Gate::OnwardSharing
                if self.handling.no_dissemination
                    && recipient != Some(self.owner_unit)
                    && !permitted(PermissionKind::OnwardSharing) =>
            {
                refused("H2 : cet élément ne peut être diffusé sans l'accord enregistré du service d'origine ; une copie épurée peut l'être")
            }
            _ => Ok(()),
        }
    }

    /// Derives a sanitised copy: the source withheld, the rewritten text, the same grade, regime,
    /// dates, commune and entities, linked to this original. The copy keeps H1 if the original has
    /// it (sanitising is not a permission for judicial use).
    pub fn sanitised(
        &self,
        draft: &SanitisedDraft,
        id: ItemId,
        by: &str,
        at_micros: i64,
    ) -> Result<IntelItem, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.sanitised_from.is_some() {
            errors.push(error(
                "original",
                "Cet élément est déjà une copie épurée : épurez l'original",
            ));
        }
        let text = text_of("text", &draft.text, &mut errors);
        if text == self.text {
            errors.push(error(
                "text",
                "Le texte épuré est identique à l'original : retirez ce qui identifie la source",
            ));
        }
        if let SourceKind::HumanSource { code } = &self.source {
            if text.to_uppercase().contains(code.as_str()) {
                errors.push(error(
                    "text",
                    "Le texte épuré cite encore le code de la source",
                ));
            }
        }
        let mut handling = match Handling::parse(&draft.handling, draft.restrictions.as_deref()) {
            Ok(handling) => handling,
            Err(e) => {
                errors.push(e);
                Handling::default()
            }
        };
        handling.no_judicial_use |= self.handling.no_judicial_use;
        if let Some(message) = handling_conflicts(&handling, self.regime, self.grade) {
            errors.push(error("handling", message));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(IntelItem {
            id,
            owner_unit: self.owner_unit,
            recorded_by: by.to_owned(),
            recorded_at_micros: at_micros,
            text,
            observed_on: self.observed_on,
            observed_until: self.observed_until,
            place: optional_text(draft.place.as_deref()),
            commune: self.commune.clone(),
            departement: self.departement.clone(),
            entities: self.entities.clone(),
            source: SourceKind::Protected,
            grade: self.grade,
            handling,
            regime: self.regime,
            sanitised_from: Some(self.id),
            permissions: Vec::new(),
        })
    }
}
