//! One suite, two national systems: every scenario runs against the
//! simulator's NMVS interface (SOAP, credentials) and its securPharm
//! interface (REST, a token got with the site's certificate), over real
//! HTTPS with client certificates and real SQLite files, through the same
//! engine and `engine::Port`. Then the points only securPharm has: the
//! token's expiry and refresh, base64url serials, the undo from another
//! workstation of the site, the central expiry next to the scanned one.

use domain::Operation;
use engine::{Choice, Counter, Engine, Port, Scanned, SystemClock, Verdict};
use nmvs::{ClientConfig, Credentials, NmvsClient, Secret, UserSoftware, Version};
use simulator::seed::SeedSize;
use simulator::{Fault, SimConfig};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Iface {
    Nmvs,
    SecurPharm,
}

fn pharmacist(id: &str) -> engine::Actor<'_> {
    engine::Actor::new(id, domain::Role::Pharmacist)
}

const TODAY: packcode::Date = packcode::Date {
    year: 2026,
    month: 11,
    day: 23,
};

fn sc(code: &str) -> Scanned {
    Scanned::new(code, false, TODAY)
}

struct Env {
    sim: simulator::Handle,
    admin: simulator::admin::AdminClient,
    dir: PathBuf,
    iface: Iface,
}

async fn start(name: &str, iface: Iface) -> Env {
    let dir = std::env::temp_dir().join(format!(
        "countercheck-iface-{name}-{iface:?}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let sim = simulator::start(SimConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.join("sim"),
        seed: Some((
            11,
            SeedSize {
                products: 2,
                batches_per_product: 2,
                packs_per_batch: 8,
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
    Env {
        sim,
        admin,
        dir,
        iface,
    }
}

fn port(env: &Env) -> Port {
    match env.iface {
        Iface::Nmvs => Port::Nmvs(
            NmvsClient::new(ClientConfig {
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
                    name: "iface-tests".into(),
                    version: "0".into(),
                },
                version: Version::V5,
                connect_timeout: Duration::from_secs(2),
                response_timeout: Duration::from_secs(5),
            })
            .expect("nmvs client"),
        ),
        Iface::SecurPharm => Port::SecurPharm(sp_client(env)),
    }
}

fn sp_client(env: &Env) -> securpharm::SecurPharmClient {
    securpharm::SecurPharmClient::new(securpharm::SpConfig {
        base_url: env.sim.url(),
        ca_pem: Some(env.sim.pki.ca_cert.clone()),
        client_cert_pem: env.sim.pki.client_cert.clone(),
        client_key_pem: Secret(env.sim.pki.client_key.clone()),
        application_id: "5b0e7c1e-0000-4000-8000-000000000001".into(),
        connect_timeout: Duration::from_secs(2),
        response_timeout: Duration::from_secs(5),
    })
    .expect("securpharm client")
}

/// The counter's engine: its own SQLite file per workstation.
fn engine_at(env: &Env, workstation: &str) -> Engine<Port, SystemClock> {
    let store =
        store::Store::open(&env.dir.join(workstation).join("countercheck.sqlite")).expect("store");
    let e = Engine::new(
        store,
        port(env),
        SystemClock,
        Counter {
            workstation: workstation.into(),
            site: "PH-1".into(),
        },
    );
    e.set_offline_budget(Duration::from_secs(2));
    e
}

fn codes(env: &Env) -> Vec<String> {
    simulator::export_file(&env.dir.join("sim"))
        .expect("export")
        .lines()
        .filter(|l| l.starts_with("]d2"))
        .map(str::to_owned)
        .collect()
}

async fn drain(e: &Engine<Port, SystemClock>) -> (usize, usize) {
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

async fn op(e: &Engine<Port, SystemClock>, op: Operation, code: &str) -> Verdict {
    e.operate(op, &sc(code), pharmacist("anna"), Choice::AsChecked)
        .await
        .expect("engine")
}

/// The answer's code, its meaning in NMVS terms, and the state.
fn answered(v: &Verdict) -> (String, String, Option<String>) {
    match v {
        Verdict::Answered { code, state, .. } => (
            code.clone(),
            domain::canonical(code).to_owned(),
            state.clone(),
        ),
        other => panic!("not answered: {other:?}"),
    }
}

/// The code is the interface's own: SP-… for securPharm, NMVS_… for NMVS.
fn own_code(env: &Env, code: &str) {
    match env.iface {
        Iface::Nmvs => assert!(code.starts_with("NMVS_"), "{code}"),
        Iface::SecurPharm => assert!(code.starts_with("SP-"), "{code}"),
    }
}

async fn alerts(env: &Env) -> usize {
    env.admin
        .alerts()
        .await
        .expect("alerts")
        .as_array()
        .map_or(0, Vec::len)
}

async fn verify_dispense_already_dispensed_and_undo(iface: Iface) {
    let env = start("basic", iface).await;
    let e = engine_at(&env, "till-1");
    let code = &codes(&env)[0];
    let (c, meaning, state) = answered(&op(&e, Operation::Verify, code).await);
    own_code(&env, &c);
    assert_eq!(
        (meaning.as_str(), state.as_deref()),
        ("NMVS_SUCCESS", Some("ACTIVE"))
    );
    let (c, meaning, state) = answered(&op(&e, Operation::Dispense, code).await);
    own_code(&env, &c);
    assert_eq!(
        (meaning.as_str(), state.as_deref()),
        ("NMVS_SUCCESS", Some("SUPPLIED"))
    );
    // Already dispensed here: answered by the ledger, nothing sent.
    let before = env.admin.stats().await.expect("stats")["requests"].clone();
    let v = op(&e, Operation::Dispense, code).await;
    assert!(matches!(v, Verdict::AlreadyHere { .. }), "{v:?}");
    assert_eq!(env.admin.stats().await.expect("stats")["requests"], before);
    let (c, meaning, state) = answered(&op(&e, Operation::UndoDispense, code).await);
    own_code(&env, &c);
    assert_eq!(
        (meaning.as_str(), state.as_deref()),
        ("NMVS_SUCCESS", Some("ACTIVE"))
    );
    // The ledger keeps the interface's code and the system's transaction id.
    let stx: Option<String> = e
        .store_for_tests()
        .expect("store")
        .connection()
        .query_row(
            "SELECT nmvs_trx_id FROM ledger WHERE operation = ?1 ORDER BY id DESC LIMIT 1",
            [Operation::Dispense.g_code()],
            |r| r.get(0),
        )
        .expect("ledger");
    assert!(stx.is_some_and(|s| !s.is_empty()));
    assert_eq!(alerts(&env).await, 0);
    env.sim.stop().await;
}

async fn undo_after_ten_days_is_refused(iface: Iface) {
    let env = start("undo10", iface).await;
    let e = engine_at(&env, "till-1");
    let code = &codes(&env)[1];
    let (_, meaning, _) = answered(&op(&e, Operation::Dispense, code).await);
    assert_eq!(meaning, "NMVS_SUCCESS");
    env.admin.advance_clock(11 * 86_400).await.expect("clock");
    let v = op(&e, Operation::UndoDispense, code).await;
    match &v {
        // Refused by the engine's own window, or by the system's.
        Verdict::Stopped { .. } => {}
        Verdict::Answered { code, .. } => {
            own_code(&env, code);
            assert_eq!(domain::canonical(code), "NMVS_NC_PCK_20", "{v:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(alerts(&env).await, 0);
    env.sim.stop().await;
}

async fn recalled_batch_and_stolen(iface: Iface) {
    let env = start("recall", iface).await;
    let e = engine_at(&env, "till-1");
    let all = codes(&env);
    let scan = packcode::parse(&all[0], TODAY);
    env.admin
        .recall(scan.batch().expect("batch"), false)
        .await
        .expect("recall");
    let v = op(&e, Operation::Verify, &all[0]).await;
    let Verdict::Answered { code, reasons, .. } = &v else {
        panic!("{v:?}")
    };
    own_code(&env, code);
    assert!(reasons.iter().any(|r| r == "RECALLED"), "{v:?}");
    let v = op(&e, Operation::Dispense, &all[0]).await;
    let not_sent = matches!(v, Verdict::Stopped { .. });
    let refused =
        matches!(&v, Verdict::Answered { code, .. } if domain::canonical(code) == "NMVS_FE_LOT_01");
    assert!(not_sent || refused, "{v:?}");
    // Another batch's pack reported stolen.
    let other = all
        .iter()
        .find(|c| packcode::parse(c, TODAY).batch() != scan.batch())
        .expect("another batch");
    let (c, meaning, state) = answered(&op(&e, Operation::Stolen, other).await);
    own_code(&env, &c);
    assert_eq!(
        (meaning.as_str(), state.as_deref()),
        ("NMVS_SUCCESS", Some("STOLEN"))
    );
    assert_eq!(alerts(&env).await, 0);
    env.sim.stop().await;
}

async fn outage_records_and_replays_exactly_once(iface: Iface) {
    let env = start("outage", iface).await;
    let e = engine_at(&env, "till-1");
    let all = codes(&env);
    env.admin.outage(true).await.expect("outage");
    for code in &all[..6] {
        let v = op(&e, Operation::Dispense, code).await;
        assert!(matches!(v, Verdict::RecordedOffline { .. }), "{v:?}");
    }
    env.admin.outage(false).await.expect("back");
    e.store_for_tests()
        .expect("store")
        .connection()
        .execute("UPDATE outbox SET next_attempt_at = 0", [])
        .expect("due");
    assert_eq!(drain(&e).await, (6, 0));
    assert_eq!(drain(&e).await, (0, 0), "nothing twice");
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], 6, "{stats}");
    assert_eq!(alerts(&env).await, 0);
    env.sim.stop().await;
}

async fn a_lost_answer_is_settled_by_verifying(iface: Iface) {
    let env = start("lost", iface).await;
    let e = engine_at(&env, "till-1");
    let all = codes(&env);
    env.admin
        .fault(&Fault {
            drop_after_apply: 1,
            ..Fault::default()
        })
        .await
        .expect("fault");
    let v = op(&e, Operation::Dispense, &all[2]).await;
    assert!(matches!(v, Verdict::RecordedOffline { .. }), "{v:?}");
    assert_eq!(drain(&e).await, (1, 0));
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], 1, "applied once: {stats}");
    assert_eq!(alerts(&env).await, 0, "no double decommission: {stats}");
    env.sim.stop().await;
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod nmvs_mode {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Iface::Nmvs).await
                }
            )*
        }
        mod securpharm_mode {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Iface::SecurPharm).await
                }
            )*
        }
    };
}

