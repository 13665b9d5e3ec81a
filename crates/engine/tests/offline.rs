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
        .operate(Operation::Dispense, &sc(code), "anna", Choice::AsChecked)
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
        .store()
        .expect("store")
        .product_name(scan.product_code().expect("pc").0)
        .expect("cache");
    assert_eq!(cached.as_deref(), Some(name.as_str()));
    // The same pack again: stopped here, not sent (no PCK_23/22 at the system).
    let v = e
        .operate(Operation::Dispense, &sc(code), "anna", Choice::AsChecked)
        .await
        .expect("again");
    assert!(
        matches!(&v, Verdict::Stopped { reason, .. } if reason == "already_decommissioned_here"),
        "{v:?}"
    );
    let v = e
        .operate(
            Operation::UndoDispense,
            &sc(code),
            "anna",
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
            "anna",
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
    // Every scan is journaled: the dispense, the stopped repeat, the undo and the bad scan.
    assert_eq!(
        e.store().expect("store").journal_verify().expect("verify"),
        Ok(4)
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
            "anna",
            Choice::AsChecked,
        )
        .await
        .expect("dispense");
    assert!(
        matches!(&v, Verdict::Stopped { reason, .. } if reason == "expired"),
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
        let v = e
            .operate(Operation::Dispense, &sc(code), "anna", Choice::AsChecked)
            .await
            .expect("recorded");
        assert!(matches!(v, Verdict::RecordedOffline { .. }), "{v:?}");
    }
    // While offline, the same pack is not recorded twice.
    let v = e
        .operate(Operation::Dispense, &sc(&all[0]), "anna", Choice::AsChecked)
        .await
        .expect("again");
    assert!(matches!(v, Verdict::Stopped { .. }), "{v:?}");
    // Replay during the outage changes nothing and keeps everything.
    let (done, exceptions) = drain(&e).await;
    assert_eq!((done, exceptions), (0, 0));
    env.admin.outage(false).await.expect("recovered");
    // Items retried later are due again: make them due now.
    e.store()
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
        let s = e.store().expect("store");
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
    let v = e
        .operate(Operation::Dispense, &sc(&all[0]), "anna", Choice::AsChecked)
        .await
        .expect("recorded");
    assert!(matches!(v, Verdict::RecordedOffline { .. }), "{v:?}");
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
    let v = e
        .operate(Operation::Dispense, &sc(&all[1]), "anna", Choice::AsChecked)
        .await
        .expect("recorded");
    assert!(matches!(v, Verdict::RecordedOffline { .. }));
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
    e.store()
        .expect("store")
        .connection()
        .execute("UPDATE outbox SET next_attempt_at = 0", [])
        .expect("due");
    let (done, exceptions) = drain(&e).await;
    assert_eq!((done, exceptions), (0, 1));
    let ex = e
        .store()
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
        let s = e.store().expect("store");
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
            .operate(Operation::Dispense, &sc(code), "anna", Choice::AsChecked)
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
        .store()
        .expect("store")
        .outbox(None)
        .expect("outbox")
        .len();
    assert_eq!(recorded, 40 - refused);
    // Read-only: every write refused, nothing claimed.
    e.store()
        .expect("store")
        .connection()
        .execute_batch("PRAGMA query_only = ON;")
        .expect("ro");
    let err = e
        .operate(
            Operation::Dispense,
            &sc(&all[45]),
            "anna",
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
    e.store()
        .expect("store")
        .connection()
        .execute_batch("PRAGMA query_only = OFF;")
        .expect("rw");
    assert_eq!(
        e.store()
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
        e.operate(Operation::Dispense, &sc(code), "anna", Choice::AsChecked)
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
        let v = e
            .operate(Operation::Dispense, &sc(code), "anna", Choice::AsChecked)
            .await
            .expect("recorded");
        assert!(matches!(v, Verdict::RecordedOffline { .. }));
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
        .store()
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
        .operate(Operation::Dispense, &sc(&all[1]), "anna", Choice::AsChecked)
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
        e.operate(Operation::Dispense, &sc(code), "anna", Choice::AsChecked)
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
    e.store()
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
                .operate(Operation::Dispense, &sc(code), "anna", Choice::AsChecked)
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
    let v = e.undo_standing(&standing[1], "anna").await.expect("undo");
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
                .operate(op, &sc(&all[0]), "anna", Choice::AsChecked)
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
        .operate(Operation::Dispense, &sc(&all[0]), "anna", Choice::AsChecked)
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
        .operate(Operation::Verify, &sc(&all[1]), "anna", Choice::AsChecked)
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
        .operate(Operation::Dispense, &sc(&all[0]), "anna", Choice::AsChecked)
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
    let v = e
        .operate(Operation::Dispense, &sc(&all[1]), "anna", Choice::AsChecked)
        .await
        .expect("operate");
    assert!(matches!(v, Verdict::RecordedOffline { .. }), "{v:?}");
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
        .operate(Operation::Verify, &sc(&all[2]), "anna", Choice::AsChecked)
        .await
        .expect("operate");
    assert!(
        matches!(&v, Verdict::Misconfigured { fix, .. } if fix.contains("redirect")),
        "{v:?}"
    );
    env.sim.stop().await;
}
