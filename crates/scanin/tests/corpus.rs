//! The decoder on the generated corpus: pack-like scenes at 640×480,
//! 1280×720 and 1920×1080, one impairment per class. Every class has a
//! decode-rate floor, and a wrong text is never accepted.
//!
//! The pictures are deterministic, so these rates are what
//! `cargo bench -p scanin --bench decoders` reports for the same pictures;
//! the floors sit a little under the measured rates (see benches/README.md)
//! so that a regression in the decoder or its pass plan fails here.

use scanin::decode::{decode_planned, run_own, view, CostModel, Plan};
use scanin::frames::Frame;
use scanin::Source;
use std::collections::BTreeMap;

fn floor(class: &str) -> f64 {
    match class {
        "blur" | "low-contrast" | "module-2px" | "occluded" | "dots" | "board" | "curved"
        | "phone" => 0.8,
        // Modules of 1.2–1.9 px: zxing-cpp reads one in twelve.
        "tiny" => 0.4,
        _ => 0.9,
    }
}

#[test]
fn every_class_meets_its_floor_with_zero_misreads() {
    let plan = Plan {
        deadline: None,
        ..Plan::camera(std::time::Duration::ZERO)
    };
    let mut costs = CostModel::default();
    let mut tally: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut misreads = Vec::new();
    for s in corpus::all(4) {
        let s = s.expect("sample");
        let frame = Frame {
            width: s.width,
            height: s.height,
            luma: s.pixels().expect("pixels"),
        };
        let a = decode_planned(&frame, &plan, &mut costs, Source::Camera);
        let t = tally.entry(s.class.name()).or_default();
        t.1 += 1;
        if let Some((scan, _)) = a.found {
            let want = if s.gs1 { "]d2" } else { "]d1" };
            if scan.text == format!("{want}{}", s.expected) {
                t.0 += 1;
            } else {
                misreads.push((s.name.clone(), scan.text, s.expected.clone()));
            }
        }
    }
    assert!(misreads.is_empty(), "misreads: {misreads:#?}");
    let mut below = Vec::new();
    for (class, (ok, n)) in &tally {
        let rate = f64::from(*ok) / f64::from(*n);
        eprintln!("{class}: {ok}/{n}");
        if rate < floor(class) {
            below.push(format!("{class}: {ok}/{n} < {}", floor(class)));
        }
    }
    assert_eq!(tally.len(), 24, "every class generated");
    assert!(below.is_empty(), "below the floor: {below:?}");
}

/// Our own search and sampler (`scanin::locate`, `scanin::grid`), without
/// rxing's detector, on the guide box: the classes it is built for, each
/// with a floor (what it reads on the 4-per-cell corpus, less a margin).
#[test]
fn our_own_detector_reads_without_rxings() {
    let floors = [
        ("board", 0.75),
        ("curved", 0.75),
        ("dots", 0.75),
        ("module-2px", 0.75),
        ("glare", 0.75),
        ("noise", 0.75),
        ("occluded", 0.75),
        ("rotation", 0.75),
        ("sharpened", 0.75),
        ("module-4px", 0.9),
        ("module-6px", 0.9),
        ("module-8px", 0.9),
    ];
    let plan = Plan::camera(std::time::Duration::ZERO);
    let own = *plan
        .passes
        .iter()
        .find(|p| p.search && p.shrink == 1)
        .expect("the camera plan has our own pass");
    let mut below = Vec::new();
    for (class, floor) in floors {
        let (mut ok, mut n) = (0u32, 0u32);
        let c = corpus::Class::all()
            .into_iter()
            .find(|c| c.name() == class)
            .expect("a class of the corpus");
        let samples = corpus::RESOLUTIONS
            .iter()
            .flat_map(|&r| (0..4).map(move |i| corpus::sample(c, r, i).expect("sample")));
        for s in samples {
            let frame = Frame {
                width: s.width,
                height: s.height,
                luma: s.pixels().expect("pixels"),
            };
            n += 1;
            let v = view(&frame, own, &plan.guide);
            if let Some(text) = run_own(&v) {
                let want = if s.gs1 { "]d2" } else { "]d1" };
                assert_eq!(text, format!("{want}{}", s.expected), "misread {}", s.name);
                ok += 1;
            }
        }
        eprintln!("{class}: {ok}/{n}");
        if f64::from(ok) < floor * f64::from(n) {
            below.push(format!("{class}: {ok}/{n} < {floor}"));
        }
    }
    assert!(below.is_empty(), "below the floor: {below:?}");
}

/// Decoys: pictures with a symbol's finder L and timing pattern and
/// random modules inside (`corpus::decoy`). They pass every detector's
/// look and hold no code, so any text read from one is a misread: none
/// may come out, through the camera plan or the file plan (every pass).
#[test]
fn nothing_is_read_from_decoys() {
    use corpus::Class;
    let camera = Plan {
        deadline: None,
        ..Plan::camera(std::time::Duration::ZERO)
    };
    let file = Plan::file();
    let mut read = Vec::new();
    let mut n = 0;
    for class in [
        Class::Module(4),
        Class::Rotation,
        Class::Perspective,
        Class::Curved,
        Class::Board,
        Class::Dots,
    ] {
        for &res in &corpus::RESOLUTIONS {
            for i in 0..3 {
                let s = corpus::decoy(class, res, i).expect("decoy");
                let frame = Frame {
                    width: s.width,
                    height: s.height,
                    luma: s.pixels().expect("pixels"),
                };
                for plan in [&camera, &file] {
                    n += 1;
                    let a = decode_planned(&frame, plan, &mut CostModel::default(), Source::Camera);
                    if let Some((scan, pass)) = a.found {
                        read.push((s.name.clone(), scan.text, pass));
                    }
                }
            }
        }
    }
    assert_eq!(n, 108);
    assert!(read.is_empty(), "read from decoys: {read:#?}");
}

#[test]
fn the_generated_texts_are_valid_pack_codes() {
    // The corpus is only a fair test if its codes are ones the parser
    // accepts: check digits, dates, the IFA envelope.
    let today = packcode::Date {
        year: 2026,
        month: 11,
        day: 23,
    };
    for i in 0..60 {
        let s = corpus::sample(corpus::Class::Module(5), (640, 480), i).expect("sample");
        let prefix = if s.gs1 { "]d2" } else { "]d1" };
        let parsed = packcode::parse(&format!("{prefix}{}", s.expected), today);
        assert!(parsed.ok(), "{}: {:?}", s.expected, parsed.errors);
    }
}
