//! Two desks as counters of one site: each joins the site server in its
//! Settings with a one-time code (real PostgreSQL, the simulator over
//! HTTPS as the site's national system, the site server), then runs live
//! through it: a pack dispensed at HV1 is "already dispensed" at HV2,
//! answered from the site's ledger, sent once.

#[path = "../../site/tests/common/mod.rs"]
mod common;

use desk::view::{SiteInput, Tone};
use desk::Desk;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_desks_work_through_the_site_server() {
    std::env::set_var("COUNTERCHECK_SECRETS", "file");
    let dir = common::temp("desk-site");
    let db = site::testdb::TestDb::start("desk-site").expect("postgres");
    let sim = common::simulator(&dir, 1).await;
    let server = common::site_server(
        &db,
        &sim,
        &common::pki(&dir),
        "127.0.0.1:0".parse().expect("addr"),
    )
    .await;
    let url = server.url();
    let registry = site::connect(&db.config()).await.expect("registry");

    // Each desk joins the site in its Settings.
    let mut bases = Vec::new();
    for ws in ["HV1", "HV2"] {
        let base = dir.join(ws);
        let (desk, _) = Desk::open(&base).await.expect("opens");
        desk.sign_in("ada", "0000").expect("admin");
        desk.settings_site(&SiteInput {
            site_name: "Apotheke am Markt".into(),
            site_type: "community_pharmacy".into(),
            workstation_name: ws.into(),
            offline_confirm_after_hours: None,
        })
        .expect("site settings");
        // A wrong code is refused, with the reason.
        assert!(desk
            .settings_site_enrol(&url, "00000-00000-00000-00000")
            .await
            .is_err());
        let code = registry
            .approve_workstation(ws, "admin", 3600, common::now())
            .await
            .expect("approved");
        desk.settings_site_enrol(&url, &code)
            .await
            .expect("enrolled");
        let view = desk.settings().expect("view");
        let joined = view.site_server.expect("enrolled at the site");
        assert_eq!(
            (joined.site.as_str(), joined.url.as_str()),
            ("PH-SITE", url.as_str())
        );
        assert!(view.live_ready);
        let ping = desk.connection_test().await;
        assert!(ping.ok, "{ping:?}");
        desk.settings_mode(true).expect("live next start");
        bases.push(base);
    }

    let mut desks = Vec::new();
    for base in &bases {
        let (desk, why) = Desk::open(base).await.expect("opens live");
        assert!(why.is_none(), "{why:?}");
        assert!(!desk.status().expect("status").training);
        desk.user_put(&desk::view::UserInput {
            id: "anna".into(),
            name: "Anna Adler".into(),
            role: "administrator".into(),
            pin: Some("7777".into()),
            active: true,
        })
        .expect("first administrator");
        desk.sign_in("anna", "7777").expect("signed in");
        desks.push(desk);
    }
    let codes = common::codes(&dir);
    let first = codes.first().expect("a code").as_str();
    let v = desks[0].scan(first, false).await;
    assert_eq!(v.tone, Tone::Green, "{v:?}");
    let done = desks[0].dispense().await;
    assert_eq!(done[0].code.as_deref(), Some("NMVS_SUCCESS"), "{done:?}");
    // The other counter: already dispensed at the site, nothing sent.
    let v = desks[1].scan(first, false).await;
    assert_ne!(v.tone, Tone::Green, "{v:?}");
    assert_eq!(
        (
            v.detail.key,
            v.detail.param("counter"),
            v.detail.param("name")
        ),
        (
            desk::words::Say::AlreadyAtCounterDetail,
            "HV1",
            "Anna Adler"
        ),
        "{v:?}"
    );
    let admin = common::admin(&sim);
    assert_eq!(admin.stats().await.expect("stats")["state_changes"], 1);
    // HV2's journal screen is the site's: HV1's dispense, named.
    let lines = desks[1]
        .journal_search(&desk::view::JournalQuery::default())
        .await
        .expect("journal");
    assert!(
        lines
            .iter()
            .any(|l| l.workstation == "HV1" && l.operation == "dispense"),
        "{lines:?}"
    );
    let status = desks[1].site_status().await.expect("a site counter");
    assert!(status.connected && status.backlog == 0, "{status:?}");
    // The top bar's site state, as the background asks it.
    assert_eq!(desks[1].status().expect("status").site, None);
    desks[1].refresh_site_state().await;
    assert_eq!(desks[1].status().expect("status").site, Some(status));
    drop(desks);

    // Leaving the site: the desk's own national settings apply again.
    let (desk, _) = Desk::open(&bases[1]).await.expect("opens");
    desk.sign_in("anna", "7777").expect("signed in");
    desk.settings_site_leave().expect("left");
    let view = desk.settings().expect("view");
    assert!(view.site_server.is_none());
    assert!(!view.live_ready, "no national system of its own");
    drop(desk);
    server.stop();
    sim.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}
