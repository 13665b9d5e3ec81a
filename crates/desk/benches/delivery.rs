//! Delivery check figures: how fast the desk takes scans into a delivery
//! (its share of "packs per minute"; the scanner's is the rest), the bulk
//! verification of the training simulator's packs, and the time to write a
//! 10,000-pack report. `cargo bench -p desk --bench delivery`.

use std::time::Instant;

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = std::env::temp_dir().join(format!(
        "countercheck-bench-delivery-{}",
        std::process::id()
    ));
    let desk = rt.block_on(async { desk::Desk::training(&dir).await.expect("training desk") });

    // 10,000 valid pack codes (generated, not at the simulator).
    let mut rng = corpus::Rng::new(7);
    let codes: Vec<String> = (0..10_000)
        .map(|_| format!("]d2{}", corpus::pack_text(&mut rng, true)))
        .collect();
    desk.delivery_start();
    let t = Instant::now();
    for c in &codes {
        desk.delivery_scan(c);
    }
    let per = t.elapsed().as_secs_f64() / codes.len() as f64;
    println!(
        "delivery_scan: {:.1} µs per pack ({:.0} packs/min the desk could take; a scanner does 30–60)",
        per * 1e6,
        60.0 / per
    );
    let t = Instant::now();
    let v = desk.delivery_view();
    println!(
        "delivery_view of {} packs in {} groups (what the screen fetches after each scan): {:.1} ms",
        v.scanned,
        v.groups.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let path = desk.delivery_report(false).expect("report");
    println!(
        "report of {} packs written in {:.1} ms ({path})",
        codes.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let path = desk.delivery_report(true).expect("pdf report");
    println!(
        "PDF report of {} packs written in {:.1} ms ({path})",
        codes.len(),
        t.elapsed().as_secs_f64() * 1e3
    );

    // Bulk verification of the simulator's own packs.
    desk.delivery_start();
    let known = desk.training_pack_codes(192).expect("codes");
    for c in &known {
        desk.delivery_scan(&c.replace("<GS>", "\u{1d}"));
    }
    let t = Instant::now();
    let v = rt.block_on(desk.delivery_verify()).expect("verify");
    let active: u32 = v.groups.iter().map(|g| g.active).sum();
    println!(
        "delivery_verify of {} packs in {} groups (bulk, polled): {:.0} ms, {} active",
        known.len(),
        v.groups.len(),
        t.elapsed().as_secs_f64() * 1e3,
        active
    );
    desk.stop();
}
