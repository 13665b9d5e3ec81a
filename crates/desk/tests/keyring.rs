//! The operating system's keyring, for real: a Secret Service (GNOME
//! Keyring) on a private session bus. `.ci/test` runs this inside
//! `dbus-run-session` with an unlocked gnome-keyring-daemon; a plain
//! `cargo test` has no session bus, hence `ignore`.

use desk::secrets::{self, SecretBackend, SecretStore};

#[test]
#[ignore = "needs a Secret Service: `.ci/test` runs it inside dbus-run-session with gnome-keyring"]
fn secrets_go_to_the_keyring_when_one_answers() {
    let dir = std::env::temp_dir().join(format!("countercheck-keyring-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let k = secrets::OsKeyring::probe("countercheck-test").expect("a keyring answers");
    k.set("nmvs.password", "correct horse").expect("kept");
    assert_eq!(
        k.get("nmvs.password").expect("read").as_deref(),
        Some("correct horse")
    );
    k.delete("nmvs.password").expect("removed");
    assert_eq!(k.get("nmvs.password").expect("read"), None);

    // The default store is the keyring; no secrets file is written.
    let s = secrets::open_with(&dir, "countercheck-test", false).expect("store");
    assert_eq!(s.backend(), SecretBackend::Keyring);
    s.set("nmvs.client_key", "-----BEGIN PRIVATE KEY-----")
        .expect("kept");
    assert!(s.get("nmvs.client_key").expect("read").is_some());
    assert!(!dir.join("secrets.sealed").exists());
    s.delete("nmvs.client_key").expect("removed");
    let _ = std::fs::remove_dir_all(&dir);
}
