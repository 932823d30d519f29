//! `/partenaire/signalements`: a partner (municipal police, social landlord, transport operator,
//! mayor) sends reports to the CROSS and follows its own unit's: the day it was received, a coarse
//! status (reçu, en cours d'examen, traité) and the CROSS's messages, never what the CROSS decided
//! nor any dealing point. The page also shows the digest of the partner's communes, in which every
//! count below five reads « moins de 5 ».
//!
//! The form is the residents' (category, commune, place, optional position, days, time slots,
//! since when, description, people, vehicles, up to three photos), posted as multipart; the engine
//! strips the photos' metadata. A refused report is shown again with every fault beside its field
//! (422); photos must then be chosen again, which the page says.

use super::reports::{reporter_badge, text_area, Badge, Check};
use super::session::{PageSession, SameOrigin};
use super::targets::AvisParams;
use super::view::{Field, Layout, SelectField};
use super::{render, see_other, ErrorKind, PageResult};
use crate::extract::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use std::collections::BTreeMap;
use vigie_core::entity::FieldError;
use vigie_core::policy::Action;
use vigie_engine::{DigestRow, EngineError, PartnerReportView, RequestContext};
use vigie_geo::atlas::UnitKind;
use vigie_reports::{Category, Pin, ReportDraft, Since, TimeSlot, Weekday, MAX_PHOTOS};

/// The largest form the page accepts: three photos at the largest size, and the text.
pub const MAX_PARTNER_REPORT_BYTES: usize =
    MAX_PHOTOS * vigie_reports::MAX_PHOTO_BYTES + 256 * 1024;

/// What the form posted (photos aside).
#[derive(Default)]
struct ReportForm {
    csrf: String,
    category: String,
    commune: String,
    place: String,
    lat: String,
    lon: String,
    days: Vec<String>,
    slots: Vec<String>,
    since: String,
    description: String,
    people: String,
    vehicles: String,
    photos: Vec<Vec<u8>>,
}

struct ReportRow {
    id: String,
    received: String,
    category: String,
    commune: String,
    status: Badge,
    messages: Vec<(String, String)>,
}

struct DigestLine {
    commune: String,
    reports: String,
    processed: String,
    points: String,
    /// Fewer than five reports and fewer than five live points (zero included).
    small: bool,
}

struct CommuneOption {
    code: String,
    name: String,
}

#[derive(Template)]
#[template(path = "partenaire_signalements.html")]
struct PartnerPage {
    layout: Layout,
    csrf: String,
    notice: Option<String>,
    has_errors: bool,
    other_errors: Vec<String>,
    reports: Vec<ReportRow>,
    /// Communes with five reports or more.
    digest: Vec<DigestLine>,
    /// The others, by name: « moins de 5 » each, zero included.
    digest_small: Vec<String>,
    category: SelectField,
    commune: Field,
    communes: Vec<CommuneOption>,
    place: Field,
    lat: Field,
    lon: Field,
    day_checks: Vec<Check>,
    slot_checks: Vec<Check>,
    since: SelectField,
    description: Field,
    people: Field,
    vehicles: Field,
    photos_error: Option<String>,
    photos_retry: bool,
    max_photos: usize,
}

fn error_at(errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|error| error.field == field)
        .map(|error| error.message.clone())
}

/// "Reçu le 24/11/2026, entre 14 h et 15 h".
fn received_label(view: &PartnerReportView) -> String {
    let hours = super::reports::hour_range(view.received_at);
    format!("le {}", super::reports::day(view.received_at))
        + hours
            .split_once(',')
            .map(|(range, _)| format!(", {range}"))
            .unwrap_or_default()
            .as_str()
}

