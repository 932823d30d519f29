//! `vigie geo` as a user runs it: the binary on real files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn vigie(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn locate_adds_the_places_and_keeps_the_input_columns() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("points.csv");
    // A French spreadsheet export: ';' between fields, decimal commas, a Latin-1 note kept byte for byte.
    let mut bytes = b"id;latitude;longitude;note\n1;43,2990;5,3845;".to_vec();
    bytes.extend_from_slice(b"Canebi\xe8re\n2;46;-10;en mer\n");
    std::fs::write(&input, &bytes).unwrap();
    let output = dir.path().join("out.csv");
    let (ok, _, stderr) = vigie(&[
        "geo",
        "locate",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("1 point(s) localisé(s) en France, 1 hors de France"),
        "{stderr}"
    );
    let written = std::fs::read(&output).unwrap();
    assert!(
        written.windows(9).any(|w| w == b"Canebi\xe8re"),
        "the Latin-1 note was re-encoded"
    );
    let text = String::from_utf8_lossy(&written);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "id;latitude;longitude;note;statut;commune_code;commune;arrondissement;departement;cross;antenne;zone");
    assert!(lines[1].ends_with(
        "en France;13055;Marseille;Marseille 1er Arrondissement;13;CROSS des Bouches-du-Rhône;OFAST, antenne de Marseille;Zone de défense et de sécurité Sud"
    ), "{}", lines[1]);
    assert_eq!(lines[2], "2;46;-10;en mer;hors de France;;;;;;;");
}

#[test]
fn bad_lines_are_numbered_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("points.csv");
    std::fs::write(
        &input,
        "id,lat,lon\n1,43.2990,5.3845\n2,5.37,43.30\n3,abc,2\n4,,2\n5,95,2\n6,48,NaN\n",
    )
    .unwrap();
    let output = dir.path().join("out.csv");
    let (ok, _, stderr) = vigie(&[
        "geo",
        "locate",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ]);
    assert!(!ok);
    for expected in [
        "ligne 3 : latitude et longitude probablement inversées",
        "ligne 4 : latitude illisible « abc »",
        "ligne 5 : latitude manquante",
        "ligne 6 : latitude 95 hors de l'intervalle [-90, 90]",
        "ligne 7 : coordonnée non numérique",
        "5 ligne(s) en erreur : rien n'a été écrit",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in {stderr}"
        );
    }
    assert!(!output.exists(), "a partial output was written");

    std::fs::write(&input, "").unwrap();
    let (ok, _, stderr) = vigie(&["geo", "locate", input.to_str().unwrap()]);
    assert!(!ok && stderr.contains("est vide"), "{stderr}");
    std::fs::write(&input, "a,b\n1,2\n").unwrap();
    let (ok, _, stderr) = vigie(&["geo", "locate", input.to_str().unwrap()]);
    assert!(
        !ok && stderr.contains("colonne de latitude introuvable"),
        "{stderr}"
    );
}

#[test]
fn commune_lookup_and_organisation_check() {
    let (ok, stdout, _) = vigie(&["geo", "commune", "st denis 974"]);
    assert!(ok);
    assert!(
        stdout.starts_with("97411  Saint-Denis (La Réunion, 974)"),
        "{stdout}"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("org.toml");
    let default = include_str!("../../vigie-geo/data/organisation.toml");
    std::fs::write(&file, default).unwrap();
    let (ok, stdout, _) = vigie(&["geo", "check-organisation", file.to_str().unwrap()]);
    assert!(
        ok && stdout.contains("10 zones, 13 antennes, 101 CROSS"),
        "{stdout}"
    );
    std::fs::write(&file, default.replace(r#"["974", "976"]"#, r#"["974"]"#)).unwrap();
    let (ok, _, stderr) = vigie(&["geo", "check-organisation", file.to_str().unwrap()]);
    assert!(
        !ok && stderr.contains("département 976 (Mayotte) dans aucune zone"),
        "{stderr}"
    );
}
