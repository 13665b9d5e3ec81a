//! `countercheck sim …`: run the simulator, and drive its admin API.

use crate::config::ConfigFile;
use clap::Subcommand;
use simulator::admin::AdminClient;
use simulator::seed::SeedSize;
use simulator::{Fault, SimConfig};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// Serve the simulator until stopped (Ctrl-C or SIGTERM).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8443")]
        addr: SocketAddr,
        /// Seed an empty database deterministically with this seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Products to seed (each with 2 batches).
        #[arg(long, default_value_t = 12)]
        products: usize,
        /// Packs per batch to seed.
        #[arg(long, default_value_t = 10)]
        packs_per_batch: usize,
        /// Write the pack codes (one scan per line, GS as 0x1D) here.
        #[arg(long)]
        export_packs: Option<PathBuf>,
        /// Write a ready-to-use client configuration here.
        #[arg(long)]
        client_config: Option<PathBuf>,
        /// The interface the client configuration speaks: `arvato-v5`
        /// (NMVS, SOAP) or `securpharm` (securPharm's pharmacy server,
        /// REST). The simulator serves both on its one address; this
        /// chooses the one the written configuration uses.
        #[arg(long, default_value = "arvato-v5", value_parser = ["arvato-v5", "securpharm"])]
        interface: String,
    },
    /// Start or end a simulated outage (maintenance window).
    Outage {
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// Recall (or withdraw) a batch.
    Recall {
        #[arg(long)]
        batch: String,
        #[arg(long)]
        withdraw: bool,
    },
    /// Move the simulator's clock forward, e.g. `--advance 11d`.
    Clock {
        #[arg(long, value_parser = parse_duration)]
        advance: Duration,
    },
    /// Inject faults; all unset values clear.
    Fault {
        #[arg(long, value_parser = parse_duration)]
        latency: Option<Duration>,
        #[arg(long)]
        drop_after_apply: Option<u32>,
        #[arg(long = "http-500")]
        http_500: Option<u32>,
        /// Answer the next `--count` requests with this return code,
        /// unapplied (e.g. NMVS_FI_SE_CLI_01, the rate limit).
        #[arg(long)]
        return_code: Option<String>,
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// Apply the next N requests, then answer with another ClientTrxId.
        #[arg(long)]
        other_trx_id: Option<u32>,
        /// Answer the next N requests with a redirect.
        #[arg(long)]
        redirect: Option<u32>,
        /// Apply the next N requests, then hold each answer for `--hold`.
        #[arg(long)]
        hold_after_apply: Option<u32>,
        #[arg(long, value_parser = parse_duration)]
        hold: Option<Duration>,
        /// Refuse the client certificate in the next N TLS handshakes.
        #[arg(long)]
        refuse_client_cert: Option<u32>,
    },
    /// State changes and alerts by return code, as JSON.
    Stats,
    /// The alert log, as JSON.
    Alerts,
}

/// `500ms`, `2s`, `5m`, `3h`, `11d`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("'{s}' is not a duration like 500ms, 2s, 11d"))?;
    let secs = |k: u64| Duration::from_secs(n.saturating_mul(k));
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" | "" => Ok(secs(1)),
        "m" => Ok(secs(60)),
        "h" => Ok(secs(3600)),
        "d" => Ok(secs(86_400)),
        _ => Err(format!("'{s}': unknown unit '{unit}' (ms, s, m, h, d)")),
    }
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .ok()
}

pub fn run(cmd: &SimCommand, config: Option<&Path>, data_dir: &Path) -> ExitCode {
    let Some(rt) = runtime() else {
        eprintln!("countercheck: cannot start the async runtime");
        return ExitCode::from(2);
    };
    match cmd {
        SimCommand::Serve {
            addr,
            seed,
            products,
            packs_per_batch,
            export_packs,
            client_config,
            interface,
        } => rt.block_on(serve(
            *addr,
            *seed,
            SeedSize {
                products: *products,
                batches_per_product: 2,
                packs_per_batch: *packs_per_batch,
            },
            data_dir,
            export_packs.as_deref(),
            client_config.as_deref(),
            interface,
        )),
        other => {
            let Some(config) = config else {
                eprintln!("countercheck: `sim` admin commands need --config FILE (written by `sim serve --client-config`)");
                return ExitCode::from(2);
            };
            rt.block_on(admin(other, config))
        }
    }
}

const DEMO_LOGIN: &str = "PH-DEMO-0001";
const DEMO_USER: &str = "pharmacist";
const DEMO_PASSWORD: &str = "training-only";
/// The application id (`sid`) a securPharm demo configuration sends.
const DEMO_APPLICATION_ID: &str = "00000000-0000-4000-8000-00000000de00";

