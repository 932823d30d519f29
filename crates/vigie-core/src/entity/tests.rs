use super::*;

fn props(pairs: &[(&str, &str)]) -> Properties {
    let mut properties = Properties::new();
    for (name, value) in pairs {
        properties
            .entry((*name).to_owned())
            .or_default()
            .push((*value).to_owned());
    }
    properties
}

#[track_caller]
fn check(schema: Schema, input: &[(&str, &str)], expected: Result<&[(&str, &str)], &[&str]>) {
    let got = validate_properties(schema, &props(input));
    match (got, expected) {
        (Ok(got), Ok(want)) => assert_eq!(got, props(want)),
        (Err(errors), Err(want)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, want, "{errors:?}");
            assert!(errors.iter().all(|e| !e.message.is_empty()));
        }
        (got, want) => {
            panic!("validate_properties({schema:?}, {input:?}) = {got:?}, want {want:?}")
        }
    }
}

#[test]
fn validates_and_normalises_properties() {
    check(
        Schema::Vehicle,
        &[("registrationNumber", "ab 123 cd")],
        Ok(&[("registrationNumber", "AB-123-CD")]),
    );
    check(
        Schema::Phone,
        &[("number", "06 12 34 56 78")],
        Ok(&[("number", "+33612345678")]),
    );
    check(
        Schema::Person,
        &[("name", "  Jean DUPONT "), ("birthDate", "1990-04")],
        Ok(&[("name", "Jean DUPONT"), ("birthDate", "1990-04")]),
    );
    check(
        Schema::Person,
        &[("birthDate", "1990-02-30")],
        Err(&["birthDate"]),
    );
    check(Schema::Person, &[("shoeSize", "44")], Err(&["shoeSize"]));
    check(Schema::Person, &[("name", "   ")], Err(&[""]));
    check(Schema::Phone, &[("number", "12")], Err(&["number"]));
    check(Schema::Person, &[("name", "a\u{1b}[31m")], Err(&["name"]));
}

#[test]
fn caption_and_search_key() {
    let properties = validate_properties(
        Schema::Person,
        &props(&[("firstName", "Marie-Hélène"), ("lastName", "Le Goff")]),
    )
    .unwrap();
    assert_eq!(
        caption_of(Schema::Person, &properties),
        "Marie-Hélène LE GOFF"
    );
    let vehicle = validate_properties(
        Schema::Vehicle,
        &props(&[("registrationNumber", "AB-123-CD")]),
    )
    .unwrap();
    assert_eq!(caption_of(Schema::Vehicle, &vehicle), "AB-123-CD");
}
