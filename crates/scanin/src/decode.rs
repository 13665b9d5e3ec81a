//! Decoding pack codes from images: Data Matrix first (GS1 `]d2`, and `]d1`
//! with the Format 05/06 envelope), QR for GS1 Digital Link. The decoder
//! works on the luma (grey) plane only.
//!
//! A frame is read in passes, cheapest and likeliest first: the guide box
//! (where the pharmacist holds the pack), then the whole frame, each also
//! inverted (light modules on a dark ground), and rxing's thorough mode last
//! and only on the guide box. A pass is started only while the frame's
//! deadline leaves room for it, judged from what earlier passes cost per
//! pixel, so a hard frame costs its deadline and no more; the passes a
//! frame had no time for go first in the next frame (after the cheap first
//! pass), so a pack held still meets the whole plan within a few frames.

use crate::frames::Frame;
use crate::{RawScan, Source};
use rxing::{BarcodeFormat, DecodeHints, RXingResultMetadataType, RXingResultMetadataValue};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Why an image gave no code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The file is not an image we can read.
    Image(String),
    /// No Data Matrix or QR code was found.
    NotFound,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Image(e) => write!(f, "not a readable image: {e}"),
            DecodeError::NotFound => f.write_str("no Data Matrix or QR code found"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// The guide box, as fractions of the frame (0.0–1.0).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GuideBox {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

impl Default for GuideBox {
    /// The middle half of the width and two thirds of the height: where a
    /// pack held 10–15 cm from a webcam puts its code.
    fn default() -> GuideBox {
        GuideBox {
            left: 0.25,
            top: 1.0 / 6.0,
            right: 0.75,
            bottom: 5.0 / 6.0,
        }
    }
}

/// Where a pass looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    Guide,
    Full,
}

/// One way of looking at a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Pass {
    pub region: Region,
    pub inverted: bool,
    /// rxing's TryHarder mode: several times slower, finds more.
    pub thorough: bool,
    /// Look at the picture halved (2) or as it is (1). Halving sharpens
    /// blurred and noisy codes for the detector, at a quarter of the cost.
    pub shrink: u8,
    /// Sharpen the view and stretch its grey levels to the full range first
    /// (faint print, low light, defocus): rxing's binarizer sees blocks with
    /// less than 24 grey levels of contrast as blank.
    pub enhance: bool,
    /// Grow the dark print by this many pixels (a grey minimum over a
    /// square of side 2·join+1) before the detector looks: dot-printed
    /// codes (inkjet) have gaps between their dots, and rxing's detector
    /// follows the finder's solid edge, which a row of dots does not have.
    /// 1 joins gaps up to 2 px, 2 up to 4 px (at the view's scale).
    pub join: u8,
    /// Our own search instead of rxing's detector on the whole view
    /// ([`run_crops`]): our local threshold ([`binarised`]: each pixel
    /// against the mean of its neighbourhood, with a contrast floor of a
    /// few grey levels where rxing's is 24), symbol-like blobs in it
    /// ([`crate::locate`]), each handed to rxing cut out and then to our
    /// own sampler ([`crate::grid`]). Reads print on coloured board, under
    /// a highlight, dot print and codes with clutter round them: rxing's
    /// detector starts in the middle of what it is given and stops at
    /// clutter.
    pub search: bool,
}

const fn pass(region: Region, inverted: bool, shrink: u8, enhance: bool) -> Pass {
    Pass {
        region,
        inverted,
        thorough: true,
        shrink,
        enhance,
        join: 0,
        search: false,
    }
}

/// A pass over dot print (see [`Pass::join`]).
const fn joined(region: Region, shrink: u8, join: u8) -> Pass {
    Pass {
        join,
        ..pass(region, false, shrink, false)
    }
}

/// A pass of our own search (see [`Pass::search`]).
const fn searched(region: Region, shrink: u8) -> Pass {
    Pass {
        search: true,
        ..pass(region, false, shrink, false)
    }
}

