//! Helpers shared by the CLI's process tests and the soak benchmark (which
//! includes this file by path): the simulator as its own process, the CLI
//! against it, a deterministic generator.
#![allow(dead_code)] // each includer uses a part

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_countercheck")
}

/// Starts `cmd`. Under wine (the CI's Windows run) `CreateProcess` now and
/// then fails with error 1359, "Internal error", while another test thread
/// starts a process at the same moment: seen once in about thirty CI runs,
/// never on Linux, and our code is not involved until the child runs (Rust
/// already serialises `CreateProcess` within a process). That one error is
/// retried after a pause, and said on stderr; any other error is the
/// test's failure.
pub fn start(cmd: &mut Command) -> Child {
    retrying(cmd, Command::spawn)
}

/// [`Command::output`] (stdout and stderr collected; stdin empty unless
/// set), with [`start`]'s retry.
pub fn run(cmd: &mut Command) -> std::process::Output {
    retrying(cmd, Command::output)
}

fn retrying<T>(cmd: &mut Command, go: fn(&mut Command) -> std::io::Result<T>) -> T {
    for attempt in 1.. {
        match go(cmd) {
            Ok(done) => return done,
            Err(e) if cfg!(windows) && e.raw_os_error() == Some(1359) && attempt < 5 => {
                eprintln!("spawn {cmd:?}: {e} (wine), attempt {attempt}; retrying");
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            Err(e) => panic!("spawn {cmd:?}: {e}"),
        }
    }
    unreachable!("the loop returns or panics")
}

/// The CLI with a client configuration and a data folder.
pub fn cli(config: impl AsRef<Path>, data_dir: impl AsRef<Path>) -> Command {
    let mut c = Command::new(bin());
    c.arg("--config")
        .arg(config.as_ref())
        .arg("--data-dir")
        .arg(data_dir.as_ref());
    c
}

pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `sim serve` in a fresh folder (packs exported, client
/// configuration written) and waits until it listens.
pub fn serve(name: &str, seed: u32, products: u32, packs_per_batch: u32) -> (PathBuf, Server) {
    serve_as(name, seed, products, packs_per_batch, "arvato-v5")
}

/// [`serve`] with the client configuration written for `interface`
/// (`arvato-v5` or `securpharm`).
pub fn serve_as(
    name: &str,
    seed: u32,
    products: u32,
    packs_per_batch: u32,
    interface: &str,
) -> (PathBuf, Server) {
    let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let mut child = start(
        Command::new(bin())
            .arg("--data-dir")
            .arg(dir.join("sim"))
            .args(["sim", "serve", "--addr", "127.0.0.1:0"])
            .args([
                "--seed",
                &seed.to_string(),
                "--products",
                &products.to_string(),
            ])
            .args([
                "--packs-per-batch",
                &packs_per_batch.to_string(),
                "--export-packs",
            ])
            .arg(dir.join("packs.txt"))
            .arg("--client-config")
            .arg(dir.join("client.json"))
            .args(["--interface", interface])
            .stdout(Stdio::piped()),
    );
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("ready");
    let v: serde_json::Value =
        serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first}"));
    assert!(
        v["listening"]
            .as_str()
            .is_some_and(|a| a.starts_with("127.0.0.1:")),
        "{v}"
    );
    assert_eq!(v["interface"], interface, "{v}");
    (dir, Server(child))
}

/// A small deterministic generator, so a failure can be replayed.
pub struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

pub fn cc(dir: &Path, args: &[&str]) -> std::process::Output {
    run(cli(dir.join("client.json"), dir.join("counter")).args(args))
}

pub fn json_lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Today's date (UTC) for parsing scans in tests.
pub fn today() -> packcode::Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    domain::Timestamp(secs).date()
}
