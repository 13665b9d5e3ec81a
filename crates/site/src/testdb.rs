//! A throwaway PostgreSQL server for tests and benchmarks: `initdb` into a
//! temporary folder, started with `pg_ctl` on its own port, listening on a
//! Unix socket in that folder only (no TCP), trust authentication for the
//! one local user, stopped and removed when dropped. Debian's `postgresql`
//! package provides the programs (`/usr/lib/postgresql/N/bin`). PostgreSQL
//! refuses to run as root: as root the folder is given to the `postgres`
//! system user the package creates, and the programs run as that user
//! (`runuser`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running test server.
#[derive(Debug)]
pub struct TestDb {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
    /// fsync on, as a site server runs (benchmarks); off for tests.
    durable: bool,
}

/// The newest PostgreSQL's program folder.
fn bin_dir() -> Result<PathBuf, String> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if p.join("initdb").exists() {
            return Ok(p);
        }
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| format!("PostgreSQL is not installed (/usr/lib/postgresql: {e})"))?
        .filter_map(Result::ok)
        .filter_map(|d| {
            let v: u32 = d.file_name().to_string_lossy().parse().ok()?;
            let bin = d.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, p)| p)
        .ok_or_else(|| "no initdb under /usr/lib/postgresql/*/bin".to_owned())
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl TestDb {
    /// Starts a fresh server named `name` (the folder's name), fsync off
    /// (tests: nothing here must survive a power cut).
    pub fn start(name: &str) -> Result<TestDb, String> {
        TestDb::start_with(name, false)
    }

    /// As [`TestDb::start`], with fsync on as in production (benchmarks).
    pub fn start_durable(name: &str) -> Result<TestDb, String> {
        TestDb::start_with(name, true)
    }

    fn start_with(name: &str, durable: bool) -> Result<TestDb, String> {
        let bin = bin_dir()?;
        let dir =
            std::env::temp_dir().join(format!("countercheck-pg-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let db = TestDb {
            dir,
            bin,
            port: free_port()?,
            as_postgres: is_root(),
            durable,
        };
        if db.as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&db.dir)
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                return Err("cannot give the test folder to the postgres user".into());
            }
        }
        db.run(
            "initdb",
            &[
                "-D",
                &db.data().to_string_lossy(),
                "-U",
                "countercheck",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        db.start_server()?;
        Ok(db)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let exe = self.bin.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd
            .args(args)
            .current_dir(&self.dir)
            .output()
            .map_err(|e| format!("{program}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn start_server(&self) -> Result<(), String> {
        let options = format!(
            "-p {} -k {} -c listen_addresses='' -c fsync={} -c max_connections=60",
            self.port,
            self.dir.display(),
            if self.durable { "on" } else { "off" }
        );
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data().to_string_lossy(),
                "-o",
                &options,
                "-l",
                &self.dir.join("server.log").to_string_lossy(),
                "-w",
                "start",
            ],
        )
    }

    /// Stops the server (fast: open transactions are rolled back).
    pub fn stop(&self) -> Result<(), String> {
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data().to_string_lossy(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        )
    }

    /// Stops and starts the server again (a restart of the site's
    /// database).
    pub fn restart(&self) -> Result<(), String> {
        self.stop()?;
        self.start_server()
    }

    /// The connection string for `tokio_postgres::connect`.
    pub fn config(&self) -> String {
        format!(
            "host={} port={} user=countercheck dbname=postgres",
            self.dir.display(),
            self.port
        )
    }

    /// The server's folder (its log is `server.log`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data().to_string_lossy(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
