//! The NMVS wire format: rendered requests read back with an XML reader,
//! responses from fixtures in the NMVS shape, and hostile input.

use domain::{InactiveReason, Operation, PackState};
use nmvs::wire::{MAX_DEPTH, MAX_RESPONSE_BYTES};
use nmvs::{
    parse_response, render_request, Credentials, PackRequest, UserSoftware, Version, WireError,
};
use packcode::ProductScheme;
use proptest::prelude::*;
use quick_xml::events::Event;
use quick_xml::Reader;

fn creds() -> Credentials {
    Credentials {
        client_login_id: "PH-0001".into(),
        user_id: "anna".into(),
        password: "s3cr<t&".into(),
    }
}

fn software() -> UserSoftware {
    UserSoftware {
        supplier: "Countercheck".into(),
        name: "countercheck".into(),
        version: "0.1.0".into(),
    }
}

fn request(op: Operation, serial: &str) -> PackRequest {
    PackRequest {
        operation: op,
        product_code: "04150037528643".into(),
        scheme: ProductScheme::Gtin,
        batch: "B-1".into(),
        expiry: "270100".into(),
        serial: serial.into(),
        client_trx_id: "c0ffee".into(),
        ref_client_trx_id: op.undoes().map(|_| "d1sp3nse".to_owned()),
        ref_server_trx_id: None,
    }
}

#[test]
fn requests_carry_every_field_escaped() {
    let xml = render_request(
        &request(Operation::Dispense, "A<&\"'>1"),
        &creds(),
        &software(),
        Version::V4,
    );
    assert!(xml.contains("<ws:G120Request>"), "{xml}");
    assert!(xml.contains("urn:types.nmvs.eu:v4.0"));
    let mut r = Reader::from_str(&xml);
    let mut seen = Vec::new();
    loop {
        match r.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e) | Event::Empty(e)) => {
                seen.push(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
                for a in e.attributes().flatten() {
                    let k = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
                    seen.push(format!("@{k}={}", a.unescape_value().expect("attr")));
                }
            }
            Ok(Event::Text(t)) => seen.push(format!("={}", t.unescape().expect("text"))),
            Ok(_) => {}
            Err(e) => panic!("rendered request is not well-formed: {e}\n{xml}"),
        }
    }
    let s = seen.join(" ");
    for want in [
        "G120Request",
        "ClientLoginId =PH-0001",
        "UserId =anna",
        "Password =s3cr<t&",
        "UserSoftware @supplier=Countercheck @name=countercheck @version=0.1.0",
        "ClientTrxId =c0ffee",
        "Language =eng",
        "ProductCode @scheme=GTIN =04150037528643",
        "Id =B-1",
        "ExpDate =270100",
        "Pack @sn=A<&\"'>1",
    ] {
        assert!(s.contains(want), "missing {want:?} in {s}");
    }
    assert!(!s.contains("RefClientTrxId"), "no reference on a dispense");
}

