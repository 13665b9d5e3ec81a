//! The engine against the simulator over real HTTPS with real SQLite files:
//! online, guards, outage and exactly-once replay, lost answers.

use domain::Operation;
use engine::{Choice, Clock, Counter, Engine, Scanned, SystemClock, Verdict};
use nmvs::{ClientConfig, Credentials, NmvsClient, Secret, UserSoftware, Version};
use simulator::seed::SeedSize;
use simulator::{Fault, SimConfig};
use std::path::PathBuf;
use std::time::Duration;
use store::{OutboxStatus, Store};

/// A scan as a clean keyboard scanner delivers it.
/// A pharmacist acting (may send every operation).
fn pharmacist(id: &str) -> engine::Actor<'_> {
    engine::Actor::new(id, domain::Role::Pharmacist)
}

fn sc(code: &str) -> Scanned {
    Scanned::new(code, false, "2026-11-23".parse().expect("date"))
}

struct Env {
    sim: simulator::Handle,
    admin: simulator::admin::AdminClient,
    dir: PathBuf,
}

async fn start(name: &str, products: usize) -> Env {
    let dir =
        std::env::temp_dir().join(format!("countercheck-engine-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sim = simulator::start(SimConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.join("sim"),
        seed: Some((
            5,
            SeedSize {
                products,
                batches_per_product: 2,
                packs_per_batch: 10,
            },
        )),
        client_login_id: "PH-1".into(),
        user_id: "anna".into(),
        password: "pw".into(),
        start_time: None,
    })
    .await
    .expect("simulator");
    let admin = simulator::admin::AdminClient::new(
        &sim.url(),
        &sim.pki.ca_cert,
        &sim.pki.client_cert,
        &sim.pki.client_key,
    )
    .expect("admin");
    Env { sim, admin, dir }
}

/// Dispenses `code` by `who` while the system is unreachable: recorded
/// offline (the verdict says so).
async fn dispense_offline<C: Clock>(e: &Engine<NmvsClient, C>, code: &str, who: &str) {
    let v = e
        .operate(
            Operation::Dispense,
            &sc(code),
            pharmacist(who),
            Choice::AsChecked,
        )
        .await
        .expect("recorded");
    assert!(matches!(v, Verdict::RecordedOffline { .. }), "{v:?}");
}

fn engine<C: Clock>(env: &Env, clock: C) -> Engine<NmvsClient, C> {
    engine_with(env, clock, |_| {})
}

/// The engine with its client configuration changed by `change` first.
fn engine_with<C: Clock>(
    env: &Env,
    clock: C,
    change: impl FnOnce(&mut ClientConfig),
) -> Engine<NmvsClient, C> {
    let mut cfg = ClientConfig {
        single_pack_url: format!("{}/ws/SinglePackServiceV50", env.sim.url()),
        bulk_url: None,
        support_url: None,
        ca_pem: Some(env.sim.pki.ca_cert.clone()),
        client_cert_pem: env.sim.pki.client_cert.clone(),
        client_key_pem: Secret(env.sim.pki.client_key.clone()),
        credentials: Credentials {
            client_login_id: "PH-1".into(),
            user_id: "anna".into(),
            password: "pw".into(),
        },
        software: UserSoftware {
            supplier: "Countercheck".into(),
            name: "engine-tests".into(),
            version: "0".into(),
        },
        version: Version::V5,
        connect_timeout: Duration::from_secs(2),
        response_timeout: Duration::from_secs(5),
    };
    change(&mut cfg);
    let client = NmvsClient::new(cfg).expect("client");
    let store = Store::open(&env.dir.join("counter").join("countercheck.sqlite")).expect("store");
    Engine::new(
        store,
        client,
        clock,
        Counter {
            workstation: "till-1".into(),
            site: "PH-1".into(),
        },
    )
}

fn codes(env: &Env) -> Vec<String> {
    simulator::export_file(&env.dir.join("sim"))
        .expect("export")
        .lines()
        .filter(|l| l.starts_with("]d2"))
        .map(str::to_owned)
        .collect()
}

