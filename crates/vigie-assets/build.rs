//! Build script of `vigie-assets`.
//!
//! 1. Makes sure `web/node_modules` matches the committed `web/package-lock.json`, running
//!    `npm ci --no-audit --no-fund` in `web/` when it does not (or uses `VIGIE_ASSETS_DIR`).
//! 2. Copies the DSFR files Vigie's pages need (the entry CSS and JS, everything their CSS
//!    references by relative `url(...)`, fonts, icons, favicons) into `OUT_DIR`, checking that every
//!    relative `url(...)` resolves to an embedded file.
//! 3. Writes `OUT_DIR/dsfr_assets.rs`: a sorted table of `(path, Asset)` built with
//!    `include_bytes!`, with content types and etags computed here.
//! 4. Does the same, file by file from their `dist` folders, for the other packages (Leaflet and
//!    its plugins Leaflet.markercluster and Leaflet.heat, Cytoscape.js; [`NpmPackage`]):
//!    `OUT_DIR/leaflet_assets.rs`, `OUT_DIR/leaflet_markercluster_assets.rs`,
//!    `OUT_DIR/leaflet_heat_assets.rs`, `OUT_DIR/cytoscape_assets.rs`, each with the package's
//!    version (checked against the lockfile) and licence text.
//!
//! The files are copied into `OUT_DIR` (rather than included straight from `web/node_modules`) so
//! that deleting or reinstalling `web/node_modules` never breaks or dirties an existing build.

use std::collections::{BTreeMap, BTreeSet};
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Instant, SystemTime};

use serde_json::Value;
use sha2::{Digest, Sha256};

type Result<T> = std::result::Result<T, String>;