both!(
    verify_dispense_already_dispensed_and_undo,
    undo_after_ten_days_is_refused,
    recalled_batch_and_stolen,
    outage_records_and_replays_exactly_once,
    a_lost_answer_is_settled_by_verifying,
    an_alert_keeps_the_systems_alert_id,
    a_refused_certificate_is_misconfigured_never_offline,
);

/// A system that refuses the site's certificate (expired, revoked, not
/// the site's) is a configuration failure: red, nothing recorded as sent,
/// no "you may hand it out". (Moved here from `offline.rs`: it holds for
/// both interfaces; for securPharm the token request is the one refused.)
async fn a_refused_certificate_is_misconfigured_never_offline(iface: Iface) {
    let env = start("refused-cert", iface).await;
    let e = engine_at(&env, "till-1");
    let all = codes(&env);
    env.admin
        .fault(&Fault {
            refuse_client_cert: 50,
            ..Fault::default()
        })
        .await
        .expect("fault");
    for o in [Operation::Verify, Operation::Dispense] {
        match &op(&e, o, &all[0]).await {
            Verdict::Misconfigured { detail, .. } => {
                assert!(detail.contains("client certificate"), "{detail}")
            }
            other => panic!("{o:?}: {other:?}"),
        }
    }
    let state = e.offline_state().expect("state");
    assert!(state.misconfigured.is_some(), "{state:?}");
    assert_eq!(state.offline_since, None, "not an outage");
    assert_eq!(state.backlog, 0, "nothing waits to be sent");
    let scan = packcode::parse(&all[0], TODAY);
    assert_eq!(
        e.store_for_tests()
            .expect("store")
            .last_change(
                scan.product_code().expect("pc").0,
                scan.serial().expect("sn")
            )
            .expect("ledger"),
        None
    );
    env.sim.stop().await;
}

