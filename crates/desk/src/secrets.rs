//! Where the national system's secrets live: the private key of the client
//! certificate and the password. Never in SQLite, the configuration or a
//! log line.
//!
//! The operating system's keyring comes first (the Secret Service on Linux:
//! GNOME Keyring, KWallet). Where none answers, an encrypted file is the
//! fallback: AES-256-GCM under a key derived (PBKDF2-HMAC-SHA256, 200,000
//! rounds) from this machine's id and a random salt kept in the file, the
//! file readable by its owner only. That protects the secrets in a copied
//! data folder or a backup, not from the machine's own administrator;
//! `docs/settings.md` says so where the setting is explained.

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Why a secret could not be read or kept.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the keyring refused: {0}")]
    Keyring(String),
    #[error("the secrets file {path}: {why}")]
    File { path: String, why: String },
    #[error("the secrets file cannot be opened on this machine (moved from another, or damaged)")]
    Undecryptable,
}

/// Which kind of store holds the secrets (shown in the settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretBackend {
    /// The operating system's keyring.
    Keyring,
    /// The encrypted file (no keyring answered).
    EncryptedFile,
}

pub trait SecretStore: Send + Sync {
    fn backend(&self) -> SecretBackend;
    fn get(&self, name: &str) -> Result<Option<String>, SecretError>;
    fn set(&self, name: &str, value: &str) -> Result<(), SecretError>;
    fn delete(&self, name: &str) -> Result<(), SecretError>;
}

/// The operating system's keyring, one entry per secret under `service`.
#[derive(Debug)]
pub struct OsKeyring {
    service: String,
}

impl OsKeyring {
    /// Opens the keyring and proves it works by keeping and removing a
    /// probe entry; `Err` when no keyring answers.
    pub fn probe(service: &str) -> Result<OsKeyring, SecretError> {
        let k = OsKeyring {
            service: service.to_owned(),
        };
        k.set("probe", "ok")?;
        match k.get("probe")? {
            Some(v) if v == "ok" => {}
            _ => {
                return Err(SecretError::Keyring(
                    "the probe entry did not come back".into(),
                ))
            }
        }
        k.delete("probe")?;
        Ok(k)
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, name).map_err(|e| SecretError::Keyring(e.to_string()))
    }
}

impl SecretStore for OsKeyring {
    fn backend(&self) -> SecretBackend {
        SecretBackend::Keyring
    }

    fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(SecretError::Keyring(e.to_string())),
        }
    }

    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        self.entry(name)?
            .set_password(value)
            .map_err(|e| SecretError::Keyring(e.to_string()))
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(SecretError::Keyring(e.to_string())),
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct SealedFile {
    version: u32,
    /// Hex; the PBKDF2 salt.
    salt: String,
    /// Name → hex of nonce ‖ ciphertext ‖ tag.
    items: BTreeMap<String, String>,
}

/// The encrypted-file fallback.
pub struct EncryptedFile {
    path: PathBuf,
    key: LessSafeKey,
    file: Mutex<SealedFile>,
}

impl std::fmt::Debug for EncryptedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedFile")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

const ROUNDS: u32 = 200_000;

use domain::text::{hex, unhex};

/// What binds the key to this machine and user: the machine id and the
/// user's id.
fn machine_secret() -> Vec<u8> {
    let mut m = std::fs::read("/etc/machine-id")
        .or_else(|_| std::fs::read("/var/lib/dbus/machine-id"))
        .unwrap_or_default();
    m.extend_from_slice(b"|countercheck|");
    if let Some(home) = std::env::var_os("HOME") {
        m.extend_from_slice(home.to_string_lossy().as_bytes());
    }
    m
}

