//! The desk's doors: who may do what, and what is kept of it. Over real
//! parts: a training desk (the bundled simulator over HTTPS, real SQLite
//! files on disk).

use desk::view::PrefsInput;
use desk::{Desk, DeskError};
use std::path::PathBuf;
use std::sync::Arc;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("countercheck-doors-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_wrong_pins_count_at_most_five_and_the_count_survives_a_restart() {
    let dir = temp("pins");
    let desk = Arc::new(Desk::training(&dir).await.expect("desk"));
    let threads: Vec<_> = (0..20)
        .map(|_| {
            let d = desk.clone();
            std::thread::spawn(move || d.sign_in("tom", "0001"))
        })
        .collect();
    for t in threads {
        assert!(t.join().expect("joined").is_err());
    }
    // Counted in the database (training's people database), checked and
    // counted in one transaction.
    let db = store::Store::open(&dir.join("training-people.sqlite")).expect("store");
    let n = db.pin_attempts("tom").expect("attempts");
    assert!((1..=5).contains(&n), "{n} attempts recorded");
    assert_eq!(n, 5, "five wrong PINs lock the user");
    // Even the right PIN waits now.
    let e = desk.sign_in("tom", "2222").expect_err("locked");
    assert!(e.to_string().contains("wait"), "{e}");
    // Another connection (a restarted app) sees the same lock.
    drop(db);
    let db = store::Store::open(&dir.join("training-people.sqlite")).expect("store");
    assert_eq!(db.pin_attempts("tom").expect("attempts"), 5);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_files_and_folders_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp("modes");
    let desk = Desk::training(&dir).await.expect("desk");
    let mode = |p: PathBuf| {
        std::fs::metadata(&p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(dir.clone()), 0o700);
    assert_eq!(mode(dir.join("settings")), 0o700);
    assert_eq!(mode(dir.join("countercheck.sqlite")), 0o600);
    assert_eq!(mode(dir.join("settings").join("settings.sqlite")), 0o600);
    // The WAL file SQLite made follows the database's mode.
    let wal = dir.join("countercheck.sqlite-wal");
    if wal.exists() {
        assert_eq!(mode(wal), 0o600);
    }
    drop(desk);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calibration_and_acknowledging_need_a_pharmacist_and_are_journaled() {
    let dir = temp("roles");
    let desk = Desk::training(&dir).await.expect("desk");
    // Nobody signed in: refused.
    desk.sign_out();
    assert!(matches!(
        desk.calibration_start(),
        Err(DeskError::Refused(_))
    ));
    assert!(matches!(
        desk.acknowledge(1, "seen"),
        Err(DeskError::Refused(_))
    ));
    // A technician: refused, and the refusal journaled.
    desk.sign_in("tom", "2222").expect("tom");
    assert!(matches!(
        desk.calibration_start(),
        Err(DeskError::Refused(_))
    ));
    assert!(matches!(
        desk.acknowledge(1, "seen"),
        Err(DeskError::Refused(_))
    ));
    // A pharmacist may; the start is journaled in the settings database.
    desk.sign_in("anna", "1111").expect("anna");
    desk.calibration_start().expect("calibration starts");
    assert!(!desk.acknowledge(1, "seen").expect("no such exception"));
    let kept = desk.settings_journal().expect("settings journal");
    assert!(
        kept.iter()
            .any(|r| r.entry.kind == "calibration" && r.entry.user_id == "anna"),
        "{kept:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_changes_are_journaled_in_the_settings_database() {
    let dir = temp("settings-journal");
    let (training, settings) = (dir.join("training"), dir.join("settings"));
    let desk = Desk::training_with(&training, &settings)
        .await
        .expect("desk");
    desk.settings_prefs(&PrefsInput {
        language: "de".into(),
        sounds: false,
        offline_delay_ms: 3000,
    })
    .expect("saved");
    let kept = desk.settings_journal().expect("settings journal");
    assert!(
        kept.iter().any(|r| r.entry.outcome == "preferences"
            && r.entry.user_id == "anna"
            && r.entry.detail.contains("3000")),
        "{kept:?}"
    );
    // The settings database is not the training ledger: it is kept when
    // training starts afresh.
    drop(desk);
    let again = Desk::training_with(&training, &settings)
        .await
        .expect("desk again");
    assert!(again
        .settings_journal()
        .expect("settings journal")
        .iter()
        .any(|r| r.entry.outcome == "preferences"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_a_sentence_with_who_what_and_which_roles_may() {
    use desk::words::Say;
    let dir = temp("german");
    let desk = Desk::training(&dir).await.expect("desk");
    desk.set_language(desk::Lang::De);
    desk.sign_in("tom", "2222").expect("tom");
    let sheet = desk.demo_sheet().expect("sheet");
    let text = sheet
        .iter()
        .find(|c| c.label.contains("genuine"))
        .map(|c| packcode::escapes::decode(&c.text))
        .expect("a genuine demo pack");
    let v = desk.scan(&text, false).await;
    let p = v.pack.expect("pack");
    let refused = desk
        .decommission(
            domain::Operation::Destroy,
            (p.product_code.as_str(), p.serial.as_str()),
        )
        .await
        .expect("verdict");
    assert_eq!(refused.code.as_deref(), Some("refused"), "{refused:?}");
    // The window words these in its language (German: "Tom Weber ist PTA:
    // nur Apotheker/in oder Administrator/in dürfen eine Packung
    // vernichten.", tested in ui/src/lib/say.test.ts).
    assert_eq!(refused.headline.key, Say::NotAllowed);
    assert_eq!(refused.next.key, Say::NextSignIn);
    assert_eq!(refused.detail.key, Say::NotPermitted, "{refused:?}");
    assert_eq!(refused.detail.param("name"), "Tom Weber");
    assert_eq!(refused.detail.param("role"), "technician");
    assert_eq!(refused.detail.param("op"), "destroy");
    assert_eq!(refused.detail.param("allowed"), "pharmacist,administrator");
    // Nobody signed in: the sentence that asks to sign in.
    desk.sign_out();
    let v = desk.scan(&text, false).await;
    assert_eq!(v.detail.key, Say::SignInFirst, "{v:?}");
    // An error the window is told: its kind, English for the log, and the
    // sentence.
    let e: desk::view::CommandError = desk.acknowledge(1, "seen").expect_err("refused").into();
    assert_eq!(e.kind, desk::view::ErrorKind::Refused);
    assert_eq!(e.say.map(|s| s.key), Some(Say::SignInFirst));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_host_needs_the_password_again_and_the_connection_test_an_administrator() {
    use desk::view::NationalInput;
    let dir = temp("host");
    let desk = Desk::training(&dir).await.expect("desk");
    desk.sign_in("ada", "0000").expect("administrator");
    let at = |host: &str, password: Option<&str>| NationalInput {
        country: String::new(),
        interface: "arvato-v5".into(),
        securpharm_url: String::new(),
        single_pack_url: format!("https://{host}:8443/ws/SinglePackServiceV50"),
        bulk_url: format!("https://{host}:8445/ws/BulkServiceV50"),
        support_url: String::new(),
        client_login_id: "PH-1".into(),
        user_id: "anna".into(),
        password: password.map(str::to_owned),
        ca_pem: None,
    };
    desk.settings_national(&at("nmvs.example", Some("secret")))
        .expect("first setup with its password");
    // The same host again, no password: kept.
    desk.settings_national(&at("nmvs.example", None))
        .expect("same host");
    // Another host without the password: refused, nothing changed.
    let e = desk
        .settings_national(&at("evil.example", None))
        .expect_err("a new host needs the password");
    assert_eq!(
        e.sentence().key,
        desk::words::Say::AddressChangedPassword,
        "{e}"
    );
    // With it: accepted.
    desk.settings_national(&at("other.example", Some("secret2")))
        .expect("new host with its password");
    // The connection test sends the password: an administrator's act.
    desk.sign_in("tom", "2222").expect("technician");
    let p = desk.connection_test().await;
    assert!(!p.ok);
    assert_eq!(
        p.message.key,
        desk::words::Say::AdministratorOnly,
        "{:?}",
        p.message
    );
}

/// One desk app per data folder: a second start is refused while the first
/// holds the lock, asks the first to bring its window forward (each start
/// once, an old request not again), and is allowed once the first is gone.
#[test]
fn a_second_desk_on_one_data_folder_wakes_the_first() {
    let dir = temp("instance");
    // A request left from an earlier run is not a new one.
    std::fs::create_dir_all(&dir).expect("dir");
    desk::wake_first(&dir).expect("an old request");
    let first = desk::single_instance(&dir).expect("first");
    let (tx, rx) = std::sync::mpsc::channel();
    first
        .on_wake(&dir, move || {
            let _ = tx.send(());
        })
        .expect("watching");
    let second = desk::single_instance(&dir).expect_err("second");
    assert!(second.to_string().contains("already running"), "{second}");
    assert_eq!(second.kind(), desk::view::ErrorKind::Refused);
    let wait = std::time::Duration::from_secs(5);
    assert!(
        rx.recv_timeout(std::time::Duration::from_millis(1500))
            .is_err(),
        "the old request woke it"
    );
    for _ in 0..2 {
        desk::wake_first(&dir).expect("second start asks");
        rx.recv_timeout(wait).expect("the first was woken");
        // Two starts in the same moment are two requests (the file names
        // the process and the time), never lost behind each other.
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    drop(first);
    desk::single_instance(&dir).expect("after the first ended");
}

#[test]
fn a_wake_watch_says_each_new_request_once() {
    let mut w = desk::WakeWatch::starting_at(Some("1 5".into()));
    assert!(!w.saw(Some("1 5".into())));
    assert!(!w.saw(None), "a missing file is no request");
    assert!(w.saw(Some("2 9".into())));
    assert!(!w.saw(Some("2 9".into())));
    let mut fresh = desk::WakeWatch::default();
    assert!(fresh.saw(Some("3 1".into())));
}