// ----- securPharm only -----

/// A pack whose serial's plain base64 has `+` and `/` is dispensed and
/// undone: the serial travels as base64url.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn securpharm_serials_travel_as_base64url() {
    let env = start("b64", Iface::SecurPharm).await;
    let serial = "??>?aB???";
    assert_eq!(domain::text::base64(serial.as_bytes()), "Pz8+P2FCPz8/");
    // Add the pack to the simulator's database beside a seeded one.
    let first = codes(&env)[0].clone();
    let scan = packcode::parse(&first, TODAY);
    {
        let db = simulator::store::open(&env.dir.join("sim").join("simulator.sqlite")).expect("db");
        db.execute(
            "INSERT INTO packs (product_id, serial, batch, state)
             SELECT product_id, ?1, batch, 'ACTIVE' FROM packs WHERE serial = ?2",
            [serial, scan.serial().expect("sn")],
        )
        .expect("insert");
    }
    let code = first.replace(scan.serial().expect("sn"), serial);
    let e = engine_at(&env, "till-1");
    let (c, meaning, state) = answered(&op(&e, Operation::Dispense, &code).await);
    assert_eq!(
        (c.as_str(), meaning.as_str(), state.as_deref()),
        ("SP-000", "NMVS_SUCCESS", Some("SUPPLIED"))
    );
    let (_, meaning, state) = answered(&op(&e, Operation::UndoDispense, &code).await);
    assert_eq!(
        (meaning.as_str(), state.as_deref()),
        ("NMVS_SUCCESS", Some("ACTIVE"))
    );
    env.sim.stop().await;
}