fn write_secret(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

async fn serve(
    addr: SocketAddr,
    seed: Option<u64>,
    size: SeedSize,
    data_dir: &Path,
    export: Option<&Path>,
    client_config: Option<&Path>,
    interface: &str,
) -> ExitCode {
    let cfg = SimConfig {
        addr,
        data_dir: data_dir.to_owned(),
        seed: seed.map(|s| (s, size)),
        client_login_id: DEMO_LOGIN.into(),
        user_id: DEMO_USER.into(),
        password: DEMO_PASSWORD.into(),
        start_time: None,
    };
    let handle = match simulator::start(cfg).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("countercheck sim: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(path) = export {
        match simulator::export_file(data_dir) {
            Ok(codes) => {
                if let Err(e) = std::fs::write(path, codes) {
                    eprintln!("countercheck sim: cannot write {}: {e}", path.display());
                    return ExitCode::from(1);
                }
            }
            Err(e) => {
                eprintln!("countercheck sim: {e}");
                return ExitCode::from(1);
            }
        }
    }
    if let Some(path) = client_config {
        let pki = simulator::pki::paths(data_dir);
        let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
        let password_file = data_dir.join("pki").join("password");
        let securpharm = interface == "securpharm";
        let cfg = ConfigFile {
            endpoint: format!("https://localhost:{}", handle.addr.port()),
            single_pack_path: "/ws/SinglePackServiceV50".into(),
            bulk_url: None,
            ca_cert: Some(abs(&pki[0])),
            client_cert: Some(abs(&pki[3])),
            client_key: Some(abs(&pki[4])),
            client_p12: None,
            client_p12_password_file: None,
            client_login_id: if securpharm { "" } else { DEMO_LOGIN }.into(),
            user_id: if securpharm { "" } else { DEMO_USER }.into(),
            password_file: (!securpharm).then(|| abs(&data_dir.join("pki")).join("password")),
            password_env: None,
            interface: interface.into(),
            application_id: securpharm.then(|| DEMO_APPLICATION_ID.to_owned()),
            workstation: None,
            site_interface: None,
            site_name: None,
            connect_timeout_ms: 3_000,
            response_timeout_ms: 10_000,
            offline_budget_ms: 3_000,
            replay_lease_secs: engine::DEFAULT_CLAIM_LEASE_SECS,
            offline_confirm_after_hours: (engine::DEFAULT_OFFLINE_CONFIRM_AFTER_SECS / 3600) as u64,
            role: domain::Role::Pharmacist.as_str().into(),
        };
        let written = write_secret(&password_file, DEMO_PASSWORD)
            .and_then(|_| serde_json::to_string_pretty(&cfg).map_err(std::io::Error::other))
            .and_then(|text| std::fs::write(path, text));
        if let Err(e) = written {
            eprintln!(
                "countercheck sim: cannot write the client configuration {}: {e}",
                path.display()
            );
            return ExitCode::from(1);
        }
    }
    println!(
        "{}",
        serde_json::json!({"listening": handle.addr.to_string(), "url": handle.url(), "data_dir": data_dir, "client_config": client_config, "interface": interface, "export_packs": export})
    );
    // Ctrl+C everywhere; SIGTERM too where there is one (Unix).
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("countercheck sim: {e}");
                    return ExitCode::from(1);
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    handle.stop().await;
    ExitCode::SUCCESS
}

async fn admin(cmd: &SimCommand, config: &Path) -> ExitCode {
    let loaded = ConfigFile::load(config);
    let (cfg, base) = match loaded {
        Ok(c) => c,
        Err(e) => {
            eprintln!("countercheck: {e}");
            return ExitCode::from(2);
        }
    };
    let read = |p: &Path| std::fs::read_to_string(crate::config::at(&base, p)).unwrap_or_default();
    let ca = cfg.ca_cert.as_deref().map(read).unwrap_or_default();
    let client = match AdminClient::new(
        &cfg.endpoint,
        &ca,
        &cfg.client_cert.as_deref().map(read).unwrap_or_default(),
        &cfg.client_key.as_deref().map(read).unwrap_or_default(),
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("countercheck: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match cmd {
        SimCommand::Outage { state } => client.outage(state == "on").await,
        SimCommand::Recall { batch, withdraw } => client.recall(batch, *withdraw).await,
        SimCommand::Clock { advance } => client.advance_clock(advance.as_secs() as i64).await,
        SimCommand::Fault {
            latency,
            drop_after_apply,
            http_500,
            return_code,
            count,
            other_trx_id,
            redirect,
            hold_after_apply,
            hold,
            refuse_client_cert,
        } => {
            client
                .fault(&Fault {
                    latency_ms: latency.map_or(0, |d| d.as_millis() as u64),
                    drop_after_apply: drop_after_apply.unwrap_or(0),
                    http_500: http_500.unwrap_or(0),
                    bulk_delay_ms: 0,
                    return_code_count: if return_code.is_some() { *count } else { 0 },
                    return_code: return_code.clone(),
                    other_trx_id: other_trx_id.unwrap_or(0),
                    redirect: redirect.unwrap_or(0),
                    hold_after_apply: hold_after_apply.unwrap_or(0),
                    hold_ms: hold.map_or(0, |d| d.as_millis() as u64),
                    refuse_client_cert: refuse_client_cert.unwrap_or(0),
                    ..Fault::default()
                })
                .await
        }
        SimCommand::Stats => client.stats().await,
        SimCommand::Alerts => client.alerts().await,
        SimCommand::Serve { .. } => return ExitCode::from(2),
    };
    match result {
        Ok(v) => {
            println!("{v}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("countercheck sim: {e}");
            ExitCode::from(1)
        }
    }
}
