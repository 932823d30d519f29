//! Display helpers of the pages: dates and times in Europe/Paris, French labels of entity
//! properties, French phone numbers, placeholders for missing values.
//!
//! Paris time follows the EU rule (UTC+1, UTC+2 from the last Sunday of March 01:00 UTC to the last
//! Sunday of October 01:00 UTC): no time-zone database is needed for it.

use time::macros::format_description;
use time::{Date, Month, OffsetDateTime, UtcOffset};

/// What a missing value shows.
pub const NONE: &str = "—";

fn last_sunday(year: i32, month: Month) -> Option<Date> {
    let last = Date::from_calendar_date(year, month, month.length(year)).ok()?;
    last.checked_sub(time::Duration::days(i64::from(
        last.weekday().number_days_from_sunday(),
    )))
}

/// The offset of Europe/Paris at a UTC instant.
pub fn paris_offset(at: OffsetDateTime) -> UtcOffset {
    let at = at.to_offset(UtcOffset::UTC);
    let year = at.year();
    let summer = match (
        last_sunday(year, Month::March),
        last_sunday(year, Month::October),
    ) {
        (Some(start), Some(end)) => {
            let start = start.with_hms(1, 0, 0).map(|dt| dt.assume_utc());
            let end = end.with_hms(1, 0, 0).map(|dt| dt.assume_utc());
            matches!((start, end), (Ok(start), Ok(end)) if at >= start && at < end)
        }
        _ => false,
    };
    let hours = if summer { 2 } else { 1 };
    UtcOffset::from_hms(hours, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// "12/03/2025 14:05:09" in Paris time.
pub fn paris_datetime(at: OffsetDateTime) -> String {
    let local = at.to_offset(paris_offset(at));
    local
        .format(format_description!(
            "[day]/[month]/[year] [hour]:[minute]:[second]"
        ))
        .unwrap_or_else(|_| format!("{at} (UTC)"))
}

/// A journal timestamp (UTC microseconds) in Paris time.
pub fn paris_micros(at_micros: i64) -> String {
    match OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_micros) * 1_000) {
        Ok(at) => paris_datetime(at),
        Err(_) => NONE.to_owned(),
    }
}

fn from_micros(at_micros: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_micros) * 1_000).ok()
}

/// A timestamp (UTC microseconds) to the minute in Paris time: "12/03/2025 14:05".
pub fn paris_minutes(at_micros: i64) -> String {
    let Some(at) = from_micros(at_micros) else {
        return NONE.to_owned();
    };
    at.to_offset(paris_offset(at))
        .format(format_description!("[day]/[month]/[year] [hour]:[minute]"))
        .unwrap_or_else(|_| NONE.to_owned())
}

/// The Paris calendar day of a timestamp (UTC microseconds): "12/03/2025".
pub fn paris_day(at_micros: i64) -> String {
    match from_micros(at_micros) {
        Some(at) => date(at.to_offset(paris_offset(at)).date()),
        None => NONE.to_owned(),
    }
}

