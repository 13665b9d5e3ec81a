//! The engine over the site's PostgreSQL ledger: a real PostgreSQL server
//! (a throwaway one, `site::testdb`), the simulator over real HTTPS, the
//! same engine the desk and the CLI use. Then two site processes (two
//! engines, two database connections) dispensing the same packs at once:
//! every pack is decommissioned once, by the database's claim per pack.

mod common;

use common::*;
use domain::Operation;
use engine::Verdict;
use std::sync::Arc;
use store::Ledger;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_runs_on_the_sites_postgresql() {
    let dir = temp("engine");
    let db = site::testdb::TestDb::start("engine").expect("postgres");
    let sim = simulator(&dir, 6).await;
    let admin = admin(&sim);
    let all = codes(&dir);
    let e = engine(&db, &sim, "counter-1").await;
    assert_eq!(
        e.store_for_tests()
            .expect("ledger")
            .schema_version()
            .expect("v"),
        2
    );

    let v = op(&e, Operation::Verify, &all[0], "anna").await;
    assert!(
        matches!(&v, Verdict::Answered { code, .. } if code == "NMVS_SUCCESS"),
        "{v:?}"
    );
    let v = op(&e, Operation::Dispense, &all[0], "anna").await;
    assert!(
        matches!(&v, Verdict::Answered { code, .. } if code == "NMVS_SUCCESS"),
        "{v:?}"
    );
    // Another counter of the site, another connection: answered by the
    // site's ledger, nothing sent.
    let other = engine(&db, &sim, "counter-2").await;
    let v = op(&other, Operation::Dispense, &all[0], "ben").await;
    let Verdict::AlreadyHere { by, .. } = &v else {
        panic!("{v:?}")
    };
    assert_eq!(by, "anna");
    // The undo from the other counter (the site's one credential).
    let v = op(&other, Operation::UndoDispense, &all[0], "ben").await;
    assert!(
        matches!(&v, Verdict::Answered { code, .. } if code == "NMVS_SUCCESS"),
        "{v:?}"
    );

    // An outage: recorded in PostgreSQL, replayed exactly once.
    admin.outage(true).await.expect("outage");
    for code in &all[1..4] {
        let v = op(&e, Operation::Dispense, code, "anna").await;
        assert!(matches!(v, Verdict::RecordedOffline { .. }), "{v:?}");
    }
    admin.outage(false).await.expect("back");
    e.store_for_tests()
        .expect("ledger")
        .make_due(i64::MAX / 2)
        .expect("due");
    let (mut done, mut exceptions) = (0, 0);
    for _ in 0..20 {
        let (d, x, later) = e.sync_once("replayer", 100).await.expect("sync");
        done += d;
        exceptions += x;
        if d + x + later == 0 {
            break;
        }
    }
    assert_eq!((done, exceptions), (3, 0));
    let stats = admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], 5, "{stats}");
    assert_eq!(alerts(&admin).await, 0);
    // The site's PostgreSQL restarts: the ledger connects again, nothing is
    // lost, and a pack dispensed before is still "already dispensed".
    db.restart().expect("restart");
    let v = op(&e, Operation::Verify, &all[4], "anna").await;
    assert!(
        matches!(&v, Verdict::Answered { code, .. } if code == "NMVS_SUCCESS"),
        "{v:?}"
    );
    let v = op(&other, Operation::Dispense, &all[1], "ben").await;
    assert!(matches!(v, Verdict::AlreadyHere { .. }), "{v:?}");
    // The site's journal verifies, and names both counters.
    {
        let ledger = e.store_for_tests().expect("ledger");
        let n = ledger.journal_verify().expect("read").expect("verifies");
        assert!(n >= 10, "{n}");
        let rows = ledger
            .journal_query(&store::JournalFilter::default())
            .expect("journal");
        assert!(rows.iter().any(|r| r.entry.workstation == "counter-2"));
    }
    sim.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// Two site processes (two engines, each with its own connection) dispense