/// The communes of the partner's territory, by name (the form's suggestions and the digest's
/// rows); none for a national territory.
fn territory_communes(state: &AppState, session: &PageSession) -> Vec<CommuneOption> {
    let territory = &session.actor.unit.territory;
    if territory.is_national() {
        return Vec::new();
    }
    let Ok(geography) = state.engine.geography(&session.actor) else {
        return Vec::new();
    };
    let atlas = geography.atlas();
    let indices: Vec<usize> = territory
        .codes()
        .iter()
        .filter_map(|code| atlas.departement_index(code))
        .collect();
    let mut communes: Vec<CommuneOption> = atlas
        .units
        .iter()
        .filter(|unit| unit.kind == UnitKind::Commune && indices.contains(&unit.departement))
        .map(|unit| CommuneOption {
            code: unit.code.clone(),
            name: unit.name.clone(),
        })
        .collect();
    communes.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.code.cmp(&b.code)));
    communes
}

/// The digest, one line for every commune of the territory: a commune without reports reads
/// « moins de 5 » like one with a few, so that none can be told apart.
fn digest_lines(rows: &[DigestRow], communes: &[CommuneOption]) -> Vec<DigestLine> {
    let mut lines: BTreeMap<(String, String), DigestLine> = BTreeMap::new();
    for commune in communes {
        lines.insert(
            (commune.name.clone(), commune.code.clone()),
            DigestLine {
                commune: format!("{} ({})", commune.name, commune.code),
                reports: vigie_reports::Count::FewerThan5.to_string(),
                processed: vigie_reports::Count::FewerThan5.to_string(),
                points: vigie_reports::Count::FewerThan5.to_string(),
                small: true,
            },
        );
    }
    for row in rows {
        lines.insert(
            (row.commune_name.clone(), row.commune.clone()),
            DigestLine {
                commune: format!("{} ({})", row.commune_name, row.commune),
                reports: row.reports.to_string(),
                processed: row.processed.to_string(),
                points: row.points.to_string(),
                small: row.reports == vigie_reports::Count::FewerThan5
                    && row.points == vigie_reports::Count::FewerThan5,
            },
        );
    }
    lines.into_values().collect()
}

fn checks(
    name: &'static str,
    prefix: &str,
    all: &[(&'static str, &'static str)],
    posted: &[String],
) -> Vec<Check> {
    all.iter()
        .map(|(value, label)| Check {
            id: format!("{prefix}-{value}"),
            name,
            value,
            label,
            checked: posted.iter().any(|chosen| chosen == value),
        })
        .collect()
}

