//! The securPharm pharmacy interface's wire format: every path, parameter,
//! JSON field, action name and return code of the interface is written here
//! and nowhere else, so that fitting NGDA's specification (given to software
//! houses, not public) is a change to this module alone.
//!
//! What is known, with sources, is in `../shared/domain.md` §4.5 and §10.1:
//! a token from a Keycloak-style endpoint with the client certificate alone
//! (`grant_type=password`, `client_id=securPharm`); verify as `GET
//! /products/{pc}/packs/{base64url serial}?lot=&exp=&pcs=&ctx=&sid=`;
//! decommission and undo as `PUT` on the same resource with `act=`, an undo
//! adding `trx=` (the server transaction number of the decommission); an
//! answer `{res{cod,mes}, tx{ctx,stx}, prod{pc,pcs,lot,exp,expNMVS},
//! pack{sn,state,reasons}}`. Marked *ours* below: names the sources do not
//! give (the realm, the action values, the alert id's field), chosen so the
//! simulator and the adapter agree until the real ones are in hand.
//!
//! Serial numbers and batches go into the URL as real base64url (RFC 4648
//! §5, unpadded): a GS1 serial may hold `/`, `+`, `%`, `?` and `&`.

use domain::{InactiveReason, Operation, PackState};
use nmvs::{PackRequest, Response};
use packcode::ProductScheme;
use serde::{Deserialize, Serialize};

/// The token endpoint (*ours*: the realm's name, `pharmacies`).
pub const TOKEN_PATH: &str = "/auth/realms/pharmacies/protocol/openid-connect/token";
/// The token request's form: the certificate is the credential.
pub const TOKEN_FORM: &str = "grant_type=password&client_id=securPharm";
/// The header that carries the token.
pub const AUTHORIZATION: &str = "Authorization";

/// The largest answer read (a pack answer is well under 2 kB).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// The return code for "done" (*ours*; see `domain/src/return_codes.txt`).
pub const SUCCESS: &str = "SP-000";
/// The return code for "not available" (maintenance, outage): public.
pub const NOT_AVAILABLE: &str = "SP-901";
/// The return code for a token that is missing, expired or not ours
/// (*ours*), sent with HTTP 401.
pub const TOKEN_REFUSED: &str = "SP-402";

/// The pack resource's path: `/products/{pc}/packs/{base64url serial}` (a
/// product code is digits, or letters and digits for a PPN).
pub fn pack_path(product_code: &str, serial: &str) -> String {
    format!(
        "/products/{}/packs/{}",
        url_safe(product_code),
        domain::text::base64url(serial.as_bytes())
    )
}

/// The product scheme as the `pcs` parameter names it.
pub fn scheme_name(s: ProductScheme) -> &'static str {
    match s {
        ProductScheme::Gtin => "GTIN",
        ProductScheme::Ppn => "PPN",
    }
}

/// The `act` value of an operation (*ours*); `None` for a verify, which is
/// a `GET` without one.
pub fn action(op: Operation) -> Option<&'static str> {
    Some(match op {
        Operation::Verify => return None,
        Operation::Dispense => "DISPENSE",
        Operation::UndoDispense => "UNDO_DISPENSE",
        Operation::Destroy => "DESTROY",
        Operation::Export => "EXPORT",
        Operation::UndoExport => "UNDO_EXPORT",
        Operation::Sample => "SAMPLE",
        Operation::UndoSample => "UNDO_SAMPLE",
        Operation::FreeSample => "FREE_SAMPLE",
        Operation::UndoFreeSample => "UNDO_FREE_SAMPLE",
        Operation::Lock => "LOCK",
        Operation::Unlock => "UNLOCK",
        Operation::Stolen => "STOLEN",
    })
}

/// The operation an `act` value names.
pub fn operation_of(act: Option<&str>) -> Option<Operation> {
    match act {
        None => Some(Operation::Verify),
        Some(a) => Operation::ALL.into_iter().find(|&op| action(op) == Some(a)),
    }
}

/// The query of a pack request: `lot`, `exp`, `pcs`, `ctx`, `sid`, and for
/// a change `act` (and `trx` for an undo). Values are base64url (lot) or of
/// a URL-safe alphabet (digits, hex ids, the action and scheme names).
pub fn pack_query(req: &PackRequest, application_id: &str) -> String {
    let mut q = format!(
        "lot={}&exp={}&pcs={}&ctx={}&sid={}",
        domain::text::base64url(req.batch.as_bytes()),
        url_safe(&req.expiry),
        scheme_name(req.scheme),
        url_safe(&req.client_trx_id),
        url_safe(application_id),
    );
    if let Some(act) = action(req.operation) {
        q.push_str("&act=");
        q.push_str(act);
    }
    if let Some(trx) = &req.ref_server_trx_id {
        q.push_str("&trx=");
        q.push_str(&url_safe(trx));
    }
    q
}

