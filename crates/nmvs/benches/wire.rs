//! The adapter's own time per call, outside the network wait: rendering the
//! request and parsing the response (`cargo bench -p nmvs --bench wire`).

use criterion::{criterion_group, criterion_main, Criterion};
use domain::Operation;
use nmvs::{parse_response, render_request, Credentials, PackRequest, UserSoftware, Version};
use packcode::ProductScheme;
use std::hint::black_box;

const RESPONSE: &str = r#"<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ws="urn:wsdltypes.nmvs.eu:v5.0" xmlns:t="urn:types.nmvs.eu:v5.0"><env:Body><ws:G120Response><t:Header><t:Transaction><t:ClientTrxId>0a1b2c3d4e5f60718293a4b5c6d7e8f9</t:ClientTrxId><t:NMVSTrxId>SIM000000000042</t:NMVSTrxId><t:Timestamp>2026-11-23T10:00:00Z</t:Timestamp></t:Transaction></t:Header><t:Body><t:Product><t:ProductCode scheme="GTIN">04150037528643</t:ProductCode><t:Batch><t:Id>AB1234</t:Id><t:ExpDate>270100</t:ExpDate></t:Batch></t:Product><t:Pack sn="X7K2P9Q4M3N8" state="SUPPLIED"/><t:ReturnCode code="NMVS_SUCCESS" desc="Done."/></t:Body></ws:G120Response></env:Body></env:Envelope>"#;

fn wire(c: &mut Criterion) {
    let creds = Credentials {
        client_login_id: "PH-0001".into(),
        user_id: "anna".into(),
        password: "secret".into(),
    };
    let sw = UserSoftware {
        supplier: "Countercheck".into(),
        name: "countercheck".into(),
        version: "0.1.0".into(),
    };
    let req = PackRequest {
        operation: Operation::Dispense,
        product_code: "04150037528643".into(),
        scheme: ProductScheme::Gtin,
        batch: "AB1234".into(),
        expiry: "270100".into(),
        serial: "X7K2P9Q4M3N8".into(),
        client_trx_id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9".into(),
        ref_client_trx_id: None,
        ref_server_trx_id: None,
    };
    assert!(parse_response(RESPONSE.as_bytes()).is_ok());
    c.bench_function("wire/render_request", |b| {
        b.iter(|| render_request(black_box(&req), &creds, &sw, Version::V5))
    });
    c.bench_function("wire/parse_response", |b| {
        b.iter(|| parse_response(black_box(RESPONSE.as_bytes())))
    });
    c.bench_function("wire/render_and_parse", |b| {
        b.iter(|| {
            let x = render_request(black_box(&req), &creds, &sw, Version::V5);
            (x.len(), parse_response(black_box(RESPONSE.as_bytes())))
        })
    });
}

criterion_group!(benches, wire);
criterion_main!(benches);
