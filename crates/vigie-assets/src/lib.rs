//! The front-end files of Vigie's web pages, embedded into the binary.
//!
//! What it does: at build time, `build.rs` installs the npm packages pinned in the committed
//! `web/package-lock.json` (running `npm ci` in `web/` when `web/node_modules` does not match it,
//! or taking an already unpacked DSFR `dist` folder from `VIGIE_ASSETS_DIR` for offline builds)
//! and embeds, with `include_bytes!`, the files of the French State design system
//! ([DSFR](https://www.systeme-de-design.gouv.fr/), npm package `@gouvfr/dsfr`) that the pages
//! use: `dsfr.min.css`, `dsfr.module.min.js`, `dsfr.nomodule.min.js`,
//! `utility/icons/icons.min.css`, every file those stylesheets reference by relative `url(...)`
//! (Marianne and Spectral fonts, icon SVGs), and the favicons. The build fails if a relative
//! `url(...)` of an embedded stylesheet does not resolve to an embedded file. Each file comes with
//! its content type and a strong etag (SHA-256 of the bytes, computed at build time). Lookup is a
//! binary search in a sorted static table: no allocation, no I/O.
//!
//! What it does not do: no HTTP (routes, caching headers, compression and the URL prefix under
//! which the files are served belong to the server crate), no HTML, no rewriting or minifying of
//! the files (they are served byte for byte as published), no source maps, and nothing is read
//! from disk at run time. The DSFR files are never committed to the repository.
//!
//! More packages are embedded the same way, file by file from their `dist` folder, each with its
//! version (checked against the lockfile) and its licence text:
//! - Leaflet (npm package `leaflet`, BSD 2-Clause), the map library of the map page: its script,
//!   stylesheet and marker images ([`leaflet`]);
//! - Leaflet.markercluster (npm package `leaflet.markercluster`, MIT), which groups the dealing
//!   points of the points' map into clusters: its minified script and base stylesheet
//!   ([`leaflet_markercluster`]);
//! - Leaflet.heat (npm package `leaflet.heat`, BSD 2-Clause, with simpleheat bundled), the heat
//!   view of the same map: its one minified script ([`leaflet_heat`]);
//! - Cytoscape.js (npm package `cytoscape`, MIT), which draws the link chart of the entity page:
//!   its minified browser build `cytoscape.min.js` only ([`cytoscape`]).
//!
//! ```
//! let css = vigie_assets::dsfr("dsfr.min.css").map(|a| a.content_type);
//! assert_eq!(css, Some("text/css; charset=utf-8"));
//! assert!(vigie_assets::dsfr("../package.json").is_none());
//! ```

mod generated {
    include!(concat!(env!("OUT_DIR"), "/dsfr_assets.rs"));
    include!(concat!(env!("OUT_DIR"), "/leaflet_assets.rs"));
    include!(concat!(env!("OUT_DIR"), "/leaflet_markercluster_assets.rs"));
    include!(concat!(env!("OUT_DIR"), "/leaflet_heat_assets.rs"));
    include!(concat!(env!("OUT_DIR"), "/cytoscape_assets.rs"));
}

/// One embedded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asset {
    /// The file's bytes, exactly as published in the npm package.
    pub bytes: &'static [u8],
    /// The `Content-Type` to serve it with, e.g. `text/css; charset=utf-8`, `font/woff2`.
    pub content_type: &'static str,
    /// A strong validator of the bytes: the first 16 lowercase hex digits of their SHA-256,
    /// without quotes (the `ETag` header value is this wrapped in double quotes).
    pub etag: &'static str,
}

/// The embedded DSFR file at `path`, or `None`.
///
/// `path` is relative to the DSFR dist root, e.g. "dsfr.min.css", "fonts/Marianne-Regular.woff2",
/// "utility/icons/icons.min.css". It must be exactly an embedded path: no leading `/`, no `.` or
/// `..` segments, no query string; anything else gives `None`.
pub fn dsfr(path: &str) -> Option<Asset> {
    if path
        .split('/')
        .any(|segment| segment == ".." || segment == ".")
    {
        return None;
    }
    find(generated::DSFR, path)
}

