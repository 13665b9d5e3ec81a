//! The server side of the NMVS SOAP interface: reads a single-pack request
//! and writes the response. Independent of the client adapter by design.

use domain::{InactiveReason, Operation, PackState};
use quick_xml::events::Event;
use quick_xml::Reader;

/// A single-pack request as the server reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SoapRequest {
    pub g_code: String,
    pub client_login_id: String,
    pub user_id: String,
    pub password: String,
    pub client_trx_id: String,
    pub scheme: String,
    pub product_code: String,
    pub batch: String,
    pub expiry: String,
    pub serial: String,
    pub ref_client_trx_id: Option<String>,
    /// Every `Pack sn` (bulk requests carry many).
    pub serials: Vec<String>,
    /// For a bulk result query (G188): the bulk job's id.
    pub ref_nmvs_trx_id: Option<String>,
    pub types_ns: String,
    /// For a support ping: the text to echo.
    pub ping_input: Option<String>,
}

fn local(n: &[u8]) -> &[u8] {
    n.iter()
        .rposition(|&b| b == b':')
        .map_or(n, |p| &n[p + 1..])
}

/// Reads a request; `Err` holds a sentence for a SOAP fault.
pub fn read_request(body: &[u8]) -> Result<SoapRequest, String> {
    if body.len() > 16 * 1024 * 1024 {
        return Err("request too large".to_owned());
    }
    let mut r = Reader::from_reader(body);
    r.config_mut().trim_text(true);
    let mut req = SoapRequest::default();
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut buf = Vec::new();
    loop {
        let ev = r
            .read_event_into(&mut buf)
            .map_err(|e| format!("malformed XML: {e}"))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = local(e.name().as_ref()).to_vec();
                for a in e.attributes() {
                    let a = a.map_err(|e| format!("malformed attribute: {e}"))?;
                    let key = local(a.key.as_ref()).to_vec();
                    let v = a
                        .decode_and_unescape_value(r.decoder())
                        .map_err(|e| format!("malformed attribute: {e}"))?
                        .into_owned();
                    match (name.as_slice(), key.as_slice()) {
                        (b"ProductCode", b"scheme") => req.scheme = v,
                        (b"Pack", b"sn") => {
                            if req.serials.is_empty() {
                                req.serial = v.clone();
                            }
                            req.serials.push(v);
                        }
                        _ if a.key.as_ref().starts_with(b"xmlns")
                            && v.starts_with("urn:types.nmvs.eu:") =>
                        {
                            req.types_ns = v
                        }
                        _ => {}
                    }
                }
                if stack.len() == 2 && name.ends_with(b"Request") {
                    req.g_code = String::from_utf8_lossy(&name[..name.len() - 7]).into_owned();
                }
                if matches!(ev, Event::Start(_)) {
                    stack.push(name);
                    if stack.len() > 32 {
                        return Err("nested too deep".to_owned());
                    }
                }
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) => {
                let v = t
                    .unescape()
                    .map_err(|e| format!("malformed text: {e}"))?
                    .into_owned();
                match stack.last().map(Vec::as_slice) {
                    Some(b"ClientLoginId") => req.client_login_id = v,
                    Some(b"UserId") => req.user_id = v,
                    Some(b"Password") => req.password = v,
                    Some(b"ClientTrxId") => req.client_trx_id = v,
                    Some(b"ProductCode") => req.product_code = v,
                    Some(b"Id") => req.batch = v,
                    Some(b"ExpDate") => req.expiry = v,
                    Some(b"RefClientTrxId") => req.ref_client_trx_id = Some(v),
                    Some(b"RefNMVSTrxId") => req.ref_nmvs_trx_id = Some(v),
                    Some(b"Input") => req.ping_input = Some(v),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if req.g_code.is_empty() {
        return Err("no request element in the SOAP body".to_owned());
    }
    Ok(req)
}

fn x(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The types and operations namespaces to answer in: the request's own
/// (v4 or v5), v4 when it named none.
fn namespaces(req: &SoapRequest) -> (&str, String) {
    let ns = if req.types_ns.is_empty() {
        "urn:types.nmvs.eu:v4.0"
    } else {
        &req.types_ns
    };
    (ns, ns.replace("urn:types.", "urn:wsdltypes."))
}

/// What the server answers.
#[derive(Debug, Clone)]
pub struct SoapResponse<'a> {
    pub operation: Operation,
    pub req: &'a SoapRequest,
    pub nmvs_trx_id: String,
    pub timestamp: String,
    pub state: Option<PackState>,
    pub reasons: &'a [InactiveReason],
    pub code: &'a str,
    pub desc: &'a str,
    /// Name, strength and form from master data, for a known product.
    pub product_name: Option<&'a str>,
}

pub fn write_response(r: &SoapResponse<'_>) -> String {
    let (ns, ws) = namespaces(r.req);
    let g = r.operation.g_code();
    let mut pack = format!(r#"<t:Pack sn="{}""#, x(&r.req.serial));
    if let Some(s) = r.state {
        pack.push_str(&format!(r#" state="{}""#, s.name()));
    }
    if r.reasons.is_empty() {
        pack.push_str("/>");
    } else {
        pack.push('>');
        for reason in r.reasons {
            pack.push_str(&format!("<t:Reason>{}</t:Reason>", reason.name()));
        }
        pack.push_str("</t:Pack>");
    }
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ws="{ws}" xmlns:t="{ns}"><env:Body>"#,
            "<ws:{g}Response><t:Header><t:Transaction><t:ClientTrxId>{ctx}</t:ClientTrxId><t:NMVSTrxId>{ntx}</t:NMVSTrxId><t:Timestamp>{ts}</t:Timestamp></t:Transaction></t:Header>",
            r#"<t:Body><t:Product><t:ProductCode scheme="{scheme}">{pc}</t:ProductCode><t:Batch><t:Id>{batch}</t:Id><t:ExpDate>{exp}</t:ExpDate></t:Batch>{name}</t:Product>"#,
            r#"{pack}<t:ReturnCode code="{code}" desc="{desc}"/></t:Body></ws:{g}Response></env:Body></env:Envelope>"#
        ),
        ws = x(&ws),
        ns = x(ns),
        g = g,
        ctx = x(&r.req.client_trx_id),
        ntx = x(&r.nmvs_trx_id),
        ts = x(&r.timestamp),
        scheme = x(&r.req.scheme),
        pc = x(&r.req.product_code),
        name = r.product_name.map(|n| format!("<t:ProductName>{}</t:ProductName>", x(n))).unwrap_or_default(),
        batch = x(&r.req.batch),
        exp = x(&r.req.expiry),
        pack = pack,
        code = x(r.code),
        desc = x(r.desc),
    )
}

/// A SOAP 1.2 fault (maintenance, malformed request).
pub fn write_fault(code: &str, reason: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>{}</env:Value></env:Code><env:Reason><env:Text xml:lang="en">{}</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>"#,
        x(code),
        x(reason)
    )
}

/// One pack's line in a bulk result.
#[derive(Debug, Clone)]
pub struct BulkLine {
    pub serial: String,
    pub state: Option<PackState>,
    pub reasons: Vec<InactiveReason>,
    pub code: String,
}

/// The answer to a bulk request (an acknowledgement) or to G188 (the lines).
pub fn write_bulk_response(
    g_code: &str,
    req: &SoapRequest,
    nmvs_trx_id: &str,
    timestamp: &str,
    lines: &[BulkLine],
    code: &str,
) -> String {
    let (ns, ws) = namespaces(req);
    let mut packs = String::new();
    if !lines.is_empty() {
        packs.push_str("<t:Packs>");
        for l in lines {
            packs.push_str(&format!(r#"<t:Pack sn="{}""#, x(&l.serial)));
            if let Some(s) = l.state {
                packs.push_str(&format!(r#" state="{}""#, s.name()));
            }
            packs.push('>');
            for r in &l.reasons {
                packs.push_str(&format!("<t:Reason>{}</t:Reason>", r.name()));
            }
            packs.push_str(&format!(
                r#"<t:ReturnCode code="{}"/></t:Pack>"#,
                x(&l.code)
            ));
        }
        packs.push_str("</t:Packs>");
    }
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ws="{ws}" xmlns:t="{ns}"><env:Body>"#,
            "<ws:{g}Response><t:Header><t:Transaction><t:ClientTrxId>{ctx}</t:ClientTrxId><t:NMVSTrxId>{ntx}</t:NMVSTrxId><t:Timestamp>{ts}</t:Timestamp></t:Transaction></t:Header>",
            r#"<t:Body>{packs}<t:ReturnCode code="{code}"/></t:Body></ws:{g}Response></env:Body></env:Envelope>"#
        ),
        ws = x(&ws),
        ns = x(ns),
        g = g_code,
        ctx = x(&req.client_trx_id),
        ntx = x(nmvs_trx_id),
        ts = x(timestamp),
        packs = packs,
        code = x(code),
    )
}

/// The answer to a support ping: the input echoed, or nothing with the
/// refusal's code.
pub fn write_ping_response(req: &SoapRequest, output: &str, code: &str) -> String {
    let (ns, ws) = namespaces(req);
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ws="{ws}" xmlns:t="{ns}"><env:Body>"#,
            "<ws:SupportPingResponse><t:Header><t:Transaction><t:ClientTrxId>{ctx}</t:ClientTrxId></t:Transaction></t:Header>",
            r#"<t:Body><t:Output>{out}</t:Output><t:ReturnCode code="{code}"/></t:Body></ws:SupportPingResponse></env:Body></env:Envelope>"#
        ),
        ws = x(&ws),
        ns = x(ns),
        ctx = x(&req.client_trx_id),
        out = x(output),
        code = x(code),
    )
}