/// the same packs at the same moment: one decommission per pack.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_site_processes_never_decommission_a_pack_twice() {
    let dir = temp("race");
    let db = site::testdb::TestDb::start("race").expect("postgres");
    let sim = simulator(&dir, 10).await;
    let admin = admin(&sim);
    let all = codes(&dir);
    let a = Arc::new(engine(&db, &sim, "counter-1").await);
    let b = Arc::new(engine(&db, &sim, "counter-2").await);
    let mut tasks = Vec::new();
    for (e, who) in [(a.clone(), "anna"), (b.clone(), "ben")] {
        let codes = all.clone();
        tasks.push(tokio::spawn(async move {
            let mut sent = 0;
            for c in &codes {
                let v = op(&e, Operation::Dispense, c, who).await;
                match v {
                    Verdict::Answered { code, .. } if code == "NMVS_SUCCESS" => sent += 1,
                    Verdict::AlreadyHere { .. } | Verdict::Stopped { .. } => {}
                    other => panic!("{other:?}"),
                }
            }
            sent
        }));
    }
    let mut sent = 0;
    for t in tasks {
        sent += t.await.expect("task");
    }
    assert_eq!(
        sent,
        all.len(),
        "each pack dispensed once, by one of the two"
    );
    let stats = admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], all.len(), "{stats}");
    assert_eq!(alerts(&admin).await, 0);
    let v = a
        .store_for_tests()
        .expect("ledger")
        .journal_verify()
        .expect("read");
    assert!(v.is_ok(), "{v:?}");
    sim.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// The site server's door: a counter's request, made and checked by the
/// counter's engine, keeps its ClientTrxId; the counter's replay of it (the
/// answer was lost on the way back) is answered from the site's ledger and
/// not sent again; another counter's request for the pack is "already
/// decommissioned at this site", with who and where.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counters_request_repeated_is_answered_from_the_sites_ledger() {
    let dir = temp("repeat");
    let db = site::testdb::TestDb::start("repeat").expect("postgres");
    let sim = simulator(&dir, 4).await;
    let admin = admin(&sim);
    let all = codes(&dir);
    let counter_2 = engine(&db, &sim, "counter-2").await;
    let scan = packcode::parse(&all[0], TODAY);
    let req = nmvs::PackRequest::from_scan(Operation::Dispense, &scan, nmvs::new_client_trx_id())
        .expect("request");
    let v = counter_2
        .operate_request(req.clone(), "anna", Some(domain::Role::Pharmacist), None)
        .await
        .expect("engine");
    assert!(
        matches!(&v, Verdict::Answered { code, client_trx_id, .. } if code == "NMVS_SUCCESS" && *client_trx_id == req.client_trx_id),
        "{v:?}"
    );
    let before = admin.stats().await.expect("stats")["requests"].clone();
    // The same request again (the counter's replay): the ledger's answer.
    let again = counter_2
        .operate_request(req.clone(), "anna", Some(domain::Role::Pharmacist), None)
        .await
        .expect("engine");
    assert!(
        matches!(&again, Verdict::Answered { code, state, .. } if code == "NMVS_SUCCESS" && state.as_deref() == Some("SUPPLIED")),
        "{again:?}"
    );
    assert_eq!(
        admin.stats().await.expect("stats")["requests"],
        before,
        "nothing sent"
    );
    // Another counter's own request for the pack: already decommissioned
    // at the site, by Anna at counter 2.
    let counter_3 = engine(&db, &sim, "counter-3").await;
    let other = nmvs::PackRequest {
        client_trx_id: nmvs::new_client_trx_id(),
        ..req.clone()
    };
    let v = counter_3
        .operate_request(other, "ben", Some(domain::Role::Pharmacist), None)
        .await
        .expect("engine");
    let Verdict::AlreadyHere { by, .. } = &v else {
        panic!("{v:?}")
    };
    assert_eq!(by, "anna");
    let last = counter_3
        .store_for_tests()
        .expect("ledger")
        .last_change(&req.product_code, &req.serial)
        .expect("read")
        .expect("a change");
    assert_eq!(last.workstation, "counter-2");
    assert_eq!(admin.stats().await.expect("stats")["state_changes"], 1);
    sim.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}
