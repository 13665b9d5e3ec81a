//! The securPharm pharmacy-server interface (REST with JSON), the second
//! mode of the simulator (`sim serve --interface securpharm`): a token
//! endpoint that requires the client certificate, the pack resource (verify
//! with `GET`, decommission and undo with `PUT`), the same rules
//! ([`domain::rules`]) and fault injection as the NMVS mode, answered with
//! securPharm's codes (`domain`'s table, each the twin of an NMVS code).
//!
//! Shares no code with the adapter (`securpharm`): its own reading of the
//! wire names (from `../shared/domain.md` §4.5 and §10.1; those marked
//! *ours* there are the adapter's choices, repeated here on purpose).
//!
//! securPharm's own rules at this edge:
//! - the site is the client certificate: every workstation of a site holds
//!   the same certificate, so a decommission and its undo from two
//!   workstations are one actor (the undo is allowed within the site);
//! - an undo names the decommission by the server's transaction number
//!   (`trx`), read back here to the client's;
//! - an expiry scanned as day 00 matches the month's last day held
//!   centrally (and the reverse); the answer's `expNMVS` shows the central
//!   one.

use crate::server::{after_apply, apply_pack, take_one, Sim};
use crate::soap::SoapRequest;
use crate::store;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::{Interface, Operation, PackState};
use rusqlite::{params, OptionalExtension};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::Notify;

/// The site a connection's client certificate names (a hash of the
/// certificate: one per site, shared by its workstations).
#[derive(Debug, Clone)]
pub struct Peer(pub Option<String>);

/// The site of a certificate (DER).
pub fn site_of(cert: &[u8]) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, cert);
    format!("site-{}", domain::text::hex(&d.as_ref()[..6]))
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn result_only(status: StatusCode, code: &str, message: &str, ctx: &str) -> Response {
    answer(
        status,
        serde_json::json!({"res": {"cod": code, "mes": message}, "tx": {"ctx": ctx}}),
    )
}

/// securPharm's table of codes and sentences.
fn sp_table() -> &'static domain::CodeTable {
    static T: std::sync::LazyLock<domain::CodeTable> =
        std::sync::LazyLock::new(|| domain::CodeTable::for_interface(Interface::SecurPharm));
    &T
}

/// The securPharm code for an NMVS outcome of the rules (a code without a
/// twin, such as an injected fault's own SP code, is sent as it is).
fn sp_code(nmvs: &str) -> &str {
    domain::in_interface(nmvs, Interface::SecurPharm).unwrap_or(nmvs)
}

/// `POST /auth/realms/pharmacies/protocol/openid-connect/token`: a token
/// for the certificate's site, with the password grant and the securPharm
/// client id and nothing else (the certificate is the credential).
pub async fn token(
    State(sim): State<Arc<Sim>>,
    Extension(peer): Extension<Peer>,
    body: Bytes,
) -> Response {
    if sim.outage.load(Ordering::Relaxed) {
        return result_only(
            StatusCode::SERVICE_UNAVAILABLE,
            "SP-901",
            "The system is not available (maintenance window).",
            "",
        );
    }
    let form = String::from_utf8_lossy(&body);
    let fields: Vec<&str> = form.split('&').collect();
    let Some(site) = peer.0 else {
        return result_only(
            StatusCode::UNAUTHORIZED,
            "SP-403",
            "No client certificate.",
            "",
        );
    };
    if !fields.contains(&"grant_type=password") || !fields.contains(&"client_id=securPharm") {
        return answer(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"error": "invalid_request", "error_description": "grant_type=password and client_id=securPharm"}),
        );
    }
    let mut raw = [0u8; 24];
    if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut raw).is_err() {
        return result_only(
            StatusCode::INTERNAL_SERVER_ERROR,
            "SP-900",
            "no random source",
            "",
        );
    }
    let token = domain::text::base64url(&raw);
    let ttl = sim.token_ttl_secs.load(Ordering::Relaxed);
    let until = sim.now().0 + i64::try_from(ttl).unwrap_or(i64::MAX / 2);
    if let Ok(mut t) = sim.tokens.lock() {
        t.insert(token.clone(), (site, until));
    }
    sim.tokens_issued.fetch_add(1, Ordering::Relaxed);
    answer(
        StatusCode::OK,
        serde_json::json!({"access_token": token, "expires_in": ttl, "token_type": "Bearer"}),
    )
}