async fn drain<C: Clock>(e: &Engine<NmvsClient, C>) -> (usize, usize) {
    let (mut done, mut exceptions) = (0, 0);
    for _ in 0..100 {
        let (d, x, later) = e.sync_once("replayer", 1000).await.expect("sync");
        done += d;
        exceptions += x;
        if d + x + later == 0 {
            break;
        }
    }
    (done, exceptions)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_guards_and_undo() {
    let env = start("online", 2).await;
    let e = engine(&env, SystemClock);
    let code = &codes(&env)[0];
    let v = e
        .operate(
            Operation::Dispense,
            &sc(code),
            pharmacist("anna"),
            Choice::AsChecked,
        )
        .await
        .expect("dispense");
    assert!(
        matches!(&v, Verdict::Answered { code, .. } if code == "NMVS_SUCCESS"),
        "{v:?}"
    );
    // The product's name comes from the system's master data and is cached.
    let Verdict::Answered {
        product_name: Some(name),
        ..
    } = &v
    else {
        panic!("no product name: {v:?}")
    };
    assert!(name.contains("Ibuprofen"), "{name}");
    let scan = packcode::parse(
        code,
        packcode::Date {
            year: 2026,
            month: 11,
            day: 23,
        },
    );
    let cached = e
        .store_for_tests()
        .expect("store")
        .product_name(scan.product_code().expect("pc").0)
        .expect("cache");
    assert_eq!(cached.as_deref(), Some(name.as_str()));
    // The same pack again: stopped here, not sent (no PCK_23/22 at the system).
    let v = e
        .operate(
            Operation::Dispense,
            &sc(code),
            pharmacist("anna"),
            Choice::AsChecked,
        )
        .await
        .expect("again");
    assert!(matches!(&v, Verdict::AlreadyHere { .. }), "{v:?}");
    let v = e
        .operate(
            Operation::UndoDispense,
            &sc(code),
            pharmacist("anna"),
            Choice::AsChecked,
        )
        .await
        .expect("undo");
    assert!(
        matches!(&v, Verdict::Answered { code, state: Some(s), .. } if code == "NMVS_SUCCESS" && s == "ACTIVE"),
        "{v:?}"
    );
    let v = e
        .operate(
            Operation::Dispense,
            &sc("0104150037528644172701311012\u{1d}21S"),
            pharmacist("anna"),
            Choice::AsChecked,
        )
        .await
        .expect("bad scan");
    assert!(matches!(v, Verdict::BadScan { .. }));
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(
        stats["requests"], 2,
        "the stopped scan never reached the system: {stats}"
    );
    // Every scan is journaled: the dispense (its intent, then its answer),
    // the stopped repeat, the undo (intent, answer) and the bad scan.
    assert_eq!(
        e.store_for_tests()
            .expect("store")
            .journal_verify()
            .expect("verify"),
        Ok(6)
    );
    env.sim.stop().await;
}

struct Future2040;
impl Clock for Future2040 {
    fn now(&self) -> i64 {
        2_208_988_800 // 2040-01-01
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_packs_are_stopped_locally() {
    let env = start("expired", 1).await;
    let e = engine(&env, Future2040);
    let v = e
        .operate(
            Operation::Dispense,
            &sc(&codes(&env)[0]),
            pharmacist("anna"),
            Choice::AsChecked,
        )
        .await
        .expect("dispense");
    assert!(
        matches!(
            &v,
            Verdict::Stopped {
                reason: engine::StopReason::Expired,
                ..
            }
        ),
        "{v:?}"
    );
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_of_500_dispenses_replays_exactly_once() {
    let env = start("outage", 25).await;
    let e = engine(&env, SystemClock);
    let all = codes(&env);
    assert_eq!(all.len(), 500);
    env.admin.outage(true).await.expect("outage");
    for code in &all {
        dispense_offline(&e, code, "anna").await;
    }
    // While offline, the same pack is not recorded twice.
    let v = e
        .operate(
            Operation::Dispense,
            &sc(&all[0]),
            pharmacist("anna"),
            Choice::AsChecked,
        )
        .await
        .expect("again");
    assert!(
        matches!(v, Verdict::AlreadyHere { pending: true, .. }),
        "{v:?}"
    );
    // Replay during the outage changes nothing and keeps everything.
    let (done, exceptions) = drain(&e).await;
    assert_eq!((done, exceptions), (0, 0));
    env.admin.outage(false).await.expect("recovered");
    // Items retried later are due again: make them due now.
    e.store_for_tests()
        .expect("store")
        .connection()
        .execute("UPDATE outbox SET next_attempt_at = 0", [])
        .expect("due");
    let (done, exceptions) = drain(&e).await;
    assert_eq!((done, exceptions), (500, 0));
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], 500, "{stats}");
    assert!(
        stats["alerts"].as_object().is_some_and(|m| m.is_empty()),
        "no alert caused by us: {stats}"
    );
    {
        let s = e.store_for_tests().expect("store");
        assert_eq!(s.outbox(Some(OutboxStatus::Done)).expect("done").len(), 500);
        assert!(s.journal_verify().expect("verify").is_ok());
    }
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_replayed_by_verifying_not_by_sending_again() {
    let env = start("lost", 1).await;
    let e = engine(&env, SystemClock);
    let all = codes(&env);
    env.admin
        .fault(&Fault {
            drop_after_apply: 1,
            ..Fault::default()
        })
        .await
        .expect("fault");
    dispense_offline(&e, &all[0], "anna").await;
    let (done, exceptions) = drain(&e).await;
    assert_eq!((done, exceptions), (1, 0));
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], 1);
    assert!(
        stats["by_code"].get("NMVS_NC_PCK_22").is_none(),
        "no PCK_22: {stats}"
    );
    // A pack decommissioned elsewhere while we were offline becomes an exception.
    env.admin.outage(true).await.expect("outage");
    dispense_offline(&e, &all[1], "anna").await;
    env.admin.outage(false).await.expect("back");
    let scan = packcode::parse(
        &all[1],
        packcode::Date {
            year: 2026,
            month: 11,
            day: 23,
        },
    );
    let (pc, _) = scan.product_code().expect("pc");
    env.admin
        .set_pack_state(pc, scan.serial().expect("sn"), "SUPPLIED")
        .await
        .expect("set");
    e.store_for_tests()
        .expect("store")
        .connection()
        .execute("UPDATE outbox SET next_attempt_at = 0", [])
        .expect("due");
    let (done, exceptions) = drain(&e).await;
    assert_eq!((done, exceptions), (0, 1));
    let ex = e
        .store_for_tests()
        .expect("store")
        .outbox(Some(OutboxStatus::Exception))
        .expect("list");
    assert!(
        ex[0]
            .last_error
            .as_deref()
            .is_some_and(|m| m.contains("elsewhere")),
        "{ex:?}"
    );
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_or_read_only_database_claims_nothing() {
    let env = start("full", 3).await;
    let e = engine(&env, SystemClock);
    let all = codes(&env);
    env.admin.outage(true).await.expect("outage");
    // Disk full: SQLite may not grow the file any more.
    {
        let s = e.store_for_tests().expect("store");
        let pages: i64 = s
            .connection()
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .expect("pages");
        s.connection()
            .execute_batch(&format!("PRAGMA max_page_count = {pages};"))
            .expect("cap");
    }
    let mut refused = 0;
    for code in all.iter().take(40) {
        match e
            .operate(
                Operation::Dispense,
                &sc(code),
                pharmacist("anna"),
                Choice::AsChecked,
            )
            .await
        {
            Ok(Verdict::RecordedOffline { .. }) => {}
            Ok(other) => panic!("unexpected verdict {other:?}"),
            Err(err) => {
                refused += 1;
                assert!(err.to_string().contains("full"), "{err}");
            }
        }
    }
    assert!(refused > 0, "the capped database must refuse some writes");
    // What was claimed recorded is there; what was refused is not.
    let recorded = e
        .store_for_tests()
        .expect("store")
        .outbox(None)
        .expect("outbox")
        .len();
    assert_eq!(recorded, 40 - refused);
    // Read-only: every write refused, nothing claimed.
    e.store_for_tests()
        .expect("store")
        .connection()
        .execute_batch("PRAGMA query_only = ON;")
        .expect("ro");
    let err = e
        .operate(
            Operation::Dispense,
            &sc(&all[45]),
            pharmacist("anna"),
            Choice::AsChecked,
        )
        .await
        .expect_err("read-only");
    assert!(
        err.to_string().contains("readonly")
            || err.to_string().contains("read-only")
            || err.to_string().contains("query_only"),
        "{err}"
    );
    e.store_for_tests()
        .expect("store")
        .connection()
        .execute_batch("PRAGMA query_only = OFF;")
        .expect("rw");
    assert_eq!(
        e.store_for_tests()
            .expect("store")
            .outbox(None)
            .expect("outbox")
            .len(),
        recorded
    );
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_state_and_events() {
    let env = start("events", 1).await;
    let e = engine(&env, SystemClock);
    let mut events = e.subscribe();
    let all = codes(&env);
    env.admin.outage(true).await.expect("outage");
    for code in all.iter().take(3) {
        e.operate(
            Operation::Dispense,
            &sc(code),
            pharmacist("anna"),
            Choice::AsChecked,
        )
        .await
        .expect("recorded");
    }
    let state = e.offline_state().expect("state");
    assert!(state.offline_since.is_some());
    assert_eq!(state.backlog, 3);
    assert!(state.oldest_age_secs.is_some_and(|a| a >= 0));
    env.admin.outage(false).await.expect("back");
    let (done, _, _) = e.sync_once("w", 100).await.expect("sync");
    assert_eq!(done, 3);
    let state = e.offline_state().expect("state");
    assert_eq!(
        (state.offline_since, state.backlog, state.open_exceptions),
        (None, 0, 0)
    );
    let mut seen = Vec::new();
    while let Ok(ev) = events.try_recv() {
        seen.push(match ev {
            engine::Event::Verdict { .. } => "verdict",
            engine::Event::Offline { .. } => "offline",
            engine::Event::Online => "online",
            engine::Event::Replayed { .. } => "replayed",
            engine::Event::ReplayFailed { .. } => "replay failed",
            engine::Event::Connection => "connection",
        });
    }
    assert_eq!(
        seen,
        vec!["offline", "verdict", "verdict", "verdict", "online", "replayed"]
    );
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_problems_become_exceptions() {
    let env = start("replayproblems", 2).await;
    let e = engine(&env, SystemClock);
    let all = codes(&env);
    env.admin.outage(true).await.expect("outage");
    // A pack whose batch is recalled during the outage, and a pack of
    // another batch that is withdrawn.
    let recalled = packcode::parse(
        &all[0],
        packcode::Date {
            year: 2026,
            month: 11,
            day: 23,
        },
    );
    let withdrawn = packcode::parse(
        &all[15],
        packcode::Date {
            year: 2026,
            month: 11,
            day: 23,
        },
    );
    assert_ne!(recalled.batch(), withdrawn.batch());
    for code in [&all[0], &all[15]] {
        dispense_offline(&e, code, "anna").await;
    }
    env.admin
        .recall(recalled.batch().expect("batch"), false)
        .await
        .expect("recall");
    env.admin
        .recall(withdrawn.batch().expect("batch"), true)
        .await
        .expect("withdraw");
    env.admin.outage(false).await.expect("back");
    let (done, exceptions) = drain(&e).await;
    assert_eq!((done, exceptions), (0, 2));
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(
        stats["state_changes"], 0,
        "nothing dispensed at replay: {stats}"
    );
    let ex = e
        .store_for_tests()
        .expect("store")
        .outbox(Some(OutboxStatus::Exception))
        .expect("list");
    assert!(
        ex.iter().any(|i| i
            .last_error
            .as_deref()
            .is_some_and(|m| m.contains("recalled"))),
        "{ex:?}"
    );
    assert!(
        ex.iter().any(|i| i
            .last_error
            .as_deref()
            .is_some_and(|m| m.contains("withdrawn"))),
        "{ex:?}"
    );
    // Later scans of the recalled batch are stopped locally.
    let v = e
        .operate(
            Operation::Dispense,
            &sc(&all[1]),
            pharmacist("anna"),
            Choice::AsChecked,
        )
        .await
        .expect("operate");
    assert!(
        matches!(&v, Verdict::Answered { .. } | Verdict::Stopped { .. }),
        "{v:?}"
    );
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_replay_drains_when_the_system_is_back() {
    let env = start("background", 1).await;
    let e = std::sync::Arc::new(engine(&env, SystemClock));
    let all = codes(&env);
    env.admin.outage(true).await.expect("outage");
    for code in all.iter().take(5) {
        e.operate(
            Operation::Dispense,
            &sc(code),
            pharmacist("anna"),
            Choice::AsChecked,
        )
        .await
        .expect("recorded");
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (e2, stop2) = (e.clone(), stop.clone());
    let replayer = tokio::spawn(async move {
        e2.replay_loop("bg", Duration::from_millis(50), &stop2)
            .await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        e.offline_state().expect("state").backlog,
        5,
        "nothing replays during the outage"
    );
    env.admin.outage(false).await.expect("back");
    // Items tried during the outage wait for their backoff: make them due.
    e.store_for_tests()
        .expect("store")
        .connection()
        .execute(
            "UPDATE outbox SET next_attempt_at = 0 WHERE status = 'pending'",
            [],
        )
        .expect("due");
    let started = std::time::Instant::now();
    while e.offline_state().expect("state").backlog > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the background replay does not drain"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    replayer.await.expect("loop ends cleanly");
    assert_eq!(env.admin.stats().await.expect("stats")["state_changes"], 5);
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dispenses_made_here_and_their_undo_survive_a_restart() {
    let env = start("restart-undo", 1).await;
    let all = codes(&env);
    {
        let e = engine(&env, SystemClock);
        for code in &all[..2] {
            let v = e
                .operate(
                    Operation::Dispense,
                    &sc(code),
                    pharmacist("anna"),
                    Choice::AsChecked,
                )
                .await
                .expect("dispense");
            assert!(
                matches!(&v, Verdict::Answered { code, .. } if code == "NMVS_SUCCESS"),
                "{v:?}"
            );
        }
    }
    // A new engine on the same database file (the app restarted).
    let e = engine(&env, SystemClock);
    let standing = e
        .standing(Operation::Dispense, 10 * 86_400, 50)
        .expect("standing");
    assert_eq!(standing.len(), 2, "{standing:?}");
    let first = packcode::parse(&all[0], "2026-11-23".parse().expect("date"));
    // Newest first: the second pack, then the first.
    assert_eq!(Some(standing[1].serial.as_str()), first.serial());
    let v = e
        .undo_standing(&standing[1], pharmacist("anna"))
        .await
        .expect("undo");
    assert!(
        matches!(&v, Verdict::Answered { code, .. } if code == "NMVS_SUCCESS"),
        "{v:?}"
    );
    // The first pack's dispense no longer stands; the second's does.
    let standing = e
        .standing(Operation::Dispense, 10 * 86_400, 50)
        .expect("standing");
    assert_eq!(standing.len(), 1);
    assert_ne!(Some(standing[0].serial.as_str()), first.serial());
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misconfigured_connection_is_not_an_outage() {
    let env = start("misconfigured", 1).await;
    let all = codes(&env);
    // A refused login (NMVS_FE_AU_01) and an untrusted server (another CA):
    // red "cannot check", nothing recorded as sent, the banner says what to
    // fix; never "you may hand out".
    let other = simulator::pki::issue("elsewhere").expect("other pki");
    for (what, e) in [
        (
            "refused login",
            engine_with(&env, SystemClock, |c| {
                c.credentials.password = "wrong".into()
            }),
        ),
        (
            "untrusted server",
            engine_with(&env, SystemClock, |c| {
                c.ca_pem = Some(other.ca_cert.clone())
            }),
        ),
    ] {
        for op in [Operation::Verify, Operation::Dispense] {
            let v = e
                .operate(op, &sc(&all[0]), pharmacist("anna"), Choice::AsChecked)
                .await
                .expect("operate");
            assert!(
                matches!(&v, Verdict::Misconfigured { fix, .. } if !fix.is_empty()),
                "{what} {op:?}: {v:?}"
            );
        }
        let state = e.offline_state().expect("state");
        assert_eq!(state.backlog, 0, "{what}: nothing recorded for replay");
        assert_eq!(state.offline_since, None, "{what}: not offline");
        assert!(state.misconfigured.is_some(), "{what}: the banner");
        e.connection_tested_ok();
        assert!(e.offline_state().expect("state").misconfigured.is_none());
    }
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], 0, "{stats}");
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_the_system_asks_to_repeat_is_repeated_not_recorded_offline() {
    let env = start("retry", 1).await;
    let all = codes(&env);
    let e = engine(&env, SystemClock);
    // Two HTTP 500 answers (class retry): the dispense is repeated within
    // the budget and answered, not recorded offline.
    env.admin
        .fault(&Fault {
            http_500: 2,
            ..Fault::default()
        })
        .await
        .expect("fault");
    let v = e
        .operate(
            Operation::Dispense,
            &sc(&all[0]),
            pharmacist("anna"),
            Choice::AsChecked,
        )
        .await
        .expect("operate");
    assert!(
        matches!(&v, Verdict::Answered { code, .. } if code == "NMVS_SUCCESS"),
        "{v:?}"
    );
    let state = e.offline_state().expect("state");
    assert_eq!((state.backlog, state.offline_since), (0, None));
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], 1, "{stats}");
    // A verify during an outage sets the offline banner too.
    env.admin.outage(true).await.expect("outage");
    let v = e
        .operate(
            Operation::Verify,
            &sc(&all[1]),
            pharmacist("anna"),
            Choice::AsChecked,
        )
        .await
        .expect("operate");
    assert!(matches!(v, Verdict::Offline { .. }), "{v:?}");
    assert!(e.offline_state().expect("state").offline_since.is_some());
    env.admin.outage(false).await.expect("back");
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_repeated_wrong_answers_are_never_applied_redirects_are_configuration() {
    let env = start("faults", 1).await;
    let all = codes(&env);
    let e = engine(&env, SystemClock);
    // The rate limit, twice: repeated with backoff, answered, once.
    env.admin
        .fault(&Fault {
            return_code: Some("NMVS_FI_SE_CLI_01".into()),
            return_code_count: 2,
            ..Fault::default()
        })
        .await
        .expect("fault");
    let v = e
        .operate(
            Operation::Dispense,
            &sc(&all[0]),
            pharmacist("anna"),
            Choice::AsChecked,
        )
        .await
        .expect("operate");
    assert!(
        matches!(&v, Verdict::Answered { code, .. } if code == "NMVS_SUCCESS"),
        "{v:?}"
    );
    // An answer with another request's ClientTrxId (the dispense was
    // applied): not applied by us as an answer, recorded as possibly sent,
    // and the replay finds it applied (no second dispense, no PCK_22).
    env.admin
        .fault(&Fault {
            other_trx_id: 1,
            ..Fault::default()
        })
        .await
        .expect("fault");
    dispense_offline(&e, &all[1], "anna").await;
    let (done, exceptions) = drain(&e).await;
    assert_eq!((done, exceptions), (1, 0));
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], 2, "{stats}");
    assert!(stats["by_code"].get("NMVS_NC_PCK_22").is_none(), "{stats}");
    // A redirect: a configuration fault, never followed.
    env.admin
        .fault(&Fault {
            redirect: 1,
            ..Fault::default()
        })
        .await
        .expect("fault");
    let v = e
        .operate(
            Operation::Verify,
            &sc(&all[2]),
            pharmacist("anna"),
            Choice::AsChecked,
        )
        .await
        .expect("operate");
    assert!(
        matches!(&v, Verdict::Misconfigured { fix, .. } if fix.contains("redirect")),
        "{v:?}"
    );
    env.sim.stop().await;
}

fn pack_of(code: &str) -> (String, String) {
    let scan = packcode::parse(code, "2026-11-23".parse().expect("date"));
    (
        scan.product_code().expect("pc").0.to_owned(),
        scan.serial().expect("sn").to_owned(),
    )
}

/// Two engines on one database file are two programs at one counter (the
/// desk and the CLI): pressed at once for the same packs, they send one
/// decommission per pack, and the other is told why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_programs_on_one_database_send_one_decommission_per_pack() {
    let env = start("two-programs", 2).await;
    let a = engine(&env, SystemClock);
    let b = engine(&env, SystemClock);
    let all = codes(&env);
    // Slow answers, so both requests are certainly under way at once.
    env.admin
        .fault(&Fault {
            latency_ms: 200,
            ..Fault::default()
        })
        .await
        .expect("fault");
    let mut sent = 0;
    for code in all.iter().take(8) {
        let scanned = sc(code);
        let (x, y) = tokio::join!(
            a.operate(
                Operation::Dispense,
                &scanned,
                pharmacist("anna"),
                Choice::AsChecked
            ),
            b.operate(
                Operation::Dispense,
                &scanned,
                pharmacist("ben"),
                Choice::AsChecked
            )
        );
        for v in [x.expect("a"), y.expect("b")] {
            match v {
                Verdict::Answered { code, .. } => {
                    assert_eq!(code, "NMVS_SUCCESS");
                    sent += 1;
                }
                Verdict::Stopped { reason, .. } => {
                    assert_eq!(reason, engine::StopReason::InProgress)
                }
                Verdict::AlreadyHere { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(sent, 8, "one dispense per pack");
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["requests"], 8, "one request per pack: {stats}");
    assert_eq!(stats["alerts"], serde_json::json!({}), "{stats}");
    env.sim.stop().await;
}

/// The system applies a dispense and the process dies before the answer
/// arrives (the task is dropped: nothing after the send runs). The intent
/// written before the send is settled by the next replay with the same
/// ClientTrxId: the ledger and journal say what happened, no second
/// decommission and no alert, and the pack can be undone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispense_applied_while_the_program_died_is_settled_and_undoable() {
    let env = start("died", 1).await;
    let all = codes(&env);
    let (pc, sn) = pack_of(&all[0]);
    env.admin
        .fault(&Fault {
            hold_after_apply: 1,
            hold_ms: 20_000,
            ..Fault::default()
        })
        .await
        .expect("fault");
    {
        let first = engine(&env, SystemClock);
        first.set_offline_budget(Duration::from_secs(30));
        let first = std::sync::Arc::new(first);
        let task = {
            let first = first.clone();
            let code = all[0].clone();
            tokio::spawn(async move {
                first
                    .operate(
                        Operation::Dispense,
                        &sc(&code),
                        pharmacist("anna"),
                        Choice::AsChecked,
                    )
                    .await
            })
        };
        // Wait until the system has applied it, then "kill" the program.
        for _ in 0..100 {
            if env.admin.stats().await.expect("stats")["state_changes"] == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        task.abort();
        assert!(task.await.is_err(), "the task died before the answer");
        let last = first
            .store_for_tests()
            .expect("store")
            .last_change(&pc, &sn)
            .expect("ledger");
        assert_eq!(last.map(|r| r.outcome).as_deref(), Some(store::SENDING));
    }
    let mut again = engine(&env, SystemClock);
    again.claim_lease_secs = 1;
    // While its claim is live, the pack is "being sent": not sent twice.
    let v = again
        .operate(
            Operation::Dispense,
            &sc(&all[0]),
            pharmacist("ben"),
            Choice::AsChecked,
        )
        .await
        .expect("verdict");
    assert!(
        matches!(
            &v,
            Verdict::Stopped {
                reason: engine::StopReason::InProgress,
                ..
            }
        ) || matches!(&v, Verdict::AlreadyHere { pending: true, .. }),
        "{v:?}"
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (done, exceptions) = drain(&again).await;
    assert_eq!((done, exceptions), (1, 0));
    let last = again
        .store_for_tests()
        .expect("store")
        .last_change(&pc, &sn)
        .expect("ledger")
        .expect("row");
    assert_eq!(
        (last.operation.as_str(), last.outcome.as_str()),
        ("G120", "NMVS_SUCCESS")
    );
    let kinds: Vec<(String, String)> = again
        .store_for_tests()
        .expect("store")
        .journal_query(&store::JournalFilter {
            serial: sn.clone(),
            ..store::JournalFilter::default()
        })
        .expect("journal")
        .into_iter()
        .map(|r| (r.entry.kind, r.entry.outcome))
        .collect();
    assert!(
        kinds.contains(&("intent".into(), "sending".into()))
            && kinds.contains(&("replayed".into(), "NMVS_SUCCESS".into())),
        "{kinds:?}"
    );
    // Undoable from the ledger, as any dispense made here.
    let standing = again
        .standing(Operation::Dispense, 10 * 86_400, 10)
        .expect("standing");
    let v = again
        .undo_standing(&standing[0], pharmacist("anna"))
        .await
        .expect("undo");
    assert!(
        matches!(&v, Verdict::Answered { code, state: Some(s), .. } if code == "NMVS_SUCCESS" && s == "ACTIVE"),
        "{v:?}"
    );
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(
        stats["state_changes"], 2,
        "dispense and undo, once each: {stats}"
    );
    assert_eq!(stats["alerts"], serde_json::json!({}), "{stats}");
    env.sim.stop().await;
}

/// Past the offline limit, a dispense is neither sent nor recorded until a
/// pharmacist confirms it; a technician's confirmation is not enough.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_offline_limit_a_pharmacist_confirms_every_pack() {
    let env = start("limit", 1).await;
    let e = engine(&env, SystemClock);
    e.set_offline_confirm_after(Duration::from_secs(3600));
    e.set_offline_budget(Duration::from_millis(300));
    let all = codes(&env);
    env.admin.outage(true).await.expect("outage");
    dispense_offline(&e, &all[0], "tom").await;
    // Offline for two hours now.
    let two_hours_ago = SystemClock.now() - 7200;
    e.store_for_tests()
        .expect("store")
        .set_setting("engine.offline_since", &two_hours_ago.to_string())
        .expect("since");
    let v = e
        .operate(
            Operation::Dispense,
            &sc(&all[1]),
            pharmacist("tom"),
            Choice::AsChecked,
        )
        .await
        .expect("second");
    assert!(
        matches!(&v, Verdict::ConfirmOffline { backlog: 1, .. }),
        "{v:?}"
    );
    let v = e
        .operate_confirmed(
            Operation::Dispense,
            &sc(&all[1]),
            pharmacist("tom"),
            Choice::AsChecked,
            Some(engine::Actor::new("tom", domain::Role::Technician)),
        )
        .await
        .expect("technician");
    assert!(matches!(v, Verdict::ConfirmOffline { .. }), "{v:?}");
    assert_eq!(
        e.offline_state().expect("state").backlog,
        1,
        "nothing recorded yet"
    );
    let v = e
        .operate_confirmed(
            Operation::Dispense,
            &sc(&all[1]),
            pharmacist("tom"),
            Choice::AsChecked,
            Some(pharmacist("petra")),
        )
        .await
        .expect("pharmacist");
    assert!(matches!(v, Verdict::RecordedOffline { .. }), "{v:?}");
    assert_eq!(e.offline_state().expect("state").backlog, 2);
    let (_, sn) = pack_of(&all[1]);
    let confirmed = e
        .store_for_tests()
        .expect("store")
        .journal_query(&store::JournalFilter {
            serial: sn,
            ..store::JournalFilter::default()
        })
        .expect("journal")
        .into_iter()
        .any(|r| r.entry.kind == "confirm_offline" && r.entry.user_id == "petra");
    assert!(
        confirmed,
        "the confirmation is journaled under the pharmacist"
    );
    env.sim.stop().await;
}

/// An item whose request may have been sent (a program died between
/// marking it sent and sending it) finds the pack already in the target
/// state: the same ClientTrxId, which the system has never seen, says
/// "changed by someone else", an exception, not "it was us". The probe is
/// a verify, so it raises no alert.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_outcome_is_told_apart_by_the_same_trx_id() {
    let env = start("told-apart", 1).await;
    let e = engine(&env, SystemClock);
    let all = codes(&env);
    env.admin.outage(true).await.expect("outage");
    dispense_offline(&e, &all[0], "anna").await;
    env.admin.outage(false).await.expect("back");
    e.store_for_tests()
        .expect("store")
        .connection()
        .execute(
            "UPDATE outbox SET sent_at = created_at, next_attempt_at = 0",
            [],
        )
        .expect("maybe sent");
    let (pc, sn) = pack_of(&all[0]);
    env.admin
        .set_pack_state(&pc, &sn, "SUPPLIED")
        .await
        .expect("elsewhere");
    let (done, exceptions) = drain(&e).await;
    assert_eq!((done, exceptions), (0, 1));
    let ex = e
        .store_for_tests()
        .expect("store")
        .outbox(Some(OutboxStatus::Exception))
        .expect("list");
    assert_eq!(
        ex[0].result_code.as_deref(),
        Some("CHANGED_ELSEWHERE"),
        "{ex:?}"
    );
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["alerts"], serde_json::json!({}), "{stats}");
    assert_eq!(stats["state_changes"], 0, "{stats}");
    env.sim.stop().await;
}

/// A dispense and its undo recorded offline replay in the order recorded,
/// whatever backoff the first met: the dispense's first verify at replay is
/// answered "time-out, repeat" once, so it waits; the undo waits behind it
/// (it is not sent first, which the system would refuse); in the end the
/// pack is ACTIVE, changed twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispense_and_its_undo_replay_in_order_whatever_the_backoff() {
    let env = start("in-order", 1).await;
    let e = engine(&env, SystemClock);
    let all = codes(&env);
    env.admin.outage(true).await.expect("outage");
    for op in [Operation::Dispense, Operation::UndoDispense] {
        let v = e
            .operate(op, &sc(&all[0]), pharmacist("anna"), Choice::AsChecked)
            .await
            .expect("recorded");
        assert!(
            matches!(v, Verdict::RecordedOffline { .. }),
            "{op:?}: {v:?}"
        );
    }
    env.admin.outage(false).await.expect("back");
    env.admin
        .fault(&Fault {
            return_code: Some("NMVS_TI_TO_01".into()),
            return_code_count: 1,
            ..Fault::default()
        })
        .await
        .expect("fault");
    let (done, exceptions, later) = e.sync_once("replayer", 100).await.expect("round");
    assert_eq!(
        (done, exceptions, later),
        (0, 0, 1),
        "the undo waits behind the dispense"
    );
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], 0, "{stats}");
    assert!(
        stats["by_code"].get("NMVS_NC_PCK_06").is_none(),
        "no undo sent first: {stats}"
    );
    e.store_for_tests()
        .expect("store")
        .make_due(SystemClock.now())
        .expect("due");
    let (done, exceptions) = drain(&e).await;
    assert_eq!((done, exceptions), (2, 0));
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], 2, "{stats}");
    assert_eq!(stats["alerts"], serde_json::json!({}), "{stats}");
    let v = e
        .operate(
            Operation::Verify,
            &sc(&all[0]),
            pharmacist("anna"),
            Choice::AsChecked,
        )
        .await
        .expect("verify");
    assert!(
        matches!(&v, Verdict::Answered { state: Some(s), .. } if s == "ACTIVE"),
        "{v:?}"
    );
    env.sim.stop().await;
}

