//! `vigie match` as a user runs it: real files in, scored pairs and clusters out, clear errors.
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

/// A police file and a customs file, with the same people spelled differently, and others.
const POLICE: &str = "id;nom;prenom;date_naissance;code_postal;commune
P1;BEN SALAH;Mohamed;12/03/1985;13003;Marseille
P2;LE GOFF épouse MARTIN;Marie-Hélène;1979-07-02;29200;Brest
P3;DURAND;Pierre;05/11/1990;75011;Paris
P4;NGUYEN;Thi Lan;14/02/1972;69007;Lyon
P5;MARTIN;Paul;01/01/1960;59000;Lille
P6;ROUSSEL;Lucie;23/09/1994;33000;Bordeaux
";
const DOUANE: &str = "ref,surname,given_name,birth_date,postcode,city
D1,Bensalah,Mohammed,1985-03-12,13003,MARSEILLE
D2,Martin,Marie Helene,02/07/1979,29200,Brest
D3,DURAND,Pierre,11/05/1990,75011,Paris
D4,LEROY,Julien,30/06/1988,44000,Nantes
D5,FAURE,Camille,12/12/1999,31000,Toulouse
";

#[test]
fn two_files_are_linked_with_explanations_and_clusters() {
    let dir = tempfile::tempdir().unwrap();
    let (police, douane) = (dir.path().join("police.csv"), dir.path().join("douane.csv"));
    std::fs::write(&police, POLICE).unwrap();
    std::fs::write(&douane, DOUANE).unwrap();
    let (pairs, clusters) = (
        dir.path().join("pairs.csv"),
        dir.path().join("clusters.csv"),
    );
    let (ok, _, stderr) = vigie(&[
        "match",
        police.to_str().unwrap(),
        douane.to_str().unwrap(),
        "--columns",
        "id=ref",
        "--threshold",
        "0.5",
        "--pairs",
        pairs.to_str().unwrap(),
        "--clusters",
        clusters.to_str().unwrap(),
    ]);
    // --columns id=ref maps the customs file; the police file has no "ref" column: refused, clearly.
    assert!(
        !ok && stderr.contains("colonne « ref » absente"),
        "{stderr}"
    );

    std::fs::write(&douane, DOUANE.replacen("ref,", "id,", 1)).unwrap();
    let (ok, _, stderr) = vigie(&[
        "match",
        police.to_str().unwrap(),
        douane.to_str().unwrap(),
        "--threshold",
        "0.5",
        "--pairs",
        pairs.to_str().unwrap(),
        "--clusters",
        clusters.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let text = std::fs::read_to_string(&pairs).unwrap();
    let linked: Vec<(String, String)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split(',');
            (f.next().unwrap().to_owned(), f.next().unwrap().to_owned())
        })
        .collect();
    for expected in [("P1", "D1"), ("P2", "D2"), ("P3", "D3")] {
        assert!(
            linked.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} missing from {text}"
        );
    }
    assert!(
        !linked.iter().any(|(a, _)| a == "P5" || a == "P6"),
        "{text}"
    );
    let p1 = text.lines().find(|l| l.starts_with("P1,D1")).unwrap();
    assert!(
        p1.contains("nom:identique") && p1.contains("prenom:identique") && p1.contains("fs1-"),
        "{p1}"
    );
    let p3 = text.lines().find(|l| l.starts_with("P3,D3")).unwrap();
    assert!(p3.contains("naissance:jour_mois_inverses"), "{p3}");
    let clusters = std::fs::read_to_string(&clusters).unwrap();
    assert!(clusters.lines().any(|l| l == "D1,P1"), "{clusters}");
    assert!(clusters.lines().any(|l| l == "D4,D4"), "{clusters}");
}

