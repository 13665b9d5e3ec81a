#![cfg(unix)] // Debian's PostgreSQL, started by the test; the Windows build runs the rest under wine.
//! A site with three counters, every part real and its own process: a
//! throwaway PostgreSQL, the simulator (`sim serve`), the site server
//! (`site init`, `site serve`), three counters enrolled by one-time codes
//! (`site approve`, `enrol`) running the CLI. 1,500 scans from the three at
//! once, 150 packs scanned at two counters in the same moment, undos from
//! a counter that did not dispense; meanwhile the site server is killed
//! (`kill -9`) and started again, and PostgreSQL restarts. Afterwards, with
//! every outbox replayed: no alert and no double decommission at the
//! simulator, every pack in the state the site's ledger says, the site's
//! journal and every counter's journal verify.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn site_cmd(args: &[&str]) -> std::process::Output {
    Command::new(bin())
        .env("COUNTERCHECK_SECRETS", "file")
        .args(args)
        .output()
        .expect("runs")
}

/// `site serve` for the folder, once it listens.
fn serve_site(dir: &Path) -> Server {
    let mut child = Command::new(bin())
        .env("COUNTERCHECK_SECRETS", "file")
        .args(["site", "serve", "--dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("site serve");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("ready");
    assert!(first.contains("listening"), "{first}");
    Server(child)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port()
}

/// One counter's batch: `codes` through `countercheck OP` on stdin; the
/// verdicts, one per code.
fn counter_run(cfg: &Path, data: &Path, op: &str, codes: &[String]) -> Vec<serde_json::Value> {
    let mut child = common::cli(cfg, data)
        .arg(op)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("counter");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        for c in codes {
            // The CLI reads one scan per line with `\x1d` escapes.
            writeln!(stdin, "{}", c.replace('\u{1d}', "\\x1d")).expect("write");
        }
    }
    let out = child.wait_with_output().expect("ran");
    json_lines(&out.stdout)
}

#[test]
fn three_counters_one_site_through_kill_and_restart() {
    let db = site::testdb::TestDb::start("cli-site").expect("postgres");
    // 10 products × 2 batches × 65 packs = 1,300 packs. The export has each
    // pack twice (GS1, then IFA); a real pack carries one code: every other
    // pack is taken in its IFA form.
    let (dir, _sim) = serve("cc-site", 77, 10, 65);
    let packs: Vec<String> = std::fs::read_to_string(dir.join("packs.txt"))
        .expect("packs")
        .lines()
        .collect::<Vec<_>>()
        .chunks(2)
        .enumerate()
        .map(|(i, both)| both[i % 2].to_owned())
        .collect();
    assert!(packs.len() >= 1_250, "{}", packs.len());
    let site_dir = dir.join("site");
    let port = free_port();
    let url = format!("https://localhost:{port}");
    let init = site_cmd(&[
        "site",
        "init",
        "--dir",
        &site_dir.display().to_string(),
        "--database",
        &db.config(),
        "--name",
        "PH-SITE",
        "--national",
        &dir.join("client.json").display().to_string(),
        "--listen",
        &format!("127.0.0.1:{port}"),
    ]);
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    // No secret of the national system in the site's folder's files.
    let client_cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("client.json")).expect("cfg"))
            .expect("json");
    let password = std::fs::read_to_string(
        dir.join(client_cfg["password_file"].as_str().expect("password file")),
    )
    .expect("password");
    for f in ["site.json", "national.json"] {
        let text = std::fs::read_to_string(site_dir.join(f)).expect("file");
        assert!(!text.contains(password.trim()), "{f}");
        assert!(!text.contains("PRIVATE KEY"), "{f}");
    }
    // Unpaced for the test (the rate is the national system's to set), a
    // quick replay round.
    let mut file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site_dir.join("site.json")).expect("site"))
            .expect("json");
    file["rate_per_sec"] = 0.0.into();
    file["replay_every_ms"] = 300.into();
    std::fs::write(site_dir.join("site.json"), file.to_string()).expect("write");
    let mut site = serve_site(&site_dir);

    // Three counters enrolled by one-time codes.
    let mut counters: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (name, user) in [("HV1", "anna"), ("HV2", "ben"), ("HV3", "carl")] {
        let out = site_cmd(&[
            "site",
            "approve",
            "--dir",
            &site_dir.display().to_string(),
            name,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let code = json_lines(&out.stdout)[0]["code"]
            .as_str()
            .expect("code")
            .to_owned();
        let home = dir.join(name);
        let out = site_cmd(&[
            "enrol",
            "--site",
            &url,
            "--workstation",
            name,
            "--code",
            &code,
            "--user",
            user,
            "--out",
            &home.display().to_string(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        counters.push((home.join("countercheck.json"), home.join("data")));
    }

    // The work: HV1 and HV2 both start with the same 150 packs.
    let overlap = &packs[350..500];
    let hv1: Vec<String> = overlap.iter().chain(&packs[0..350]).cloned().collect();
    let hv2: Vec<String> = overlap.iter().chain(&packs[500..850]).cloned().collect();
    let hv3_dispense = packs[850..1250].to_vec();
    let hv3_undo = packs[0..100].to_vec();
    assert_eq!(
        hv1.len() + hv2.len() + hv3_dispense.len() + hv3_undo.len(),
        1_500
    );
    let started = Instant::now();
    let runs: Vec<std::thread::JoinHandle<Vec<serde_json::Value>>> = vec![
        {
            let (c, d) = counters[0].clone();
            std::thread::spawn(move || counter_run(&c, &d, "dispense", &hv1))
        },
        {
            let (c, d) = counters[1].clone();
            std::thread::spawn(move || counter_run(&c, &d, "dispense", &hv2))
        },
        {
            let (c, d) = counters[2].clone();
            std::thread::spawn(move || {
                let mut v = counter_run(&c, &d, "dispense", &hv3_dispense);
                v.extend(counter_run(&c, &d, "undo", &hv3_undo));
                v
            })
        },
    ];
    // Faults in the middle of the run: the site server killed and started
    // again; then its PostgreSQL restarted.
    std::thread::sleep(Duration::from_millis(700));
    let _ = site.0.kill(); // SIGKILL
    let _ = site.0.wait();
    std::thread::sleep(Duration::from_millis(500));
    site = serve_site(&site_dir);
    std::thread::sleep(Duration::from_millis(500));
    db.restart().expect("postgres restart");
    let verdicts: Vec<Vec<serde_json::Value>> = runs
        .into_iter()
        .map(|r| r.join().expect("counter"))
        .collect();
    eprintln!("1,500 scans in {:?}", started.elapsed());
    // Every scan has its verdict; none is an error.
    assert_eq!(
        verdicts.iter().map(Vec::len).collect::<Vec<_>>(),
        [500, 500, 500]
    );
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for v in verdicts.iter().flatten() {
        *kinds
            .entry(v["verdict"].as_str().unwrap_or("?").to_owned())
            .or_default() += 1;
    }
    eprintln!("verdicts: {kinds:?}");
    assert!(!kinds.contains_key("error"), "{kinds:?}");
    assert!(!kinds.contains_key("misconfigured"), "{kinds:?}");

    // Every counter replays what it recorded while the site was away.
    for (cfg, data) in &counters {
        let mut rounds = 0;
        loop {
            let out = common::cli(cfg, data)
                .args(["queue", "sync"])
                .output()
                .expect("sync");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let status = common::cli(cfg, data)
                .args(["queue", "status"])
                .output()
                .expect("status");
            let state = &json_lines(&status.stdout)[0];
            if state["backlog"] == 0 {
                break;
            }
            rounds += 1;
            // A request the killed site server left on its way holds its
            // pack for the claim's lease (15 s) before the site's replay
            // settles it: at most a minute.
            if rounds == 60 {
                let list = Command::new(bin())
                    .arg("--data-dir")
                    .arg(data)
                    .args(["queue", "list"])
                    .output()
                    .expect("list");
                for item in json_lines(&list.stdout) {
                    if item["status"] != "done" && item["status"] != "exception" {
                        eprintln!("{item}");
                    }
                }
                panic!("{state}");
            }
            std::thread::sleep(Duration::from_millis(1000));
        }
        let out = Command::new(bin())
            .arg("--data-dir")
            .arg(data)
            .args(["journal", "verify"])
            .output()
            .expect("verify");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        use store::Ledger;
        let ledger = site::connect(&db.config()).await.expect("site ledger");
        // The site's own outbox drains (its replay runs every 300 ms).
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let waiting = ledger
                .outbox(None)
                .expect("outbox")
                .into_iter()
                .filter(|i| {
                    matches!(
                        i.status,
                        store::OutboxStatus::Pending | store::OutboxStatus::Claimed
                    )
                })
                .count();
            if waiting == 0 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{waiting} still waiting at the site"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        ledger
            .journal_verify()
            .expect("read")
            .expect("the site's journal verifies");

        // The simulator: no alert, and as many state changes as the site's
        // ledger holds applied changes.
        let stats = json_lines(&cc(&dir, &["sim", "stats"]).stdout);
        let stats = &stats[0];
        assert!(
            stats["alerts"].as_object().is_some_and(|m| m.is_empty()),
            "{stats}"
        );
        // Every pack as the site's ledger says: dispensed when its last
        // standing change is a dispense, else active.
        let today = today();
        let mut expected = Vec::new();
        for code in &packs[0..1250] {
            let scan = packcode::parse(code, today);
            let last = ledger
                .last_change(
                    scan.product_code().expect("product").0,
                    scan.serial().expect("serial"),
                )
                .expect("ledger");
            let dispensed = last.as_ref().is_some_and(|r| r.operation == "G120");
            expected.push(if dispensed { "SUPPLIED" } else { "ACTIVE" });
        }
        let checked = counter_run(
            &dir.join("client.json"),
            &dir.join("checker"),
            "verify",
            &packs[0..1250],
        );
        assert_eq!(checked.len(), 1_250);
        let mut wrong = Vec::new();
        for (i, (v, want)) in checked.iter().zip(&expected).enumerate() {
            if v["state"].as_str() != Some(want) {
                wrong.push((i, v["state"].clone(), *want));
            }
        }
        assert!(
            wrong.is_empty(),
            "{} packs differ: {:?}",
            wrong.len(),
            &wrong[..wrong.len().min(5)]
        );
        let supplied = expected.iter().filter(|s| **s == "SUPPLIED").count();
        // 1,250 distinct packs dispensed once each; HV3's undos revert
        // those of the first 100 that HV1 had dispensed by then.
        assert!((1_150..=1_250).contains(&supplied), "{supplied}");
        assert_eq!(
            stats["state_changes"].as_u64(),
            Some((1_250 + (1_250 - supplied)) as u64),
            "{stats}"
        );
    });
    drop(site);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `sh site-…` blocks of docs/site.md, by tag.
fn doc_blocks() -> std::collections::BTreeMap<String, String> {
    let doc = std::fs::read_to_string(
        Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("manifest"))
            .join("../../docs/site.md"),
    )
    .expect("docs/site.md");
    let mut blocks = std::collections::BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in doc.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) if info.starts_with("sh site-") => {
                current = Some((info["sh ".len()..].trim().to_owned(), String::new()));
            }
            (Some(_), Some(_)) => {
                let (tag, text) = current.take().expect("block");
                blocks.insert(tag, text);
            }
            (Some((_, text)), None) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn documented_commands_work() {
    let blocks = doc_blocks();
    for tag in [
        "site-init",
        "site-serve",
        "site-approve",
        "site-enrol",
        "site-use",
        "site-backup",
        "site-revoke",
    ] {
        assert!(blocks.contains_key(tag), "docs/site.md has no {tag} block");
    }
    let db = site::testdb::TestDb::start("cli-doc").expect("postgres");
    let (dir, _sim) = serve("cc-site-doc", 5, 1, 4);
    let pack = std::fs::read_to_string(dir.join("packs.txt"))
        .expect("packs")
        .lines()
        .next()
        .expect("a pack")
        .replace('\u{1d}', "\\x1d");
    // `countercheck` on the PATH, as installed.
    let bin_dir = dir.join("bin");
    std::fs::create_dir_all(&bin_dir).expect("bin");
    std::os::unix::fs::symlink(bin(), bin_dir.join("countercheck")).expect("link");
    let port = free_port();
    let backup = dir.join("backup");
    std::fs::create_dir_all(&backup).expect("backup dir");
    let vars: Vec<(&str, String)> = vec![
        (
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        ),
        ("COUNTERCHECK_SECRETS", "file".into()),
        ("DATABASE", db.config()),
        ("SITE_DIR", dir.join("site").display().to_string()),
        ("SITE_NAME", "PH-DOC".into()),
        ("NATIONAL", dir.join("client.json").display().to_string()),
        ("LISTEN", format!("127.0.0.1:{port}")),
        ("HOST", "localhost".into()),
        ("WORKSTATION", "HV1".into()),
        ("ADMIN", "admin".into()),
        ("SITE_URL", format!("https://localhost:{port}")),
        ("COUNTER_USER", "anna".into()),
        ("COUNTER_DIR", dir.join("hv1").display().to_string()),
        ("PACK", pack),
        ("BACKUP_DIR", backup.display().to_string()),
    ];
    let shell = |tag: &str, extra: &[(&str, String)]| {
        let mut c = Command::new("bash");
        c.args(["-euo", "pipefail", "-c", &blocks[tag]]);
        for (k, v) in vars.iter().chain(extra) {
            c.env(k, v);
        }
        c
    };
    let run = |tag: &str, extra: &[(&str, String)]| {
        let out = shell(tag, extra).output().expect("bash");
        assert!(
            out.status.success(),
            "{tag}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        json_lines(&out.stdout)
    };
    run("site-init", &[]);
    let mut serving = shell("site-serve", &[]);
    let mut child = serving.stdout(Stdio::piped()).spawn().expect("serve");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("ready");
    assert!(first.contains("listening"), "{first}");
    let server = Server(child);
    let code = run("site-approve", &[])[0]["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let enrolled = run("site-enrol", &[("CODE", code)]);
    assert_eq!(enrolled[0]["workstation"], "HV1");
    // The site server's log file names the enrolment.
    let log = std::fs::read_to_string(dir.join("site").join("logs").join("site.log"))
        .expect("the site's log file");
    assert!(log.contains("workstation HV1 enrolled"), "{log}");
    let used = run("site-use", &[]);
    assert_eq!(used[0]["verdict"], "answered", "{}", used[0]);
    assert_eq!(used[0]["return_code"], "NMVS_SUCCESS");
    run("site-backup", &[]);
    assert!(backup.join("countercheck.dump").exists());
    let listed = run("site-revoke", &[]);
    assert_eq!(listed[0]["name"], "HV1");
    assert_eq!(listed[1]["revoked"], true);
    // Revoked: the counter's next request is refused by the site (the
    // counter is told to fix its connection, nothing is recorded as sent).
    let after = shell("site-use", &[]).output().expect("bash");
    assert!(!after.status.success());
    let after = json_lines(&after.stdout);
    assert_eq!(after[0]["verdict"], "misconfigured", "{}", after[0]);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