/// The camera's plan, measured on the generated corpus (`examples/probe.rs`
/// shows which pass finds what, at what cost): rxing's thorough mode on the
/// guide box is cheap (3 ms at 720p) and finds most codes; then inverted
/// print; then our own search and sampler (7 ms), which reads what rxing's
/// detector misses (coloured board, dot print, curved packs, a covered
/// edge); then faint print, blur and small modules; then the whole frame.
pub const CAMERA_PASSES: &[Pass] = &[
    pass(Region::Guide, false, 1, false),
    pass(Region::Guide, true, 2, false),
    // Our own search and sampler on the guide box: print on coloured
    // board, dot print, curved packs, an edge covered, 2 px modules.
    searched(Region::Guide, 1),
    pass(Region::Guide, false, 2, true),
    pass(Region::Guide, false, 1, true),
    pass(Region::Full, false, 2, false),
    pass(Region::Full, true, 2, false),
    pass(Region::Full, false, 1, false),
    pass(Region::Guide, true, 1, false),
    // Dot print joined for rxing's own detector.
    joined(Region::Guide, 1, 1),
    // Our own search over the whole frame, halved, last.
    searched(Region::Full, 2),
];

/// An image file: the whole image, no guide box.
pub const FILE_PASSES: &[Pass] = &[
    // Halved first: a quarter of the cost, and most pictures' modules are
    // 3 px or more.
    pass(Region::Full, false, 2, false),
    pass(Region::Full, false, 1, false),
    pass(Region::Full, true, 2, false),
    searched(Region::Full, 1),
    pass(Region::Full, true, 1, false),
    pass(Region::Full, false, 2, true),
    pass(Region::Full, false, 1, true),
    joined(Region::Full, 1, 1),
    joined(Region::Full, 1, 2),
    joined(Region::Full, 2, 1),
    searched(Region::Full, 2),
];

/// Frames above this many pixels are halved before the full-frame passes,
/// which keeps one pass's cost bounded whatever the camera sends.
pub const MAX_FULL_PIXELS: usize = 1920 * 1088;

/// How to decode.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub passes: Vec<Pass>,
    pub guide: GuideBox,
    /// Time allowed per frame; `None` runs every pass.
    pub deadline: Option<Duration>,
}

impl Plan {
    pub fn camera(deadline: Duration) -> Plan {
        Plan {
            passes: CAMERA_PASSES.to_vec(),
            guide: GuideBox::default(),
            deadline: Some(deadline),
        }
    }

    pub fn file() -> Plan {
        Plan {
            passes: FILE_PASSES.to_vec(),
            guide: GuideBox::default(),
            deadline: None,
        }
    }
}

/// What one frame gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub found: Option<(RawScan, Pass)>,
    /// Passes run, in order.
    pub passes: usize,
    /// Passes left out because the deadline had no room for them.
    pub skipped: usize,
    pub elapsed: Duration,
}

/// What passes cost, learned as frames go by (nanoseconds per pixel), and
/// where the next frame resumes the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct CostModel {
    fast_ns_per_px: f64,
    thorough_ns_per_px: f64,
    /// The first pass the deadline left out of the last frame, which read
    /// nothing; 0 when it ran every pass or read a code. The next frame
    /// runs the plan's first (cheapest, likeliest) pass, then goes on from
    /// here and wraps round: a pack held still gets every pass of the plan
    /// within a few frames, not the first few passes of every frame.
    resume_at: usize,
}

impl Default for CostModel {
    /// Cautious starting points (a release build on a slow core measures
    /// about 5 and 25); the model follows the measured costs.
    fn default() -> CostModel {
        CostModel {
            fast_ns_per_px: 10.0,
            thorough_ns_per_px: 50.0,
            resume_at: 0,
        }
    }
}

impl CostModel {
    /// Something new in front of the camera: the next frame starts the
    /// plan from the top (the learned costs stay).
    pub fn new_scene(&mut self) {
        self.resume_at = 0;
    }

    /// The order of the passes of a plan of `n` for the next frame.
    fn order(&self, n: usize) -> Vec<usize> {
        let start = self.resume_at.min(n);
        if start > 1 {
            std::iter::once(0).chain(start..n).chain(1..start).collect()
        } else {
            (0..n).collect()
        }
    }

    fn estimate(&self, p: Pass, px: usize) -> Duration {
        let k = if p.thorough {
            self.thorough_ns_per_px
        } else {
            self.fast_ns_per_px
        };
        Duration::from_nanos((k * px as f64) as u64)
    }