/// A stored E.164 phone number as French users read it: "+33491000002" → "04 91 00 00 02"; other
/// countries (and the overseas codes) stay in E.164.
pub fn phone(e164: &str) -> String {
    match e164.strip_prefix("+33") {
        Some(nsn) if nsn.len() == 9 && nsn.chars().all(|c| c.is_ascii_digit()) => {
            let digits = format!("0{nsn}");
            digits
                .as_bytes()
                .chunks(2)
                .map(|pair| String::from_utf8_lossy(pair).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        }
        _ => e164.to_owned(),
    }
}

/// A `datetime-local` input ("2026-12-01T22:30", Paris wall time) as UTC microseconds. Around the
/// autumn change the ambiguous hour is read as summer time.
pub fn paris_local_input(text: &str) -> Option<i64> {
    let naive = time::PrimitiveDateTime::parse(
        text.trim(),
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    )
    .ok()?;
    // The offset at the wall time read as UTC is the offset at the instant, except within the
    // hour or two around a change.
    let at = naive.assume_offset(paris_offset(naive.assume_utc()));
    Some(vigie_engine::clock::micros(at))
}

/// UTC microseconds as a `datetime-local` value in Paris time ("2026-12-01T22:30").
pub fn paris_local_value(at_micros: i64) -> String {
    let Some(at) = from_micros(at_micros) else {
        return String::new();
    };
    at.to_offset(paris_offset(at))
        .format(format_description!("[year]-[month]-[day]T[hour]:[minute]"))
        .unwrap_or_default()
}

/// UTC microseconds as a `date` value, the Paris calendar day ("2026-12-01").
pub fn paris_date_value(at_micros: i64) -> String {
    paris_local_value(at_micros)
        .get(..10)
        .unwrap_or_default()
        .to_owned()
}

/// "lundi 23/11/2026": a Paris calendar day with its French weekday.
pub fn paris_weekday(at_micros: i64) -> String {
    let Some(at) = from_micros(at_micros) else {
        return NONE.to_owned();
    };
    let local = at.to_offset(paris_offset(at));
    let weekday = match local.weekday() {
        time::Weekday::Monday => "lundi",
        time::Weekday::Tuesday => "mardi",
        time::Weekday::Wednesday => "mercredi",
        time::Weekday::Thursday => "jeudi",
        time::Weekday::Friday => "vendredi",
        time::Weekday::Saturday => "samedi",
        time::Weekday::Sunday => "dimanche",
    };
    format!("{weekday} {}", date(local.date()))
}

/// "21:30" in Paris time.
pub fn paris_time(at_micros: i64) -> String {
    let Some(at) = from_micros(at_micros) else {
        return NONE.to_owned();
    };
    at.to_offset(paris_offset(at))
        .format(format_description!("[hour]:[minute]"))
        .unwrap_or_else(|_| NONE.to_owned())
}

/// "12/03/2025".
pub fn date(date: Date) -> String {
    date.format(format_description!("[day]/[month]/[year]"))
        .unwrap_or_else(|_| date.to_string())
}

/// A stored (possibly partial) ISO date as French users write it: "1990-04-12" → "12/04/1990",
/// "1990-04" → "04/1990", "1990" → "1990"; anything else unchanged.
pub fn partial_date(value: &str) -> String {
    let parts: Vec<&str> = value.split('-').collect();
    let digits =
        |part: &str, len: usize| part.len() == len && part.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [year, month, day] if digits(year, 4) && digits(month, 2) && digits(day, 2) => {
            format!("{day}/{month}/{year}")
        }
        [year, month] if digits(year, 4) && digits(month, 2) => format!("{month}/{year}"),
        _ => value.to_owned(),
    }
}

/// The period of a link: "depuis le …", "jusqu'au …", "du … au …", or a dash.
pub fn period(start: Option<Date>, end: Option<Date>) -> String {
    match (start, end) {
        (Some(start), Some(end)) => format!("du {} au {}", date(start), date(end)),
        (Some(start), None) => format!("depuis le {}", date(start)),
        (None, Some(end)) => format!("jusqu'au {}", date(end)),
        (None, None) => NONE.to_owned(),
    }
}

/// The French label of a property, depending on the schema where the name is ambiguous.
pub fn property_label(schema: vigie_core::entity::Schema, name: &str) -> String {
    use vigie_core::entity::Schema;
    let label = match (schema, name) {
        (Schema::Company, "registrationNumber") => "SIREN / SIRET",
        (Schema::Vehicle, "registrationNumber") => "Immatriculation",
        (Schema::Person, "name") => "Nom complet",
        (_, "name") => "Nom",
        (_, "firstName") => "Prénom",
        (_, "lastName") => "Nom de famille",
        (_, "alias") => "Surnom",
        (_, "birthDate") => "Date de naissance",
        (_, "birthPlace") => "Lieu de naissance",
        (_, "nationality") => "Nationalité",
        (_, "notes") => "Notes",
        (_, "address") => "Adresse",
        (_, "model") => "Modèle",
        (_, "color") => "Couleur",
        (_, "number") => "Numéro",
        (_, "full") => "Adresse complète",
        (_, "postalCode") => "Code postal",
        (_, "city") => "Commune",
        (_, "iban") => "IBAN",
        (_, "bankName") => "Banque",
        (_, "publicKey") => "Adresse publique",
        (_, "currency") => "Cryptoactif",
        (_, "procedureNumber") => "Numéro de procédure",
        (_, "openedOn") => "Ouverte le",
        (_, other) => return other.to_owned(),
    };
    label.to_owned()
}

