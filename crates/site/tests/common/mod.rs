//! What the site tests share: the simulator as the site's national
//! system, the site's NMVS client, a site server, counters in site mode
//! (an engine over its own SQLite file whose national system is the site
//! server), the simulator's exported codes.
#![allow(dead_code)] // each test binary uses its own part

use domain::Operation;
use engine::site::{SiteClient, SiteLink};
use engine::{Actor, Choice, Counter, Engine, Port, Scanned, SystemClock, Verdict};
use nmvs::{ClientConfig, Credentials, NmvsClient, Secret, UserSoftware, Version};
use simulator::seed::SeedSize;
use simulator::SimConfig;
use site::pki::SitePki;
use std::path::{Path, PathBuf};
use std::time::Duration;
use store::Ledger;

pub const TODAY: packcode::Date = packcode::Date {
    year: 2026,
    month: 11,
    day: 23,
};

pub async fn simulator(dir: &std::path::Path, packs_per_batch: usize) -> simulator::Handle {
    simulator::start(SimConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.join("sim"),
        seed: Some((
            21,
            SeedSize {
                products: 2,
                batches_per_product: 2,
                packs_per_batch,
            },
        )),
        client_login_id: "PH-SITE".into(),
        user_id: "site".into(),
        password: "pw".into(),
        start_time: None,
    })
    .await
    .expect("simulator")
}

pub fn port(sim: &simulator::Handle) -> Port {
    Port::Nmvs(
        NmvsClient::new(ClientConfig {
            single_pack_url: format!("{}/ws/SinglePackServiceV50", sim.url()),
            bulk_url: None,
            support_url: None,
            ca_pem: Some(sim.pki.ca_cert.clone()),
            client_cert_pem: sim.pki.client_cert.clone(),
            client_key_pem: Secret(sim.pki.client_key.clone()),
            credentials: Credentials {
                client_login_id: "PH-SITE".into(),
                user_id: "site".into(),
                password: "pw".into(),
            },
            software: UserSoftware {
                supplier: "Countercheck".into(),
                name: "site-tests".into(),
                version: "0".into(),
            },
            version: Version::V5,
            connect_timeout: Duration::from_secs(2),
            response_timeout: Duration::from_secs(5),
        })
        .expect("client"),
    )
}

pub async fn engine(
    db: &site::testdb::TestDb,
    sim: &simulator::Handle,
    workstation: &str,
) -> Engine<Port, SystemClock, site::PgLedger> {
    let ledger = site::connect(&db.config()).await.expect("ledger");
    let e = Engine::new(
        ledger,
        port(sim),
        SystemClock,
        Counter {
            workstation: workstation.into(),
            site: "PH-SITE".into(),
        },
    );
    e.set_offline_budget(Duration::from_secs(2));
    e
}

pub fn codes(dir: &std::path::Path) -> Vec<String> {
    simulator::export_file(&dir.join("sim"))
        .expect("export")
        .lines()
        .filter(|l| l.starts_with("]d2"))
        .map(str::to_owned)
        .collect()
}

pub fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("countercheck-site-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

pub async fn op<L: Ledger>(
    e: &Engine<Port, SystemClock, L>,
    op: Operation,
    code: &str,
    who: &str,
) -> Verdict {
    e.operate(
        op,
        &Scanned::new(code, false, TODAY),
        Actor::new(who, domain::Role::Pharmacist),
        Choice::AsChecked,
    )
    .await
    .expect("engine")
}

pub fn admin(sim: &simulator::Handle) -> simulator::admin::AdminClient {
    simulator::admin::AdminClient::new(
        &sim.url(),
        &sim.pki.ca_cert,
        &sim.pki.client_cert,
        &sim.pki.client_key,
    )
    .expect("admin")
}

/// How many alerts the simulator has raised.
pub async fn alerts(admin: &simulator::admin::AdminClient) -> usize {
    admin
        .alerts()
        .await
        .expect("alerts")
        .as_array()
        .map_or(usize::MAX, Vec::len)
}

/// The site's CA and server certificate in `dir/site-pki`.
pub fn pki(dir: &Path) -> SitePki {
    SitePki::load_or_make(&dir.join("site-pki"), &["localhost".to_owned()]).expect("pki")
}

/// A site server on `addr` (port 0: a free one) over `db`, the simulator
/// as its national system.
pub async fn site_server(
    db: &site::testdb::TestDb,
    sim: &simulator::Handle,
    pki: &SitePki,
    addr: std::net::SocketAddr,
) -> site::server::SiteServer {
    site::server::start(site::server::SiteConfig {
        addr,
        database: db.config(),
        site: "PH-SITE".into(),
        port: port(sim),
        pki: pki.clone(),
        budget: Duration::from_secs(2),
        replay_every: Duration::from_millis(300),
        rate_per_sec: 0.0,
    })
    .await
    .expect("site server")
}

pub type SiteCounter = Engine<Port, SystemClock, store::Store>;

pub fn now() -> i64 {
    engine::Clock::now(&SystemClock)
}

/// Enrols `workstation` at the site server `url`: approved on the site
/// (the one-time code), then the counter's side of the protocol.
pub async fn enrolled(
    db: &site::testdb::TestDb,
    url: &str,
    workstation: &str,
) -> engine::site::enrol::Enrolled {
    let registry = site::connect(&db.config()).await.expect("registry");
    let code = registry
        .approve_workstation(workstation, "admin", 3600, now())
        .await
        .expect("approved");
    engine::site::enrol::enrol(url, workstation, &code)
        .await
        .expect("enrolled")
}

/// A counter in site mode: its own SQLite file in `dir`, enrolled at the
/// site server at `url`, which is its national system.
pub async fn site_counter(
    dir: &Path,
    db: &site::testdb::TestDb,
    url: &str,
    workstation: &str,
) -> SiteCounter {
    let id = enrolled(db, url, workstation).await;
    let client = SiteClient::new(&SiteLink {
        response_timeout: Duration::from_secs(6),
        connect_timeout: Duration::from_secs(2),
        ..id.link(url)
    })
    .expect("site client");
    std::fs::create_dir_all(dir).expect("dir");
    let store = store::Store::open(&dir.join(format!("{workstation}.sqlite"))).expect("store");
    let e = Engine::new(
        store,
        Port::Site(client),
        SystemClock,
        Counter {
            workstation: workstation.into(),
            site: "PH-SITE".into(),
        },
    );
    e.set_offline_budget(Duration::from_secs(4));
    e
}
