//! Where the national system's secrets live: the private key of the client
//! certificate and the password. Never in SQLite, the configuration or a
//! log line.
//!
//! The operating system's keyring comes first (the Secret Service on Linux:
//! GNOME Keyring, KWallet; Credential Manager on Windows; the Keychain on
//! macOS). Where none answers, an encrypted file is the fallback:
//! AES-256-GCM under a random 256-bit key kept in its own file beside it
//! (`secrets.key`), both readable by their owner only. Never a key derived
//! from facts of the machine (a machine id, a home folder): anyone who can
//! read those could rebuild it. The key file protects the secrets in a
//! copied or backed-up *data* file only when the key file is not copied
//! with it, and not from the machine's administrator; `docs/settings.md`
//! says so where the setting is explained. A file of the first version
//! (its key derived from the machine id) is read once with that key and
//! sealed again under a random key.

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
        let bytes = match self.read(&format!("{name}{CHUNKS}"))? {
            Some(n) => {
                let n: usize = String::from_utf8_lossy(&n)
                    .parse()
                    .map_err(|_| SecretError::Keyring(format!("{name}: damaged parts count")))?;
                let mut all = Vec::new();
                for i in 1..=n {
                    let part = self.read(&format!("{name}#{i}"))?.ok_or_else(|| {
                        SecretError::Keyring(format!("{name}: part {i} of {n} is missing"))
                    })?;
                    all.extend_from_slice(&part);
                }
                Some(all)
            }
            None => self.read(name)?,
        };
        bytes
            .map(|b| String::from_utf8(b).map_err(|_| SecretError::Undecryptable))
            .transpose()
    }

    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        self.delete(name)?;
        let bytes = value.as_bytes();
        if bytes.len() <= PART_BYTES {
            return self.write(name, bytes);
        }
        let parts: Vec<&[u8]> = bytes.chunks(PART_BYTES).collect();
        for (i, part) in parts.iter().enumerate() {
            self.write(&format!("{name}#{}", i + 1), part)?;
        }
        self.write(
            &format!("{name}{CHUNKS}"),
            parts.len().to_string().as_bytes(),
        )
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        if let Some(n) = self.read(&format!("{name}{CHUNKS}"))? {
            let n: usize = String::from_utf8_lossy(&n).parse().unwrap_or(0);
            for i in 1..=n {
                self.remove(&format!("{name}#{i}"))?;
            }
            self.remove(&format!("{name}{CHUNKS}"))?;
        }
        self.remove(name)
    }
}

/// A secret larger than this is kept in numbered parts: Windows Credential
/// Manager keeps at most 2,560 bytes per entry (an RSA-4096 key in PEM is
/// about 3,300), the other keyrings have room to spare.
const PART_BYTES: usize = 2_000;
/// The entry that counts a secret's parts (`nmvs.client_key.parts`).
const CHUNKS: &str = ".parts";