/// The token is fetched once and reused; a token that expired at the
/// server (its clock moved on) or was forgotten (a restart) is answered
/// 401, and the client gets a new one and repeats the request once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn securpharm_token_is_reused_and_refreshed() {
    let env = start("token", Iface::SecurPharm).await;
    let client = sp_client(&env);
    let all = codes(&env);
    let req = |i: usize| {
        nmvs::PackRequest::from_scan(
            Operation::Verify,
            &packcode::parse(&all[i], TODAY),
            nmvs::new_client_trx_id(),
        )
        .expect("request")
    };
    for i in 0..3 {
        let a = client.send(&req(i)).await.expect("verify");
        assert_eq!(a.response.return_code, "SP-000");
    }
    assert_eq!(client.tokens_fetched(), 1, "one token for three calls");
    // Expired at the server: its clock moves past the token's five minutes.
    env.admin.advance_clock(600).await.expect("clock");
    assert_eq!(
        client
            .send(&req(3))
            .await
            .expect("verify")
            .response
            .return_code,
        "SP-000"
    );
    assert_eq!(client.tokens_fetched(), 2);
    // Forgotten by the server.
    env.admin
        .fault(&Fault {
            revoke_tokens: true,
            ..Fault::default()
        })
        .await
        .expect("revoke");
    assert_eq!(
        client
            .send(&req(4))
            .await
            .expect("verify")
            .response
            .return_code,
        "SP-000"
    );
    assert_eq!(client.tokens_fetched(), 3);
    // A token that lives less than the refresh margin is renewed before
    // every call, without a 401 first.
    env.admin
        .fault(&Fault {
            token_ttl_secs: Some(10),
            revoke_tokens: true,
            ..Fault::default()
        })
        .await
        .expect("short tokens");
    for i in 5..7 {
        client.send(&req(i)).await.expect("verify");
    }
    assert_eq!(
        client.tokens_fetched(),
        5,
        "401 once, then renewed before the next call"
    );
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["tokens_issued"], 5, "{stats}");
    env.sim.stop().await;
}

/// securPharm lets any workstation of the site undo within 10 days (the
/// site's certificate is the actor); NMVS only the user who dispensed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn securpharm_undo_from_another_workstation_of_the_site() {
    let env = start("site-undo", Iface::SecurPharm).await;
    let code = &codes(&env)[3];
    let till1 = engine_at(&env, "till-1");
    let (_, meaning, _) = answered(&op(&till1, Operation::Dispense, code).await);
    assert_eq!(meaning, "NMVS_SUCCESS");
    // A second workstation of the site (its own client, the site's
    // certificate) undoes it, naming the decommission by both numbers as
    // the site's ledger holds them.
    let client = sp_client(&env);
    let scan = packcode::parse(code, TODAY);
    let stx: String = till1
        .store_for_tests()
        .expect("store")
        .connection()
        .query_row(
            "SELECT client_trx_id || ' ' || nmvs_trx_id FROM ledger WHERE operation = ?1",
            [Operation::Dispense.g_code()],
            |r| r.get(0),
        )
        .expect("ledger");
    let (ctx, stx) = stx.split_once(' ').expect("two ids");
    let mut undo =
        nmvs::PackRequest::from_scan(Operation::UndoDispense, &scan, nmvs::new_client_trx_id())
            .expect("request");
    undo.ref_client_trx_id = Some(ctx.to_owned());
    undo.ref_server_trx_id = Some(stx.to_owned());
    let a = client.send(&undo).await.expect("undo");
    assert_eq!(a.response.return_code, "SP-000", "{:?}", a.response);
    assert_eq!(a.response.state, Some(domain::PackState::Active));
    // Dispensed again (from this second workstation), then an undo with a
    // wrong server transaction number: refused, not applied.
    let d = nmvs::PackRequest::from_scan(Operation::Dispense, &scan, nmvs::new_client_trx_id())
        .expect("request");
    assert_eq!(
        client
            .send(&d)
            .await
            .expect("dispense")
            .response
            .return_code,
        "SP-000"
    );
    let mut wrong =
        nmvs::PackRequest::from_scan(Operation::UndoDispense, &scan, nmvs::new_client_trx_id())
            .expect("request");
    wrong.ref_server_trx_id = Some("SPX999999999999".into());
    let a = client.send(&wrong).await.expect("answered");
    assert_eq!(domain::canonical(&a.response.return_code), "NMVS_FE_TX_01");
    assert_eq!(alerts(&env).await, 0);
    env.sim.stop().await;
}