impl EncryptedFile {
    /// Opens (or starts) the secrets file at `path`.
    pub fn open(path: &Path) -> Result<EncryptedFile, SecretError> {
        let err = |why: String| SecretError::File {
            path: path.display().to_string(),
            why,
        };
        let file: SealedFile = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| err(e.to_string()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut salt = [0u8; 16];
                SystemRandom::new()
                    .fill(&mut salt)
                    .map_err(|_| err("no random source".into()))?;
                SealedFile {
                    version: 1,
                    salt: hex(&salt),
                    items: BTreeMap::new(),
                }
            }
            Err(e) => return Err(err(e.to_string())),
        };
        let salt = unhex(&file.salt).ok_or_else(|| err("damaged salt".into()))?;
        let mut key = [0u8; 32];
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            NonZeroU32::new(ROUNDS).unwrap_or(NonZeroU32::MIN),
            &salt,
            &machine_secret(),
            &mut key,
        );
        let key = UnboundKey::new(&aead::AES_256_GCM, &key)
            .map_err(|_| err("cannot make the key".into()))?;
        Ok(EncryptedFile {
            path: path.to_owned(),
            key: LessSafeKey::new(key),
            file: Mutex::new(file),
        })
    }

    fn save(&self, file: &SealedFile) -> Result<(), SecretError> {
        let err = |why: String| SecretError::File {
            path: self.path.display().to_string(),
            why,
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
        }
        let json = serde_json::to_vec_pretty(file).map_err(|e| err(e.to_string()))?;
        let tmp = self.path.with_extension("tmp");
        {
            use std::io::Write;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts.open(&tmp).map_err(|e| err(e.to_string()))?;
            f.write_all(&json).map_err(|e| err(e.to_string()))?;
            f.sync_all().map_err(|e| err(e.to_string()))?;
        }
        std::fs::rename(&tmp, &self.path).map_err(|e| err(e.to_string()))
    }
}

fn lock(m: &Mutex<SealedFile>) -> std::sync::MutexGuard<'_, SealedFile> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl SecretStore for EncryptedFile {
    fn backend(&self) -> SecretBackend {
        SecretBackend::EncryptedFile
    }

    fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        let file = lock(&self.file);
        let Some(sealed) = file.items.get(name) else {
            return Ok(None);
        };
        let mut bytes = unhex(sealed).ok_or(SecretError::Undecryptable)?;
        if bytes.len() < aead::NONCE_LEN {
            return Err(SecretError::Undecryptable);
        }
        let mut body = bytes.split_off(aead::NONCE_LEN);
        let nonce =
            Nonce::try_assume_unique_for_key(&bytes).map_err(|_| SecretError::Undecryptable)?;
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(name.as_bytes()), &mut body)
            .map_err(|_| SecretError::Undecryptable)?;
        String::from_utf8(plain.to_vec())
            .map(Some)
            .map_err(|_| SecretError::Undecryptable)
    }

    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        let mut nonce = [0u8; aead::NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| SecretError::Keyring("no random source".into()))?;
        let mut body = value.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(name.as_bytes()),
                &mut body,
            )
            .map_err(|_| SecretError::Undecryptable)?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&body);
        let mut file = lock(&self.file);
        file.items.insert(name.to_owned(), hex(&sealed));
        self.save(&file)
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        let mut file = lock(&self.file);
        if file.items.remove(name).is_some() {
            self.save(&file)?;
        }
        Ok(())
    }
}

impl SecretBackend {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretBackend::Keyring => "keyring",
            SecretBackend::EncryptedFile => "encrypted_file",
        }
    }
}

/// The keyring (entries under `service`) when one answers, else the
/// encrypted file in `dir`. `COUNTERCHECK_SECRETS=file` skips the keyring
/// (tests, kiosks).
pub fn open_default(dir: &Path, service: &str) -> Result<Box<dyn SecretStore>, SecretError> {
    open_with(
        dir,
        service,
        std::env::var("COUNTERCHECK_SECRETS").is_ok_and(|v| v == "file"),
    )
}

/// As [`open_default`], the keyring skipped when `file_only`.
pub fn open_with(
    dir: &Path,
    service: &str,
    file_only: bool,
) -> Result<Box<dyn SecretStore>, SecretError> {
    if !file_only {
        if let Ok(k) = OsKeyring::probe(service) {
            return Ok(Box::new(k));
        }
    }
    Ok(Box::new(EncryptedFile::open(&dir.join("secrets.sealed"))?))
}

/// The store chosen at an earlier start: the keyring that held the secrets
/// then is used again, or an error says it does not answer (the secrets
/// are not looked for elsewhere, nor written elsewhere).
pub fn open_recorded(
    dir: &Path,
    service: &str,
    backend: SecretBackend,
) -> Result<Box<dyn SecretStore>, SecretError> {
    match backend {
        SecretBackend::Keyring => Ok(match OsKeyring::probe(service) {
            Ok(k) => Box::new(k),
            Err(e) => Box::new(Unanswered(e.to_string())),
        }),
        SecretBackend::EncryptedFile => {
            Ok(Box::new(EncryptedFile::open(&dir.join("secrets.sealed"))?))
        }
    }
}

