//! Which pass finds which picture, and at what cost: a tuning aid.
//! `cargo run --release -p scanin --example probe -- CORPUS_DIR`
use scanin::decode::{run_pass, view, GuideBox, Pass, Region};
use std::collections::BTreeMap;
fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("dir"));
    let entries: Vec<corpus::Entry> = std::fs::read_to_string(dir.join("manifest.jsonl"))
        .expect("manifest")
        .lines()
        .map(|l| serde_json::from_str(l).expect("entry"))
        .collect();
    let mut passes = Vec::new();
    for region in [Region::Guide, Region::Full] {
        for inverted in [false, true] {
            for (thorough, shrink, stretch) in [
                (false, 1, false),
                (true, 1, false),
                (true, 2, false),
                (false, 1, true),
                (true, 1, true),
                (true, 2, true),
            ] {
                if inverted && !thorough {
                    continue;
                }
                passes.push(Pass {
                    region,
                    inverted,
                    thorough,
                    shrink,
                    enhance: stretch,
                    join: 0,
                    local: false,
                    crops: false,
                });
            }
        }
    }
    let mut table: BTreeMap<String, Vec<(u32, f64)>> = BTreeMap::new();
    for e in &entries {
        let f = scanin::frames::load_luma(&dir.join(&e.file)).expect("pic");
        let row = table
            .entry(e.class.clone())
            .or_insert_with(|| vec![(0, 0.0); passes.len()]);
        for (i, p) in passes.iter().enumerate() {
            let v = view(&f, *p, &GuideBox::default());
            let t = std::time::Instant::now();
            let ok = run_pass(&v, p.thorough).is_some_and(|t| t.ends_with(&e.expected));
            row[i].1 += t.elapsed().as_secs_f64() * 1000.0;
            if ok {
                row[i].0 += 1;
            }
        }
    }
    for (i, p) in passes.iter().enumerate() {
        print!(
            "{:?}{}{}{}",
            p.region,
            if p.inverted { " inv" } else { "" },
            if p.thorough { " thorough" } else { "" },
            if p.shrink == 2 { " half" } else { "" }
        );
        print!("{}: ", if p.enhance { " stretch" } else { "" });
        let mut ms = 0.0;
        let mut n = 0;
        for (c, row) in &table {
            print!("{c}={} ", row[i].0);
            ms += row[i].1;
            n += 1;
        }
        println!(" | {:.1} ms avg", ms / (n as f64 * 9.0));
    }
}
