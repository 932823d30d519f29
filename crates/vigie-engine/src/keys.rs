//! The journal key file and the external checkpoint log, both kept outside the database.
//!
//! The key file holds the 32-byte seed (hex) from which the checkpoint signing key and the entry MAC
//! key are derived; someone who can edit the database but not read this file cannot forge entries.
//! The checkpoint log is an append-only text file of signed notes, fsynced after each append; it is
//! what detects a truncated journal. Both paths come from the configuration.

use crate::error::{EngineError, EngineResult};
use rand::RngCore;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use vigie_core::journal::{Checkpoint, JournalKey};

/// Loads the journal key from `path`, or creates it when `create` is set and the file is absent.
pub fn load_journal_key(path: &Path, create: bool) -> EngineResult<JournalKey> {
    match fs::read_to_string(path) {
        Ok(text) => {
            let bytes = hex::decode(text.trim()).map_err(|_| {
                EngineError::Config(format!("journal key file {} is not valid hex", path.display()))
            })?;
            let seed: [u8; 32] = bytes.try_into().map_err(|_| {
                EngineError::Config(format!("journal key file {} must hold 32 bytes", path.display()))
            })?;
            Ok(JournalKey::from_seed(seed))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && create => {
            let mut seed = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut seed);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|error| io_config(path, error))?;
            }
            write_private(path, format!("{}\n", hex::encode(seed)).as_bytes())?;
            Ok(JournalKey::from_seed(seed))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Err(EngineError::Config(format!(
            "journal key file {} not found (run `vigie migrate` to create it, or point --journal-key at it)",
            path.display()
        ))),
        Err(error) => Err(io_config(path, error)),
    }
}

fn io_config(path: &Path, error: std::io::Error) -> EngineError {
    EngineError::Config(format!("{}: {error}", path.display()))
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> EngineResult<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|error| io_config(path, error))?;
    file.write_all(bytes)
        .map_err(|error| io_config(path, error))?;
    file.sync_all().map_err(|error| io_config(path, error))
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> EngineResult<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|error| io_config(path, error))?;
    file.write_all(bytes)
        .map_err(|error| io_config(path, error))?;
    file.sync_all().map_err(|error| io_config(path, error))
}

/// Appends a signed checkpoint to the external log and fsyncs it.
pub fn append_checkpoint(
    path: &Path,
    checkpoint: &Checkpoint,
    key: &JournalKey,
) -> EngineResult<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|error| io_config(path, error))?;
    }
    let mut file = OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|error| EngineError::JournalUnavailable(format!("checkpoint log: {error}")))?;
    file.write_all(checkpoint.to_note(key.key_id()).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|error| EngineError::JournalUnavailable(format!("checkpoint log: {error}")))
}

/// Reads every checkpoint in the external log (none if the file does not exist).
pub fn read_checkpoints(path: &Path) -> EngineResult<Vec<Checkpoint>> {
    match fs::read_to_string(path) {
        Ok(text) => Checkpoint::parse_many(&text).map_err(|line| {
            EngineError::Corrupt(format!(
                "checkpoint log {} is malformed near line {line}",
                path.display()
            ))
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(error) => Err(io_config(path, error)),
    }
}
