//! The NMVS SOAP 1.2 wire format: every element, attribute and namespace
//! name of the interface lives in this module.
//!
//! Requests are rendered as text with every value escaped; responses are
//! read with a streaming XML reader by local name (any namespace prefix),
//! with a size limit, a depth limit, and typed errors for anything
//! malformed, unexpected or missing. No panic on any input.

use domain::{BulkOperation, InactiveReason, Operation, PackState, BULK_RESULT_G_CODE};
use packcode::ProductScheme;
use quick_xml::events::Event;
use quick_xml::Reader;

// ------------------------------------------------------------------ names

const SOAP_ENV_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
const EL_ENVELOPE: &str = "Envelope";
const EL_BODY: &str = "Body";
const EL_FAULT: &str = "Fault";
const EL_FAULT_REASON_TEXT: &str = "Text";
const EL_FAULT_CODE_VALUE: &str = "Value";
const EL_HEADER: &str = "Header";
const EL_AUTH: &str = "Auth";
const EL_CLIENT_LOGIN_ID: &str = "ClientLoginId";
const EL_USER_ID: &str = "UserId";
const EL_PASSWORD: &str = "Password";
const EL_USER_SOFTWARE: &str = "UserSoftware";
const AT_SUPPLIER: &str = "supplier";
const AT_NAME: &str = "name";
const AT_VERSION: &str = "version";
const EL_TRANSACTION: &str = "Transaction";
const EL_CLIENT_TRX_ID: &str = "ClientTrxId";
const EL_LANGUAGE: &str = "Language";
const EL_NMVS_TRX_ID: &str = "NMVSTrxId";
const EL_TIMESTAMP: &str = "Timestamp";
const EL_PRODUCT: &str = "Product";
const EL_PRODUCT_CODE: &str = "ProductCode";
/// The product's name in an answer, where the national system sends one.
const EL_PRODUCT_NAME: &str = "ProductName";
const AT_SCHEME: &str = "scheme";
const EL_BATCH: &str = "Batch";
const EL_BATCH_ID: &str = "Id";
const EL_EXP_DATE: &str = "ExpDate";
const EL_PACK: &str = "Pack";
const AT_SN: &str = "sn";
const AT_STATE: &str = "state";
const EL_REASON: &str = "Reason";
const EL_REF_CLIENT_TRX_ID: &str = "RefClientTrxId";
const EL_RETURN_CODE: &str = "ReturnCode";
const AT_CODE: &str = "code";
const AT_DESC: &str = "desc";
const REQUEST_SUFFIX: &str = "Request";
const RESPONSE_SUFFIX: &str = "Response";
const LANGUAGE: &str = "eng";

/// The largest response read; anything longer is refused unread.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;
/// The deepest element nesting accepted.
pub const MAX_DEPTH: usize = 32;

/// The interface version (its namespaces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V4,
    V5,
}

impl Version {
    /// The version an NMVS interface speaks (v4 for `arvato-v4`, else v5):
    /// the one place the settings' interface becomes the wire's version.
    pub fn of(interface: domain::Interface) -> Version {
        if interface == domain::Interface::ArvatoV4 {
            Version::V4
        } else {
            Version::V5
        }
    }

    fn ws_ns(self) -> &'static str {
        match self {
            Version::V4 => "urn:wsdltypes.nmvs.eu:v4.0",
            Version::V5 => "urn:wsdltypes.nmvs.eu:v5.0",
        }
    }

    fn types_ns(self) -> &'static str {
        match self {
            Version::V4 => "urn:types.nmvs.eu:v4.0",
            Version::V5 => "urn:types.nmvs.eu:v5.0",
        }
    }
}

fn scheme_name(s: ProductScheme) -> &'static str {
    match s {
        ProductScheme::Gtin => "GTIN",
        ProductScheme::Ppn => "PPN",
    }
}

// ---------------------------------------------------------------- request

/// Login of the pharmacy at the national system. The password is held
/// here only to be written into the request; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub client_login_id: String,
    pub user_id: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_login_id", &self.client_login_id)
            .field("user_id", &self.user_id)
            .field("password", &"***")
            .finish()
    }
}

/// The `UserSoftware` header the national system requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSoftware {
    pub supplier: String,
    pub name: String,
    pub version: String,
}