/// A département code, or a dash.
pub fn departement(code: Option<&str>) -> String {
    code.filter(|c| !c.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| NONE.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn datetime_inputs_are_read_in_paris_time() {
        let winter = paris_local_input("2026-12-01T22:30").unwrap();
        assert_eq!(paris_micros(winter), "01/12/2026 22:30:00");
        assert_eq!(paris_local_value(winter), "2026-12-01T22:30");
        assert_eq!(paris_weekday(winter), "mardi 01/12/2026");
        let summer = paris_local_input("2026-07-14T06:00").unwrap();
        assert_eq!(paris_time(summer), "06:00");
        assert_eq!(summer, 1_784_001_600_000_000, "04:00 UTC");
        assert_eq!(paris_local_input("01/12/2026 22:30"), None);
    }

    #[test]
    fn paris_time_follows_the_eu_rule() {
        // Winter: UTC+1.
        assert_eq!(
            paris_datetime(datetime!(2025-01-15 12:00 UTC)),
            "15/01/2025 13:00:00"
        );
        // Summer: UTC+2 (2025: from 30 March 01:00 UTC to 26 October 01:00 UTC).
        assert_eq!(
            paris_datetime(datetime!(2025-07-01 12:00 UTC)),
            "01/07/2025 14:00:00"
        );
        assert_eq!(
            paris_datetime(datetime!(2025-03-30 00:59:59 UTC)),
            "30/03/2025 01:59:59"
        );
        assert_eq!(
            paris_datetime(datetime!(2025-03-30 01:00 UTC)),
            "30/03/2025 03:00:00"
        );
        assert_eq!(
            paris_datetime(datetime!(2025-10-26 00:59:59 UTC)),
            "26/10/2025 02:59:59"
        );
        assert_eq!(
            paris_datetime(datetime!(2025-10-26 01:00 UTC)),
            "26/10/2025 02:00:00"
        );
    }

    #[test]
    fn minutes_days_and_phones() {
        // 2026-11-23 09:00 UTC is 10:00 in Paris (winter).
        let micros = datetime!(2026-11-23 09:00 UTC).unix_timestamp() * 1_000_000;
        assert_eq!(paris_minutes(micros), "23/11/2026 10:00");
        let late = datetime!(2026-07-31 23:30 UTC).unix_timestamp() * 1_000_000;
        assert_eq!(
            paris_day(late),
            "01/08/2026",
            "the Paris day, not the UTC one"
        );
        assert_eq!(paris_minutes(i64::MAX), NONE);
        assert_eq!(phone("+33491000002"), "04 91 00 00 02");
        assert_eq!(phone("+590690123456"), "+590690123456");
        assert_eq!(phone("+3349"), "+3349");
    }

    #[test]
    fn periods_and_labels() {
        use time::macros::date;
        assert_eq!(period(None, None), NONE);
        assert_eq!(
            period(Some(date!(2024 - 03 - 01)), None),
            "depuis le 01/03/2024"
        );
        assert_eq!(
            period(Some(date!(2024 - 03 - 01)), Some(date!(2024 - 05 - 02))),
            "du 01/03/2024 au 02/05/2024"
        );
        assert_eq!(
            property_label(vigie_core::entity::Schema::Vehicle, "registrationNumber"),
            "Immatriculation"
        );
        assert_eq!(
            property_label(vigie_core::entity::Schema::Person, "unknownField"),
            "unknownField"
        );
    }
}