impl OsKeyring {
    /// One entry's bytes (as stored: a secret written as a password reads
    /// back as its UTF-8 bytes).
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>, SecretError> {
        match self.entry(name)?.get_secret() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(SecretError::Keyring(e.to_string())),
        }
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), SecretError> {
        self.entry(name)?
            .set_secret(bytes)
            .map_err(|e| SecretError::Keyring(e.to_string()))
    }

    fn remove(&self, name: &str) -> Result<(), SecretError> {
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

/// The first version's PBKDF2 rounds (to read a version-1 file once).
const LEGACY_ROUNDS: u32 = 200_000;

use domain::text::{hex, unhex};

/// The first version's key material (machine id and home folder): only
/// to read a version-1 file once, never to seal.
fn legacy_machine_secret() -> Vec<u8> {
    let mut m = std::fs::read("/etc/machine-id")
        .or_else(|_| std::fs::read("/var/lib/dbus/machine-id"))
        .unwrap_or_default();
    m.extend_from_slice(b"|countercheck|");
    if let Some(home) = std::env::var_os("HOME") {
        m.extend_from_slice(home.to_string_lossy().as_bytes());
    }
    m
}

/// Writes `bytes` to `path` readable by its owner only (0600 on Unix; on
/// Windows the file inherits the user's profile folder's ACL), through a
/// temporary file and a rename.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// The fallback file's key: 32 random bytes in `secrets.key` beside it,
/// made on first use. On Windows the key file holds the key sealed by the
/// user's DPAPI ([`protect_key`]); elsewhere the raw key, owner-only.
fn file_key(sealed: &Path) -> Result<[u8; 32], String> {
    let key_path = sealed.with_file_name("secrets.key");
    let at = |e: String| format!("{}: {e}", key_path.display());
    match std::fs::read(&key_path) {
        Ok(stored) => {
            let (key, reseal) = open_key(&stored).map_err(at)?;
            if reseal {
                write_private(&key_path, &protect_key(&key).map_err(at)?)
                    .map_err(|e| at(e.to_string()))?;
            }
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            SystemRandom::new()
                .fill(&mut key)
                .map_err(|_| "no random source".to_owned())?;
            write_private(&key_path, &protect_key(&key).map_err(at)?)
                .map_err(|e| at(e.to_string()))?;
            Ok(key)
        }
        Err(e) => Err(at(e.to_string())),
    }
}

/// How the key is kept in `secrets.key`: sealed by the Windows user's data
/// protection (DPAPI: opens only for this user on this computer).
#[cfg(windows)]
fn protect_key(key: &[u8; 32]) -> Result<Vec<u8>, String> {
    winseal::seal(key).map_err(|e| e.to_string())
}

/// How the key is kept in `secrets.key`: as it is, in a file readable by its
/// owner only (no platform protection to lean on; `docs/settings.md` says
/// what that leaves open).
#[cfg(not(windows))]
fn protect_key(key: &[u8; 32]) -> Result<Vec<u8>, String> {
    Ok(key.to_vec())
}

/// The key from `secrets.key`, and whether the file should be written again
/// (a raw key from before DPAPI sealing, on Windows).
fn open_key(stored: &[u8]) -> Result<([u8; 32], bool), String> {
    let damaged = || "damaged (not a 256-bit key)".to_owned();
    #[cfg(windows)]
    {
        if let Ok(raw) = <[u8; 32]>::try_from(stored) {
            return Ok((raw, true));
        }
        let plain = winseal::open(stored).map_err(|e| e.to_string())?;
        <[u8; 32]>::try_from(plain.as_slice())
            .map(|k| (k, false))
            .map_err(|_| damaged())
    }
    #[cfg(not(windows))]
    {
        <[u8; 32]>::try_from(stored)
            .map(|k| (k, false))
            .map_err(|_| damaged())
    }
}

fn seal(key: &LessSafeKey, name: &str, value: &[u8]) -> Result<String, SecretError> {
    let mut nonce = [0u8; aead::NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| SecretError::Keyring("no random source".into()))?;
    let mut body = value.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(name.as_bytes()),
        &mut body,
    )
    .map_err(|_| SecretError::Undecryptable)?;
    let mut sealed = nonce.to_vec();
    sealed.extend_from_slice(&body);
    Ok(hex(&sealed))
}