/// One single-pack request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackRequest {
    pub operation: Operation,
    pub product_code: String,
    pub scheme: ProductScheme,
    pub batch: String,
    /// YYMMDD exactly as scanned.
    pub expiry: String,
    pub serial: String,
    pub client_trx_id: String,
    /// For an undo: the ClientTrxId of the decommission it reverts.
    pub ref_client_trx_id: Option<String>,
    /// For an undo: the national system's transaction id of that
    /// decommission, where the interface names it so (securPharm's `trx`);
    /// the engine fills it from the ledger. NMVS does not send it.
    pub ref_server_trx_id: Option<String>,
}

impl PackRequest {
    /// The request for a valid scan (`None` when the scan lacks a field).
    pub fn from_scan(
        operation: Operation,
        scan: &packcode::Scan,
        client_trx_id: String,
    ) -> Option<PackRequest> {
        let (code, scheme) = scan.product_code()?;
        Some(PackRequest {
            operation,
            product_code: code.to_owned(),
            scheme,
            batch: scan.batch()?.to_owned(),
            expiry: scan.expiry_raw()?.to_owned(),
            serial: scan.serial()?.to_owned(),
            client_trx_id,
            ref_client_trx_id: None,
            ref_server_trx_id: None,
        })
    }
}

/// Escapes text for element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn el(out: &mut String, name: &str, value: &str) {
    out.push_str(&format!("<t:{name}>{}</t:{name}>", esc(value)));
}

/// The `Product` element: code with its scheme, batch and expiry.
fn product(x: &mut String, scheme: ProductScheme, code: &str, batch: &str, expiry: &str) {
    x.push_str(&format!("<t:{EL_PRODUCT}>"));
    x.push_str(&format!(
        r#"<t:{EL_PRODUCT_CODE} {AT_SCHEME}="{}">{}</t:{EL_PRODUCT_CODE}>"#,
        scheme_name(scheme),
        esc(code)
    ));
    x.push_str(&format!("<t:{EL_BATCH}>"));
    el(x, EL_BATCH_ID, batch);
    el(x, EL_EXP_DATE, expiry);
    x.push_str(&format!("</t:{EL_BATCH}></t:{EL_PRODUCT}>"));
}

/// The SOAP 1.2 envelope for one single-pack request.
pub fn render_request(
    req: &PackRequest,
    creds: &Credentials,
    software: &UserSoftware,
    version: Version,
) -> String {
    let mut x = String::with_capacity(1024);
    header(&mut x, creds, software, &req.client_trx_id);
    // Body: Product (code, batch, expiry), Pack, and the undo reference.
    x.push_str(&format!("<t:{EL_BODY}>"));
    product(
        &mut x,
        req.scheme,
        &req.product_code,
        &req.batch,
        &req.expiry,
    );
    x.push_str(&format!(r#"<t:{EL_PACK} {AT_SN}="{}"/>"#, esc(&req.serial)));
    if let Some(r) = &req.ref_client_trx_id {
        el(&mut x, EL_REF_CLIENT_TRX_ID, r);
    }
    x.push_str(&format!("</t:{EL_BODY}>"));
    envelope(
        version,
        &format!("{}{REQUEST_SUFFIX}", req.operation.g_code()),
        &x,
    )
}

// --------------------------------------------------------------- response

/// What the national system answered to one single-pack request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    /// The operation the response belongs to (from its root element).
    pub operation: Option<Operation>,
    pub client_trx_id: String,
    pub nmvs_trx_id: Option<String>,
    pub timestamp: Option<String>,
    pub product_code: Option<String>,
    /// The product's name from the system's master data, when sent.
    pub product_name: Option<String>,
    pub serial: Option<String>,
    pub state: Option<PackState>,
    pub reasons: Vec<InactiveReason>,
    pub return_code: String,
    pub return_desc: Option<String>,
    /// The expiry the system holds (YYMMDD), where the interface sends it
    /// (securPharm's `expNMVS`); shown next to the scanned one when they
    /// differ.
    pub expiry_central: Option<String>,
    /// The system's id of an alert this request raised, where the
    /// interface sends one (securPharm's alert id).
    pub alert_id: Option<String>,
}

/// Why a response could not be used. Every variant is a technical outcome:
/// the pack's state is unknown, never "failed".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("the response is larger than {limit} bytes ({size})")]
    Oversized { size: usize, limit: usize },
    #[error("the response is not well-formed XML: {0}")]
    Malformed(String),
    #[error("the response nests elements deeper than {0}")]
    TooDeep(usize),
    #[error("the response is not a SOAP 1.2 envelope")]
    NotSoap,
    #[error("the response body holds <{0}>, not an NMVS response")]
    Unexpected(String),
    #[error("the response lacks {0}")]
    Missing(&'static str),
    #[error("the response gives pack state '{0}', which Countercheck does not know")]
    UnknownState(String),
    #[error("SOAP fault {code}: {reason}")]
    Fault { code: String, reason: String },
    #[error("the answer does not belong to the request: {0}")]
    Mismatch(String),
}

fn local(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(p) => &name[p + 1..],
        None => name,
    }
}

