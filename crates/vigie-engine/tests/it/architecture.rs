//! Architecture invariants checked on the manifests: only the engine (and the conformance tests) may
//! depend on the storage crates, and the domain core and the
//! geography depend on no I/O crate.

use std::path::Path;

fn manifests() -> Vec<(String, String)> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&crates).unwrap() {
        let path = entry.unwrap().path().join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&path) {
            let name = path
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.push((name, text));
        }
    }
    out
}

/// The `[dependencies]` section only (dev-dependencies may use anything).
fn dependencies(manifest: &str) -> String {
    let start = manifest
        .find("[dependencies]")
        .map(|i| i + "[dependencies]".len())
        .unwrap_or(manifest.len());
    let rest = &manifest[start..];
    let end = rest.find("\n[").unwrap_or(rest.len());
    rest[..end].to_owned()
}

#[test]
fn only_the_engine_holds_a_store() {
    let allowed = [
        "vigie-engine",
        "vigie-store",
        "vigie-store-sqlite",
        "vigie-store-postgres",
        "vigie-store-tests",
    ];
    let all = manifests();
    assert!(all.len() >= 10, "found only {} crates", all.len());
    for (name, manifest) in all {
        if allowed.contains(&name.as_str()) {
            continue;
        }
        let deps = dependencies(&manifest);
        assert!(
            !deps.contains("vigie-store"),
            "{name} depends on a storage crate: it must go through vigie-engine"
        );
    }
}

#[test]
fn the_domain_core_and_the_geography_do_no_io() {
    for pure in ["vigie-core", "vigie-geo"] {
        let (_, manifest) = manifests()
            .into_iter()
            .find(|(name, _)| name == pure)
            .unwrap();
        let deps = dependencies(&manifest);
        for forbidden in [
            "tokio",
            "sqlx",
            "rusqlite",
            "axum",
            "reqwest",
            "rand",
            "vigie-store",
            "vigie-engine",
        ] {
            assert!(
                !deps
                    .lines()
                    .any(|line| line.trim_start().starts_with(forbidden)),
                "{pure} depends on {forbidden}"
            );
        }
    }
}