async fn partner_page(
    state: &AppState,
    ctx: &RequestContext,
    session: &PageSession,
    notice: Option<String>,
    form: &ReportForm,
    errors: &[FieldError],
    status: StatusCode,
) -> PageResult {
    let views = state
        .engine
        .partner_reports(&session.actor, ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let digest = state
        .engine
        .partner_digest(&session.actor, ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let communes = territory_communes(state, session);
    let lines = digest_lines(&digest, &communes);
    let reports = views
        .iter()
        .map(|view| ReportRow {
            id: view.id.to_string(),
            received: received_label(view),
            category: view.category.label().to_owned(),
            commune: super::reports::commune_label(view.commune_name.as_deref(), None),
            status: reporter_badge(view.status),
            messages: view
                .messages
                .iter()
                .map(|(at, text)| {
                    (
                        super::format::paris_minutes(vigie_engine::clock::micros(*at)),
                        text.clone(),
                    )
                })
                .collect(),
        })
        .collect();
    let mut categories = vec![(String::new(), "— Choisir —".to_owned())];
    categories.extend(
        Category::ALL
            .iter()
            .filter(|category| **category != Category::OnlineSale)
            .map(|category| (category.as_str().to_owned(), category.label().to_owned())),
    );
    let mut category = SelectField::new(
        "signalement-categorie",
        "categorie",
        "Ce que vous avez constaté",
        categories,
        &form.category,
    );
    category.error = error_at(errors, "category");
    let mut commune = Field::text("signalement-commune", "commune", "Commune (code INSEE)")
        .hint("Cinq caractères, par exemple 13055 pour Marseille ; la liste propose les communes de votre territoire. Facultatif si vous indiquez la position.")
        .value(&form.commune);
    commune.error = error_at(errors, "commune");
    let mut place = Field::text("signalement-lieu", "lieu", "Lieu précis")
        .hint("Adresse, bâtiment, hall, parking… (300 caractères au plus)")
        .value(&form.place);
    place.error = error_at(errors, "place");
    let mut lat = Field::text("signalement-lat", "lat", "Latitude (facultative)")
        .hint("Degrés décimaux, par exemple 43.29650")
        .value(&form.lat);
    lat.error = error_at(errors, "pin");
    let mut lon = Field::text("signalement-lon", "lon", "Longitude (facultative)")
        .hint("Degrés décimaux, par exemple 5.36980")
        .value(&form.lon);
    lon.error = lat.error.as_ref().map(|_| String::new());
    let days: Vec<(&'static str, &'static str)> = Weekday::ALL
        .iter()
        .map(|day| (day.as_str(), day.label()))
        .collect();
    let slots: Vec<(&'static str, &'static str)> = TimeSlot::ALL
        .iter()
        .map(|slot| (slot.as_str(), slot.label()))
        .collect();
    let mut since = SelectField::new(
        "signalement-depuis",
        "depuis",
        "Depuis quand",
        Since::ALL
            .iter()
            .map(|since| (since.as_str().to_owned(), since.label().to_owned()))
            .collect(),
        if form.since.is_empty() {
            Since::Unknown.as_str()
        } else {
            &form.since
        },
    );
    since.error = error_at(errors, "since");
    let mut description = text_area(
        "signalement-description",
        "description",
        "Description",
        "Ce que vous avez observé, avec vos mots : 10 à 5000 caractères. N'y mettez pas de nom de personne.",
        &form.description,
        error_at(errors, "description"),
    );
    description.required = true;
    let mut people = Field::text(
        "signalement-personnes",
        "personnes",
        "Nombre de personnes (facultatif)",
    )
    .value(&form.people);
    people.input_type = "number";
    people.error = error_at(errors, "people");
    let mut vehicles = Field::text(
        "signalement-vehicules",
        "vehicules",
        "Véhicules (facultatif)",
    )
    .hint("Type, couleur ; 500 caractères au plus")
    .value(&form.vehicles);
    vehicles.error = error_at(errors, "vehicles");
    let photo_errors: Vec<String> = errors
        .iter()
        .filter(|error| error.field.starts_with("photos"))
        .map(|error| match error.field.strip_prefix("photos[") {
            Some(rest) => {
                let index: usize = rest.trim_end_matches(']').parse().unwrap_or(0);
                format!("Photo {} : {}", index + 1, error.message)
            }
            None => error.message.clone(),
        })
        .collect();
    let other_errors = errors
        .iter()
        .filter(|error| {
            !FIELD_ORDER.contains(&error.field.as_str()) && !error.field.starts_with("photos")
        })
        .map(|error| error.message.clone())
        .collect();
    let page = PartnerPage {
        layout: session.layout("Mes signalements", "/partenaire/signalements"),
        csrf: session.csrf.clone(),
        notice,
        has_errors: !errors.is_empty(),
        other_errors,
        reports,
        digest_small: lines
            .iter()
            .filter(|line| line.small)
            .map(|line| line.commune.clone())
            .collect(),
        digest: lines.into_iter().filter(|line| !line.small).collect(),
        category,
        commune,
        communes,
        place,
        lat,
        lon,
        day_checks: checks("jours", "jour", &days, &form.days),
        slot_checks: checks("creneaux", "creneau", &slots, &form.slots),
        since,
        description,
        people,
        vehicles,
        photos_error: (!photo_errors.is_empty()).then(|| photo_errors.join(" ")),
        photos_retry: !errors.is_empty() && !form.photos.is_empty(),
        max_photos: MAX_PHOTOS,
    };
    Ok(render(status, &page))
}

/// `GET /partenaire/signalements`.
pub async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    params: Result<Query<AvisParams>, QueryRejection>,
) -> PageResult {
    session.require(Action::SubmitReport)?;
    let notice = match params.map(|Query(p)| p.avis).unwrap_or_default().as_str() {
        "envoye" => Some(
            "Signalement transmis à la CROSS de son département. Vous suivrez ici son état et ses messages."
                .to_owned(),
        ),
        _ => None,
    };
    partner_page(
        &state,
        &ctx,
        &session,
        notice,
        &ReportForm::default(),
        &[],
        StatusCode::OK,
    )
    .await
}

async fn read_form(multipart: &mut Multipart) -> Result<ReportForm, ErrorKind> {
    let too_large = |status: StatusCode| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ErrorKind::PayloadTooLarge
        } else {
            ErrorKind::BadRequest
        }
    };
    let mut form = ReportForm::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| too_large(error.status()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photos" {
            let bytes = field
                .bytes()
                .await
                .map_err(|error| too_large(error.status()))?;
            // A file input left empty still sends an empty part.
            if !bytes.is_empty() {
                form.photos.push(bytes.to_vec());
            }
            continue;
        }
        let value = field.text().await.map_err(|_| ErrorKind::BadRequest)?;
        match name.as_str() {
            "csrf" => form.csrf = value,
            "categorie" => form.category = value,
            "commune" => form.commune = value,
            "lieu" => form.place = value,
            "lat" => form.lat = value,
            "lon" => form.lon = value,
            "jours" => form.days.push(value),
            "creneaux" => form.slots.push(value),
            "depuis" => form.since = value,
            "description" => form.description = value,
            "personnes" => form.people = value,
            "vehicules" => form.vehicles = value,
            _ => {}
        }
    }
    Ok(form)
}

