//! The decoder against its peer, side by side on the same pictures:
//! `cargo bench -p scanin --bench decoders`.
//!
//! Generates the corpus (`CORPUS_PER_CELL` pictures per class and
//! resolution, default 10) into the target directory, decodes every picture
//! with our decoder (the camera plan: guide box, full frame, inverted,
//! thorough; once with every pass, once within a 33 ms frame deadline, and
//! as a pack held for up to three frames of 33 ms each;
//! and the file plan `countercheck decode` uses, every pass on the whole
//! picture),
//! then runs `benches/zxing_cpp.py` on the same files with the Python that
//! `PYTHON` names (default: the test venv), and prints one table: decode
//! rate and misreads per class, and median/p95 time per 1280×720 frame.
//! With `DECODER_MISSES` set, every picture not read is named on stderr
//! (twice when missed both with every pass and within the deadline).

use scanin::decode::{decode_planned, CostModel, Plan};
use scanin::frames::load_luma;
use scanin::Source;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Default, Clone)]
struct Tally {
    n: u32,
    ok: u32,
    wrong: u32,
    ms_720p: Vec<f64>,
}

fn strip_aim(t: &str) -> &str {
    if t.len() >= 3 && t.starts_with(']') {
        &t[3..]
    } else {
        t
    }
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// Frames of one held pack in the "held" column.
const HELD_FRAMES: usize = 3;

fn main() {
    let per_cell: u32 = std::env::var("CORPUS_PER_CELL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let dir = PathBuf::from(target).join(format!("decoder-corpus-v{}-{per_cell}", corpus::VERSION));
    let entries = if dir.join("manifest.jsonl").exists() {
        std::fs::read_to_string(dir.join("manifest.jsonl"))
            .expect("manifest")
            .lines()
            .map(|l| serde_json::from_str::<corpus::Entry>(l).expect("entry"))
            .collect()
    } else {
        corpus::write_all(&dir, per_cell).expect("corpus written")
    };
    eprintln!("{} pictures in {}", entries.len(), dir.display());

    let mut ours_all: BTreeMap<String, Tally> = BTreeMap::new();
    let mut ours_33: BTreeMap<String, Tally> = BTreeMap::new();
    let mut ours_file: BTreeMap<String, Tally> = BTreeMap::new();
    let mut ours_held: BTreeMap<String, Tally> = BTreeMap::new();
    // One cost model per plan, as each camera worker has its own.
    let mut costs = [
        CostModel::default(),
        CostModel::default(),
        CostModel::default(),
    ];
    let mut held_costs = CostModel::default();
    let file = Plan::file();
    let every = Plan {
        deadline: None,
        ..Plan::camera(Duration::ZERO)
    };
    let budget = Plan::camera(Duration::from_millis(33));
    for e in &entries {
        let frame = load_luma(&dir.join(&e.file)).expect("picture");
        for ((plan, table), costs) in [
            (&every, &mut ours_all),
            (&budget, &mut ours_33),
            (&file, &mut ours_file),
        ]
        .into_iter()
        .zip(costs.iter_mut())
        {
            // Each picture is a new subject: one frame of it.
            costs.new_scene();
            let a = decode_planned(&frame, plan, costs, Source::ImageFile);
            let t = table.entry(e.class.clone()).or_default();
            t.n += 1;
            match a.found {
                Some((scan, _)) if strip_aim(&scan.text) == e.expected => t.ok += 1,
                Some((scan, _)) => {
                    t.wrong += 1;
                    eprintln!("misread {}: {:?} != {:?}", e.file, scan.text, e.expected);
                }
                None => {
                    if std::env::var_os("DECODER_MISSES").is_some() {
                        eprintln!(
                            "missed {} ({} passes run, {} skipped, {:.1} ms)",
                            e.file,
                            a.passes,
                            a.skipped,
                            a.elapsed.as_secs_f64() * 1000.0
                        );
                    }
                }
            }
            if e.width == 1280 {
                t.ms_720p.push(a.elapsed.as_secs_f64() * 1000.0);
            }
        }
        // A pack held in front of the camera: up to three frames of it,
        // each within the deadline, each resuming where the last stopped.
        held_costs.new_scene();
        let found = (0..HELD_FRAMES).find_map(|_| {
            decode_planned(&frame, &budget, &mut held_costs, Source::ImageFile).found
        });
        let t = ours_held.entry(e.class.clone()).or_default();
        t.n += 1;
        match found {
            Some((scan, _)) if strip_aim(&scan.text) == e.expected => t.ok += 1,
            Some(_) => t.wrong += 1,
            None => {}
        }
    }

    let python = std::env::var("PYTHON").unwrap_or_else(|_| {
        let home = std::env::var("HOME").unwrap_or_default();
        format!("{home}/.cache/countercheck/venv/bin/python")
    });
    let script = Path::new(
        &std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned()),
    )
    .join("../../benches/zxing_cpp.py");
    let peer = std::process::Command::new(&python)
        .arg(&script)
        .arg(&dir)
        .output();
    let mut theirs: BTreeMap<String, Tally> = BTreeMap::new();
    let by_file: BTreeMap<&str, &corpus::Entry> =
        entries.iter().map(|e| (e.file.as_str(), e)).collect();
    match peer {
        Ok(out) if out.status.success() => {
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                let v: serde_json::Value = serde_json::from_str(line).expect("peer line");
                let Some(e) = v["file"].as_str().and_then(|f| by_file.get(f)) else {
                    continue;
                };
                let t = theirs.entry(e.class.clone()).or_default();
                t.n += 1;
                match v["text"].as_str() {
                    Some(text) if text == e.expected => t.ok += 1,
                    Some(_) => t.wrong += 1,
                    None => {}
                }
                if e.width == 1280 {
                    t.ms_720p.push(v["ms"].as_f64().unwrap_or(f64::NAN));
                }
            }
        }
        Ok(out) => eprintln!(
            "zxing-cpp run failed ({python}): {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => eprintln!("zxing-cpp not run ({python}): {e}"),
    }

    let rate = |t: Option<&Tally>| match t {
        Some(t) if t.n > 0 => format!(
            "{:5.1}% ({}/{}, {} wrong)",
            100.0 * f64::from(t.ok) / f64::from(t.n),
            t.ok,
            t.n,
            t.wrong
        ),
        _ => "—".into(),
    };
    println!(
        "| class | ours, camera, every pass | ours, camera, 33 ms, one frame | ours, camera, 33 ms, held {HELD_FRAMES} frames | ours, file plan | zxing-cpp 3 defaults |"
    );
    println!("|---|---|---|---|---|---|");
    let mut all: [Tally; 5] = Default::default();
    for (class, t) in &ours_all {
        println!(
            "| {class} | {} | {} | {} | {} | {} |",
            rate(Some(t)),
            rate(ours_33.get(class)),
            rate(ours_held.get(class)),
            rate(ours_file.get(class)),
            rate(theirs.get(class))
        );
        for (i, tab) in [&ours_all, &ours_33, &ours_held, &ours_file, &theirs]
            .iter()
            .enumerate()
        {
            if let Some(t) = tab.get(class) {
                all[i].n += t.n;
                all[i].ok += t.ok;
                all[i].wrong += t.wrong;
                all[i].ms_720p.extend(&t.ms_720p);
            }
        }
    }
    println!(
        "| **all** | {} | {} | {} | {} | {} |",
        rate(Some(&all[0])),
        rate(Some(&all[1])),
        rate(Some(&all[2])),
        rate(Some(&all[3])),
        rate(Some(&all[4]))
    );
    println!();
    println!("| 1280×720 frame | median | p95 |");
    println!("|---|---|---|");
    // The held column has no time of its own (its frames are the one
    // frame's, again).
    let [every_t, one_t, _held, file_t, theirs_t] = &mut all;
    for (name, t) in [
        ("ours, camera, every pass", every_t),
        ("ours, camera, 33 ms, one frame", one_t),
        ("ours, file plan (`countercheck decode`)", file_t),
        ("zxing-cpp", theirs_t),
    ] {
        let (p50, p95) = (pct(&mut t.ms_720p, 0.5), pct(&mut t.ms_720p, 0.95));
        println!("| {name} | {p50:.1} ms | {p95:.1} ms |");
    }
}
