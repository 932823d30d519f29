//! The embedded Leaflet plugins of the dealing points' map: Leaflet.markercluster (MIT) and
//! Leaflet.heat (BSD 2-Clause), only their built files, the versions the lockfile pins, and their
//! licences.

use sha2::{Digest, Sha256};
use vigie_assets::{
    leaflet_heat, leaflet_heat_licence, leaflet_heat_version, leaflet_markercluster,
    leaflet_markercluster_licence, leaflet_markercluster_version, Asset,
};

fn check_etag(asset: Asset) {
    let digest = Sha256::digest(asset.bytes);
    let etag: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    assert_eq!(asset.etag, etag);
}

#[test]
fn the_cluster_script_and_stylesheet_are_embedded() {
    let script = leaflet_markercluster("leaflet.markercluster.js").expect("script embedded");
    assert_eq!(script.content_type, "text/javascript; charset=utf-8");
    let text = std::str::from_utf8(script.bytes).unwrap();
    assert!(
        text.contains("MarkerClusterGroup"),
        "not Leaflet.markercluster"
    );
    check_etag(script);
    let css = leaflet_markercluster("MarkerCluster.css").expect("stylesheet embedded");
    assert_eq!(css.content_type, "text/css; charset=utf-8");
    assert!(std::str::from_utf8(css.bytes)
        .unwrap()
        .contains(".leaflet-cluster-anim"));
    check_etag(css);
}

#[test]
fn the_heat_script_is_embedded() {
    let script = leaflet_heat("leaflet-heat.js").expect("script embedded");
    assert_eq!(script.content_type, "text/javascript; charset=utf-8");
    let text = std::str::from_utf8(script.bytes).unwrap();
    assert!(text.contains("heatLayer") && text.contains("simpleheat"));
    check_etag(script);
}

#[test]
fn nothing_else_of_the_packages_is_served() {
    for path in [
        "",
        "leaflet.markercluster-src.js",
        "leaflet.markercluster.js.map",
        "MarkerCluster.Default.css",
        "../package.json",
        "../dist/leaflet.markercluster.js",
        "./leaflet.markercluster.js",
        "MIT-LICENCE.txt",
    ] {
        assert!(
            leaflet_markercluster(path).is_none(),
            "{path:?} should not be found"
        );
    }
    for path in [
        "",
        "../src/HeatLayer.js",
        "../LICENSE",
        "leaflet-heat.js.map",
    ] {
        assert!(leaflet_heat(path).is_none(), "{path:?} should not be found");
    }
}

#[test]
fn versions_are_the_ones_pinned_in_the_lockfile_and_package_json() {
    let read = |name: &str| -> serde_json::Value {
        let path = format!("{}/../../web/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let lock = read("package-lock.json");
    let package = read("package.json");
    for (name, version) in [
        ("leaflet.markercluster", leaflet_markercluster_version()),
        ("leaflet.heat", leaflet_heat_version()),
    ] {
        let pinned = lock["packages"][format!("node_modules/{name}")]["version"]
            .as_str()
            .unwrap();
        assert_eq!(
            package["dependencies"][name].as_str(),
            Some(pinned),
            "web/package.json must pin the exact version of {name}"
        );
        assert_eq!(version, pinned, "{name}");
    }
    assert_eq!(
        lock["packages"]["node_modules/leaflet.markercluster"]["license"].as_str(),
        Some("MIT")
    );
}

#[test]
fn the_licences_are_embedded() {
    let mit = leaflet_markercluster_licence();
    assert!(mit.contains("Permission is hereby granted, free of charge"));
    assert!(mit.contains("David Leaver"));
    // Leaflet.heat's package.json names no licence; its LICENSE file is the BSD 2-Clause text.
    let bsd = leaflet_heat_licence();
    assert!(bsd.contains("Redistribution and use in source and binary forms"));
    assert!(bsd.contains("Vladimir Agafonkin"));
}
