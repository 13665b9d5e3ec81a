//! The demo sheet: pack codes of the training simulator as Data Matrix
//! pictures, each showing one verdict.

use crate::view::DemoCode;
use crate::DeskError;

fn symbol(text: &str) -> Result<datamatrix::placement::Bitmap<bool>, DeskError> {
    Ok(datamatrix::DataMatrixBuilder::new()
        .with_symbol_list(datamatrix::SymbolList::default().enforce_square())
        .with_fnc1_start(true)
        .encode(text.as_bytes())
        .map_err(|e| DeskError::Simulator(format!("demo code: {e:?}")))?
        .bitmap())
}

/// The demo codes as pictures a camera might take: each code on a white
/// label in the middle of a 640×480 grey frame, 6 pixels per module.
pub(crate) fn demo_pictures(
    demo: &[DemoCode],
    dir: &std::path::Path,
) -> Result<Vec<std::path::PathBuf>, DeskError> {
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::new();
    for (n, d) in demo
        .iter()
        .filter(|d| d.text.starts_with("]d2"))
        .enumerate()
    {
        let text = d.text.replace("<GS>", "\u{1d}");
        let bm = symbol(text.trim_start_matches("]d2"))?;
        let m = 6u32;
        let (bw, bh) = (bm.width() as u32, bm.height() as u32);
        let (w, h) = (640u32, 480u32);
        let (x0, y0) = ((w - bw * m) / 2, (h - bh * m) / 2);
        let bits = bm.bits();
        let img = image::GrayImage::from_fn(w, h, |x, y| {
            let label = x + 4 * m >= x0
                && x < x0 + (bw + 4) * m
                && y + 4 * m >= y0
                && y < y0 + (bh + 4) * m;
            if x >= x0 && y >= y0 && (x - x0) / m < bw && (y - y0) / m < bh {
                let i = ((y - y0) / m * bw + (x - x0) / m) as usize;
                image::Luma([if bits[i] { 30 } else { 225 }])
            } else if label {
                image::Luma([225])
            } else {
                image::Luma([(110 + (x / 40 + y / 40) % 2 * 30) as u8])
            }
        });
        let path = dir.join(format!("demo-{n}.png"));
        img.save(&path).map_err(|e| {
            DeskError::Input(crate::words::Sentence::said(format!("demo picture: {e}")))
        })?;
        out.push(path);
    }
    Ok(out)
}

/// A GS1 Data Matrix (FNC1 first) as SVG, one unit per module, with a
/// quiet zone of two modules.
pub(crate) fn svg(text: &str) -> Result<String, DeskError> {
    Ok(svg_of(&symbol(text)?))
}

/// A Data Matrix bitmap as SVG, one unit per module, two modules of quiet zone.
fn svg_of(bm: &datamatrix::placement::Bitmap<bool>) -> String {
    let (w, h) = (bm.width() + 4, bm.height() + 4);
    let mut path = String::new();
    for (x, y) in bm.pixels() {
        path.push_str(&format!("M{} {}h1v1h-1z", x + 2, y + 2));
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" shape-rendering=\"crispEdges\"><rect width=\"{w}\" height=\"{h}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    )
}

/// Picks the demo packs from the simulator's export and sets their stories
/// up: three genuine packs (a prescription), one from a batch the training
/// simulator recalls, one reported stolen, and a pack the system has never
/// seen (a falsification).
pub(crate) async fn demo_packs(
    export: &str,
    admin: &simulator::admin::AdminClient,
) -> Result<Vec<DemoCode>, DeskError> {
    let lines: Vec<&str> = export.lines().filter(|l| l.starts_with("]d2")).collect();
    let today = crate::today();
    let part = |l: &str, f: fn(&packcode::Scan) -> Option<String>| f(&packcode::parse(l, today));
    let product = |l: &str| part(l, |s| s.product_code().map(|(c, _)| c.to_owned()));
    let batch_of = |l: &str| part(l, |s| s.batch().map(str::to_owned));
    let serial_of = |l: &str| part(l, |s| s.serial().map(str::to_owned));
    let mut picks: Vec<(&str, &str)> = Vec::new();
    let mut used_batches = std::collections::HashSet::new();
    // Three genuine packs of different products.
    let mut seen_products = std::collections::HashSet::new();
    for l in &lines {
        if picks.len() == 3 {
            break;
        }
        if let (Some(p), Some(b)) = (product(l), batch_of(l)) {
            if seen_products.insert(p) {
                used_batches.insert(b);
                picks.push((l, "A genuine pack: green, into the basket"));
            }
        }
    }
    // A pack of a batch nobody else uses, recalled.
    let recalled = lines
        .iter()
        .rev()
        .find(|l| batch_of(l).is_some_and(|b| !used_batches.contains(&b)))
        .copied();
    if let Some(l) = recalled {
        if let Some(b) = batch_of(l) {
            admin
                .recall(&b, false)
                .await
                .map_err(|e| DeskError::Simulator(e.to_string()))?;
            used_batches.insert(b);
        }
        picks.push((l, "A pack of a recalled batch: red"));
    }
    // A pack reported stolen.
    let stolen = lines
        .iter()
        .find(|l| batch_of(l).is_some_and(|b| !used_batches.contains(&b)))
        .copied();
    if let Some(l) = stolen {
        if let (Some(p), Some(s)) = (product(l), serial_of(l)) {
            admin
                .set_pack_state(&p, &s, "STOLEN")
                .await
                .map_err(|e| DeskError::Simulator(e.to_string()))?;
        }
        picks.push((l, "A pack reported stolen: red"));
    }
    let mut out = Vec::new();
    for (l, label) in picks {
        let body = l.trim_start_matches("]d2");
        out.push(DemoCode {
            label: label.to_owned(),
            text: l.replace('\u{1d}', "<GS>"),
            svg: svg(body)?,
        });
    }
    let calibration = calibration_code()?;
    // A serial the system has never issued: a falsified pack.
    if let Some(first) = lines.first() {
        if let Some(s) = serial_of(first) {
            let fake = first.replace(&format!("\u{1d}21{s}"), "\u{1d}21FAKE0000SN01");
            out.push(DemoCode {
                label: "A pack the system does not know (falsified?): red alert".into(),
                text: fake.replace('\u{1d}', "<GS>"),
                svg: svg(fake.trim_start_matches("]d2"))?,
            });
        }
    }
    out.push(calibration);
    Ok(out)
}

/// The calibration code: scanned once per workstation (K) so the desk
/// learns what this keyboard layout makes of the scanner's keys. Shown on
/// the scanner-setup screen in every mode.
pub(crate) fn calibration_code() -> Result<DemoCode, DeskError> {
    let cal = scanin::calibrate::CALIBRATION_TEXT;
    let code = datamatrix::DataMatrixBuilder::new()
        .with_symbol_list(datamatrix::SymbolList::default().enforce_square())
        .encode(cal.trim_start_matches("]d1").as_bytes())
        .map_err(|e| {
            DeskError::Input(crate::words::Sentence::said(format!(
                "calibration code: {e:?}"
            )))
        })?;
    Ok(DemoCode {
        label: "The calibration code: press K, then scan it (once per workstation)".into(),
        text: cal.to_owned(),
        svg: svg_of(&code.bitmap()),
    })
}
