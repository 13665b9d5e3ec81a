//! Users, roles and settings over real parts: a training desk (the bundled
//! simulator on loopback over HTTPS, real SQLite files), and a desk set up
//! through its settings for a separately started simulator standing in
//! for the national system.

use desk::view::{NationalInput, PrefsInput, SiteInput, Tone, UserInput};
use desk::{Desk, DeskError};
use domain::Operation;
use std::path::PathBuf;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("countercheck-desk-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn genuine(desk: &Desk, i: usize) -> String {
    let sheet = desk.demo_sheet().expect("sheet");
    let genuine: Vec<_> = sheet
        .iter()
        .filter(|c| c.label.contains("genuine"))
        .collect();
    packcode::escapes::decode(&genuine[i].text)
}

fn by_user(user: &str) -> desk::view::JournalQuery {
    desk::view::JournalQuery {
        product_code: String::new(),
        batch: String::new(),
        serial: String::new(),
        user_id: user.into(),
        outcome: String::new(),
        from_day: String::new(),
        to_day: String::new(),
    }
}

/// Does the journal hold an entry by `user` with this outcome?
async fn journal_has(desk: &Desk, user: &str, outcome: &str) -> bool {
    desk.journal_search(&by_user(user))
        .await
        .expect("journal")
        .iter()
        .any(|l| l.outcome == outcome)
}