    fn learn(&mut self, p: Pass, px: usize, took: Duration) {
        if px == 0 {
            return;
        }
        let seen = took.as_nanos() as f64 / px as f64;
        let k = if p.thorough {
            &mut self.thorough_ns_per_px
        } else {
            &mut self.fast_ns_per_px
        };
        // Quick to learn that passes are dearer than thought, slow to
        // believe they got cheaper.
        *k = if seen > *k {
            0.5 * *k + 0.5 * seen
        } else {
            0.9 * *k + 0.1 * seen
        };
    }
}

/// A grey view: a cut-out of the frame, perhaps halved and inverted.
pub fn view(frame: &Frame, p: Pass, guide: &GuideBox) -> Frame {
    let (region, inverted) = (p.region, p.inverted);
    let (w, h) = (frame.width as usize, frame.height as usize);
    let (x0, y0, x1, y1) = match region {
        Region::Full => (0, 0, w, h),
        Region::Guide => {
            let f = |v: f32, n: usize| ((v.clamp(0.0, 1.0) * n as f32) as usize).min(n);
            let (x0, x1) = (f(guide.left, w), f(guide.right, w));
            let (y0, y1) = (f(guide.top, h), f(guide.bottom, h));
            if x1 <= x0 + 16 || y1 <= y0 + 16 {
                (0, 0, w, h)
            } else {
                (x0, y0, x1, y1)
            }
        }
    };
    let step = if (x1 - x0) * (y1 - y0) > MAX_FULL_PIXELS || p.shrink == 2 {
        2
    } else {
        1
    };
    let (vw, vh) = ((x1 - x0) / step, (y1 - y0) / step);
    let mut luma = Vec::with_capacity(vw * vh);
    for y in 0..vh {
        let row = (y0 + y * step) * w;
        for x in 0..vw {
            let i = row + x0 + x * step;
            let v = if step == 2 {
                // The mean of the 2×2 block.
                let s = u16::from(frame.luma[i])
                    + u16::from(frame.luma[i + 1])
                    + u16::from(frame.luma[i + w])
                    + u16::from(frame.luma[i + w + 1]);
                (s / 4) as u8
            } else {
                frame.luma[i]
            };
            luma.push(if inverted { 255 - v } else { v });
        }
    }
    if p.enhance {
        sharpen(&mut luma, vw, vh);
        stretch(&mut luma);
    }
    if p.join > 0 {
        darkest_around(&mut luma, vw, vh, usize::from(p.join));
    }
    Frame {
        width: vw as u32,
        height: vh as u32,
        luma,
    }
}

/// The local threshold's neighbourhood: a square of side 2·10+1 = 21 px,
/// four to ten modules at the module sizes a webcam sees (2–5 px in the
/// view), so that every neighbourhood in a symbol holds ink and paper.
pub const LOCAL_RADIUS: usize = 10;

/// The least contrast the local threshold reads as print: a standard
/// deviation of 7 grey levels in the neighbourhood (print with about 15
/// levels between ink and paper). A plain area's sensor noise and board
/// texture stay under it (3–6 levels), so it reads as blank paper instead
/// of speckle that would feed the detector false edges.
pub const LOCAL_FLOOR: u64 = 7;

/// Our local threshold of a grey view (0 dark, 255 light): a 3×3 mean,
/// then [`local_threshold`] with [`LOCAL_RADIUS`] and [`LOCAL_FLOOR`].
pub fn binarised(v: &Frame) -> Vec<u8> {
    let (w, h) = (v.width as usize, v.height as usize);
    let mut bin = v.luma.clone();
    mean3(&mut bin, w, h);
    local_threshold(&mut bin, w, h, LOCAL_RADIUS, LOCAL_FLOOR);
    bin
}

