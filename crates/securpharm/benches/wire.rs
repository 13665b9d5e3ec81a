//! The securPharm adapter's own time per call, outside the network wait:
//! building the pack resource's path and query (base64url serial and lot)
//! and reading the JSON answer into the engine's vocabulary
//! (`cargo bench -p securpharm --bench wire`). The NMVS twin is
//! `cargo bench -p nmvs --bench wire`.

use criterion::{criterion_group, criterion_main, Criterion};
use domain::Operation;
use nmvs::PackRequest;
use packcode::ProductScheme;
use securpharm::wire;
use std::hint::black_box;

const ANSWER: &[u8] = br#"{"res":{"cod":"SP-000","mes":"Die Packung wurde abgegeben."},"tx":{"ctx":"0a1b2c3d4e5f60718293a4b5c6d7e8f9","stx":"SPX000000000042"},"prod":{"pc":"111234567842","pcs":"PPN","lot":"AB1234","exp":"270100","expNMVS":"270131","name":"Ibuprofen 400 mg"},"pack":{"sn":"X7K2+P9/Q4M3N8","state":"INACTIVE","reasons":["SUPPLIED"]}}"#;

fn bench(c: &mut Criterion) {
    let req = PackRequest {
        operation: Operation::Dispense,
        product_code: "111234567842".into(),
        scheme: ProductScheme::Ppn,
        batch: "AB1234".into(),
        expiry: "270100".into(),
        serial: "X7K2+P9/Q4M3N8".into(),
        client_trx_id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9".into(),
        ref_client_trx_id: None,
        ref_server_trx_id: None,
    };
    let app = "5b0e7c1e-0000-4000-8000-000000000001";
    let read = |bytes: &[u8]| {
        wire::parse_answer(bytes).and_then(|a| wire::to_response(Operation::Dispense, &a))
    };
    assert!(read(ANSWER).is_ok());
    c.bench_function("sp_wire/render_request", |b| {
        b.iter(|| {
            let r = black_box(&req);
            (
                wire::pack_path(&r.product_code, &r.serial),
                wire::pack_query(r, app),
            )
        })
    });
    c.bench_function("sp_wire/parse_response", |b| {
        b.iter(|| read(black_box(ANSWER)))
    });
    c.bench_function("sp_wire/render_and_parse", |b| {
        b.iter(|| {
            let r = black_box(&req);
            let path = wire::pack_path(&r.product_code, &r.serial);
            let query = wire::pack_query(r, app);
            (path.len() + query.len(), read(black_box(ANSWER)))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