/// A value that needs no escaping keeps its text; any other character is
/// percent-encoded (defence: the values here are digits and ids).
fn url_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The token endpoint's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenAnswer {
    pub access_token: String,
    /// Seconds the token is valid from now.
    pub expires_in: u64,
    #[serde(default)]
    pub token_type: String,
}

/// `res`: the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Res {
    pub cod: String,
    #[serde(default)]
    pub mes: String,
    /// A hint id the public sample carries (meaning not public).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hid: Option<String>,
    /// The securPharm alert id of an alert this request raised (*ours*: the
    /// field's name; the id exists since Dec 2020, domain.md §10.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aid: Option<String>,
}

/// `tx`: the client's and the server's transaction numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Tx {
    pub ctx: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stx: Option<String>,
}

/// `prod`: the product as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Prod {
    pub pc: String,
    #[serde(default)]
    pub pcs: String,
    #[serde(default)]
    pub lot: String,
    /// The expiry as sent (YYMMDD).
    #[serde(default)]
    pub exp: String,
    /// The expiry held centrally (YYMMDD), when the server has one.
    #[serde(rename = "expNMVS", default, skip_serializing_if = "Option::is_none")]
    pub exp_nmvs: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nhrn: Option<String>,
    /// The product's name (*ours*: the public sample has an `info` object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `pack`: the pack's state; `reasons` name the inactive state
/// (`SUPPLIED`…) and why an active pack may not be supplied (`EXPIRED`,
/// `RECALLED`, `WITHDRAWN`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Pack {
    pub sn: String,
    /// `ACTIVE` or `INACTIVE`.
    pub state: String,
    #[serde(default)]
    pub reasons: Vec<String>,
}

/// One answer of the pack resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Answer {
    pub res: Res,
    pub tx: Tx,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prod: Option<Prod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack: Option<Pack>,
}

/// The two values of `pack.state`.
pub const ACTIVE: &str = "ACTIVE";
pub const INACTIVE: &str = "INACTIVE";

/// Why an answer cannot be used (the pack's state is unknown).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpWireError {
    #[error("the answer is larger than {limit} bytes ({size})")]
    Oversized { size: usize, limit: usize },
    #[error("the answer is not securPharm JSON: {0}")]
    Malformed(String),
    #[error("the answer's pack state {0:?} is not ACTIVE or INACTIVE with a known state")]
    UnknownState(String),
}

/// Reads an answer of the pack resource.
pub fn parse_answer(bytes: &[u8]) -> Result<Answer, SpWireError> {
    parse_json(bytes)
}

/// Reads the token endpoint's answer.
pub fn parse_token(bytes: &[u8]) -> Result<TokenAnswer, SpWireError> {
    parse_json(bytes)
}

/// JSON of at most [`MAX_RESPONSE_BYTES`].
fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, SpWireError> {
    if bytes.len() > MAX_RESPONSE_BYTES {
        return Err(SpWireError::Oversized {
            size: bytes.len(),
            limit: MAX_RESPONSE_BYTES,
        });
    }
    serde_json::from_slice(bytes).map_err(|e| SpWireError::Malformed(e.to_string()))
}

/// The pack's state and reasons from `pack`.
pub fn state_of(pack: &Pack) -> Result<(PackState, Vec<InactiveReason>), SpWireError> {
    let reasons: Vec<InactiveReason> = pack
        .reasons
        .iter()
        .filter_map(|r| InactiveReason::from_name(r))
        .collect();
    let state = match pack.state.as_str() {
        ACTIVE => PackState::Active,
        INACTIVE => pack
            .reasons
            .iter()
            .find_map(|r| PackState::from_name(r).filter(|s| *s != PackState::Active))
            .ok_or_else(|| SpWireError::UnknownState(pack.state.clone()))?,
        other => return Err(SpWireError::UnknownState(other.to_owned())),
    };
    Ok((state, reasons))
}