/// Binarises in place: black (0) where a pixel is darker than the mean of
/// the square of side 2·r+1 around it and that square has at least `floor`
/// grey levels of standard deviation; white (255) elsewhere. The window
/// sums are running sums, rows then columns: linear in the pixels whatever
/// the radius.
fn local_threshold(luma: &mut [u8], w: usize, h: usize, r: usize, floor: u64) {
    if w == 0 || h == 0 || luma.len() != w * h {
        return;
    }
    // Sums of v and v² over each pixel's row window.
    let mut rs = vec![0u32; w * h];
    let mut rq = vec![0u32; w * h];
    for y in 0..h {
        let line = &luma[y * w..(y + 1) * w];
        let (mut s, mut q) = (0u32, 0u32);
        for &v in &line[..r.min(w - 1) + 1] {
            s += u32::from(v);
            q += u32::from(v) * u32::from(v);
        }
        for x in 0..w {
            rs[y * w + x] = s;
            rq[y * w + x] = q;
            if x + r + 1 < w {
                let v = u32::from(line[x + r + 1]);
                s += v;
                q += v * v;
            }
            if x >= r {
                let v = u32::from(line[x - r]);
                s -= v;
                q -= v * v;
            }
        }
    }
    // Then over the column window, row by row.
    let mut cs = vec![0u64; w];
    let mut cq = vec![0u64; w];
    for y in 0..=r.min(h - 1) {
        for x in 0..w {
            cs[x] += u64::from(rs[y * w + x]);
            cq[x] += u64::from(rq[y * w + x]);
        }
    }
    let floor2 = floor * floor;
    for y in 0..h {
        let rows = (y + r).min(h - 1) - y.saturating_sub(r) + 1;
        for x in 0..w {
            let cols = (x + r).min(w - 1) - x.saturating_sub(r) + 1;
            let n = (rows * cols) as u64;
            let (s, q) = (cs[x], cq[x]);
            // n²·variance = n·Σv² − (Σv)²; dark when n·v < Σv.
            let spread = (n * q).saturating_sub(s * s);
            let i = y * w + x;
            let dark = spread >= floor2 * n * n && u64::from(luma[i]) * n < s;
            luma[i] = if dark { 0 } else { 255 };
        }
        if y + r + 1 < h {
            let add = (y + r + 1) * w;
            for x in 0..w {
                cs[x] += u64::from(rs[add + x]);
                cq[x] += u64::from(rq[add + x]);
            }
        }
        if y >= r {
            let sub = (y - r) * w;
            for x in 0..w {
                cs[x] -= u64::from(rs[sub + x]);
                cq[x] -= u64::from(rq[sub + x]);
            }
        }
    }
}

/// A 3×3 box mean (edges: the pixels there are): takes a third off the
/// sensor's noise before a threshold decides pixel by pixel.
fn mean3(luma: &mut [u8], w: usize, h: usize) {
    if w < 3 || h < 3 || luma.len() != w * h {
        return;
    }
    let src = luma.to_vec();
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let mut s = 0u16;
            for r in y - 1..=y + 1 {
                s += src[r * w + x - 1..=r * w + x + 1]
                    .iter()
                    .map(|&v| u16::from(v))
                    .sum::<u16>();
            }
            luma[y * w + x] = (s / 9) as u8;
        }
    }
}

/// Each pixel becomes the darkest of the square of side 2·r+1 around it
/// (a grey erosion of the paper, in two passes: rows, then columns), which
/// joins dots that are at most 2·r px apart into solid modules.
fn darkest_around(luma: &mut [u8], w: usize, h: usize, r: usize) {
    if w == 0 || h == 0 || r == 0 {
        return;
    }
    let mut rows = vec![0u8; luma.len()];
    for y in 0..h {
        let line = &luma[y * w..(y + 1) * w];
        for x in 0..w {
            let (a, b) = (x.saturating_sub(r), (x + r).min(w - 1));
            rows[y * w + x] = line[a..=b].iter().copied().min().unwrap_or(255);
        }
    }
    for x in 0..w {
        for y in 0..h {
            let (a, b) = (y.saturating_sub(r), (y + r).min(h - 1));
            luma[y * w + x] = (a..=b).map(|yy| rows[yy * w + x]).min().unwrap_or(255);
        }
    }
}

/// An unsharp mask (3×3 box, amount 1.5): restores module edges that
/// defocus and motion have softened.
fn sharpen(luma: &mut [u8], w: usize, h: usize) {
    if w < 3 || h < 3 {
        return;
    }
    let src = luma.to_vec();
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let mut sum = 0i32;
            for dy in 0..3 {
                for dx in 0..3 {
                    sum += i32::from(src[(y + dy - 1) * w + x + dx - 1]);
                }
            }
            let c = i32::from(src[y * w + x]);
            let v = c + (3 * (9 * c - sum)) / 18;
            luma[y * w + x] = v.clamp(0, 255) as u8;
        }
    }
}