/// The keyring that holds the secrets does not answer this time.
#[derive(Debug)]
struct Unanswered(String);

impl Unanswered {
    fn err(&self) -> SecretError {
        SecretError::Keyring(format!(
            "the keyring that holds the national system's key and password does not answer ({}); unlock it or start the desktop session's keyring",
            self.0
        ))
    }
}

impl SecretStore for Unanswered {
    fn backend(&self) -> SecretBackend {
        SecretBackend::Keyring
    }
    fn get(&self, _: &str) -> Result<Option<String>, SecretError> {
        Err(self.err())
    }
    fn set(&self, _: &str, _: &str) -> Result<(), SecretError> {
        Err(self.err())
    }
    fn delete(&self, _: &str) -> Result<(), SecretError> {
        Err(self.err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "countercheck-secrets-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn the_file_keeps_secrets_encrypted_and_owner_only() {
        let dir = temp("file");
        let path = dir.join("secrets.sealed");
        let f = EncryptedFile::open(&path).expect("ok");
        assert_eq!(f.get("nmvs.password").expect("ok"), None);
        f.set("nmvs.password", "correct horse battery").expect("ok");
        f.set("nmvs.client_key", "-----BEGIN PRIVATE KEY-----\nabc\n")
            .expect("ok");
        let raw = std::fs::read_to_string(&path).expect("ok");
        assert!(!raw.contains("correct horse"), "{raw}");
        assert!(!raw.contains("PRIVATE KEY"), "{raw}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("ok").permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by its owner only: {mode:o}");
        }
        // Opened again (the app restarted): the same secrets.
        let g = EncryptedFile::open(&path).expect("ok");
        assert_eq!(
            g.get("nmvs.password").expect("ok").as_deref(),
            Some("correct horse battery")
        );
        g.delete("nmvs.password").expect("ok");
        assert_eq!(g.get("nmvs.password").expect("ok"), None);
        assert!(g.get("nmvs.client_key").expect("ok").is_some());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_changed_or_moved_entry_does_not_open() {
        let dir = temp("tamper");
        let path = dir.join("secrets.sealed");
        let f = EncryptedFile::open(&path).expect("ok");
        f.set("a", "one").expect("ok");
        f.set("b", "two").expect("ok");
        // Swap the two sealed values: the name is bound to its value.
        let mut file: SealedFile =
            serde_json::from_slice(&std::fs::read(&path).expect("ok")).expect("ok");
        let a = file.items["a"].clone();
        let b = file.items["b"].clone();
        file.items.insert("a".into(), b);
        file.items.insert("b".into(), a.clone());
        std::fs::write(&path, serde_json::to_vec(&file).expect("ok")).expect("ok");
        let g = EncryptedFile::open(&path).expect("ok");
        assert!(matches!(g.get("a"), Err(SecretError::Undecryptable)));
        // A flipped bit.
        let mut flipped = a.into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        file.items
            .insert("a".into(), String::from_utf8(flipped).expect("ok"));
        std::fs::write(&path, serde_json::to_vec(&file).expect("ok")).expect("ok");
        let g = EncryptedFile::open(&path).expect("ok");
        assert!(matches!(g.get("a"), Err(SecretError::Undecryptable)));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn asked_for_the_file_it_is_used() {
        let dir = temp("default");
        let s = open_with(&dir, "countercheck-unit", true).expect("ok");
        assert_eq!(s.backend(), SecretBackend::EncryptedFile);
        s.set("x", "y").expect("ok");
        assert_eq!(s.get("x").expect("ok").as_deref(), Some("y"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn without_a_session_bus_the_file_is_the_fallback() {
        // `cargo test` runs without a session bus (CI's keyring test has
        // its own); where one exists this test says nothing.
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
            return;
        }
        let dir = temp("fallback");
        let s = open_with(&dir, "countercheck-unit", false).expect("ok");
        assert_eq!(s.backend(), SecretBackend::EncryptedFile);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_recorded_keyring_that_does_not_answer_is_an_error_not_a_file() {
        let dir = temp("unanswered");
        let s = Unanswered("no session bus".into());
        let e = s.get("nmvs.password").expect_err("no answer");
        assert!(e.to_string().contains("does not answer"), "{e}");
        assert!(s.set("nmvs.password", "x").is_err());
        assert!(!dir.join("secrets.sealed").exists());
    }
}