fn is(name: &[u8], want: &str) -> bool {
    local(name) == want.as_bytes()
}

/// One pack in a response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PackResult {
    pub serial: Option<String>,
    pub state: Option<PackState>,
    pub reasons: Vec<InactiveReason>,
    /// A per-pack return code (bulk results); `None` in single-pack answers.
    pub return_code: Option<String>,
}

/// What an envelope holds, before it is read as a single or bulk answer.
#[derive(Debug, Default)]
struct Raw {
    g_code: String,
    client_trx_id: String,
    nmvs_trx_id: Option<String>,
    timestamp: Option<String>,
    product_code: Option<String>,
    product_name: Option<String>,
    packs: Vec<PackResult>,
    return_code: Option<String>,
    return_desc: Option<String>,
    ping_output: Option<String>,
}

fn read_envelope(xml: &[u8]) -> Result<Raw, WireError> {
    if xml.len() > MAX_RESPONSE_BYTES {
        return Err(WireError::Oversized {
            size: xml.len(),
            limit: MAX_RESPONSE_BYTES,
        });
    }
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().trim_text(true);
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut raw = Raw::default();
    let mut saw_envelope = false;
    let mut root_seen = false;
    let mut fault: Option<(String, String)> = None;
    let mut buf = Vec::new();
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| WireError::Malformed(e.to_string()))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = local(e.name().as_ref()).to_vec();
                let empty = matches!(ev, Event::Empty(_));
                if path.is_empty() {
                    if !is(&name, EL_ENVELOPE) {
                        return Err(WireError::NotSoap);
                    }
                    saw_envelope = true;
                }
                // The element directly inside soap:Body names the response.
                if path.len() == 2 && is(&path[1], EL_BODY) {
                    let n = String::from_utf8_lossy(&name).into_owned();
                    if is(&name, EL_FAULT) {
                        fault = Some((String::new(), String::new()));
                    } else {
                        match n.strip_suffix(RESPONSE_SUFFIX) {
                            Some(g) if g.len() == 4 && g.starts_with('G') => {
                                raw.g_code = g.to_owned()
                            }
                            Some(PING) => raw.g_code = PING.to_owned(),
                            _ => return Err(WireError::Unexpected(n)),
                        }
                        root_seen = true;
                    }
                }
                let attr = |want: &str| -> Result<Option<String>, WireError> {
                    for a in e.attributes() {
                        let a = a.map_err(|e| WireError::Malformed(e.to_string()))?;
                        if is(a.key.as_ref(), want) {
                            let v = a
                                .decode_and_unescape_value(reader.decoder())
                                .map_err(|e| WireError::Malformed(e.to_string()))?;
                            return Ok(Some(v.into_owned()));
                        }
                    }
                    Ok(None)
                };
                if root_seen && is(&name, EL_PACK) {
                    let state = match attr(AT_STATE)? {
                        Some(s) => {
                            Some(PackState::from_name(&s).ok_or(WireError::UnknownState(s))?)
                        }
                        None => None,
                    };
                    raw.packs.push(PackResult {
                        serial: attr(AT_SN)?,
                        state,
                        ..PackResult::default()
                    });
                } else if root_seen && is(&name, EL_RETURN_CODE) {
                    let code = attr(AT_CODE)?.unwrap_or_default();
                    let in_pack = path.last().is_some_and(|p| is(p, EL_PACK));
                    match raw.packs.last_mut() {
                        Some(p) if in_pack => p.return_code = Some(code),
                        _ => {
                            raw.return_code = Some(code);
                            raw.return_desc = attr(AT_DESC)?;
                        }
                    }
                }
                if !empty {
                    path.push(name);
                    if path.len() > MAX_DEPTH {
                        return Err(WireError::TooDeep(MAX_DEPTH));
                    }
                }
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Text(t) => {
                let text = t
                    .unescape()
                    .map_err(|e| WireError::Malformed(e.to_string()))?
                    .into_owned();
                let Some(last) = path.last() else { continue };
                let parent = path.len().checked_sub(2).and_then(|i| path.get(i));
                if let Some(f) = fault.as_mut() {
                    if is(last, EL_FAULT_CODE_VALUE) && f.0.is_empty() {
                        f.0 = text;
                    } else if is(last, EL_FAULT_REASON_TEXT) {
                        f.1 = text;
                    }
                    continue;
                }
                let in_tx = parent.is_some_and(|p| is(p, EL_TRANSACTION));
                if in_tx && is(last, EL_CLIENT_TRX_ID) {
                    raw.client_trx_id = text;
                } else if in_tx && is(last, EL_NMVS_TRX_ID) {
                    raw.nmvs_trx_id = Some(text);
                } else if in_tx && is(last, EL_TIMESTAMP) {
                    raw.timestamp = Some(text);
                } else if is(last, EL_PRODUCT_CODE) {
                    raw.product_code = Some(text);
                } else if is(last, EL_PING_OUTPUT) {
                    raw.ping_output = Some(text);
                } else if is(last, EL_PRODUCT_NAME) {
                    raw.product_name = Some(text);
                } else if is(last, EL_REASON) && parent.is_some_and(|p| is(p, EL_PACK)) {
                    if let (Some(r), Some(p)) =
                        (InactiveReason::from_name(&text), raw.packs.last_mut())
                    {
                        p.reasons.push(r);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_envelope {
        return Err(WireError::NotSoap);
    }
    if !path.is_empty() {
        return Err(WireError::Malformed(
            "the document ends inside an element".to_owned(),
        ));
    }
    if let Some((code, reason)) = fault {
        return Err(WireError::Fault { code, reason });
    }
    if !root_seen {
        return Err(WireError::Missing("a response element in the SOAP body"));
    }
    if raw.return_code.as_deref().is_none_or(str::is_empty) {
        return Err(WireError::Missing("ReturnCode"));
    }
    if raw.client_trx_id.is_empty() {
        return Err(WireError::Missing("Transaction/ClientTrxId"));
    }
    Ok(raw)
}

/// Reads one NMVS single-pack response.
pub fn parse_response(xml: &[u8]) -> Result<Response, WireError> {
    let raw = read_envelope(xml)?;
    let operation = Operation::from_g_code(&raw.g_code);
    if operation.is_none() {
        return Err(WireError::Unexpected(format!(
            "{}{RESPONSE_SUFFIX}",
            raw.g_code
        )));
    }
    let pack = raw.packs.into_iter().next().unwrap_or_default();
    Ok(Response {
        operation,
        client_trx_id: raw.client_trx_id,
        nmvs_trx_id: raw.nmvs_trx_id,
        timestamp: raw.timestamp,
        product_code: raw.product_code,
        product_name: raw.product_name,
        serial: pack.serial,
        state: pack.state,
        reasons: pack.reasons,
        return_code: raw.return_code.unwrap_or_default(),
        return_desc: raw.return_desc,
        expiry_central: None,
        alert_id: None,
    })
}

// ------------------------------------------------------------------- bulk

const EL_PACKS: &str = "Packs";
const EL_REF_NMVS_TRX_ID: &str = "RefNMVSTrxId";

/// The overall return code of a bulk result that is not ready yet. The
/// national organisations' interface specification names the real code;
/// this is the one place to change it.
pub const BULK_PENDING: &str = "NMVS_BULK_PENDING";

/// A bulk request: many packs of one product, batch and expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRequest {
    pub operation: BulkOperation,
    pub product_code: String,
    pub scheme: ProductScheme,
    pub batch: String,
    pub expiry: String,
    pub serials: Vec<String>,
    pub client_trx_id: String,
}

/// The answer to a bulk request or to a result query (G188).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkResponse {
    pub g_code: String,
    pub client_trx_id: String,
    /// The bulk job's id, to query its result with.
    pub nmvs_trx_id: Option<String>,
    pub return_code: String,
    pub packs: Vec<PackResult>,
}