/// The version of the embedded `@gouvfr/dsfr` package, e.g. "1.14.4".
pub fn dsfr_version() -> &'static str {
    generated::DSFR_VERSION
}

/// Every embedded DSFR path, in ascending byte order.
pub fn dsfr_paths() -> impl Iterator<Item = &'static str> {
    generated::DSFR.iter().map(|(path, _)| *path)
}

/// The licence text shipped in the `@gouvfr/dsfr` package (`LICENSE.md`), to be shown or
/// shipped with Vigie.
pub fn dsfr_licence() -> &'static str {
    generated::DSFR_LICENCE
}

/// The embedded Leaflet file at `path` (relative to Leaflet's `dist`: "leaflet.js", "images/layers.png").
pub fn leaflet(path: &str) -> Option<Asset> {
    find(generated::LEAFLET, path)
}

/// The version of the embedded `leaflet` package, e.g. "1.9.4".
pub fn leaflet_version() -> &'static str {
    generated::LEAFLET_VERSION
}

/// Leaflet's licence (BSD 2-Clause), to be shown or shipped with Vigie.
pub fn leaflet_licence() -> &'static str {
    generated::LEAFLET_LICENCE
}

/// The embedded Leaflet.markercluster file at `path`, relative to the package's `dist`:
/// "leaflet.markercluster.js" or "MarkerCluster.css"; anything else gives `None`.
pub fn leaflet_markercluster(path: &str) -> Option<Asset> {
    find(generated::LEAFLET_MARKERCLUSTER, path)
}

/// The version of the embedded `leaflet.markercluster` package, e.g. "1.5.3".
pub fn leaflet_markercluster_version() -> &'static str {
    generated::LEAFLET_MARKERCLUSTER_VERSION
}

/// Leaflet.markercluster's licence (MIT, the package's `MIT-LICENCE.txt`), to be shown or shipped
/// with Vigie.
pub fn leaflet_markercluster_licence() -> &'static str {
    generated::LEAFLET_MARKERCLUSTER_LICENCE
}

/// The embedded Leaflet.heat file at `path`, relative to the package's `dist`: only
/// "leaflet-heat.js"; anything else gives `None`.
pub fn leaflet_heat(path: &str) -> Option<Asset> {
    find(generated::LEAFLET_HEAT, path)
}

/// The version of the embedded `leaflet.heat` package, e.g. "0.2.0".
pub fn leaflet_heat_version() -> &'static str {
    generated::LEAFLET_HEAT_VERSION
}

/// Leaflet.heat's licence (BSD 2-Clause, the package's `LICENSE`), to be shown or shipped with
/// Vigie.
pub fn leaflet_heat_licence() -> &'static str {
    generated::LEAFLET_HEAT_LICENCE
}

/// The embedded Cytoscape.js file at `path`, relative to the package's `dist`: only
/// "cytoscape.min.js" (served as `text/javascript; charset=utf-8`); anything else gives `None`.
pub fn cytoscape(path: &str) -> Option<Asset> {
    find(generated::CYTOSCAPE, path)
}

/// The version of the embedded `cytoscape` package, e.g. "3.34.4".
pub fn cytoscape_version() -> &'static str {
    generated::CYTOSCAPE_VERSION
}

/// Cytoscape.js's licence (MIT, the package's `LICENSE`), to be shown or shipped with Vigie.
pub fn cytoscape_licence() -> &'static str {
    generated::CYTOSCAPE_LICENCE
}

/// Binary search in a sorted table of embedded files.
fn find(table: &'static [(&'static str, Asset)], path: &str) -> Option<Asset> {
    table
        .binary_search_by(|(candidate, _)| (*candidate).cmp(path))
        .ok()
        .and_then(|index| table.get(index))
        .map(|(_, asset)| *asset)
}