/// A pack scanned with expiry day 00 whose batch the centre holds with the
/// month's last day: verified (no mismatch alert), and the answer carries
/// the central expiry to show next to the scanned one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn securpharm_day_00_expiry_is_accepted_and_the_central_one_shown() {
    let env = start("exp00", Iface::SecurPharm).await;
    let first = codes(&env)[0].clone();
    let scan = packcode::parse(&first, TODAY);
    let exp = scan.expiry_raw().expect("exp").to_owned();
    // The centre holds the month's last day; the pack prints day 00.
    let (yy, mm) = (&exp[..2], &exp[2..4]);
    let last = match mm {
        "02" => "28",
        "04" | "06" | "09" | "11" => "30",
        _ => "31",
    };
    {
        let db = simulator::store::open(&env.dir.join("sim").join("simulator.sqlite")).expect("db");
        db.execute(
            "UPDATE batches SET expiry = ?1 WHERE id = ?2",
            [
                format!("{yy}{mm}{last}"),
                scan.batch().expect("batch").to_owned(),
            ],
        )
        .expect("update");
    }
    let code00 = first.replacen(&format!("17{exp}"), &format!("17{yy}{mm}00"), 1);
    let scan00 = packcode::parse(&code00, TODAY);
    assert!(scan00.ok(), "{code00:?}");
    let req = nmvs::PackRequest::from_scan(Operation::Verify, &scan00, nmvs::new_client_trx_id())
        .expect("request");
    let a = sp_client(&env).send(&req).await.expect("verify");
    assert_eq!(a.response.return_code, "SP-000", "{:?}", a.response);
    assert_eq!(
        a.response.expiry_central.as_deref(),
        Some(format!("{yy}{mm}{last}").as_str())
    );
    // Through the engine, the verdict carries it for the counter screen;
    // a scan written as the centre writes it carries none.
    let e = engine_at(&env, "till-1");
    let v = op(&e, Operation::Verify, &code00).await;
    let Verdict::Answered { expiry_central, .. } = &v else {
        panic!("{v:?}")
    };
    assert_eq!(
        expiry_central.as_deref(),
        Some(format!("{yy}{mm}{last}").as_str())
    );
    let same = first.replacen(&format!("17{exp}"), &format!("17{yy}{mm}{last}"), 1);
    let v = op(&e, Operation::Verify, &same).await;
    assert!(
        matches!(
            &v,
            Verdict::Answered {
                expiry_central: None,
                ..
            }
        ),
        "{v:?}"
    );
    assert_eq!(alerts(&env).await, 0);
    env.sim.stop().await;
}

/// An alert answer's id (securPharm's) is in the verdict and in the alert
/// case the engine opens; NMVS answers carry none.
async fn an_alert_keeps_the_systems_alert_id(iface: Iface) {
    let env = start("alertid", iface).await;
    let e = engine_at(&env, "till-1");
    let first = codes(&env)[0].clone();
    let scan = packcode::parse(&first, TODAY);
    let serial = scan.serial().expect("serial").to_owned();
    let unknown = first.replacen(&format!("21{serial}"), "21UNKNOWN0SERIAL9", 1);
    let v = op(&e, Operation::Verify, &unknown).await;
    let Verdict::Answered {
        alert: true,
        case_id: Some(case),
        alert_id,
        ..
    } = &v
    else {
        panic!("not an alert: {v:?}")
    };
    let cases = e.cases(false).expect("cases");
    let stored = cases.iter().find(|c| c.id == *case).expect("case");
    assert_eq!(&stored.alert_id, alert_id);
    match iface {
        Iface::SecurPharm => {
            let id = alert_id.as_deref().expect("securPharm gives an alert id");
            assert!(id.starts_with("SPA-"), "{id}");
        }
        Iface::Nmvs => assert_eq!(alert_id, &None),
    }
    assert_eq!(alerts(&env).await, 1);
    env.sim.stop().await;
}