/// Maps the 1st–99th percentile of the grey levels onto 0–255.
fn stretch(luma: &mut [u8]) {
    let mut hist = [0usize; 256];
    for &v in luma.iter() {
        hist[usize::from(v)] += 1;
    }
    let cut = luma.len() / 100;
    let (mut lo, mut acc) = (0usize, 0usize);
    while lo < 255 && acc + hist[lo] <= cut {
        acc += hist[lo];
        lo += 1;
    }
    let (mut hi, mut acc) = (255usize, 0usize);
    while hi > lo && acc + hist[hi] <= cut {
        acc += hist[hi];
        hi -= 1;
    }
    if hi <= lo + 8 {
        return;
    }
    let span = (hi - lo) as u32;
    let map: Vec<u8> = (0..256u32)
        .map(|v| {
            let v = v.clamp(lo as u32, hi as u32) - lo as u32;
            u8::try_from(v * 255 / span).unwrap_or(u8::MAX)
        })
        .collect();
    for v in luma.iter_mut() {
        *v = map[usize::from(*v)];
    }
}

pub fn run_pass(v: &Frame, thorough: bool) -> Option<String> {
    let mut hints = DecodeHints {
        // Must be explicit: the helper turns `None` into `Some(true)`.
        TryHarder: Some(thorough),
        PossibleFormats: Some(HashSet::from([
            BarcodeFormat::DATA_MATRIX,
            BarcodeFormat::QR_CODE,
        ])),
        ..DecodeHints::default()
    };
    let r = rxing::helpers::detect_in_luma_slice_with_hints(
        &v.luma, v.width, v.height, None, &mut hints,
    )
    .ok()?;
    let symbology = match r
        .getRXingResultMetadata()
        .get(&RXingResultMetadataType::SYMBOLOGY_IDENTIFIER)
    {
        Some(RXingResultMetadataValue::SymbologyIdentifier(s)) => s.clone(),
        _ => String::new(),
    };
    Some(format!("{symbology}{}", r.getText()))
}

/// Finds candidates ([`crate::locate`]) in the local threshold of the grey
/// view `v` and reads each: rxing on it cut out with a margin of a fifth of
/// its size, then our own sampler ([`crate::grid`]), then, for a small
/// candidate, both again on it enlarged twice (modules of one to two
/// pixels, which neither the threshold nor the sampler resolve).
pub fn run_crops(v: &Frame, thorough: bool) -> Option<String> {
    read_candidates(v, Some(thorough), true)
}

/// [`run_crops`] without rxing's detector: our own search and sampler
/// alone (for the tests and the probe, which measure them on their own).
pub fn run_own(v: &Frame) -> Option<String> {
    read_candidates(v, None, true)
}

/// A candidate at most this many pixels on its longer side is also read
/// enlarged: a 26×26 symbol at 2.3 px per module with its margin, the
/// largest whose modules are under two pixels in the usual sizes.
pub const ENLARGE_BELOW: usize = 60;

/// `rxing`: whether rxing's detector reads each cut-out first (and in its
/// thorough mode or not).
fn read_candidates(v: &Frame, rxing: Option<bool>, enlarge: bool) -> Option<String> {
    let (w, h) = (v.width as usize, v.height as usize);
    let bin = binarised(v);
    crate::locate::candidates(&bin, w, h)
        .into_iter()
        .find_map(|c| {
            let r = c.rect;
            let r = r.grown(r.width().max(r.height()) / 5 + 3, w, h);
            rxing
                .and_then(|thorough| run_pass(&cut(&bin, w, &r), thorough))
                .or_else(|| crate::grid::read(&v.luma, &bin, w, h, &c))
                .or_else(|| {
                    let small = c.rect.width().max(c.rect.height()) <= ENLARGE_BELOW;
                    (enlarge && small)
                        .then(|| read_candidates(&enlarged(&cut(&v.luma, w, &r)), rxing, false))
                        .flatten()
                })
        })
}