/// The query's parameters (values are base64url, digits or ids; `%XX` is
/// decoded all the same).
fn query(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn decoded(s: &str) -> Option<String> {
    String::from_utf8(domain::text::unbase64url(s)?).ok()
}

/// The operation of an `act` value.
fn operation_of(act: Option<&str>) -> Option<Operation> {
    let Some(act) = act else {
        return Some(Operation::Verify);
    };
    Some(match act {
        "DISPENSE" => Operation::Dispense,
        "UNDO_DISPENSE" => Operation::UndoDispense,
        "DESTROY" => Operation::Destroy,
        "EXPORT" => Operation::Export,
        "UNDO_EXPORT" => Operation::UndoExport,
        "SAMPLE" => Operation::Sample,
        "UNDO_SAMPLE" => Operation::UndoSample,
        "FREE_SAMPLE" => Operation::FreeSample,
        "UNDO_FREE_SAMPLE" => Operation::UndoFreeSample,
        "LOCK" => Operation::Lock,
        "UNLOCK" => Operation::Unlock,
        "STOLEN" => Operation::Stolen,
        _ => return None,
    })
}

/// True when two YYMMDD expiries name the same day, day 00 meaning the
/// month's last day.
fn same_expiry(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let last = |e: &str| -> Option<(u32, u32, u32)> {
        let y: u32 = e.get(0..2)?.parse().ok()?;
        let m: u32 = e.get(2..4)?.parse().ok()?;
        let d: u32 = e.get(4..6)?.parse().ok()?;
        let days = match m {
            2 if (2000 + y).is_multiple_of(4) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            1..=12 => 31,
            _ => return None,
        };
        Some((y, m, if d == 0 { days } else { d }))
    };
    matches!((last(a), last(b)), (Some(x), Some(y)) if x == y)
}

/// `GET`/`PUT /products/{pc}/packs/{sn}`: one pack's verify, decommission
/// or undo.
#[allow(clippy::too_many_arguments)]
pub async fn pack(
    State(sim): State<Arc<Sim>>,
    Extension(kill): Extension<Arc<Notify>>,
    Extension(peer): Extension<Peer>,
    method: Method,
    Path((pc, sn)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let latency = sim.latency_ms.load(Ordering::Relaxed);
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    let q = query(&uri);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let ctx = get("ctx").unwrap_or_default().to_owned();
    if sim.outage.load(Ordering::Relaxed) {
        return result_only(
            StatusCode::SERVICE_UNAVAILABLE,
            "SP-901",
            "The system is not available (maintenance window).",
            &ctx,
        );
    }
    if take_one(&sim.http_500) {
        return result_only(
            StatusCode::INTERNAL_SERVER_ERROR,
            "SP-900",
            "Injected internal error.",
            &ctx,
        );
    }
    if take_one(&sim.redirect) {
        return (
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, "https://elsewhere.invalid/products")],
            "",
        )
            .into_response();
    }
    // The token, for this site, not expired.
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let now = sim.now();
    let site = match (sim.tokens.lock(), &peer.0) {
        (Ok(t), Some(cert_site)) => t
            .get(bearer)
            .filter(|(s, until)| s == cert_site && *until > now.0)
            .map(|(s, _)| s.clone()),
        _ => None,
    };
    let Some(site) = site else {
        return result_only(
            StatusCode::UNAUTHORIZED,
            "SP-402",
            "The access token is missing, expired or not this site's.",
            &ctx,
        );
    };
    let act = get("act");
    let op = match (operation_of(act), &method) {
        (Some(Operation::Verify), &Method::GET) => Operation::Verify,
        (Some(op), &Method::PUT) if op != Operation::Verify => op,
        _ => {
            return result_only(
                StatusCode::BAD_REQUEST,
                "SP-900",
                "GET verifies; PUT with a known act changes the state.",
                &ctx,
            )
        }
    };
    let (Some(serial), Some(batch)) = (decoded(&sn), get("lot").and_then(decoded)) else {
        return result_only(
            StatusCode::BAD_REQUEST,
            "SP-900",
            "The serial number and the batch must be base64url.",
            &ctx,
        );
    };
    let scheme = match get("pcs") {
        Some("GTIN") => "GTIN",
        Some("PPN") => "PPN",
        _ => {
            return result_only(
                StatusCode::BAD_REQUEST,
                "SP-900",
                "pcs must be GTIN or PPN.",
                &ctx,
            )
        }
    };
    if ctx.is_empty() || get("sid").is_none_or(str::is_empty) {
        return result_only(
            StatusCode::BAD_REQUEST,
            "SP-900",
            "ctx and sid are required.",
            &ctx,
        );
    }
    let stx = format!(
        "SPX{:012}",
        sim.trx_counter.fetch_add(1, Ordering::Relaxed) + 1
    );
    if take_one(&sim.return_code_count) {
        let code = sim
            .return_code
            .lock()
            .ok()
            .and_then(|c| c.clone())
            .unwrap_or_else(|| "NMVS_ERROR".into());
        let code = sp_code(&code).to_owned();
        let message = sp_table().lookup(&code).message;
        return answer(
            StatusCode::OK,
            serde_json::json!({"res": {"cod": code, "mes": message}, "tx": {"ctx": ctx, "stx": stx}}),
        );
    }
    let expiry = get("exp").unwrap_or_default().to_owned();
    let outcome = {
        let Ok(mut db) = sim.db.lock() else {
            return result_only(
                StatusCode::INTERNAL_SERVER_ERROR,
                "SP-900",
                "database lock poisoned",
                &ctx,
            );
        };
        apply_rest(
            &mut db,
            &sim,
            op,
            &pc,
            scheme,
            &serial,
            &batch,
            &expiry,
            &ctx,
            get("trx"),
            &site,
            now,
            &stx,
        )
    };
    let (state, reasons, code, central, alert) = match outcome {
        Ok(o) => o,
        Err(e) => {
            return result_only(
                StatusCode::INTERNAL_SERVER_ERROR,
                "SP-900",
                &e.to_string(),
                &ctx,
            )
        }
    };
    after_apply(&sim, &kill).await;
    let name = match sim.db.lock() {
        Ok(db) => store::product_name(&db, scheme, &pc).ok().flatten(),
        Err(_) => None,
    };
    let code = sp_code(code);
    let message = sp_table().lookup(code).message;
    let ctx = if take_one(&sim.other_trx_id) {
        format!("{ctx}-OTHER")
    } else {
        ctx
    };
    let mut body = serde_json::json!({
        "res": {"cod": code, "mes": message},
        "tx": {"ctx": ctx, "stx": stx},
        "prod": {"pc": pc, "pcs": scheme, "lot": batch, "exp": expiry},
    });
    if let Some(c) = central {
        body["prod"]["expNMVS"] = c.into();
    }
    if let Some(n) = name {
        body["prod"]["name"] = n.into();
    }
    if let Some(a) = alert {
        body["res"]["aid"] = a.into();
    }
    if let Some(s) = state {
        let mut r: Vec<&str> = Vec::new();
        if s != PackState::Active {
            r.push(s.name());
        }
        r.extend(reasons.iter().map(|x| x.name()));
        body["pack"] = serde_json::json!({
            "sn": serial,
            "state": if s == PackState::Active { "ACTIVE" } else { "INACTIVE" },
            "reasons": r,
        });
    }
    answer(StatusCode::OK, body)
}