#[test]
fn undo_requests_reference_the_decommission() {
    let xml = render_request(
        &request(Operation::UndoDispense, "S1"),
        &creds(),
        &software(),
        Version::V5,
    );
    assert!(xml.contains("<ws:G121Request>"));
    assert!(xml.contains("urn:types.nmvs.eu:v5.0"));
    assert!(xml.contains("<t:RefClientTrxId>d1sp3nse</t:RefClientTrxId>"));
    let ppn = PackRequest {
        scheme: ProductScheme::Ppn,
        product_code: "110375286414".into(),
        ..request(Operation::Verify, "S1")
    };
    assert!(render_request(&ppn, &creds(), &software(), Version::V5)
        .contains(r#"scheme="PPN">110375286414<"#));
}

#[test]
fn the_password_never_shows_in_debug_output() {
    let d = format!("{:?}", creds());
    assert!(!d.contains("s3cr"), "{d}");
    assert!(d.contains("***"));
}

fn response(root: &str, inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope" xmlns:a="urn:wsdltypes.nmvs.eu:v4.0" xmlns:b="urn:types.nmvs.eu:v4.0">
  <S:Body>
    <a:{root}>
      <b:Header><b:Transaction><b:ClientTrxId>c0ffee</b:ClientTrxId><b:NMVSTrxId>N-77</b:NMVSTrxId><b:Timestamp>2026-11-23T10:00:00Z</b:Timestamp></b:Transaction></b:Header>
      <b:Body>{inner}</b:Body>
    </a:{root}>
  </S:Body>
</S:Envelope>"#
    )
}

#[test]
fn verify_response_with_state_and_reasons() {
    let xml = response(
        "G110Response",
        r#"<b:Product><b:ProductCode b:scheme="GTIN">04150037528643</b:ProductCode><b:Batch><b:Id>B-1</b:Id><b:ExpDate>270100</b:ExpDate></b:Batch></b:Product>
           <b:Pack b:sn="S&amp;1" b:state="ACTIVE"><b:Reason>EXPIRED</b:Reason><b:Reason>RECALLED</b:Reason></b:Pack>
           <b:ReturnCode b:code="NMVS_SUCCESS" b:desc="ok"/>"#,
    );
    let r = parse_response(xml.as_bytes()).expect("parses");
    assert_eq!(r.operation, Some(Operation::Verify));
    assert_eq!(r.client_trx_id, "c0ffee");
    assert_eq!(r.nmvs_trx_id.as_deref(), Some("N-77"));
    assert_eq!(r.timestamp.as_deref(), Some("2026-11-23T10:00:00Z"));
    assert_eq!(r.product_code.as_deref(), Some("04150037528643"));
    assert_eq!(r.serial.as_deref(), Some("S&1"));
    assert_eq!(r.state, Some(PackState::Active));
    assert_eq!(
        r.reasons,
        vec![InactiveReason::Expired, InactiveReason::Recalled]
    );
    assert_eq!(r.return_code, "NMVS_SUCCESS");
}

#[test]
fn dispense_alert_response() {
    let xml = response(
        "G120Response",
        r#"<b:Pack b:sn="S1" b:state="SUPPLIED"/><b:ReturnCode b:code="NMVS_NC_PCK_22" b:desc="Pack already inactive"/>"#,
    );
    let r = parse_response(xml.as_bytes()).expect("parses");
    assert_eq!(r.operation, Some(Operation::Dispense));
    assert_eq!(r.state, Some(PackState::Supplied));
    assert_eq!(r.return_code, "NMVS_NC_PCK_22");
}

#[test]
fn bad_responses_are_typed_errors() {
    let ok_inner = r#"<b:ReturnCode b:code="NMVS_SUCCESS"/>"#;
    type Expect = fn(&WireError) -> bool;
    let cases: Vec<(Vec<u8>, Expect)> = vec![
        (b"".to_vec(), |e| matches!(e, WireError::NotSoap)),
        (b"not xml at all".to_vec(), |e| matches!(e, WireError::NotSoap | WireError::Malformed(_))),
        (b"<html><body>502 Bad Gateway</body></html>".to_vec(), |e| matches!(e, WireError::NotSoap)),
        (response("G110Response", ok_inner).replace("</S:Envelope>", "").into_bytes(), |e| matches!(e, WireError::Malformed(_))),
        (response("G999Response", ok_inner).into_bytes(), |e| matches!(e, WireError::Unexpected(_))),
        (response("Hello", ok_inner).into_bytes(), |e| matches!(e, WireError::Unexpected(_))),
        (response("G110Response", "").into_bytes(), |e| matches!(e, WireError::Missing("ReturnCode"))),
        (response("G110Response", r#"<b:Pack b:sn="S" b:state="FLYING"/><b:ReturnCode b:code="X"/>"#).into_bytes(), |e| matches!(e, WireError::UnknownState(_))),
        (response("G110Response", ok_inner).replace("<b:ClientTrxId>c0ffee</b:ClientTrxId>", "").into_bytes(), |e| matches!(e, WireError::Missing(_))),
        (vec![b' '; MAX_RESPONSE_BYTES + 1], |e| matches!(e, WireError::Oversized { .. })),
        (
            format!(r#"<S:Envelope xmlns:S="x">{}</S:Envelope>"#, "<a>".repeat(MAX_DEPTH + 1)).into_bytes(),
            |e| matches!(e, WireError::TooDeep(_) | WireError::Malformed(_)),
        ),
        (
            br#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value></env:Code><env:Reason><env:Text xml:lang="en">Service unavailable</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>"#.to_vec(),
            |e| matches!(e, WireError::Fault { code, reason } if code == "env:Receiver" && reason == "Service unavailable"),
        ),
    ];
    for (input, check) in cases {
        let got = parse_response(&input);
        match got {
            Err(ref e) if check(e) => {}
            other => panic!(
                "{:?} -> {other:?}",
                String::from_utf8_lossy(&input[..input.len().min(120)])
            ),
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_response(&b);
    }

    #[test]
    fn xml_like_noise_never_panics(s in "(<[A-Za-z:]{1,12}( [a-z:]{1,6}=\"[^\"<]{0,8}\")?/?>|</[A-Za-z:]{1,12}>|[A-Za-z0-9&;<>\"' ]{0,6}){0,40}") {
        let _ = parse_response(s.as_bytes());
    }

    #[test]
    fn any_serial_survives_rendering(serial in "[!-~]{1,20}") {
        let xml = render_request(&request(Operation::Verify, &serial), &creds(), &software(), Version::V5);
        let mut r = Reader::from_str(&xml);
        let mut found = None;
        loop {
            match r.read_event() {
                Ok(Event::Eof) => break,
                Ok(Event::Empty(e)) if e.local_name().as_ref() == b"Pack" => {
                    for a in e.attributes().flatten() {
                        if a.key.local_name().as_ref() == b"sn" {
                            found = Some(a.unescape_value().expect("value").into_owned());
                        }
                    }
                }
                Ok(_) => {}
                Err(e) => return Err(TestCaseError::fail(format!("{e}: {xml}"))),
            }
        }
        prop_assert_eq!(found.as_deref(), Some(serial.as_str()));
    }
}

#[test]
fn bulk_requests_and_results() {
    use domain::BulkOperation;
    use nmvs::wire::BULK_PENDING;
    use nmvs::{parse_bulk_response, render_bulk_request, render_bulk_result_request, BulkRequest};
    let req = BulkRequest {
        operation: BulkOperation::Dispense,
        product_code: "04150037528643".into(),
        scheme: ProductScheme::Gtin,
        batch: "B-1".into(),
        expiry: "270100".into(),
        serials: vec!["S1".into(), "S<2>".into(), "S3".into()],
        client_trx_id: "c0ffee".into(),
    };
    let xml = render_bulk_request(&req, &creds(), &software(), Version::V5);
    assert!(xml.contains("<ws:G125Request>"));
    assert!(
        xml.contains(
            r#"<t:Packs><t:Pack sn="S1"/><t:Pack sn="S&lt;2&gt;"/><t:Pack sn="S3"/></t:Packs>"#
        ),
        "{xml}"
    );
    let q = render_bulk_result_request("SIM1", "c1", &creds(), &software(), Version::V5);
    assert!(q.contains("<ws:G188Request>") && q.contains("<t:RefNMVSTrxId>SIM1</t:RefNMVSTrxId>"));
    let result = response(
        "G188Response",
        r#"<b:Packs><b:Pack b:sn="S1" b:state="SUPPLIED"><b:ReturnCode b:code="NMVS_SUCCESS"/></b:Pack><b:Pack b:sn="S9"><b:ReturnCode b:code="NMVS_NC_PC_02"/></b:Pack></b:Packs><b:ReturnCode b:code="NMVS_SUCCESS"/>"#,
    );
    let r = parse_bulk_response(result.as_bytes()).expect("parses");
    assert_eq!(r.return_code, "NMVS_SUCCESS");
    assert_eq!(r.packs.len(), 2);
    assert_eq!(r.packs[0].state, Some(PackState::Supplied));
    assert_eq!(r.packs[1].return_code.as_deref(), Some("NMVS_NC_PC_02"));
    assert!(!r.pending());
    let pending = response(
        "G188Response",
        &format!(r#"<b:ReturnCode b:code="{BULK_PENDING}"/>"#),
    );
    assert!(parse_bulk_response(pending.as_bytes())
        .expect("parses")
        .pending());
    // A single-pack answer is not a bulk answer, and the other way round.
    assert!(parse_bulk_response(
        response("G110Response", r#"<b:ReturnCode b:code="X"/>"#).as_bytes()
    )
    .is_err());
    assert!(parse_response(result.as_bytes()).is_err());
}
