//! `/entites/import`: a file posted from the browser is recorded all or nothing; faulty lines are
//! listed; the options' faults sit under their fields.

use crate::pages::sign_in;
use crate::support::*;

#[tokio::test]
async fn an_agent_imports_a_spreadsheet_and_a_faulty_aleph_file_writes_nothing() {
    let app = app().await;
    let agent = sign_in(&app, "agent.marseille").await;
    let form = agent.get("/entites/import").await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert!(form.text.contains("enctype=\"multipart/form-data\""));
    assert!(agent
        .get("/recherche")
        .await
        .text
        .contains("href=\"/entites/import\""));

    let csv = "NOM;PRENOM;SURNOMS\nIMPORTÉ;Zoé;La Fouine|ZZ\nMARTIN;Léa;\n";
    let done = agent
        .post_multipart(
            "/entites/import",
            &[
                ("format", "csv"),
                ("schema", "Person"),
                ("mapping", "lastName=NOM,firstName=PRENOM,alias=SURNOMS"),
                ("regime", "judicial"),
                ("departement", "13"),
                ("source", "Tableur de la brigade"),
            ],
            ("fichier", "personnes.csv", csv.as_bytes()),
        )
        .await;
    assert_eq!(done.status, 201, "{}", done.text);
    assert!(done
        .text
        .contains("personnes.csv : 2 entité(s) et 0 lien(s) enregistrés pour votre unité."));

    let ftm = [
        r#"{"id": "p1", "schema": "Person", "properties": {"name": ["Zébulon"], "gender": ["male"]}}"#,
        r#"{"id": "v1", "schema": "Vehicle", "properties": {"registrationNumber": ["XX"]}}"#,
        r#"{"id": "o1", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["v9"]}}"#,
    ]
    .join("\n");
    let refused = agent
        .post_multipart(
            "/entites/import",
            &[
                ("format", "ftm"),
                ("regime", "judicial"),
                ("source", "Export Aleph"),
            ],
            ("fichier", "aleph.jsonl", ftm.as_bytes()),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused
        .text
        .contains("enregistré : 2 erreur(s) dans le fichier"));
    assert!(refused
        .text
        .contains("ligne 2, properties.registrationNumber"));
    assert!(refused
        .text
        .contains("ligne 3, properties : entité « v9 » absente du fichier"));

    let missing = agent
        .post_multipart(
            "/entites/import",
            &[("format", "csv"), ("regime", "judicial"), ("source", "x")],
            ("fichier", "vide.csv", b""),
        )
        .await;
    assert_eq!(missing.status, 422);
    assert!(missing.text.contains("Choisissez un fichier non vide"));
    assert!(missing
        .text
        .contains("Choisissez le type des entités du fichier"));

    // Zébulon was not written: the faulty file left nothing behind.
    let found = agent
        .post(
            "/recherche",
            &[
                ("texte", "Zébulon"),
                ("type", ""),
                ("motif", "vérification import"),
            ],
        )
        .await;
    assert!(found.text.contains("Aucune fiche accessible"));

    let auditor = sign_in(&app, "auditeur").await;
    assert_eq!(auditor.get("/entites/import").await.status, 403);
}