type RestOutcome = (
    Option<PackState>,
    Vec<domain::InactiveReason>,
    &'static str,
    Option<String>,
    Option<String>,
);

#[allow(clippy::too_many_arguments)]
fn apply_rest(
    db: &mut rusqlite::Connection,
    sim: &Sim,
    op: Operation,
    pc: &str,
    scheme: &str,
    serial: &str,
    batch: &str,
    expiry: &str,
    ctx: &str,
    trx: Option<&str>,
    site: &str,
    now: domain::Timestamp,
    stx: &str,
) -> Result<RestOutcome, crate::SimError> {
    let tx = db.transaction()?;
    let fresh = store::use_trx(&tx, ctx)?;
    // The central expiry of the pack's batch, and the one the rules see: a
    // day-00 scan of the month the centre holds as its last day matches.
    let central = match store::product_id(&tx, scheme, pc)? {
        Some(p) => match store::pack(&tx, p, serial)? {
            Some(k) => store::batch(&tx, p, &k.batch)?.map(|b| b.expiry),
            None => None,
        },
        None => None,
    };
    let expiry_for_rules = match &central {
        Some(c) if same_expiry(expiry, c) => c.clone(),
        _ => expiry.to_owned(),
    };
    // The undo's decommission, by the server's transaction number.
    let reference: Option<String> = match trx {
        Some(t) => Some(
            tx.query_row(
                "SELECT client_trx_id FROM history WHERE nmvs_trx_id = ?1 AND changed = 1",
                params![t],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_else(|| format!("unknown server transaction {t}")),
        ),
        None => None,
    };
    let req = SoapRequest {
        g_code: op.g_code().to_owned(),
        client_login_id: site.to_owned(),
        user_id: site.to_owned(),
        password: String::new(),
        client_trx_id: ctx.to_owned(),
        scheme: scheme.to_owned(),
        product_code: pc.to_owned(),
        batch: batch.to_owned(),
        expiry: expiry_for_rules,
        serial: serial.to_owned(),
        ref_client_trx_id: reference,
        serials: vec![serial.to_owned()],
        ref_nmvs_trx_id: None,
        types_ns: String::new(),
        ping_input: None,
    };
    let (state, reasons, code) = apply_pack(&tx, &sim.codes, &req, serial, op, fresh, now, stx)?;
    let alert = sim
        .codes
        .lookup(code)
        .alert
        .then(|| format!("SPA-{}", tx.last_insert_rowid()));
    tx.commit()?;
    Ok((state, reasons, code, central, alert))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_00_is_the_months_last_day() {
        assert!(same_expiry("281200", "281231"));
        assert!(same_expiry("280200", "280229"), "2028 is a leap year");
        assert!(!same_expiry("270200", "270229"));
        assert!(same_expiry("270200", "270228"));
        assert!(!same_expiry("281200", "281230"));
        assert!(!same_expiry("281200", "281100"));
        assert!(!same_expiry("28xx00", "28xx00x"));
    }

    #[test]
    fn percent_escapes_decode_and_stray_percent_signs_stay() {
        assert_eq!(percent_decode("a%2Fb"), "a/b");
        assert_eq!(percent_decode("50%"), "50%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