fn unseal(key: &LessSafeKey, name: &str, sealed: &str) -> Result<Vec<u8>, SecretError> {
    let mut bytes = unhex(sealed).ok_or(SecretError::Undecryptable)?;
    if bytes.len() < aead::NONCE_LEN {
        return Err(SecretError::Undecryptable);
    }
    let mut body = bytes.split_off(aead::NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(&bytes).map_err(|_| SecretError::Undecryptable)?;
    key.open_in_place(nonce, Aad::from(name.as_bytes()), &mut body)
        .map(|p| p.to_vec())
        .map_err(|_| SecretError::Undecryptable)
}

fn aes_key(bytes: &[u8; 32]) -> Result<LessSafeKey, String> {
    UnboundKey::new(&aead::AES_256_GCM, bytes)
        .map(LessSafeKey::new)
        .map_err(|_| "cannot make the key".to_owned())
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
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => SealedFile {
                version: 2,
                salt: String::new(),
                items: BTreeMap::new(),
            },
            Err(e) => return Err(err(e.to_string())),
        };
        let key = aes_key(&file_key(path).map_err(err)?).map_err(err)?;
        let mut file = file;
        let migrated = file.version < 2;
        if migrated {
            // Version 1: sealed under a key derived from the machine id.
            // Read it once with that key and seal it again under the random
            // key (kept only in secrets.key).
            let salt = unhex(&file.salt).ok_or_else(|| err("damaged salt".into()))?;
            let mut old = [0u8; 32];
            ring::pbkdf2::derive(
                ring::pbkdf2::PBKDF2_HMAC_SHA256,
                NonZeroU32::new(LEGACY_ROUNDS).unwrap_or(NonZeroU32::MIN),
                &salt,
                &legacy_machine_secret(),
                &mut old,
            );
            let old = aes_key(&old).map_err(err)?;
            let mut items = BTreeMap::new();
            for (name, sealed) in &file.items {
                let plain = unseal(&old, name, sealed)?;
                items.insert(name.clone(), seal(&key, name, &plain)?);
            }
            file = SealedFile {
                version: 2,
                salt: String::new(),
                items,
            };
        }
        let store = EncryptedFile {
            path: path.to_owned(),
            key,
            file: Mutex::new(SealedFile::default()),
        };
        if migrated {
            store.save(&file)?;
        }
        *lock(&store.file) = file;
        Ok(store)
    }

    fn save(&self, file: &SealedFile) -> Result<(), SecretError> {
        let err = |why: String| SecretError::File {
            path: self.path.display().to_string(),
            why,
        };
        let json = serde_json::to_vec_pretty(file).map_err(|e| err(e.to_string()))?;
        write_private(&self.path, &json).map_err(|e| err(e.to_string()))
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
        String::from_utf8(unseal(&self.key, name, sealed)?)
            .map(Some)
            .map_err(|_| SecretError::Undecryptable)
    }

    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        let sealed = seal(&self.key, name, value.as_bytes())?;
        let mut file = lock(&self.file);
        file.items.insert(name.to_owned(), sealed);
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

    /// The key is random and kept in its own owner-only file, never derived
    /// from facts of the machine: two folders on one machine have different
    /// keys, and without its key file a sealed file does not open.
    #[test]
    fn the_key_is_random_in_its_own_file_never_derived_from_the_machine() {
        let dir = temp("keyfile");
        let (a, b) = (dir.join("a/secrets.sealed"), dir.join("b/secrets.sealed"));
        EncryptedFile::open(&a)
            .expect("a")
            .set("nmvs.password", "pw")
            .expect("set");
        EncryptedFile::open(&b)
            .expect("b")
            .set("nmvs.password", "pw")
            .expect("set");
        let ka = std::fs::read(dir.join("a/secrets.key")).expect("key a");
        let kb = std::fs::read(dir.join("b/secrets.key")).expect("key b");
        #[cfg(not(windows))]
        assert_eq!(ka.len(), 32);
        // On Windows the key file holds the key sealed by the user's DPAPI:
        // longer than the key, and it opens only through Windows.
        #[cfg(windows)]
        {
            assert!(ka.len() > 32, "sealed, not the raw key: {} bytes", ka.len());
            let key = winseal::open(&ka).expect("opens for this user");
            assert_eq!(key.len(), 32);
            assert!(!ka.windows(32).any(|w| w == key.as_slice()));
        }
        assert_ne!(ka, kb, "a fresh random key per file");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("a/secrets.key"))
                .expect("ok")
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o077,
                0,
                "the key readable by its owner only: {mode:o}"
            );
        }
        // The sealed file without its key (copied alone, or the key lost).
        std::fs::remove_file(dir.join("a/secrets.key")).expect("rm");
        let f = EncryptedFile::open(&a).expect("opens with a new key");
        assert!(matches!(
            f.get("nmvs.password"),
            Err(SecretError::Undecryptable)
        ));
        let _ = std::fs::remove_dir_all(dir);
    }

    /// On Windows, a key file of the version before DPAPI sealing (the raw
    /// key) still opens its secrets and is then kept sealed by the user's
    /// data protection; a key file that is neither is refused, not replaced.
    #[cfg(windows)]
    #[test]
    fn on_windows_a_raw_key_file_is_sealed_by_dpapi_on_first_open() {
        let dir = temp("dpapi");
        let path = dir.join("secrets.sealed");
        let raw = [7u8; 32];
        write_private(&dir.join("secrets.key"), &raw).expect("raw key");
        let f = EncryptedFile::open(&path).expect("opens");
        f.set("nmvs.password", "pw").expect("set");
        let stored = std::fs::read(dir.join("secrets.key")).expect("key");
        assert_ne!(stored.len(), 32, "sealed now");
        assert_eq!(winseal::open(&stored).expect("open"), raw.to_vec());
        let g = EncryptedFile::open(&path).expect("opens again");
        assert_eq!(g.get("nmvs.password").expect("ok").as_deref(), Some("pw"));
        std::fs::write(
            dir.join("secrets.key"),
            b"forty bytes that are not a DPAPI blob!!",
        )
        .expect("w");
        assert!(matches!(
            EncryptedFile::open(&path),
            Err(SecretError::File { .. })
        ));
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A file of the first version (its key derived from the machine id) is
    /// read once and sealed again under a random key.
    #[test]
    fn a_first_version_file_is_sealed_again_under_a_random_key() {
        let dir = temp("legacy");
        let path = dir.join("secrets.sealed");
        std::fs::create_dir_all(&dir).expect("dir");
        let salt = [7u8; 16];
        let mut old = [0u8; 32];
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            NonZeroU32::new(LEGACY_ROUNDS).expect("rounds"),
            &salt,
            &legacy_machine_secret(),
            &mut old,
        );
        let old = aes_key(&old).expect("key");
        let v1 = SealedFile {
            version: 1,
            salt: hex(&salt),
            items: [(
                "nmvs.password".to_owned(),
                seal(&old, "nmvs.password", b"kept").expect("seal"),
            )]
            .into_iter()
            .collect(),
        };
        std::fs::write(&path, serde_json::to_vec(&v1).expect("json")).expect("write");
        let f = EncryptedFile::open(&path).expect("opens");
        assert_eq!(
            f.get("nmvs.password").expect("get").as_deref(),
            Some("kept")
        );
        let now: SealedFile =
            serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
        assert_eq!(now.version, 2);
        assert!(now.salt.is_empty(), "nothing of the derived key is kept");
        assert!(
            unseal(&old, "nmvs.password", &now.items["nmvs.password"]).is_err(),
            "no longer under the derived key"
        );
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

    /// On Windows the keyring is Credential Manager, for real: a secret
    /// set through one handle is read back through another (the crate's
    /// non-persistent mock store, its default without the native backend,
    /// would lose it), and a private key in PEM fits its size limit.
    #[cfg(windows)]
    #[test]
    fn the_windows_credential_manager_keeps_secrets() {
        let service = format!("countercheck-test-{}", std::process::id());
        let a = OsKeyring::probe(&service).expect("Credential Manager answers");
        // An RSA-4096 key in PEM is about 3,300 bytes: over Credential
        // Manager's 2,560 per entry, so it is kept in parts.
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            "A".repeat(3_250)
        );
        a.set("nmvs.client_key", &pem).expect("set");
        let b = OsKeyring::probe(&service).expect("again");
        assert_eq!(
            b.get("nmvs.client_key").expect("get").as_deref(),
            Some(pem.as_str())
        );
        b.delete("nmvs.client_key").expect("delete");
        assert_eq!(a.get("nmvs.client_key").expect("get"), None);
    }

    // Linux: no session bus means no Secret Service (Windows and macOS
    // have their keyring without one).
    #[cfg(target_os = "linux")]
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
