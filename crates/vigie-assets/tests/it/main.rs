//! Integration tests of the embedded front-end files: the DSFR here, Cytoscape.js and the Leaflet
//! plugins in their modules.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: a failed unwrap is a failed test.

mod cytoscape;
mod leaflet_plugins;

use sha2::{Digest, Sha256};
use vigie_assets::{dsfr, dsfr_licence, dsfr_paths, dsfr_version};

const ENTRY_FILES: &[(&str, &str)] = &[
    ("dsfr.min.css", "text/css; charset=utf-8"),
    ("dsfr.module.min.js", "text/javascript; charset=utf-8"),
    ("dsfr.nomodule.min.js", "text/javascript; charset=utf-8"),
    ("utility/icons/icons.min.css", "text/css; charset=utf-8"),
];

#[test]
fn entry_css_and_js_are_present_and_non_empty() {
    for (path, content_type) in ENTRY_FILES {
        let asset = dsfr(path).unwrap_or_else(|| panic!("{path} is not embedded"));
        assert!(asset.bytes.len() > 10_000, "{path} is suspiciously small");
        assert_eq!(asset.content_type, *content_type, "{path}");
    }
    let css = std::str::from_utf8(dsfr("dsfr.min.css").unwrap().bytes).unwrap();
    assert!(
        css.contains(".fr-header"),
        "dsfr.min.css does not look like the DSFR"
    );
}

#[test]
fn fonts_icons_and_favicons_are_embedded() {
    for path in [
        "fonts/Marianne-Regular.woff2",
        "fonts/Marianne-Bold.woff2",
        "fonts/Spectral-Regular.woff2",
        "favicon/favicon.svg",
        "favicon/favicon.ico",
        "favicon/apple-touch-icon.png",
        "favicon/manifest.webmanifest",
    ] {
        assert!(dsfr(path).is_some(), "{path} is not embedded");
    }
    assert!(
        dsfr_paths()
            .filter(|p| p.starts_with("icons/") && p.ends_with(".svg"))
            .count()
            > 500
    );
}

#[test]
fn content_types_follow_the_extension() {
    let mut seen = 0;
    for path in dsfr_paths() {
        let asset = dsfr(path).unwrap();
        let ext = path.rsplit_once('.').unwrap().1;
        let expected = match ext {
            "css" => "text/css; charset=utf-8",
            "js" => "text/javascript; charset=utf-8",
            "woff2" => "font/woff2",
            "woff" => "font/woff",
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "ico" => "image/x-icon",
            "webmanifest" => "application/manifest+json",
            other => panic!("{path}: unexpected extension {other}"),
        };
        assert_eq!(asset.content_type, expected, "{path}");
        assert!(!asset.bytes.is_empty(), "{path} is empty");
        seen += 1;
    }
    assert!(seen > 1000, "only {seen} files embedded");
}

#[test]
fn no_source_maps_are_embedded() {
    assert!(dsfr_paths().all(|p| !p.ends_with(".map")));
    assert!(dsfr("dsfr.min.css.map").is_none());
}

#[test]
fn etags_are_the_sha256_prefix_of_the_bytes() {
    for path in dsfr_paths() {
        let asset = dsfr(path).unwrap();
        let digest = Sha256::digest(asset.bytes);
        let expected: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        assert_eq!(asset.etag, expected, "{path}");
    }
}

#[test]
fn paths_are_sorted_unique_and_each_finds_itself() {
    let paths: Vec<&str> = dsfr_paths().collect();
    assert!(
        paths.windows(2).all(|w| w[0] < w[1]),
        "paths are not strictly sorted"
    );
    for path in &paths {
        assert!(dsfr(path).is_some(), "{path} is listed but not found");
        assert!(
            !path.starts_with('/') && !path.contains('\\') && !path.contains("//"),
            "{path}"
        );
    }
}

/// Every relative `url(...)` of every embedded stylesheet resolves to an embedded file, so the
/// pages never ask for a file that Vigie does not serve.
#[test]
fn every_relative_css_url_resolves_to_an_embedded_file() {
    let mut checked = 0;
    for css_path in dsfr_paths().filter(|p| p.ends_with(".css")) {
        let css = std::str::from_utf8(dsfr(css_path).unwrap().bytes).unwrap();
        let base = css_path.rsplit_once('/').map_or("", |(dir, _)| dir);
        for url in urls(css) {
            if url.is_empty() || url.starts_with("data:") || url.starts_with('#') {
                continue;
            }
            assert!(
                !url.contains("://") && !url.starts_with('/'),
                "{css_path}: url({url}) is absolute or external"
            );
            let file = url.split(['?', '#']).next().unwrap();
            let resolved = resolve(base, file)
                .unwrap_or_else(|| panic!("{css_path}: url({url}) leaves the dist root"));
            assert!(
                dsfr(&resolved).is_some(),
                "{css_path}: url({url}) -> {resolved} is not embedded"
            );
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} urls checked");
}

#[test]
fn unknown_paths_give_none() {
    for path in [
        "",
        "/",
        "nope.css",
        "dsfr.css",
        "/dsfr.min.css",
        "DSFR.MIN.CSS",
        "dsfr.min.css?v=1",
        "fonts/",
        "fonts",
        "icons/system/does-not-exist.svg",
        "package.json",
        "LICENSE.md",
    ] {
        assert!(dsfr(path).is_none(), "{path:?} should not be found");
    }
}

#[test]
fn paths_with_dot_segments_give_none() {
    for path in [
        "..",
        "../package.json",
        "../dist/dsfr.min.css",
        "fonts/../dsfr.min.css",
        "utility/icons/../../dsfr.min.css",
        "./dsfr.min.css",
        "fonts/./Marianne-Regular.woff2",
        "..\\dsfr.min.css",
    ] {
        assert!(dsfr(path).is_none(), "{path:?} should not be found");
    }
}

#[test]
fn version_is_the_one_pinned_in_the_lockfile() {
    let lockfile = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/package-lock.json");
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(lockfile).unwrap()).unwrap();
    let pinned = lock["packages"]["node_modules/@gouvfr/dsfr"]["version"]
        .as_str()
        .unwrap();
    let package: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../web/package.json"
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        package["dependencies"]["@gouvfr/dsfr"].as_str(),
        Some(pinned),
        "web/package.json must pin the exact version"
    );
    if std::env::var_os("VIGIE_ASSETS_DIR").is_none() {
        assert_eq!(dsfr_version(), pinned);
    }
    assert!(dsfr_version().starts_with("1."));
}

#[test]
fn licence_is_embedded() {
    let licence = dsfr_licence();
    assert!(licence.len() > 500);
    assert!(licence.contains("Permission is hereby granted") || licence.contains("Etalab"));
}

#[test]
fn embedded_total_stays_reasonable() {
    let total: usize = dsfr_paths().map(|p| dsfr(p).unwrap().bytes.len()).sum();
    let count = dsfr_paths().count();
    println!(
        "{count} files, {total} bytes embedded (DSFR {})",
        dsfr_version()
    );
    assert!(total < 8 * 1024 * 1024, "{total} bytes embedded");
}

/// The values of every `url(...)` in a stylesheet (independent of the build script's parser).
fn urls(css: &str) -> Vec<String> {
    css.split("url(")
        .skip(1)
        .filter_map(|chunk| {
            let chunk = chunk.trim_start();
            let value = match chunk.chars().next()? {
                q @ ('"' | '\'') => chunk[1..].split(q).next()?,
                _ => chunk.split(')').next()?,
            };
            Some(value.trim().to_owned())
        })
        .collect()
}

fn resolve(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for segment in rel.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}