/// A replay round that fails on the database (read-only for a moment, as a
/// busy or full disk makes it) does not end the background replay: it
/// says so (an event), waits, and drains the backlog once writes work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_replay_survives_a_store_error() {
    let env = start("replay-survives", 1).await;
    let e = std::sync::Arc::new(engine(&env, SystemClock));
    let all = codes(&env);
    env.admin.outage(true).await.expect("outage");
    for code in all.iter().take(3) {
        dispense_offline(&e, code, "anna").await;
    }
    env.admin.outage(false).await.expect("back");
    e.store_for_tests()
        .expect("store")
        .connection()
        .execute_batch("PRAGMA query_only = ON;")
        .expect("read-only");
    let mut events = e.subscribe();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let task = {
        let (e, stop) = (e.clone(), stop.clone());
        tokio::spawn(async move {
            e.replay_loop("replayer", Duration::from_millis(50), &stop)
                .await
        })
    };
    let failed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Ok(engine::Event::ReplayFailed { in_a_row, .. }) = events.recv().await {
                return in_a_row;
            }
        }
    })
    .await
    .expect("a failed round is reported");
    assert!(failed >= 1);
    e.store_for_tests()
        .expect("store")
        .connection()
        .execute_batch("PRAGMA query_only = OFF;")
        .expect("writable");
    let drained = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Ok(engine::Event::Replayed { backlog: 0, .. }) = events.recv().await {
                return;
            }
        }
    })
    .await;
    assert!(drained.is_ok(), "the loop went on and drained the backlog");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    task.await.expect("loop ends when asked");
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], 3, "{stats}");
    env.sim.stop().await;
}
