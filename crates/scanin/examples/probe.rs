//! Which pass of the camera's plan finds which picture, and at what cost:
//! a tuning aid for `CAMERA_PASSES`.
//! `cargo run --release -p scanin --example probe -- CORPUS_DIR`
//! (a corpus written by `cargo run -p corpus -- DIR N`). Each pass is run
//! on every picture on its own; the table gives, per pass, the pictures
//! of each class it reads and its mean time per picture at 1280×720.
use scanin::decode::{run_crops, run_own, run_pass, view, GuideBox, CAMERA_PASSES};
use std::collections::BTreeMap;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("dir"));
    let entries: Vec<corpus::Entry> = std::fs::read_to_string(dir.join("manifest.jsonl"))
        .expect("manifest")
        .lines()
        .map(|l| serde_json::from_str(l).expect("entry"))
        .collect();
    let passes = CAMERA_PASSES;
    // Our own search and sampler alone, on the guide box at full size.
    let own = CAMERA_PASSES.iter().position(|p| p.search && p.shrink == 1);
    let mut alone: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    // class -> per pass (read, ms at 720p, pictures at 720p)
    let mut table: BTreeMap<String, Vec<(u32, f64, u32)>> = BTreeMap::new();
    for e in &entries {
        let f = scanin::frames::load_luma(&dir.join(&e.file)).expect("pic");
        let row = table
            .entry(e.class.clone())
            .or_insert_with(|| vec![(0, 0.0, 0); passes.len()]);
        if let Some(i) = own {
            let v = view(&f, passes[i], &GuideBox::default());
            let t = alone.entry(e.class.clone()).or_default();
            t.1 += 1;
            if run_own(&v).is_some_and(|t| t.ends_with(&e.expected)) {
                t.0 += 1;
            }
        }
        for (i, p) in passes.iter().enumerate() {
            let t = std::time::Instant::now();
            let v = view(&f, *p, &GuideBox::default());
            let text = if p.search {
                run_crops(&v, p.thorough)
            } else {
                run_pass(&v, p.thorough)
            };
            if e.width == 1280 {
                row[i].1 += t.elapsed().as_secs_f64() * 1000.0;
                row[i].2 += 1;
            }
            if text.is_some_and(|t| t.ends_with(&e.expected)) {
                row[i].0 += 1;
            }
        }
    }
    for (i, p) in passes.iter().enumerate() {
        println!("{i}: {p:?}");
        let (mut ms, mut n) = (0.0, 0);
        let mut line = String::new();
        for (c, row) in &table {
            line.push_str(&format!("{c}={} ", row[i].0));
            ms += row[i].1;
            n += row[i].2;
        }
        println!(
            "   {line}| {:.1} ms per 720p picture",
            ms / f64::from(n.max(1))
        );
    }
    let line: Vec<String> = alone
        .iter()
        .map(|(c, (ok, n))| format!("{c}={ok}/{n}"))
        .collect();
    println!(
        "our own search and sampler alone (guide box): {}",
        line.join(" ")
    );
}