/// The part `r` of a picture `w` wide.
fn cut(luma: &[u8], w: usize, r: &crate::locate::Rect) -> Frame {
    let mut out = Vec::with_capacity(r.width() * r.height());
    for y in r.y0..r.y1 {
        out.extend_from_slice(&luma[y * w + r.x0..y * w + r.x1]);
    }
    Frame {
        width: r.width() as u32,
        height: r.height() as u32,
        luma: out,
    }
}

/// The picture at twice its size, bilinear.
fn enlarged(f: &Frame) -> Frame {
    let (w, h) = (f.width as usize, f.height as usize);
    let (ew, eh) = (2 * w, 2 * h);
    let mut luma = Vec::with_capacity(ew * eh);
    let px = |x: usize, y: usize| f32::from(f.luma[y.min(h - 1) * w + x.min(w - 1)]);
    for y in 0..eh {
        // The enlarged pixel's centre in the source's pixel coordinates.
        let sy = ((y as f32 + 0.5) / 2.0 - 0.5).max(0.0);
        let (y0, fy) = (sy as usize, sy.fract());
        for x in 0..ew {
            let sx = ((x as f32 + 0.5) / 2.0 - 0.5).max(0.0);
            let (x0, fx) = (sx as usize, sx.fract());
            let top = px(x0, y0) + (px(x0 + 1, y0) - px(x0, y0)) * fx;
            let bottom = px(x0, y0 + 1) + (px(x0 + 1, y0 + 1) - px(x0, y0 + 1)) * fx;
            luma.push((top + (bottom - top) * fy).round() as u8);
        }
    }
    Frame {
        width: ew as u32,
        height: eh as u32,
        luma,
    }
}

/// Decodes one frame by `plan`, learning pass costs into `costs`.
pub fn decode_planned(
    frame: &Frame,
    plan: &Plan,
    costs: &mut CostModel,
    source: Source,
) -> Attempt {
    let start = Instant::now();
    let mut attempt = Attempt {
        found: None,
        passes: 0,
        skipped: 0,
        elapsed: Duration::ZERO,
    };
    let valid = frame.width > 0
        && frame.height > 0
        && frame.luma.len() == frame.width as usize * frame.height as usize;
    if !valid {
        attempt.skipped = plan.passes.len();
        return attempt;
    }
    let n = plan.passes.len();
    let mut first_skipped = None;
    for (k, i) in costs.order(n).into_iter().enumerate() {
        let p = plan.passes[i];
        let v = view(frame, p, &plan.guide);
        let px = v.luma.len();
        if let Some(deadline) = plan.deadline {
            if start.elapsed() + costs.estimate(p, px) > deadline {
                attempt.skipped += 1;
                first_skipped.get_or_insert(i);
                continue;
            }
        }
        let t = Instant::now();
        let text = if p.search {
            run_crops(&v, p.thorough)
        } else {
            run_pass(&v, p.thorough)
        };
        costs.learn(p, px, t.elapsed());
        attempt.passes += 1;
        if let Some(text) = text {
            attempt.found = Some((
                RawScan {
                    text,
                    source,
                    caps_lock: false,
                },
                p,
            ));
            attempt.skipped += n - k - 1;
            break;
        }
    }
    costs.resume_at = match (&attempt.found, first_skipped) {
        (None, Some(i)) => i,
        _ => 0,
    };
    attempt.elapsed = start.elapsed();
    attempt
}

/// Decodes one frame, every file pass, no deadline.
pub fn decode_frame(frame: &Frame) -> Result<RawScan, DecodeError> {
    decode_planned(
        frame,
        &Plan::file(),
        &mut CostModel::default(),
        Source::ImageFile,
    )
    .found
    .map(|(s, _)| s)
    .ok_or(DecodeError::NotFound)
}

/// Decodes an image file (PNG or JPEG).
pub fn decode_file(path: &std::path::Path) -> Result<RawScan, DecodeError> {
    let frame = crate::frames::load_luma(path).map_err(DecodeError::Image)?;
    decode_frame(&frame)
}

#[cfg(test)]
mod tests {
    use super::{
        darkest_around, decode_planned, enlarged, local_threshold, CostModel, Frame, Plan,
    };