fn field_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// The draft the form describes, or the faults the page finds before the engine does.
fn draft_of(form: &ReportForm) -> Result<ReportDraft, Vec<FieldError>> {
    let mut errors = Vec::new();
    let category = Category::parse(&form.category);
    if category.is_none() {
        errors.push(field_error(
            "category",
            "Choisissez ce que vous avez constaté.",
        ));
    }
    let pin = match (form.lat.trim(), form.lon.trim()) {
        ("", "") => None,
        (lat, lon) => match (
            super::reports::parse_decimal(lat),
            super::reports::parse_decimal(lon),
        ) {
            (Some(lat), Some(lon)) => Some(Pin { lat, lon }),
            _ => {
                errors.push(field_error(
                    "pin",
                    "Indiquez la latitude et la longitude en degrés décimaux (par exemple 43.29650 et 5.36980), ou laissez-les vides.",
                ));
                None
            }
        },
    };
    let people = match form.people.trim() {
        "" => None,
        text => match text.parse::<u16>() {
            Ok(people) => Some(people),
            Err(_) => {
                errors.push(field_error(
                    "people",
                    "Indiquez un nombre entier de personnes, ou laissez vide.",
                ));
                None
            }
        },
    };
    let since = Since::parse(&form.since).unwrap_or_default();
    let commune = form.commune.trim();
    let draft = ReportDraft {
        // Checked above; any category lets the draft's other faults be found at once.
        category: category.unwrap_or(Category::Other),
        commune: (!commune.is_empty()).then(|| commune.to_uppercase()),
        place: form.place.trim().to_owned(),
        pin,
        days: Weekday::ALL
            .into_iter()
            .filter(|day| form.days.iter().any(|chosen| chosen == day.as_str()))
            .collect(),
        slots: TimeSlot::ALL
            .into_iter()
            .filter(|slot| form.slots.iter().any(|chosen| chosen == slot.as_str()))
            .collect(),
        since,
        description: form.description.trim().to_owned(),
        people,
        vehicles: form.vehicles.trim().to_owned(),
    };
    if category.is_none() || !errors.is_empty() {
        // The draft's own faults too, so that the form shows them all at once.
        if let Err(faults) = draft.validate() {
            errors.extend(
                faults
                    .into_iter()
                    .map(|fault| field_error(fault.field, fault.message)),
            );
        }
        errors.sort_by_key(|error| FIELD_ORDER.iter().position(|name| *name == error.field));
        errors.dedup_by(|a, b| a.field == b.field);
        return Err(errors);
    }
    Ok(draft)
}