impl BulkResponse {
    /// The result is not ready yet; ask again later.
    pub fn pending(&self) -> bool {
        self.return_code == BULK_PENDING
    }
}

fn header(x: &mut String, creds: &Credentials, software: &UserSoftware, client_trx_id: &str) {
    x.push_str(&format!("<t:{EL_HEADER}><t:{EL_AUTH}>"));
    el(x, EL_CLIENT_LOGIN_ID, &creds.client_login_id);
    el(x, EL_USER_ID, &creds.user_id);
    el(x, EL_PASSWORD, &creds.password);
    x.push_str(&format!("</t:{EL_AUTH}>"));
    x.push_str(&format!(
        r#"<t:{EL_USER_SOFTWARE} {AT_SUPPLIER}="{}" {AT_NAME}="{}" {AT_VERSION}="{}"/>"#,
        esc(&software.supplier),
        esc(&software.name),
        esc(&software.version)
    ));
    x.push_str(&format!("<t:{EL_TRANSACTION}>"));
    el(x, EL_CLIENT_TRX_ID, client_trx_id);
    el(x, EL_LANGUAGE, LANGUAGE);
    x.push_str(&format!("</t:{EL_TRANSACTION}></t:{EL_HEADER}>"));
}

fn envelope(version: Version, root: &str, inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soap:{EL_ENVELOPE} xmlns:soap="{SOAP_ENV_NS}" xmlns:ws="{}" xmlns:t="{}"><soap:{EL_HEADER}/><soap:{EL_BODY}><ws:{root}>{inner}</ws:{root}></soap:{EL_BODY}></soap:{EL_ENVELOPE}>"#,
        version.ws_ns(),
        version.types_ns()
    )
}