/// The npm package of the French State design system.
const DSFR_PACKAGE: &str = "@gouvfr/dsfr";
/// Files of the DSFR `dist` folder that Vigie's pages link to directly.
const DSFR_ROOTS: &[&str] = &[
    "dsfr.min.css",
    "dsfr.module.min.js",
    "dsfr.nomodule.min.js",
    "utility/icons/icons.min.css",
];
/// Folders of the DSFR `dist` folder embedded whole (files of a known content type, no source
/// maps): fonts and icons are also reached through the CSS, favicons only from HTML.
const DSFR_DIRS: &[&str] = &["favicon", "fonts", "icons"];
/// Offline escape hatch: the `dist` folder of an unpacked `@gouvfr/dsfr` package.
const ASSETS_DIR_ENV: &str = "VIGIE_ASSETS_DIR";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!(
                "\nerror: vigie-assets could not gather the DSFR front-end files.\n\n{message}\n"
            );
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let manifest_dir = PathBuf::from(env_var("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env_var("OUT_DIR")?);
    let web = manifest_dir.join("..").join("..").join("web");
    let web = fs::canonicalize(&web).map_err(|e| {
        format!(
            "the front-end folder {} is missing ({e}); it holds package.json and package-lock.json.",
            web.display()
        )
    })?;
    let lockfile = web.join("package-lock.json");
    let package_json = web.join("package.json");
    println!("cargo:rerun-if-changed={}", lockfile.display());
    println!("cargo:rerun-if-changed={}", package_json.display());
    println!("cargo:rerun-if-env-changed={ASSETS_DIR_ENV}");

    let lock = read_json(&lockfile)?;
    let pinned = pinned_version(&lock, DSFR_PACKAGE)?;

    match env::var_os(ASSETS_DIR_ENV).filter(|v| !v.is_empty()) {
        Some(dir) => {
            let dist = PathBuf::from(dir);
            println!("cargo:rerun-if-changed={}", dist.display());
            let source = Source::from_unpacked_dist(&dist)?;
            if source.version != pinned {
                println!(
                    "cargo:warning={ASSETS_DIR_ENV} holds {DSFR_PACKAGE} {} but web/package-lock.json pins {pinned}",
                    source.version
                );
            }
            embed(&source, &out_dir)?;
            embed_others(&web, &lock, &out_dir)
        }
        None => {
            // Several builds (other target dirs, an IDE) may share web/: hold an exclusive lock on
            // the lockfile while installing and copying, so no `npm ci` empties node_modules under
            // another build's feet. The lock is released by the OS if the build is killed.
            let lock_handle = fs::File::open(&lockfile)
                .map_err(|e| format!("cannot open {}: {e}", lockfile.display()))?;
            let mut rw = fd_lock::RwLock::new(lock_handle);
            let _guard = rw
                .write()
                .map_err(|e| format!("cannot lock {}: {e}", lockfile.display()))?;
            ensure_installed(&web, &lock, &pinned)?;
            let package = web.join("node_modules").join(DSFR_PACKAGE);
            let source = Source::from_package(&package)?;
            if source.version != pinned {
                return Err(format!(
                    "web/node_modules holds {DSFR_PACKAGE} {} but web/package-lock.json pins {pinned}.",
                    source.version
                ));
            }
            embed(&source, &out_dir)?;
            embed_others(&web, &lock, &out_dir)
        }
    }
}

/// An npm package other than the DSFR, embedded file by file from its `dist` folder.
struct NpmPackage {
    /// The npm name, as in `web/package-lock.json`.
    name: &'static str,
    /// Prefix of the generated constants (`LEAFLET` → `LEAFLET_VERSION`, `LEAFLET_LICENCE`,
    /// `LEAFLET`) and, lowercased, of the generated file and the copy folder in `OUT_DIR`.
    ident: &'static str,
    /// The licence file at the package's root.
    licence: &'static str,
    /// Files relative to the package's `dist`, with their content types.
    files: &'static [(&'static str, &'static str)],
}

/// Leaflet (the map library of the map page): its `dist` script, stylesheet and marker images.
const LEAFLET: NpmPackage = NpmPackage {
    name: "leaflet",
    ident: "LEAFLET",
    licence: "LICENSE",
    files: &[
        ("leaflet.js", "text/javascript; charset=utf-8"),
        ("leaflet.css", "text/css; charset=utf-8"),
        ("images/layers.png", "image/png"),
        ("images/layers-2x.png", "image/png"),
        ("images/marker-icon.png", "image/png"),
        ("images/marker-icon-2x.png", "image/png"),
        ("images/marker-shadow.png", "image/png"),
    ],
};

/// Leaflet.markercluster (MIT; the dealing points' map groups nearby points): its minified script
/// and its base stylesheet (the animations; Vigie draws the clusters' icons itself, so
/// `MarkerCluster.Default.css` is left out).
const LEAFLET_MARKERCLUSTER: NpmPackage = NpmPackage {
    name: "leaflet.markercluster",
    ident: "LEAFLET_MARKERCLUSTER",
    licence: "MIT-LICENCE.txt",
    files: &[
        ("leaflet.markercluster.js", "text/javascript; charset=utf-8"),
        ("MarkerCluster.css", "text/css; charset=utf-8"),
    ],
};

/// Leaflet.heat (BSD 2-Clause, simpleheat bundled; the heat view of the dealing points' map): its
/// one minified script. Its package.json names no licence (so the lockfile has none); the
/// package's `LICENSE` file is the BSD 2-Clause text, embedded like the others.
const LEAFLET_HEAT: NpmPackage = NpmPackage {
    name: "leaflet.heat",
    ident: "LEAFLET_HEAT",
    licence: "LICENSE",
    files: &[("leaflet-heat.js", "text/javascript; charset=utf-8")],
};

/// Cytoscape.js (the link chart of the entity page): its minified browser build only.
const CYTOSCAPE: NpmPackage = NpmPackage {
    name: "cytoscape",
    ident: "CYTOSCAPE",
    licence: "LICENSE",
    files: &[("cytoscape.min.js", "text/javascript; charset=utf-8")],
};

/// Embeds every package other than the DSFR. With `VIGIE_ASSETS_DIR` (offline DSFR), they must
/// still be in `web/node_modules`.
fn embed_others(web: &Path, lock: &Value, out_dir: &Path) -> Result<()> {
    for package in [&LEAFLET, &LEAFLET_MARKERCLUSTER, &LEAFLET_HEAT, &CYTOSCAPE] {
        embed_package(package, web, lock, out_dir)?;
    }
    Ok(())
}

/// Copies the package's files into `OUT_DIR/<name>/` and writes `OUT_DIR/<name>_assets.rs`: its
/// version (checked against the lockfile), its licence text and its sorted table of files.
fn embed_package(spec: &NpmPackage, web: &Path, lock: &Value, out_dir: &Path) -> Result<()> {
    let name = spec.name;
    let ident = spec.ident;
    let lower = ident.to_lowercase();
    let pinned = pinned_version(lock, name)?;
    let package = web.join("node_modules").join(name);
    let manifest = read_json(&package.join("package.json"))?;
    let version = manifest
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if version != pinned {
        return Err(format!(
            "web/node_modules holds {name} {version} but web/package-lock.json pins {pinned}."
        ));
    }
    let mut code = String::from("// @generated by crates/vigie-assets/build.rs; do not edit.\n");
    let _ = writeln!(
        code,
        "pub(crate) const {ident}_VERSION: &str = {version:?};"
    );
    let licence = out_dir.join(format!("{lower}-LICENSE"));
    let licence_text = fs::read(package.join(spec.licence))
        .map_err(|e| format!("cannot read the {name} {}: {e}", spec.licence))?;
    write_file(&licence, &licence_text)?;
    let _ = writeln!(
        code,
        "pub(crate) const {ident}_LICENCE: &str = include_str!({:?});",
        path_str(&licence)?
    );
    let _ = writeln!(
        code,
        "pub(crate) static {ident}: &[(&str, crate::Asset)] = &["
    );
    let mut sorted: Vec<_> = spec.files.to_vec();
    sorted.sort();
    for (path, content_type) in sorted {
        let from = package.join("dist").join(path);
        embed_file(
            &mut code,
            path,
            content_type,
            &from,
            &out_dir.join(&lower).join(path),
        )?;
    }
    let _ = writeln!(code, "];");
    write_file(&out_dir.join(format!("{lower}_assets.rs")), code.as_bytes())
}

/// Copies one file into `OUT_DIR` and appends its table row (bytes, content type, etag) to `code`;
/// returns its size.
fn embed_file(
    code: &mut String,
    path: &str,
    content_type: &str,
    from: &Path,
    to: &Path,
) -> Result<u64> {
    let bytes = fs::read(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    write_file(to, &bytes)?;
    let digest = Sha256::digest(&bytes);
    let etag: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let _ = writeln!(
        code,
        "    ({path:?}, crate::Asset {{ bytes: include_bytes!({:?}), content_type: {content_type:?}, etag: {etag:?} }}),",
        path_str(to)?
    );
    Ok(bytes.len() as u64)
}

fn env_var(name: &str) -> Result<String> {
    env::var(name).map_err(|e| format!("environment variable {name} is not set by cargo: {e}"))
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

/// The version the lockfile pins for `package` (lockfile v2/v3 `packages` map).
fn pinned_version(lock: &Value, package: &str) -> Result<String> {
    lock.get("packages")
        .and_then(|p| p.get(format!("node_modules/{package}")))
        .and_then(|p| p.get("version"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            format!(
                "web/package-lock.json does not pin {package} (or is not a lockfile v2/v3); \
                 regenerate it with `npm install --package-lock-only --prefix web`."
            )
        })
}

// ---------------------------------------------------------------------------------------------
// npm install
// ---------------------------------------------------------------------------------------------

/// Runs `npm ci` in `web/` unless `web/node_modules` already matches the lockfile.
fn ensure_installed(web: &Path, lock: &Value, pinned: &str) -> Result<()> {
    let Some(reason) = install_problem(web, lock)? else {
        return Ok(());
    };
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let started = Instant::now();
    let output = Command::new(npm)
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(web)
        .output();
    let usual_fix = format!(
        "To fix: install Node.js (20 or later) with npm, then run from the repository root\n\n    \
         npm ci --prefix web\n\nand build again. Offline, set {ASSETS_DIR_ENV} to the absolute path \
         of the `dist` folder of an unpacked {DSFR_PACKAGE} {pinned} package (on a connected \
         machine: `npm pack {DSFR_PACKAGE}@{pinned}`, then untar it: the folder is package/dist)."
    );
    let (failure, fix) = match output {
        Err(e) if e.kind() == io::ErrorKind::NotFound => (
            "npm was not found on PATH (Node.js 20 or later with npm is needed to build Vigie)."
                .to_owned(),
            usual_fix,
        ),
        Err(e) => (format!("npm could not be started: {e}"), usual_fix),
        Ok(out) if !out.status.success() => {
            let log = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let failure = format!("`npm ci` failed ({}):\n{}", out.status, log.trim_end());
            let licence_gate = ["DSFR_ACCEPT_LICENSE", "NO_YML", "MISSING_FIELD", "[UPDATE-"]
                .iter()
                .any(|needle| log.contains(needle));
            let fix = if licence_gate {
                format!(
                    "This DSFR version refuses to install until its terms of use (doc/legal/cgu.md \
                     in the package) are accepted, with a `.dsfr.yml` file holding \
                     `accept-license: <cguVersion>` in the folder npm is started from (web/ for \
                     this build) or DSFR_ACCEPT_LICENSE=1. Accepting them is the project's \
                     decision, not the build's: either accept them that way, or pin a DSFR \
                     version without this gate (1.14.x or earlier) in web/package.json. \
                     Installing Node.js again will not help.\n\n{usual_fix}"
                )
            } else {
                usual_fix
            };
            (failure, fix)
        }
        Ok(_) => {
            eprintln!(
                "vigie-assets: ran `npm ci` in {} in {:.1}s ({reason})",
                web.display(),
                started.elapsed().as_secs_f64()
            );
            return match install_problem(web, lock)? {
                None => Ok(()),
                Some(still) => Err(format!(
                    "`npm ci` succeeded but web/node_modules still does not match \
                     web/package-lock.json: {still}"
                )),
            };
        }
    };
    Err(format!(
        "The DSFR files (CSS, JS, fonts, icons) are embedded into the Vigie binary at build time \
         from the npm package pinned in web/package-lock.json ({DSFR_PACKAGE} {pinned}); they are \
         never committed to the repository. The build tried to run `npm ci --no-audit --no-fund` \
         in {web} because {reason}:\n\n{failure}\n\n{fix}",
        web = web.display()
    ))
}

/// Why `web/node_modules` does not match the lockfile, or `None` if it does.
fn install_problem(web: &Path, lock: &Value) -> Result<Option<String>> {
    let packages = lock
        .get("packages")
        .and_then(Value::as_object)
        .ok_or("web/package-lock.json has no \"packages\" map (lockfile v2/v3 is needed)")?;
    let node_modules = web.join("node_modules");
    if !node_modules.is_dir() {
        return Ok(Some("web/node_modules does not exist".to_owned()));
    }
    for (key, entry) in packages {
        let Some(name) = key.strip_prefix("node_modules/") else {
            continue; // "" is the project itself; workspaces are not used
        };
        let flag = |f: &str| entry.get(f).and_then(Value::as_bool).unwrap_or(false);
        if flag("optional") || flag("link") {
            continue; // platform-specific optional packages may rightly be absent
        }
        let wanted = entry
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let manifest = web.join(key).join("package.json");
        let installed = fs::read_to_string(&manifest)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|v| v.get("version").and_then(Value::as_str).map(str::to_owned));
        match installed {
            None => return Ok(Some(format!("{name} is not installed in web/node_modules"))),
            Some(v) if v != wanted => {
                return Ok(Some(format!(
                    "web/node_modules has {name} {v}, the lockfile pins {wanted}"
                )))
            }
            Some(_) => {}
        }
    }
    // npm writes node_modules/.package-lock.json at the end of every install.
    let stamp = [
        node_modules.join(".package-lock.json"),
        node_modules.join(DSFR_PACKAGE),
    ]
    .iter()
    .find_map(|p| modified(p));
    let inputs = [web.join("package-lock.json"), web.join("package.json")];
    let newest_input = inputs.iter().filter_map(|p| modified(p)).max();
    match (stamp, newest_input) {
        (Some(stamp), Some(input)) if input > stamp => Ok(Some(
            "web/package-lock.json or web/package.json is newer than web/node_modules".to_owned(),
        )),
        (None, _) => Ok(Some("web/node_modules is incomplete".to_owned())),
        _ => Ok(None),
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

// ---------------------------------------------------------------------------------------------
// Embedding
// ---------------------------------------------------------------------------------------------

/// A DSFR `dist` folder with the facts about its package.
struct Source {
    dist: PathBuf,
    version: String,
    licence: PathBuf,
}

impl Source {
    /// `package` is `node_modules/@gouvfr/dsfr`.
    fn from_package(package: &Path) -> Result<Source> {
        let manifest = read_json(&package.join("package.json"))?;
        if manifest.get("name").and_then(Value::as_str) != Some(DSFR_PACKAGE) {
            return Err(format!(
                "{} is not the {DSFR_PACKAGE} package",
                package.display()
            ));
        }
        let version = manifest
            .get("version")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{}/package.json has no version", package.display()))?
            .to_owned();
        let licence = ["LICENSE.md", "LICENSE", "LICENCE.md"]
            .iter()
            .map(|name| package.join(name))
            .find(|p| p.is_file())
            .ok_or_else(|| format!("no LICENSE.md in {}", package.display()))?;
        Ok(Source {
            dist: package.join("dist"),
            version,
            licence,
        })
    }

    /// `dist` is the `dist` folder of an unpacked package (`VIGIE_ASSETS_DIR`).
    fn from_unpacked_dist(dist: &Path) -> Result<Source> {
        let package = dist
            .parent()
            .filter(|p| p.join("package.json").is_file())
            .ok_or_else(|| {
                format!(
                    "{ASSETS_DIR_ENV}={} must be the `dist` folder of an unpacked {DSFR_PACKAGE} \
                 package, with the package's package.json and LICENSE.md in the folder above it.",
                    dist.display()
                )
            })?;
        let mut source = Source::from_package(package)?;
        source.dist = dist.to_owned();
        Ok(source)
    }
}

/// Chooses the files, copies them into `OUT_DIR/dsfr/` and writes `OUT_DIR/dsfr_assets.rs`.
fn embed(source: &Source, out_dir: &Path) -> Result<()> {
    let files = select_files(&source.dist)?;
    let copy_root = out_dir.join("dsfr");
    if copy_root.exists() {
        fs::remove_dir_all(&copy_root)
            .map_err(|e| format!("cannot clear {}: {e}", copy_root.display()))?;
    }

    let mut code = String::new();
    let mut total: u64 = 0;
    let _ = writeln!(
        code,
        "// @generated by crates/vigie-assets/build.rs; do not edit."
    );
    let _ = writeln!(
        code,
        "pub(crate) const DSFR_VERSION: &str = {:?};",
        source.version
    );

    let licence_text = fs::read_to_string(&source.licence)
        .map_err(|e| format!("cannot read {} as UTF-8: {e}", source.licence.display()))?;
    let licence_copy = out_dir.join("dsfr-LICENSE.md");
    write_file(&licence_copy, licence_text.as_bytes())?;
    let _ = writeln!(
        code,
        "pub(crate) const DSFR_LICENCE: &str = include_str!({:?});",
        path_str(&licence_copy)?
    );

    let _ = writeln!(code, "pub(crate) static DSFR: &[(&str, crate::Asset)] = &[");
    for (path, content_type) in &files {
        let from = source.dist.join(path);
        total += embed_file(&mut code, path, content_type, &from, &copy_root.join(path))?;
    }
    let _ = writeln!(code, "];");
    write_file(&out_dir.join("dsfr_assets.rs"), code.as_bytes())?;
    eprintln!(
        "vigie-assets: embedded {} files of {DSFR_PACKAGE} {} ({total} bytes)",
        files.len(),
        source.version
    );
    Ok(())
}

/// The embedded files (path relative to `dist`, with `/`) and their content types.
///
/// The roots, every file their CSS references by relative `url(...)` (transitively), and the
/// files of known type in [`DSFR_DIRS`]. Fails if a root or a referenced file is missing, if a
/// url leaves `dist` or points outside Vigie, or if a file's type is unknown.
fn select_files(dist: &Path) -> Result<BTreeMap<String, &'static str>> {
    if !dist.is_dir() {
        return Err(format!("{} is not a folder", dist.display()));
    }
    let mut files = BTreeMap::new();
    let mut css_queue: Vec<String> = Vec::new();
    for root in DSFR_ROOTS {
        add_required(dist, root, None, &mut files, &mut css_queue)?;
    }
    for dir in DSFR_DIRS {
        let folder = dist.join(dir);
        if !folder.is_dir() {
            return Err(format!(
                "{} has no {dir}/ folder: the DSFR dist layout changed; update DSFR_DIRS in \
                 crates/vigie-assets/build.rs",
                dist.display()
            ));
        }
        let mut found = Vec::new();
        walk(&folder, dir, &mut found)?;
        for path in found {
            if let Some(content_type) = content_type(&path) {
                if path.ends_with(".css") {
                    css_queue.push(path.clone());
                }
                files.insert(path, content_type);
            }
        }
    }
    let mut scanned = BTreeSet::new();
    while let Some(css_path) = css_queue.pop() {
        if !scanned.insert(css_path.clone()) {
            continue;
        }
        let css = fs::read_to_string(dist.join(&css_path))
            .map_err(|e| format!("cannot read {css_path} as UTF-8: {e}"))?;
        let base = css_path.rsplit_once('/').map_or("", |(dir, _)| dir);
        for url in css_urls(&css) {
            let Some(target) = local_target(&url).map_err(|e| format!("{css_path}: {e}"))? else {
                continue;
            };
            let resolved = resolve(base, target)
                .ok_or_else(|| format!("{css_path}: url({url}) leaves the DSFR dist folder"))?;
            add_required(
                dist,
                &resolved,
                Some((&css_path, &url)),
                &mut files,
                &mut css_queue,
            )?;
        }
    }
    Ok(files)
}

fn add_required(
    dist: &Path,
    path: &str,
    referrer: Option<(&str, &str)>,
    files: &mut BTreeMap<String, &'static str>,
    css_queue: &mut Vec<String>,
) -> Result<()> {
    let whence = match referrer {
        Some((css, url)) => format!(" (referenced by url({url}) in {css})"),
        None => String::new(),
    };
    if !dist.join(path).is_file() {
        return Err(format!(
            "{path}{whence} is not in the DSFR dist folder {}: the dist layout changed; update \
             crates/vigie-assets/build.rs",
            dist.display()
        ));
    }
    let content_type = content_type(path)
        .ok_or_else(|| format!("{path}{whence} has an extension Vigie has no content type for"))?;
    files.insert(path.to_owned(), content_type);
    if path.ends_with(".css") {
        css_queue.push(path.to_owned());
    }
    Ok(())
}

/// Files under `folder`, as `prefix/relative/path`, skipping source maps and dot-files.
fn walk(folder: &Path, prefix: &str, found: &mut Vec<String>) -> Result<()> {
    let entries =
        fs::read_dir(folder).map_err(|e| format!("cannot list {}: {e}", folder.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", folder.display()))?;
        let name = entry.file_name();
        let name = name
            .to_str()
            .ok_or_else(|| format!("non UTF-8 file name in {}", folder.display()))?;
        if name.starts_with('.') || name.ends_with(".map") {
            continue;
        }
        let path = format!("{prefix}/{name}");
        let kind = entry.file_type().map_err(|e| format!("{path}: {e}"))?;
        if kind.is_dir() {
            walk(&entry.path(), &path, found)?;
        } else if kind.is_file() {
            found.push(path);
        }
    }
    Ok(())
}

/// The content type served for a path, by extension; `None` for types Vigie does not serve.
fn content_type(path: &str) -> Option<&'static str> {
    let (_, ext) = path.rsplit_once('.')?;
    Some(match ext {
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "webmanifest" => "application/manifest+json",
        _ => return None,
    })
}

/// The values of every `url(...)` in a stylesheet, quotes removed.
fn css_urls(css: &str) -> Vec<String> {
    let mut urls = Vec::new();
    let mut rest = css;
    while let Some(at) = rest.find("url(") {
        let after = rest[at + 4..].trim_start();
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'');
        let (value, tail) = match quote {
            Some(q) => match after[1..].find(q) {
                Some(end) => (&after[1..1 + end], &after[1 + end + 1..]),
                None => break,
            },
            None => match after.find(')') {
                Some(end) => (after[..end].trim_end(), &after[end + 1..]),
                None => break,
            },
        };
        urls.push(value.to_owned());
        rest = tail;
    }
    urls
}

/// The file part of a relative url, or `None` for urls that need no file (`data:`, `#id`).
/// Absolute and external urls are errors: Vigie serves everything itself.
fn local_target(url: &str) -> Result<Option<&str>> {
    let url = url.trim();
    if url.is_empty() || url.starts_with('#') || url.starts_with("data:") {
        return Ok(None);
    }
    let scheme_end = url.find(':');
    let first_slash = url.find('/');
    let has_scheme = matches!((scheme_end, first_slash), (Some(c), Some(s)) if c < s)
        || matches!((scheme_end, first_slash), (Some(_), None));
    if has_scheme || url.starts_with('/') {
        return Err(format!(
            "url({url}) is absolute or external; Vigie must be self-contained"
        ));
    }
    let end = url.find(['?', '#']).unwrap_or(url.len());
    Ok(Some(&url[..end]))
}

/// `rel` resolved against the folder `base` (both relative to dist); `None` if it leaves dist.
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

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn path_str(path: &Path) -> Result<&str> {
    path.to_str()
        .ok_or_else(|| format!("{} is not valid UTF-8", path.display()))
}
