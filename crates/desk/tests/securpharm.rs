//! The desk on securPharm: training simulates it when the settings ask,
//! the settings refuse an interface the country does not use, and a desk
//! set up for a separately started simulator's securPharm interface runs
//! live on it (connection test by token, dispense, the day's batches).

use desk::view::{NationalInput, Tone};
use desk::Desk;
use std::path::PathBuf;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "countercheck-desk-sp-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn national(country: &str, interface: &str, url: &str) -> NationalInput {
    NationalInput {
        country: country.into(),
        interface: interface.into(),
        securpharm_url: url.into(),
        single_pack_url: String::new(),
        bulk_url: String::new(),
        support_url: String::new(),
        client_login_id: String::new(),
        user_id: String::new(),
        password: None,
        ca_pem: None,
    }
}

/// Opens the desk at `base` again, checks that its training speaks
/// `interface`, signs the admin in, and gives the demo sheet's genuine
/// pack as a scan would.
async fn reopened_with_genuine(base: &std::path::Path, interface: &str) -> (Desk, String) {
    let (desk, _) = Desk::open(base).await.expect("opens again");
    assert_eq!(desk.status().expect("status").interface, interface);
    desk.sign_in("ada", "0000").expect("admin");
    let sheet = desk.demo_sheet().expect("sheet");
    let genuine = sheet
        .iter()
        .find(|c| c.label.contains("genuine"))
        .expect("a genuine pack");
    let text = packcode::escapes::decode(&genuine.text);
    (desk, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn training_speaks_securpharm_when_the_settings_ask() {
    let base = temp("training");
    std::env::set_var("COUNTERCHECK_SECRETS", "file");
    let (desk, _) = Desk::open(&base).await.expect("opens");
    assert_eq!(desk.status().expect("status").interface, "arvato-v5");
    desk.sign_in("ada", "0000").expect("admin");
    assert!(desk.settings_training("soap-v9").is_err());
    desk.settings_training("securpharm")
        .expect("training interface");
    assert_eq!(
        desk.settings().expect("view").national.training_interface,
        "securpharm"
    );
    drop(desk);

    let (desk, text) = reopened_with_genuine(&base, "securpharm").await;
    let v = desk.scan(&text, false).await;
    assert_eq!(v.tone, Tone::Green, "{v:?}");
    assert_eq!(v.code.as_deref(), Some("SP-000"), "securPharm's own code");
    let done = desk.dispense().await;
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].code.as_deref(), Some("SP-000"), "{done:?}");

    // The day's batches: the dispensed pack with its batch, as CSV and JSON.
    let paths = desk.batches_export("").expect("export");
    assert_eq!(paths.len(), 2);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&paths[1]).expect("json")).expect("parse");
    let packs = json["dispensed"].as_array().expect("packs");
    assert_eq!(packs.len(), 1, "{json}");
    let pack = v.pack.as_ref().expect("pack fields");
    assert_eq!(packs[0]["batch"], pack.batch.as_str());
    assert_eq!(packs[0]["serial"], pack.serial.as_str());
    let csv = std::fs::read_to_string(&paths[0]).expect("csv");
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(desk.batches_export("2026-13-01").is_err(), "not a day");
    drop(desk);
    let _ = std::fs::remove_dir_all(base);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn training_speaks_nmvs_v4_when_the_settings_ask() {
    let base = temp("training-v4");
    std::env::set_var("COUNTERCHECK_SECRETS", "file");
    let (desk, _) = Desk::open(&base).await.expect("opens");
    desk.sign_in("ada", "0000").expect("admin");
    desk.settings_training("arvato-v4")
        .expect("training interface");
    drop(desk);
    let (desk, text) = reopened_with_genuine(&base, "arvato-v4").await;
    let v = desk.scan(&text, false).await;
    assert_eq!(v.tone, Tone::Green, "{v:?}");
    assert_eq!(v.code.as_deref(), Some("NMVS_SUCCESS"));
    drop(desk);
    let _ = std::fs::remove_dir_all(base);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_runs_live_on_securpharm() {
    let base = temp("live");
    let sim = simulator::start(simulator::SimConfig {
        addr: "127.0.0.1:0".parse().expect("ok"),
        data_dir: base.join("securpharm"),
        seed: Some((
            12,
            simulator::seed::SeedSize {
                products: 2,
                batches_per_product: 1,
                packs_per_batch: 4,
            },
        )),
        client_login_id: "unused".into(),
        user_id: "unused".into(),
        password: "unused".into(),
        start_time: None,
    })
    .await
    .expect("sim");
    std::env::set_var("COUNTERCHECK_SECRETS", "file");
    let (desk, _) = Desk::open(&base).await.expect("opens");
    desk.sign_in("ada", "0000").expect("admin");
    // Germany verifies through securPharm, not an NMVS; and the reverse.
    let url = sim.url();
    assert!(desk
        .settings_national(&national("DE", "arvato-v5", ""))
        .is_err());
    assert!(desk
        .settings_national(&national("FR", "securpharm", &url))
        .is_err());
    assert!(desk
        .settings_national(&national("Deutschland", "securpharm", &url))
        .is_err());
    assert!(desk
        .settings_national(&national("DE", "securpharm", "http://insecure.example"))
        .is_err());
    let mut n = national("de", "securpharm", &url);
    n.ca_pem = Some(sim.pki.ca_cert.clone());
    desk.settings_national(&n).expect("securPharm");
    // Without the certificate: what is missing is said.
    let p = desk.connection_test().await;
    assert!(
        !p.ok && p.message.key == desk::words::Say::NotSetYet,
        "{p:?}"
    );
    desk.cert_import_pem(&sim.pki.client_cert, &sim.pki.client_key)
        .expect("certificate");
    let view = desk.settings().expect("view");
    assert_eq!(
        (
            view.national.country.as_str(),
            view.national.interface.as_str()
        ),
        ("DE", "securpharm")
    );
    assert_eq!(view.national.application_id.len(), 36);
    assert!(view.live_ready, "no password needed for securPharm");
    // The connection test gets a token with the certificate.
    let p = desk.connection_test().await;
    assert!(p.ok && p.message.key == desk::words::Say::TokenOk, "{p:?}");
    let app_id = view.national.application_id.clone();
    // Saving again keeps the application id.
    desk.settings_national(&n).expect("again");
    assert_eq!(
        desk.settings().expect("view").national.application_id,
        app_id
    );
    desk.settings_mode(true).expect("live next start");
    drop(desk);

    let (desk, why) = Desk::open(&base).await.expect("opens live");
    assert!(why.is_none(), "{why:?}");
    let status = desk.status().expect("status");
    assert!(!status.training);
    assert_eq!(status.interface, "securpharm");
    desk.user_put(&desk::view::UserInput {
        id: "owner".into(),
        name: "Olga Owner".into(),
        role: "administrator".into(),
        pin: Some("7777".into()),
        active: true,
    })
    .expect("first administrator");
    desk.sign_in("owner", "7777").expect("signed in");
    let codes = simulator::export_file(&base.join("securpharm")).expect("codes");
    let first = codes
        .lines()
        .find(|l| l.starts_with("]d2"))
        .expect("a code");
    let v = desk.scan(first, false).await;
    assert_eq!(v.tone, Tone::Green, "{v:?}");
    assert_eq!(v.code.as_deref(), Some("SP-000"));
    let done = desk.dispense().await;
    assert_eq!(done[0].code.as_deref(), Some("SP-000"), "{done:?}");
    drop(desk);
    sim.stop().await;
    let _ = std::fs::remove_dir_all(base);
}
