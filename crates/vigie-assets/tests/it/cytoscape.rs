//! The embedded Cytoscape.js: only its minified browser build, the version the lockfile pins, and
//! its MIT licence.

use sha2::{Digest, Sha256};
use vigie_assets::{cytoscape, cytoscape_licence, cytoscape_version};

#[test]
fn the_minified_build_is_embedded_as_javascript() {
    let asset = cytoscape("cytoscape.min.js").expect("cytoscape.min.js is embedded");
    assert_eq!(asset.content_type, "text/javascript; charset=utf-8");
    assert!(asset.bytes.len() > 100_000, "suspiciously small");
    let text = std::str::from_utf8(asset.bytes).unwrap();
    assert!(
        text.contains("cytoscape"),
        "does not look like Cytoscape.js"
    );
    let digest = Sha256::digest(asset.bytes);
    let etag: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    assert_eq!(asset.etag, etag);
}

#[test]
fn nothing_else_of_the_package_is_served() {
    for path in [
        "",
        "cytoscape.js",
        "cytoscape.umd.js",
        "cytoscape.esm.min.mjs",
        "cytoscape.cjs.js",
        "/cytoscape.min.js",
        "dist/cytoscape.min.js",
        "../package.json",
        "../dist/cytoscape.min.js",
        "./cytoscape.min.js",
        "LICENSE",
        "package.json",
    ] {
        assert!(cytoscape(path).is_none(), "{path:?} should not be found");
    }
}

#[test]
fn version_is_the_one_pinned_in_the_lockfile_and_package_json() {
    let read = |name: &str| -> serde_json::Value {
        let path = format!("{}/../../web/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let lock = read("package-lock.json");
    let pinned = lock["packages"]["node_modules/cytoscape"]["version"]
        .as_str()
        .unwrap();
    assert_eq!(
        read("package.json")["dependencies"]["cytoscape"].as_str(),
        Some(pinned),
        "web/package.json must pin the exact version"
    );
    assert_eq!(cytoscape_version(), pinned);
    assert_eq!(
        lock["packages"]["node_modules/cytoscape"]["license"].as_str(),
        Some("MIT")
    );
}

#[test]
fn the_mit_licence_is_embedded() {
    let licence = cytoscape_licence();
    assert!(licence.contains("Permission is hereby granted, free of charge"));
    assert!(licence.contains("Cytoscape Consortium"));
}
