//! Counters in site mode, over real parts: a throwaway PostgreSQL, the
//! simulator over HTTPS as the site's national system, the site server,
//! and three counters, each an engine over its own SQLite file whose
//! national system is the site server (over HTTPS with its workstation
//! certificate). A pack decommissioned at one counter is answered at the
//! others from the site's ledger; an undo can be made from another
//! counter; the site's outage is the site's to replay; a counter cut off
//! from the site records locally and replays to the site exactly once.

mod common;

use common::*;
use domain::Operation;
use engine::Verdict;
use std::time::Duration;

fn answered(v: &Verdict) -> bool {
    matches!(v, Verdict::Answered { code, .. } if code == "NMVS_SUCCESS")
}

async fn state_changes(admin: &simulator::admin::AdminClient) -> u64 {
    admin.stats().await.expect("stats")["state_changes"]
        .as_u64()
        .expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_in_site_mode_share_the_sites_ledger() {
    let dir = temp("counters");
    let db = site::testdb::TestDb::start("counters").expect("postgres");
    let sim = simulator(&dir, 6).await;
    let admin = admin(&sim);
    let pki = pki(&dir);
    let server = site_server(&db, &sim, &pki, "127.0.0.1:0".parse().expect("addr")).await;
    let (url, addr) = (server.url(), server.addr);
    let hv1 = site_counter(&dir.join("hv1"), &db, &url, "HV1").await;
    let hv2 = site_counter(&dir.join("hv2"), &db, &url, "HV2").await;
    let hv3 = site_counter(&dir.join("hv3"), &db, &url, "HV3").await;
    let c = codes(&dir);

    // Dispensed at HV1; the same pack at HV2 and HV3 is answered from the
    // site's ledger, naming the counter and the person; nothing is sent.
    let v = op(&hv1, Operation::Dispense, &c[0], "anna").await;
    assert!(answered(&v), "{v:?}");
    for (counter, what) in [(&hv2, Operation::Dispense), (&hv3, Operation::Verify)] {
        let v = op(counter, what, &c[0], "ben").await;
        let Verdict::AlreadyHere {
            by, workstation, ..
        } = &v
        else {
            panic!("{v:?}");
        };
        assert_eq!((by.as_str(), workstation.as_deref()), ("anna", Some("HV1")));
    }
    assert_eq!(state_changes(&admin).await, 1);
    // HV2 never saw the dispense, yet may undo it (the site's ledger has
    // it); then the pack can be dispensed again at HV1.
    let v = op(&hv2, Operation::UndoDispense, &c[0], "ben").await;
    assert!(answered(&v), "{v:?}");
    let v = op(&hv1, Operation::Dispense, &c[0], "anna").await;
    assert!(answered(&v), "{v:?}");
    assert_eq!(state_changes(&admin).await, 3);

    // The site's national system is down: the site records the dispense
    // (the counter's outbox stays empty) and its replay sends it once the
    // system is back.
    admin.outage(true).await.expect("outage");
    let v = op(&hv1, Operation::Dispense, &c[1], "anna").await;
    assert!(matches!(v, Verdict::RecordedOffline { .. }), "{v:?}");
    assert_eq!(hv1.offline_state().expect("state").backlog, 0);
    let v = op(&hv2, Operation::Dispense, &c[1], "ben").await;
    assert!(
        matches!(&v, Verdict::AlreadyHere { pending: true, .. }),
        "{v:?}"
    );
    admin.outage(false).await.expect("back");
    // An answered verify brings the site online (what waits is due now).
    let v = op(&hv2, Operation::Verify, &c[5], "ben").await;
    assert!(answered(&v), "{v:?}");
    let mut waited = 0;
    while state_changes(&admin).await < 4 {
        assert!(waited < 100, "the site's replay did not send the dispense");
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }

    // HV3 is cut off from the site: its scans are recorded on the counter.
    server.stop();
    let v = op(&hv3, Operation::Dispense, &c[2], "carl").await;
    assert!(matches!(v, Verdict::RecordedOffline { .. }), "{v:?}");
    // Its own ledger answers a second scan of that pack.
    let v = op(&hv3, Operation::Dispense, &c[2], "carl").await;
    assert!(matches!(v, Verdict::AlreadyHere { .. }), "{v:?}");
    // A pack HV1 dispensed, which HV3 cannot know while cut off.
    let v = op(&hv3, Operation::Dispense, &c[0], "carl").await;
    assert!(matches!(v, Verdict::RecordedOffline { .. }), "{v:?}");
    assert_eq!(hv3.offline_state().expect("state").backlog, 2);

    // The site server is back: HV3 replays to it; the site sends the one
    // and answers the other from its ledger (an exception to look at, no
    // second decommission, no alert); a second round finds nothing.
    let server = site_server(&db, &sim, &pki, addr).await;
    let (done, exceptions, later) = hv3.sync_once("test", 50).await.expect("replay");
    assert_eq!((done, exceptions, later), (1, 1, 0));
    assert_eq!(hv3.sync_once("test", 50).await.expect("again"), (0, 0, 0));
    assert_eq!(state_changes(&admin).await, 5);
    let v = op(&hv1, Operation::Verify, &c[2], "anna").await;
    let Verdict::AlreadyHere { workstation, .. } = &v else {
        panic!("{v:?}");
    };
    assert_eq!(workstation.as_deref(), Some("HV3"));
    let exceptions = hv3
        .outbox(Some(store::OutboxStatus::Exception))
        .expect("outbox");
    assert_eq!(exceptions.len(), 1);
    assert_eq!(
        exceptions[0].result_code.as_deref(),
        Some("ALREADY_AT_SITE")
    );

    assert_eq!(alerts(&admin).await, 0);
    // The whole site's reports, asked by a counter: the journal names every
    // counter; the recall search finds HV3's dispense; nothing waits.
    let engine::Port::Site(client) = hv1.national() else {
        panic!("HV1 is a site counter");
    };
    let rows = client
        .journal(&store::JournalFilter::default())
        .await
        .expect("journal");
    let counters: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.entry.workstation.as_str()).collect();
    for ws in ["HV1", "HV2", "HV3"] {
        assert!(counters.contains(ws), "{counters:?}");
    }
    let scan = packcode::parse(&c[2], TODAY);
    let recall = client
        .recall(
            scan.product_code().expect("product").0,
            scan.batch().expect("batch"),
        )
        .await
        .expect("recall");
    assert!(
        recall
            .iter()
            .any(|r| r.entry.workstation == "HV3" && r.entry.operation == "G120"),
        "{recall:?}"
    );
    assert!(client.outbox().await.expect("outbox").is_empty());
    let status = client.status().await.expect("status");
    assert_eq!((status.backlog, status.offline_since), (0, None));

    let ledger = site::connect(&db.config()).await.expect("ledger");
    let n = store::Ledger::journal_verify(&ledger)
        .expect("read")
        .expect("the site's journal verifies");
    assert!(n > 0);

    // An alert at a counter opens one case, at the site, for every counter
    // to see and decide (the counter opens none of its own).
    let unknown = format!("{}ZZ", &c[3][..c[3].len() - 2]);
    let v = op(&hv2, Operation::Verify, &unknown, "ben").await;
    let Verdict::Answered {
        alert: true,
        case_id: Some(case),
        ..
    } = &v
    else {
        panic!("{v:?}");
    };
    assert!(hv2.cases(false).expect("local cases").is_empty());
    let open = client.cases(true).await.expect("site cases");
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].id, open[0].workstation.as_str()), (*case, "HV2"));
    let decision = engine::site::CaseDecision {
        id: *case,
        note: "set aside".into(),
        decision: "reported".into(),
        by: "anna".into(),
    };
    assert!(client.decide_case(&decision).await.expect("decided"));
    assert!(!client.decide_case(&decision).await.expect("once"));
    assert!(client.cases(true).await.expect("open").is_empty());
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
