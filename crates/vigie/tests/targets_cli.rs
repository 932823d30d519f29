//! `vigie targets import` as a user runs it: a CSV exported from a spreadsheet, all or nothing, every
//! faulty cell named by its line; then the same file again, valid, is registered.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn vigie(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .env(
            "VIGIE_DB",
            format!("sqlite://{}", dir.join("vigie.db").display()),
        )
        .env("VIGIE_DATA_DIR", dir.join("data"))
        .env("VIGIE_PASSWORD", "vigie-demo-2026")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn import_is_all_or_nothing_with_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = vigie(dir.path(), &["synth", "--seed", "42", "--people", "60"]);
    assert!(ok, "{stderr}");
    let file = dir.path().join("objectifs.csv");
    std::fs::write(
        &file,
        "procedure;regime;magistrate_name;contact_name;contact_phone;surname;given_names;birth_date;phones;plates\n\
         SR-1;judicial;JIRS de Marseille;Adj. Morel;0491000002;Haddad;Karim;1990-02-11;0611111111|0622222222;AB-123-CD\n\
         SR-2;judicial;JIRS de Marseille;Adj. Morel;0491000002;;;;0633333333;AB-123-OU\n\
         SR-3;judicial;;Adj. Morel;0491000002;;;;0644444444;\n",
    )
    .unwrap();
    let (ok, _, stderr) = vigie(
        dir.path(),
        &[
            "targets",
            "import",
            file.to_str().unwrap(),
            "--user",
            "agent.gendarmerie",
        ],
    );
    assert!(!ok);
    assert!(
        stderr.contains("ligne 3 : identifiers[1].value : Immatriculation invalide"),
        "{stderr}"
    );
    assert!(
        stderr.contains("ligne 4 : magistrate_name : Magistrat : obligatoire"),
        "{stderr}"
    );
    assert!(stderr.contains("Aucun objectif enregistré."), "{stderr}");

    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("AB-123-OU", "AB-124-CD")
        .replace(";;Adj.", ";JIRS;Adj.");
    std::fs::write(&file, text).unwrap();
    let (ok, stdout, stderr) = vigie(
        dir.path(),
        &[
            "targets",
            "import",
            file.to_str().unwrap(),
            "--user",
            "agent.gendarmerie",
        ],
    );
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("3 objectifs enregistrés ; 0 rencontrent"),
        "{stdout}"
    );

    // Customs imports the same man: one conflict.
    let customs = dir.path().join("douane.csv");
    std::fs::write(
        &customs,
        "procedure,regime,contact_name,contact_phone,surname,given_names,birth_date\nD-9,customs,Inspecteur Roy,0491000003,HADDAD,Karim,1990-02-11\n",
    )
    .unwrap();
    let (ok, stdout, stderr) = vigie(
        dir.path(),
        &[
            "targets",
            "import",
            customs.to_str().unwrap(),
            "--user",
            "agent.douane",
        ],
    );
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("1 objectifs enregistrés ; 1 rencontrent"),
        "{stdout}"
    );

    // A role that does not investigate is refused.
    let (ok, _, stderr) = vigie(
        dir.path(),
        &[
            "targets",
            "import",
            customs.to_str().unwrap(),
            "--user",
            "analyste.cross13",
        ],
    );
    assert!(!ok);
    assert!(stderr.contains("non autorisée"), "{stderr}");

    let (ok, _, stderr) = vigie(dir.path(), &["journal", "verify"]);
    assert!(ok, "{stderr}");
}