/// The answer in the engine's vocabulary (the NMVS adapter's `Response`):
/// the SP code stays the return code (the ledger keeps it), the server's
/// transaction number is the "NMVS" transaction id.
pub fn to_response(op: Operation, a: &Answer) -> Result<Response, SpWireError> {
    let (state, reasons) = match &a.pack {
        Some(p) => {
            let (s, r) = state_of(p)?;
            (Some(s), r)
        }
        None => (None, Vec::new()),
    };
    Ok(Response {
        operation: Some(op),
        client_trx_id: a.tx.ctx.clone(),
        nmvs_trx_id: a.tx.stx.clone(),
        timestamp: None,
        product_code: a.prod.as_ref().map(|p| p.pc.clone()),
        product_name: a.prod.as_ref().and_then(|p| p.name.clone()),
        serial: a.pack.as_ref().map(|p| p.sn.clone()),
        state,
        reasons,
        return_code: a.res.cod.clone(),
        return_desc: Some(a.res.mes.clone()).filter(|m| !m.is_empty()),
        expiry_central: a.prod.as_ref().and_then(|p| p.exp_nmvs.clone()),
        alert_id: a.res.aid.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(op: Operation) -> PackRequest {
        PackRequest {
            operation: op,
            product_code: "111234567842".into(),
            scheme: ProductScheme::Ppn,
            batch: "L/1+2".into(),
            expiry: "281200".into(),
            serial: "??>?a???".into(),
            client_trx_id: "0123abcd".into(),
            ref_client_trx_id: None,
            ref_server_trx_id: None,
        }
    }

    /// A serial whose plain base64 holds `+` and `/` goes into the path as
    /// base64url, so the path has exactly the segments it should.
    #[test]
    fn serials_and_batches_are_base64url_in_the_url() {
        let r = req(Operation::Verify);
        let path = pack_path(&r.product_code, &r.serial);
        assert_eq!(domain::text::base64(r.serial.as_bytes()), "Pz8+P2E/Pz8=");
        assert_eq!(path, "/products/111234567842/packs/Pz8-P2E_Pz8");
        assert_eq!(path.split('/').count(), 5);
        let q = pack_query(&r, "app-1");
        assert_eq!(q, "lot=TC8xKzI&exp=281200&pcs=PPN&ctx=0123abcd&sid=app-1");
        assert!(!q.contains('+') && !q.contains('/'));
        let mut undo = req(Operation::UndoDispense);
        undo.ref_server_trx_id = Some("SIM000000000042".into());
        assert!(pack_query(&undo, "app-1").ends_with("&act=UNDO_DISPENSE&trx=SIM000000000042"));
    }

    #[test]
    fn every_operation_has_one_action_and_back() {
        for op in Operation::ALL {
            assert_eq!(operation_of(action(op)), Some(op), "{op:?}");
        }
        assert_eq!(operation_of(Some("DECOMMISSION")), None);
    }

    #[test]
    fn answers_read_into_the_engine_vocabulary() {
        let json = br#"{"res":{"cod":"SP-000","mes":"ok"},"tx":{"ctx":"0123abcd","stx":"S1"},
            "prod":{"pc":"111234567842","pcs":"PPN","lot":"L1","exp":"281200","expNMVS":"281231"},
            "pack":{"sn":"SN1","state":"INACTIVE","reasons":["SUPPLIED","EXPIRED"]}}"#;
        let a = parse_answer(json).expect("reads");
        assert_eq!(
            a.prod.as_ref().and_then(|p| p.exp_nmvs.as_deref()),
            Some("281231")
        );
        let r = to_response(Operation::Dispense, &a).expect("converts");
        assert_eq!(r.state, Some(PackState::Supplied));
        assert_eq!(r.reasons, vec![InactiveReason::Expired]);
        assert_eq!(r.nmvs_trx_id.as_deref(), Some("S1"));
        assert_eq!(r.return_code, "SP-000");
        for bad in [
            &b"{}"[..],
            b"<xml/>",
            br#"{"res":{"cod":"SP-000"},"tx":{"ctx":"x"},"pack":{"sn":"1","state":"GONE"}}"#,
        ] {
            let r = parse_answer(bad).and_then(|a| to_response(Operation::Verify, &a));
            assert!(r.is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let inactive_without_state = br#"{"res":{"cod":"SP-000"},"tx":{"ctx":"x"},"pack":{"sn":"1","state":"INACTIVE","reasons":["EXPIRED"]}}"#;
        assert!(parse_answer(inactive_without_state)
            .and_then(|a| to_response(Operation::Verify, &a))
            .is_err());
        assert!(matches!(
            parse_answer(&vec![b' '; MAX_RESPONSE_BYTES + 1]),
            Err(SpWireError::Oversized { .. })
        ));
    }
}