/// The envelope of a bulk request (G115 verify, G125 dispense).
pub fn render_bulk_request(
    req: &BulkRequest,
    creds: &Credentials,
    software: &UserSoftware,
    version: Version,
) -> String {
    let mut x = String::with_capacity(512 + req.serials.len() * 40);
    header(&mut x, creds, software, &req.client_trx_id);
    x.push_str(&format!("<t:{EL_BODY}>"));
    product(
        &mut x,
        req.scheme,
        &req.product_code,
        &req.batch,
        &req.expiry,
    );
    x.push_str(&format!("<t:{EL_PACKS}>"));
    for sn in &req.serials {
        x.push_str(&format!(r#"<t:{EL_PACK} {AT_SN}="{}"/>"#, esc(sn)));
    }
    x.push_str(&format!("</t:{EL_PACKS}></t:{EL_BODY}>"));
    envelope(
        version,
        &format!("{}{REQUEST_SUFFIX}", req.operation.g_code()),
        &x,
    )
}

/// The envelope asking for a bulk job's result (G188).
pub fn render_bulk_result_request(
    nmvs_trx_id: &str,
    client_trx_id: &str,
    creds: &Credentials,
    software: &UserSoftware,
    version: Version,
) -> String {
    let mut x = String::with_capacity(512);
    header(&mut x, creds, software, client_trx_id);
    x.push_str(&format!("<t:{EL_BODY}>"));
    el(&mut x, EL_REF_NMVS_TRX_ID, nmvs_trx_id);
    x.push_str(&format!("</t:{EL_BODY}>"));
    envelope(
        version,
        &format!("{BULK_RESULT_G_CODE}{REQUEST_SUFFIX}"),
        &x,
    )
}

/// Reads the answer to a bulk request or result query.
pub fn parse_bulk_response(xml: &[u8]) -> Result<BulkResponse, WireError> {
    let raw = read_envelope(xml)?;
    if BulkOperation::from_g_code(&raw.g_code).is_none() && raw.g_code != BULK_RESULT_G_CODE {
        return Err(WireError::Unexpected(format!(
            "{}{RESPONSE_SUFFIX}",
            raw.g_code
        )));
    }
    Ok(BulkResponse {
        g_code: raw.g_code,
        client_trx_id: raw.client_trx_id,
        nmvs_trx_id: raw.nmvs_trx_id,
        return_code: raw.return_code.unwrap_or_default(),
        packs: raw.packs,
    })
}

// ------------------------------------------------------------------- ping

/// The support service's connectivity test: the request carries a text,
/// the answer echoes it. The element names (`SupportPingRequest`, `Input`,
/// `SupportPingResponse`, `Output`) follow the public client's naming; an
/// NMVO's schema that differs is fitted here.
const PING: &str = "SupportPing";
const EL_PING_INPUT: &str = "Input";
const EL_PING_OUTPUT: &str = "Output";

/// The envelope of a support ping.
pub fn render_ping_request(
    input: &str,
    client_trx_id: &str,
    creds: &Credentials,
    software: &UserSoftware,
    version: Version,
) -> String {
    let mut x = String::with_capacity(512);
    header(&mut x, creds, software, client_trx_id);
    x.push_str(&format!("<t:{EL_BODY}>"));
    el(&mut x, EL_PING_INPUT, input);
    x.push_str(&format!("</t:{EL_BODY}>"));
    envelope(version, &format!("{PING}{REQUEST_SUFFIX}"), &x)
}

/// The answer to a support ping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingResponse {
    pub client_trx_id: String,
    /// The text echoed back (empty when the system refused the call).
    pub output: String,
    pub return_code: String,
}

/// Reads the answer to a support ping.
pub fn parse_ping_response(xml: &[u8]) -> Result<PingResponse, WireError> {
    let raw = read_envelope(xml)?;
    if raw.g_code != PING {
        return Err(WireError::Unexpected(format!(
            "{}{RESPONSE_SUFFIX}",
            raw.g_code
        )));
    }
    Ok(PingResponse {
        client_trx_id: raw.client_trx_id,
        output: raw.ping_output.unwrap_or_default(),
        return_code: raw.return_code.unwrap_or_default(),
    })
}

#[cfg(test)]
mod ping_tests {
    use super::*;

    fn creds() -> (Credentials, UserSoftware) {
        (
            Credentials {
                client_login_id: "PH1".into(),
                user_id: "u".into(),
                password: "p<&>".into(),
            },
            UserSoftware {
                supplier: "s".into(),
                name: "n".into(),
                version: "1".into(),
            },
        )
    }

    #[test]
    fn a_ping_request_carries_the_text_escaped() {
        let (c, sw) = creds();
        let x = render_ping_request("hello <there>", "abc", &c, &sw, Version::V5);
        assert!(x.contains("SupportPingRequest>"), "{x}");
        assert!(x.contains("<t:Input>hello &lt;there&gt;</t:Input>"), "{x}");
        assert!(x.contains("p&lt;&amp;&gt;"), "{x}");
    }

    #[test]
    fn a_ping_answer_is_read_and_a_single_pack_answer_is_not_a_ping() {
        let ok = r#"<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ws="urn:wsdltypes.nmvs.eu:v5.0" xmlns:t="urn:types.nmvs.eu:v5.0"><env:Body><ws:SupportPingResponse><t:Header><t:Transaction><t:ClientTrxId>abc</t:ClientTrxId></t:Transaction></t:Header><t:Body><t:Output>hello</t:Output><t:ReturnCode code="NMVS_SUCCESS"/></t:Body></ws:SupportPingResponse></env:Body></env:Envelope>"#;
        let r = parse_ping_response(ok.as_bytes()).expect("ping");
        assert_eq!(r.output, "hello");
        assert_eq!(r.return_code, "NMVS_SUCCESS");
        assert_eq!(r.client_trx_id, "abc");
        let single = ok.replace("SupportPingResponse", "G110Response");
        assert!(matches!(
            parse_ping_response(single.as_bytes()),
            Err(WireError::Unexpected(_))
        ));
        assert!(matches!(
            parse_response(ok.as_bytes()),
            Err(WireError::Unexpected(_))
        ));
    }
}