/// The form's fields in their order on the page, for listing faults.
const FIELD_ORDER: [&str; 8] = [
    "category",
    "commune",
    "place",
    "pin",
    "since",
    "description",
    "people",
    "vehicles",
];

/// `POST /partenaire/signalements` (multipart): sends a report to the CROSS.
pub async fn submit(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    mut multipart: Multipart,
) -> PageResult {
    let mut form = read_form(&mut multipart)
        .await
        .map_err(|kind| session.fail(kind))?;
    session.check_csrf(&form.csrf)?;
    session.require(Action::SubmitReport)?;
    let result = match draft_of(&form) {
        Ok(draft) => {
            let photos = std::mem::take(&mut form.photos);
            let count = photos.len();
            let result = state
                .engine
                .submit_partner_report(&session.actor, draft, photos, &ctx)
                .await;
            // Only whether there were photos is kept, to ask for them again.
            form.photos = vec![Vec::new(); count];
            result
        }
        Err(errors) => Err(EngineError::Invalid(errors)),
    };
    match result {
        Ok(_) => Ok(see_other(
            "/partenaire/signalements?avis=envoye#mes-signalements",
        )),
        Err(EngineError::Invalid(errors)) => {
            partner_page(
                &state,
                &ctx,
                &session,
                None,
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => Err(session.fail(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_becomes_a_draft_or_its_faults() {
        let form = ReportForm {
            category: "fixed_sale".to_owned(),
            commune: " 13055 ".to_owned(),
            lat: "43,3".to_owned(),
            lon: "5.4".to_owned(),
            days: vec!["friday".to_owned(), "monday".to_owned()],
            people: "4".to_owned(),
            description: "Des jeunes vendent devant le hall.".to_owned(),
            ..ReportForm::default()
        };
        let draft = draft_of(&form).unwrap();
        assert_eq!(draft.commune.as_deref(), Some("13055"));
        assert_eq!(draft.days, vec![Weekday::Monday, Weekday::Friday]);
        assert_eq!(
            draft.pin,
            Some(Pin {
                lat: 43.3,
                lon: 5.4
            })
        );
        assert_eq!(draft.people, Some(4));
        let faults = draft_of(&ReportForm {
            lat: "x".to_owned(),
            people: "beaucoup".to_owned(),
            ..ReportForm::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = faults.iter().map(|fault| fault.field.as_str()).collect();
        assert_eq!(
            fields,
            ["category", "commune", "pin", "description", "people"]
        );
    }

    #[test]
    fn every_commune_of_the_digest_reads_the_same_below_five() {
        let communes = vec![
            CommuneOption {
                code: "13001".to_owned(),
                name: "Aix-en-Provence".to_owned(),
            },
            CommuneOption {
                code: "13055".to_owned(),
                name: "Marseille".to_owned(),
            },
            CommuneOption {
                code: "13056".to_owned(),
                name: "Martigues".to_owned(),
            },
        ];
        let rows = vec![
            DigestRow {
                commune: "13055".to_owned(),
                commune_name: "Marseille".to_owned(),
                reports: vigie_reports::Count::AtLeast5(7),
                processed: vigie_reports::Count::FewerThan5,
                points: vigie_reports::Count::FewerThan5,
            },
            DigestRow {
                commune: "13056".to_owned(),
                commune_name: "Martigues".to_owned(),
                reports: vigie_reports::Count::FewerThan5,
                processed: vigie_reports::Count::FewerThan5,
                points: vigie_reports::Count::AtLeast5(5),
            },
        ];
        let lines = digest_lines(&rows, &communes);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].commune, "Aix-en-Provence (13001)");
        assert_eq!(lines[0].reports, "moins de 5");
        assert_eq!(lines[0].points, "moins de 5");
        assert_eq!(lines[1].reports, "7");
        assert_eq!(lines[1].processed, "moins de 5");
        assert_eq!(lines[2].points, "5");
        assert!(
            lines[0].small && !lines[1].small && !lines[2].small,
            "a commune with five live points is shown even with few reports"
        );
    }
}
