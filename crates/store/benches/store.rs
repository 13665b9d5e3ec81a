//! Recording one offline scan durably (p50/p99) and a recall search over a
//! journal of 1,000,000 entries (`cargo bench -p store --bench store`).

use std::time::{Duration, Instant};
use store::{JournalEntry, NewOperation, Store};

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize]
}

fn main() {
    let quick = std::env::args().any(|a| a == "--test" || a == "--list");
    let dir = std::env::temp_dir().join(format!("countercheck-store-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);

    // 1. Record one offline scan, committed with synchronous=FULL.
    let mut s = Store::open(&dir.join("record.sqlite")).expect("store");
    let n = if quick { 20 } else { 2_000 };
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let op = NewOperation {
            client_trx_id: format!("trx{i:08}"),
            operation: "G120".into(),
            product_code: "04150037528643".into(),
            scheme: "GTIN".into(),
            serial: format!("SER{i:09}"),
            batch: "AB1234".into(),
            expiry: "270100".into(),
            ref_client_trx_id: None,
            user_id: "anna".into(),
            workstation: "till-1".into(),
            site: "PH-1".into(),
        };
        let t = Instant::now();
        s.record_offline(&op, 1_795_000_000 + i as i64)
            .expect("recorded");
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "| record one offline scan (durable) | {n} scans | p50 {:.2} ms | p99 {:.2} ms |",
        pct(&times, 0.5).as_secs_f64() * 1e3,
        pct(&times, 0.99).as_secs_f64() * 1e3
    );
    drop(s);

    // 2. Recall search over a journal of 1,000,000 entries.
    let rows: i64 = if quick { 10_000 } else { 1_000_000 };
    let mut s = Store::open(&dir.join("recall.sqlite")).expect("store");
    let t = Instant::now();
    let mut e = JournalEntry {
        kind: "scan".into(),
        operation: "G120".into(),
        outcome: "NMVS_SUCCESS".into(),
        user_id: "anna".into(),
        workstation: "till-1".into(),
        ..JournalEntry::default()
    };
    s.journal_append_many((0..rows).map(|i| {
        e.at = 1_700_000_000 + i;
        // 100 products × 100 batches, 100 entries per product and batch.
        e.product_code = format!("0415003752{:04}", (i / 100) % 100);
        e.batch = format!("B{:05}", i / 10_000);
        e.serial = format!("S{i:012}");
        e.clone()
    }))
    .expect("filled");
    let fill = t.elapsed();
    let mut times = Vec::new();
    let mut found = 0;
    for k in 0..21i64 {
        let t = Instant::now();
        let product = format!("0415003752{:04}", (k * 37) % 100);
        let batch = format!("B{:05}", (k * 53) % (rows / 10_000).max(1));
        found = s
            .journal_search(&product, &batch, None, None)
            .expect("search")
            .len();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "| recall search (product + batch) | journal of {rows} entries (filled in {:.1} s) | median {:.2} ms | max {:.2} ms | {found} hits |",
        fill.as_secs_f64(),
        pct(&times, 0.5).as_secs_f64() * 1e3,
        pct(&times, 1.0).as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let ok = s.journal_verify().expect("verify");
    println!(
        "| journal verify | {rows} entries | {:.2} s | {:?} |",
        t.elapsed().as_secs_f64(),
        ok
    );
    let _ = std::fs::remove_dir_all(&dir);
}