/// The operations the journal holds for a pack's serial, refusals left
/// out (a refused operation was not sent).
async fn operations_on(desk: &Desk, serial: &str) -> Vec<String> {
    let mut q = by_user("");
    q.serial = serial.into();
    desk.journal_search(&q)
        .await
        .expect("journal")
        .into_iter()
        .filter(|l| !l.outcome.starts_with("refused:"))
        .map(|l| l.operation)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_technician_is_refused_a_destroy_and_a_pharmacist_is_not() {
    let dir = temp("roles");
    let desk = Desk::training(&dir).await.expect("desk");
    // Training starts with the pharmacist signed in.
    assert_eq!(desk.signed_in().map(|s| s.id), Some("anna".into()));
    let tom = desk.sign_in("tom", "2222").expect("tom signs in");
    assert_eq!(tom.role, domain::Role::Technician);

    let text = genuine(&desk, 0);
    let v = desk.scan(&text, false).await;
    assert_eq!(v.tone, Tone::Green, "{v:?}");
    let p = v.pack.clone().expect("pack");
    let this = (p.product_code.as_str(), p.serial.as_str());
    // Another pack than the last one scanned: nothing is sent.
    assert!(desk
        .decommission(Operation::Destroy, (p.product_code.as_str(), "OTHER"))
        .await
        .is_err());
    let refused = desk
        .decommission(Operation::Destroy, this)
        .await
        .expect("verdict");
    assert_eq!(refused.code.as_deref(), Some("refused"), "{refused:?}");
    assert_eq!(refused.detail.param("role"), "technician", "{refused:?}");
    assert!(journal_has(&desk, "tom", "refused:not_permitted").await);
    // Nothing was sent: no destroy in the journal for this pack.
    let ops = operations_on(&desk, &p.serial).await;
    assert!(ops.iter().all(|o| o != "destroy"), "{ops:?}");
    // A technician may dispense.
    assert!(desk.dispense().await.iter().all(|v| v.tone == Tone::Green));

    // The pharmacist destroys another pack; the journal says who.
    assert!(matches!(
        desk.sign_in("anna", "9999"),
        Err(DeskError::Refused(_))
    ));
    desk.sign_in("anna", "1111").expect("anna");
    let other = genuine(&desk, 1);
    let v = desk.scan(&other, false).await;
    assert_eq!(v.tone, Tone::Green, "{v:?}");
    let q = v.pack.clone().expect("pack");
    let v = desk
        .decommission(Operation::Destroy, (&q.product_code, &q.serial))
        .await
        .expect("verdict");
    assert_eq!(v.tone, Tone::Green, "{v:?}");
    assert!(operations_on(&desk, &q.serial)
        .await
        .iter()
        .any(|o| o == "destroy"));
    // Done: X again has no pack until the next scan.
    assert!(desk
        .decommission(Operation::Lock, (&q.product_code, &q.serial))
        .await
        .is_err());
    assert!(desk
        .journal_search(&by_user("anna"))
        .await
        .expect("ok")
        .iter()
        .any(|l| l.operation == "destroy" && l.serial == q.serial));
    // Signed out, nothing is sent.
    desk.sign_out();
    let v = desk.scan(&genuine(&desk, 2), false).await;
    assert_eq!(v.code.as_deref(), Some("refused"));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pins_lock_out_and_only_administrators_manage_users() {
    let dir = temp("users");
    let desk = Desk::training(&dir).await.expect("desk");
    for _ in 0..5 {
        assert!(desk.sign_in("tom", "0001").is_err());
    }
    let e = desk
        .sign_in("tom", "2222")
        .expect_err("locked for a minute");
    assert!(e.to_string().contains("wait"), "{e}");

    let new = UserInput {
        id: "lena".into(),
        name: "Lena Roth".into(),
        role: "technician".into(),
        pin: Some("4321".into()),
        active: true,
    };
    // Anna is a pharmacist: not allowed.
    assert!(matches!(desk.user_put(&new), Err(DeskError::Refused(_))));
    desk.sign_in("ada", "0000").expect("admin");
    assert!(desk
        .user_put(&UserInput {
            pin: Some("12".into()),
            ..new.clone()
        })
        .is_err());
    desk.user_put(&new).expect("added");
    assert_eq!(
        desk.sign_in("lena", "4321").expect("lena").name,
        "Lena Roth"
    );
    // The last administrator cannot be demoted.
    desk.sign_in("ada", "0000").expect("admin");
    let demote = UserInput {
        id: "ada".into(),
        name: "Ada Klein".into(),
        role: "pharmacist".into(),
        pin: None,
        active: true,
    };
    assert!(matches!(desk.user_put(&demote), Err(DeskError::Refused(_))));
    // Disabled users cannot sign in.
    desk.user_put(&UserInput {
        active: false,
        pin: None,
        ..new
    })
    .expect("disabled");
    assert!(desk.sign_in("lena", "4321").is_err());
    assert!(journal_has(&desk, "ada", "user_disabled").await);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthcare_institutions_decommission_a_delivery_on_receipt() {
    let dir = temp("hospital");
    let desk = Desk::training(&dir).await.expect("desk");
    let codes = desk.training_pack_codes(120).expect("codes");
    desk.delivery_start();
    // Packs of the first batches (the demo sheet's odd ones are elsewhere).
    for c in codes.iter().take(6) {
        desk.delivery_scan(&packcode::escapes::decode(c));
    }
    // A community pharmacy may not.
    assert!(matches!(
        desk.delivery_decommission().await,
        Err(DeskError::Refused(_))
    ));
    desk.sign_in("ada", "0000").expect("admin");
    desk.settings_site(&SiteInput {
        site_name: "St. Anna Hospital pharmacy".into(),
        site_type: "healthcare_institution".into(),
        workstation_name: "Goods in".into(),
        offline_confirm_after_hours: None,
    })
    .expect("site");
    desk.sign_in("tom", "2222").expect("tom");
    let view = desk.delivery_decommission().await.expect("decommissioned");
    let done: u32 = view.groups.iter().map(|g| g.decommissioned).sum();
    let problems: u32 = view.groups.iter().map(|g| g.problems).sum();
    assert_eq!(done + problems, 6, "{view:?}");
    assert!(done >= 1, "{view:?}");
    // Each one is in the ledger: scanned again at the counter, it says so.
    let first = view
        .packs
        .iter()
        .find(|p| p.status == desk::view::DeliveryStatus::Decommissioned)
        .expect("one");
    let text = codes
        .iter()
        .map(|c| packcode::escapes::decode(c))
        .find(|c| c.contains(&first.serial))
        .expect("its code");
    desk.delivery_stop();
    let v = desk.scan(&text, false).await;
    assert_eq!(v.detail.param("name"), "Tom Weber", "{v:?}");
    let s = desk.settings().expect("settings");
    assert_eq!(s.site_type, "healthcare_institution");
    assert_eq!(s.workstation_name, "Goods in");
    let _ = std::fs::remove_dir_all(dir);
}

fn pem_to_der(pem: &str) -> Vec<u8> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes())
        .expect("cert")
        .to_vec()
}

fn key_to_der(pem: &str) -> Vec<u8> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes())
        .expect("key")
        .secret_pkcs8_der()
        .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_set_up_the_national_system_and_the_desk_runs_live_on_it() {
    let base = temp("live");
    // The "national system": a simulator of its own, with its own PKI.
    let sim = simulator::start(simulator::SimConfig {
        addr: "127.0.0.1:0".parse().expect("ok"),
        data_dir: base.join("nmvs"),
        seed: Some((
            11,
            simulator::seed::SeedSize {
                products: 2,
                batches_per_product: 1,
                packs_per_batch: 4,
            },
        )),
        client_login_id: "PH-LIVE".into(),
        user_id: "desk".into(),
        password: "s3cret pass".into(),
        start_time: None,
    })
    .await
    .expect("sim");
    std::env::set_var("COUNTERCHECK_SECRETS", "file");
    let (desk, why) = Desk::open(&base).await.expect("opens");
    assert!(why.is_none());
    assert_eq!(desk.settings().expect("ok").mode, "training");
    desk.sign_in("ada", "0000").expect("admin");
    // Incomplete: the test says what is missing.
    let p = desk.connection_test().await;
    assert!(
        !p.ok && p.message.key == desk::words::Say::NotSetYet,
        "{p:?}"
    );
    assert!(desk.settings_mode(true).is_err());
    assert!(desk
        .settings_national(&NationalInput {
            country: String::new(),
            interface: "arvato-v5".into(),
            securpharm_url: String::new(),
            single_pack_url: format!("http://{}/ws/SinglePackServiceV50", sim.addr),
            bulk_url: String::new(),
            support_url: String::new(),
            client_login_id: "PH-LIVE".into(),
            user_id: "desk".into(),
            password: None,
            ca_pem: None,
        })
        .is_err());
    desk.settings_national(&NationalInput {
        country: String::new(),
        interface: "arvato-v5".into(),
        securpharm_url: String::new(),
        single_pack_url: format!("{}/ws/SinglePackServiceV50", sim.url()),
        bulk_url: format!("{}/ws/BulkServiceV50", sim.url()),
        support_url: String::new(),
        client_login_id: "PH-LIVE".into(),
        user_id: "desk".into(),
        password: Some("wrong".into()),
        ca_pem: Some(sim.pki.ca_cert.clone()),
    })
    .expect("national");
    // A key that is not the certificate's is refused.
    assert!(desk
        .cert_import_pem(&sim.pki.client_cert, &sim.pki.server_key)
        .is_err());
    // PKCS#12, as national organisations hand them out.
    let mut ks = p12_keystore::KeyStore::new();
    ks.add_entry(
        "client",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new(
            b"1".to_vec(),
            p12_keystore::PrivateKey::from_der(&key_to_der(&sim.pki.client_key)).expect("key"),
            [
                p12_keystore::Certificate::from_der(&pem_to_der(&sim.pki.client_cert))
                    .expect("cert"),
            ],
        )),
    );
    let p12 = ks.writer("p12 pass").write().expect("p12");
    assert!(desk.cert_import_p12(&p12, "not it").is_err());
    // One PEM text with the certificate and its key: only the certificate
    // may reach the settings database (checked with the bytes below).
    let combined = format!("{}{}", sim.pki.client_cert, sim.pki.client_key);
    desk.cert_import_pem(&combined, "").expect("combined PEM");
    let cert = desk.cert_import_p12(&p12, "p12 pass").expect("imported");
    assert!(cert.days_left > 30, "{cert:?}");
    assert_eq!(cert.reminder, None);
    // The wrong password: the test says the login was refused.
    let p = desk.connection_test().await;
    assert!(!p.ok && p.code.as_deref() == Some("NMVS_FE_AU_01"), "{p:?}");
    desk.settings_national(&NationalInput {
        country: String::new(),
        interface: "arvato-v5".into(),
        securpharm_url: String::new(),
        single_pack_url: format!("{}/ws/SinglePackServiceV50", sim.url()),
        bulk_url: format!("{}/ws/BulkServiceV50", sim.url()),
        support_url: String::new(),
        client_login_id: "PH-LIVE".into(),
        user_id: "desk".into(),
        password: Some("s3cret pass".into()),
        ca_pem: None,
    })
    .expect("national");
    let p = desk.connection_test().await;
    assert!(p.ok, "{p:?}");
    desk.settings_prefs(&PrefsInput {
        language: "de".into(),
        sounds: false,
        offline_delay_ms: 1800,
    })
    .expect("prefs");
    desk.settings_mode(true).expect("live next start");
    let view = desk.settings().expect("ok");
    assert!(view.live_ready && view.live_next_start);
    assert!(view.national.password_set && view.national.key_set);
    drop(desk);

    // No secret sits in the settings database.
    let db = std::fs::read(base.join("settings/settings.sqlite")).expect("ok");
    let wal = std::fs::read(base.join("settings/settings.sqlite-wal")).unwrap_or_default();
    for hay in [&db, &wal] {
        let text = String::from_utf8_lossy(hay);
        assert!(!text.contains("s3cret pass"));
        assert!(!text.contains("PRIVATE KEY"));
    }

    // The next start runs on the national system.
    let (desk, why) = Desk::open(&base).await.expect("opens live");
    assert!(why.is_none(), "{why:?}");
    let status = desk.status().expect("ok");
    assert!(!status.training);
    assert_eq!(status.language, "de");
    assert!(!status.sounds);
    // Nobody is signed in and no user exists yet: the first one made is
    // the administrator.
    assert_eq!(status.user_name, None);
    desk.user_put(&UserInput {
        id: "owner".into(),
        name: "Olga Owner".into(),
        role: "administrator".into(),
        pin: Some("7777".into()),
        active: true,
    })
    .expect("first administrator");
    desk.sign_in("owner", "7777").expect("signed in");
    let codes = simulator::export_file(&base.join("nmvs")).expect("codes");
    let first = codes
        .lines()
        .find(|l| l.starts_with("]d2"))
        .expect("a code");
    let v = desk.scan(first, false).await;
    assert_eq!(v.tone, Tone::Green, "{v:?}");
    assert_eq!(v.code.as_deref(), Some("NMVS_SUCCESS"));
    drop(desk);

    // Back in training (same settings): the demo administrator, whose PIN
    // is on screen, may no longer change the site's settings.
    let desk = Desk::training_with(&base.join("training"), &base.join("settings"))
        .await
        .expect("training");
    desk.sign_in("ada", "0000").expect("demo admin");
    let e = desk
        .settings_site(&SiteInput {
            site_name: "x".into(),
            site_type: "community_pharmacy".into(),
            workstation_name: String::new(),
            offline_confirm_after_hours: None,
        })
        .expect_err("refused");
    assert!(
        matches!(&e, DeskError::Refused(s) if s.key == desk::words::Say::SiteHasAdministrator),
        "{e}"
    );
    assert!(desk.settings_mode(false).is_err());
    drop(desk);
    sim.stop().await;
    let _ = std::fs::remove_dir_all(base);
}