#[test]
fn bad_files_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.csv");

    std::fs::write(&file, "").unwrap();
    let (ok, _, stderr) = vigie(&["match", file.to_str().unwrap()]);
    assert!(!ok && stderr.contains("est vide"), "{stderr}");

    std::fs::write(&file, "nom;prenom\nDURAND;Pierre\n").unwrap();
    let (ok, _, stderr) = vigie(&["match", file.to_str().unwrap()]);
    assert!(
        !ok && stderr.contains("aucune colonne d'identifiant"),
        "{stderr}"
    );

    // Latin-1 (Windows-1252) from an old spreadsheet: refused with the line, read when asked.
    let mut latin1 = b"id;nom;prenom;date_naissance\n1;DURAND;Pierre;01/02/1990\n2;LEF".to_vec();
    latin1.extend_from_slice(b"\xc8VRE;H\xe9l\xe8ne;1985\n3;LEFEVRE;Helene;32/13/1985\n");
    std::fs::write(&file, &latin1).unwrap();
    let (ok, _, stderr) = vigie(&["match", file.to_str().unwrap()]);
    assert!(
        !ok && stderr.contains("n'est pas en UTF-8 (ligne 3)")
            && stderr.contains("--encoding latin1"),
        "{stderr}"
    );
    let (ok, _, stderr) = vigie(&[
        "match",
        file.to_str().unwrap(),
        "--encoding",
        "latin1",
        "--threshold",
        "0.5",
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("1 dates illisibles"),
        "the impossible date is counted: {stderr}"
    );

    std::fs::write(&file, "id;nom\n1;A\n2\n").unwrap();
    let (ok, _, stderr) = vigie(&["match", file.to_str().unwrap()]);
    assert!(!ok && stderr.contains("ligne 3"), "{stderr}");
}

#[test]
fn judgements_override_scores_survive_re_runs_and_can_be_undone() {
    let dir = tempfile::tempdir().unwrap();
    let (police, douane) = (dir.path().join("police.csv"), dir.path().join("douane.csv"));
    std::fs::write(&police, POLICE).unwrap();
    std::fs::write(&douane, DOUANE.replacen("ref,", "id,", 1)).unwrap();
    let judgements = dir.path().join("jugements.csv");
    let pairs = dir.path().join("pairs.csv");
    let clusters = dir.path().join("clusters.csv");
    let run = |with_judgements: bool| {
        let mut args = vec![
            "match".to_owned(),
            police.to_str().unwrap().to_owned(),
            douane.to_str().unwrap().to_owned(),
            "--threshold".to_owned(),
            "0.5".to_owned(),
            "--pairs".to_owned(),
            pairs.to_str().unwrap().to_owned(),
            "--clusters".to_owned(),
            clusters.to_str().unwrap().to_owned(),
        ];
        if with_judgements {
            args.push("--judgements".to_owned());
            args.push(judgements.to_str().unwrap().to_owned());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, _, stderr) = vigie(&args);
        assert!(ok, "{stderr}");
        (
            std::fs::read_to_string(&pairs).unwrap(),
            std::fs::read_to_string(&clusters).unwrap(),
            stderr,
        )
    };
    // An analyst says P1 and D1 are not the same person (a namesake), and P5 is D4 after all.
    std::fs::write(&judgements, "id_a,id_b,decision,auteur\nP1,D1,different,analyste.cross13\nD4,P5,meme,analyste.cross13\nP9,D1,meme,x\n").unwrap();
    let (links, groups, stderr) = run(true);
    assert!(
        stderr.contains("2 jugements appliqués, 1 sur des identifiants absents"),
        "{stderr}"
    );
    assert!(!links.lines().any(|l| l.starts_with("P1,D1")), "{links}");
    let forced = links.lines().find(|l| l.starts_with("P5,D4")).unwrap();
    assert!(
        forced.contains(",1.000000,") && forced.contains(",meme,"),
        "{forced}"
    );
    assert!(
        groups.lines().any(|l| l == "D1,D1") && groups.lines().any(|l| l == "D4,P5"),
        "{groups}"
    );
    // The same judgements on a second run give the same result.
    assert_eq!(run(true).0, links);
    // Without the file, the scores decide again.
    let (links, _, _) = run(false);
    assert!(
        links.lines().any(|l| l.starts_with("P1,D1"))
            && !links.lines().any(|l| l.starts_with("P5,D4")),
        "{links}"
    );
    // A decision nobody can read is refused with its line.
    std::fs::write(&judgements, "id_a,id_b,decision\nP1,D1,peut-être\n").unwrap();
    let (ok, _, stderr) = vigie(&[
        "match",
        police.to_str().unwrap(),
        douane.to_str().unwrap(),
        "--judgements",
        judgements.to_str().unwrap(),
    ]);
    assert!(
        !ok && stderr.contains("ligne 2 : décision « peut-être » inconnue"),
        "{stderr}"
    );
}