    #[test]
    fn a_frame_cut_short_hands_its_left_out_passes_to_the_next() {
        let mut costs = CostModel::default();
        assert_eq!(costs.order(4), vec![0, 1, 2, 3]);
        costs.resume_at = 2;
        // The cheap first pass, then where the last frame stopped, round.
        assert_eq!(costs.order(4), vec![0, 2, 3, 1]);
        // A plan shorter than the resume point starts from the top.
        assert_eq!(costs.order(2), vec![0, 1]);
        costs.new_scene();
        assert_eq!(costs.order(4), vec![0, 1, 2, 3]);
        // A frame with no time for any pass resumes at the first.
        let frame = Frame {
            width: 64,
            height: 48,
            luma: vec![128; 64 * 48],
        };
        costs.resume_at = 3;
        let plan = Plan::camera(std::time::Duration::ZERO);
        let a = decode_planned(&frame, &plan, &mut costs, crate::Source::Camera);
        assert_eq!((a.passes, a.skipped), (0, plan.passes.len()));
        assert_eq!(costs.resume_at, 0);
    }

    #[test]
    fn enlarging_doubles_each_side_and_keeps_the_levels() {
        let f = Frame {
            width: 3,
            height: 2,
            luma: vec![0, 100, 200, 50, 150, 250],
        };
        let e = enlarged(&f);
        assert_eq!((e.width, e.height, e.luma.len()), (6, 4, 24));
        // The corners keep their pixels' levels; in between is between.
        assert_eq!(
            (e.luma[0], e.luma[5], e.luma[18], e.luma[23]),
            (0, 200, 50, 250)
        );
        assert!(e.luma[1] > 0 && e.luma[1] < 100, "{:?}", e.luma);
    }

    #[test]
    fn the_local_threshold_is_the_window_mean_with_a_contrast_floor() {
        // Against the definition, window by window, on a textured picture
        // with a flat part (no contrast: light whatever its level).
        let (w, h, r, floor) = (37usize, 23usize, 4usize, 7u64);
        let mut seed = 12345u32;
        let src: Vec<u8> = (0..w * h)
            .map(|i| {
                if i % w > 28 {
                    return 90;
                }
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (seed >> 24) as u8
            })
            .collect();
        let mut got = src.clone();
        local_threshold(&mut got, w, h, r, floor);
        for y in 0..h {
            for x in 0..w {
                let (mut s, mut q, mut n) = (0f64, 0f64, 0f64);
                for yy in y.saturating_sub(r)..=(y + r).min(h - 1) {
                    for xx in x.saturating_sub(r)..=(x + r).min(w - 1) {
                        let v = f64::from(src[yy * w + xx]);
                        s += v;
                        q += v * v;
                        n += 1.0;
                    }
                }
                let mean = s / n;
                let sd = (q / n - mean * mean).max(0.0).sqrt();
                let v = f64::from(src[y * w + x]);
                let want = if sd >= floor as f64 && v < mean {
                    0
                } else {
                    255
                };
                assert_eq!(got[y * w + x], want, "at ({x}, {y})");
            }
        }
        assert!(got.contains(&0) && got[w - 1] == 255);
    }

    #[test]
    fn joining_closes_gaps_up_to_twice_the_radius_and_no_wider() {
        // A row of dark dots (0) on paper (200), gaps of 2 px, then one gap
        // of 4 px.
        let row: Vec<u8> = "DD..DD..DD....DD"
            .bytes()
            .map(|b| if b == b'D' { 0 } else { 200 })
            .collect();
        let (w, h) = (row.len(), 3);
        let mut luma: Vec<u8> = (0..h).flat_map(|_| row.clone()).collect();
        darkest_around(&mut luma, w, h, 1);
        let mid: String = luma[w..2 * w]
            .iter()
            .map(|&v| if v == 0 { 'D' } else { '.' })
            .collect();
        // The 2 px gaps are closed; the 4 px gap keeps 2 px of paper.
        assert_eq!(mid, "DDDDDDDDDDD..DDD");
        // Radius 0 changes nothing; an empty picture is left alone.
        let mut same = row.clone();
        darkest_around(&mut same, w, 1, 0);
        assert_eq!(same, row);
        darkest_around(&mut [], 0, 0, 2);
    }
}
