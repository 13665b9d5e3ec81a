//! Parse throughput for typical pharma codes (`cargo bench -p packcode`).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use packcode::{parse, Date};
use std::hint::black_box;

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 23,
};

fn typical(c: &mut Criterion) {
    let cases = [
        ("gs1_datamatrix", "]d2010415003752864317270131101234AB\u{1d}21X7K2P9Q4M3N8"),
        ("ifa_format06", "[)>\u{1e}06\u{1d}9N110375286414\u{1d}1T1234AB\u{1d}D270100\u{1d}SX7K2P9Q4M3N8\u{1e}\u{04}"),
        ("digital_link", "https://id.gs1.org/01/04150037528643/10/1234AB/21/X7K2P9Q4M3N8?17=270131"),
    ];
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(1));
    for (name, code) in cases {
        assert!(parse(code, TODAY).ok(), "{name} must be a valid code");
        g.bench_function(name, |b| b.iter(|| parse(black_box(code), TODAY)));
    }
    // The damaged path: a lost separator, repaired by the diagnosis search.
    let damaged = "]d2010415003752864317270131101234AB21X7K2P9Q4M3N8";
    g.bench_function("lost_separator_diagnosis", |b| {
        b.iter(|| parse(black_box(damaged), TODAY))
    });
    // Parse plus the JSON view, as `countercheck parse` does per line.
    let code = cases[0].1;
    g.bench_function("gs1_with_json", |b| {
        b.iter_batched(
            || Vec::with_capacity(512),
            |mut out: Vec<u8>| {
                let scan = parse(black_box(code), TODAY);
                serde_json::to_writer(&mut out, &scan.view()).ok();
                out
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, typical);
criterion_main!(benches);
