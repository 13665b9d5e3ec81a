//! # corpus
//!
//! Camera-like pictures of pack codes, generated: a GS1 or IFA Data Matrix
//! printed on a pack label, in a cluttered scene, at webcam resolutions,
//! with one impairment per class (module size, rotation, perspective, blur,
//! noise, glare, low contrast, inversion, occlusion, JPEG, and what real
//! packs add: dot print, DMRE rectangles, modules of one to two pixels,
//! curved packs with a highlight, phone sharpening, coloured board). Every picture
//! is a pure function of its class, resolution and index, so the tests and
//! the benchmark (and the peer decoder in Python) see the same pixels.
//!
//! The expected text is what the code was made from; a decoder that
//! returns anything else has misread.

use rxing::{BarcodeFormat, EncodeHints, Writer};

/// Changes whenever the pictures change (a class added, a rendering
/// altered), so that a corpus written to disk earlier is not taken for
/// this one.
pub const VERSION: u32 = 5;

/// Webcam resolutions the corpus is made at.
pub const RESOLUTIONS: [(u32, u32); 3] = [(640, 480), (1280, 720), (1920, 1080)];

/// One kind of picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// A clean code at this many pixels per module.
    Module(u8),
    Rotation,
    Perspective,
    Blur,
    Noise,
    Glare,
    LowContrast,
    Inverted,
    Occluded,
    Jpeg,
    /// Dot-printed (inkjet, dot-peen): every dark module a round dot with
    /// gaps around it, at 5 px per module; the finder L is a row of dots,
    /// not a solid bar.
    Dots,
    /// A DMRE rectangle (ISO/IEC 21471: 8–26 rows, up to 144 columns), the
    /// smallest that holds the text, at 4 px per module.
    Dmre,
    /// Modules of 1.2–1.9 px: a small code far from the camera, or a scan
    /// at low resolution.
    Tiny,
    /// A label on a vial or a bottle: the symbol wraps round a cylinder
    /// (it covers 50–90° of arc), the paper darkens towards the sides and a
    /// glossy varnish throws a bright stripe along the axis.
    Curved,
    /// A phone picture: soft optics, sensor noise, then the camera's
    /// sharpening (an unsharp mask of amount 1.2–2.2), which rings bright
    /// and dark halos round every module edge and amplifies the noise.
    Sharpened,
    /// Print on coloured board as the grey plane sees it (black on dark red,
    /// blue on green): 22–36 grey levels between ink and board, and the
    /// board's mottled texture.
    Board,
    /// The label anywhere in the frame, not where the guide box asks for
    /// it (a photograph, a pack held off-centre).
    Anywhere,
    /// A phone's picture of a vial: `Curved` and `Sharpened` at once, turned
    /// by up to 17°, at 3–4 px per module.
    Phone,
}

impl Class {
    /// Every class, module sizes 2–8 first.
    pub fn all() -> Vec<Class> {
        let mut v: Vec<Class> = (2..=8).map(Class::Module).collect();
        v.extend([
            Class::Rotation,
            Class::Perspective,
            Class::Blur,
            Class::Noise,
            Class::Glare,
            Class::LowContrast,
            Class::Inverted,
            Class::Occluded,
            Class::Jpeg,
            Class::Dots,
            Class::Dmre,
            Class::Tiny,
            Class::Curved,
            Class::Sharpened,
            Class::Board,
            Class::Anywhere,
            Class::Phone,
        ]);
        v
    }

    pub fn name(&self) -> String {
        match self {
            Class::Module(m) => format!("module-{m}px"),
            Class::Rotation => "rotation".into(),
            Class::Perspective => "perspective".into(),
            Class::Blur => "blur".into(),
            Class::Noise => "noise".into(),
            Class::Glare => "glare".into(),
            Class::LowContrast => "low-contrast".into(),
            Class::Inverted => "inverted".into(),
            Class::Occluded => "occluded".into(),
            Class::Jpeg => "jpeg".into(),
            Class::Dots => "dots".into(),
            Class::Dmre => "dmre".into(),
            Class::Tiny => "tiny".into(),
            Class::Curved => "curved".into(),
            Class::Sharpened => "sharpened".into(),
            Class::Board => "board".into(),
            Class::Anywhere => "anywhere".into(),
            Class::Phone => "phone".into(),
        }
    }

    fn module(&self) -> f32 {
        match self {
            Class::Module(m) => f32::from(*m),
            Class::Dots => 5.0,
            _ => 4.0,
        }
    }
}

/// One generated picture.
#[derive(Debug, Clone)]
pub struct Sample {
    /// A file name without extension, unique in the corpus.
    pub name: String,
    pub class: Class,
    pub width: u32,
    pub height: u32,
    /// The encoded text, without a symbology identifier.
    pub expected: String,
    /// GS1 (`]d2`) or IFA Format 06.
    pub gs1: bool,
    /// The grey picture as rendered.
    pub luma: Vec<u8>,
    /// For the JPEG class: the compressed file (decode it to get the
    /// picture a decoder sees).
    pub jpeg: Option<Vec<u8>>,
}

impl Sample {
    /// The pixels a decoder is given (the JPEG decoded, for that class).
    pub fn pixels(&self) -> Result<Vec<u8>, String> {
        match &self.jpeg {
            None => Ok(self.luma.clone()),
            Some(bytes) => image::load_from_memory(bytes)
                .map(|i| i.to_luma8().into_raw())
                .map_err(|e| e.to_string()),
        }
    }

    /// The file extension the sample is written with.
    pub fn extension(&self) -> &'static str {
        if self.jpeg.is_some() {
            "jpg"
        } else {
            "png"
        }
    }

    /// Writes the picture into `dir` and returns its path.
    pub fn write(&self, dir: &std::path::Path) -> Result<std::path::PathBuf, String> {
        let path = dir.join(format!("{}.{}", self.name, self.extension()));
        match &self.jpeg {
            Some(bytes) => std::fs::write(&path, bytes).map_err(|e| e.to_string())?,
            None => image::GrayImage::from_raw(self.width, self.height, self.luma.clone())
                .ok_or("picture size mismatch")?
                .save(&path)
                .map_err(|e| e.to_string())?,
        }
        Ok(path)
    }
}

/// SplitMix64: small, fast, and the same everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Roughly normal (sum of four uniforms), mean 0, deviation 1.
    pub fn normal(&mut self) -> f32 {
        let s: f32 = (0..4).map(|_| self.unit()).sum();
        (s - 2.0) * 1.732
    }
}

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect()
}

fn alnum(rng: &mut Rng, n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    (0..n)
        .map(|_| char::from(A[rng.below(A.len() as u64) as usize]))
        .collect()
}

/// A GTIN-14 with its check digit (GS1 mod 10, weights 3 and 1 from the right).
pub fn gtin14(body13: &str) -> String {
    let sum: u32 = body13
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    format!("{body13}{}", (10 - sum % 10) % 10)
}

/// A PPN: `11`, the PZN (with its mod-11 check digit) and the two PPN
/// check digits (ASCII values weighted 2, 3, … mod 97).
fn ppn(rng: &mut Rng) -> String {
    loop {
        let body = digits(rng, 7);
        let sum: u32 = body
            .bytes()
            .enumerate()
            .map(|(i, b)| u32::from(b - b'0') * (i as u32 + 1))
            .sum();
        let check = sum % 11;
        if check == 10 {
            continue;
        }
        let pzn = format!("{body}{check}");
        let head = format!("11{pzn}");
        let sum: u32 = head
            .bytes()
            .enumerate()
            .map(|(i, b)| u32::from(b) * (i as u32 + 2))
            .sum();
        return format!("{head}{:02}", sum % 97);
    }
}

/// The text of a pack code: GS1 (01)(17)(10)(21) or IFA Format 06.
pub fn pack_text(rng: &mut Rng, gs1: bool) -> String {
    let expiry = format!(
        "{:02}{:02}{:02}",
        27 + rng.below(4),
        1 + rng.below(12),
        1 + rng.below(28)
    );
    let batch_len = 4 + rng.below(7) as usize;
    let batch = alnum(rng, batch_len);
    let serial_len = 8 + rng.below(9) as usize;
    let serial = alnum(rng, serial_len);
    if gs1 {
        let gtin = gtin14(&format!("0{}", digits(rng, 12)));
        format!("01{gtin}17{expiry}10{batch}\u{1d}21{serial}")
    } else {
        format!(
            "[)>\u{1e}06\u{1d}9N{}\u{1d}1T{batch}\u{1d}D{expiry}\u{1d}S{serial}\u{1e}\u{4}",
            ppn(rng)
        )
    }
}

/// The symbol's modules (true = dark), row by row.
pub struct Symbol {
    pub size: (u32, u32),
    dark: Vec<bool>,
}

impl std::fmt::Debug for Symbol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Symbol").field("size", &self.size).finish()
    }
}

impl Symbol {
    pub fn get(&self, x: u32, y: u32) -> bool {
        x < self.size.0 && y < self.size.1 && self.dark[(y * self.size.0 + x) as usize]
    }
}

/// Encodes `text` as a square Data Matrix: GS1 (FNC1 first, GS between
/// variable-length elements) when `gs1`, else with the Format 05/06 macro
/// codeword where the text has its envelope.
///
/// Two encoders, each where the other has a bug: GS1 by the `datamatrix`
/// crate (rxing 0.9.3's minimal encoder, its only one with GS1 mode, trips an
/// internal assertion when a GS falls inside a C40 run, which upper-case
/// batches and serials hit often; separators after the first are encoded
/// as the GS character, which decoders return as they return FNC1); IFA by
/// rxing's standard encoder (the `datamatrix` crate's macro mode loses the
/// last character before the trailer).
pub fn encode(text: &str, gs1: bool) -> Result<Symbol, String> {
    encode_shaped(text, gs1, false)
}

/// [`encode`], or as a DMRE rectangle when `dmre` (the `datamatrix` crate
/// for both kinds: rxing's encoder has no DMRE sizes; IFA text is then
/// encoded as it stands, envelope characters included, without the macro
/// codeword, and decodes to the same text).
pub fn encode_shaped(text: &str, gs1: bool, dmre: bool) -> Result<Symbol, String> {
    if dmre {
        let sizes = datamatrix::SymbolList::with_whitelist(
            datamatrix::SymbolList::all().iter().filter(|s| s.is_dmre()),
        );
        return by_datamatrix_crate(text, sizes, gs1, false);
    }
    if gs1 {
        let sizes = datamatrix::SymbolList::default().enforce_square();
        return by_datamatrix_crate(text, sizes, true, true);
    }
    let hints = EncodeHints {
        DataMatrixShape: Some(rxing::datamatrix::encoder::SymbolShapeHint::FORCE_SQUARE),
        Margin: Some("0".into()),
        ..EncodeHints::default()
    };
    let m = rxing::datamatrix::DataMatrixWriter
        .encode_with_hints(text, &BarcodeFormat::DATA_MATRIX, 0, 0, &hints)
        .map_err(|e| e.to_string())?;
    let (w, h) = (m.getWidth(), m.getHeight());
    let mut dark = Vec::with_capacity((w * h) as usize);
    for y in 0..h {
        for x in 0..w {
            dark.push(m.get(x, y));
        }
    }
    Ok(Symbol { size: (w, h), dark })
}

/// `text` by the `datamatrix` crate in one of `sizes`, with FNC1 first
/// when `fnc1` and its macro codewords when `macros`.
fn by_datamatrix_crate(
    text: &str,
    sizes: datamatrix::SymbolList,
    fnc1: bool,
    macros: bool,
) -> Result<Symbol, String> {
    let code = datamatrix::DataMatrixBuilder::new()
        .with_symbol_list(sizes)
        .with_fnc1_start(fnc1)
        .with_macros(macros)
        .encode(text.as_bytes())
        .map_err(|e| format!("{e:?}"))?;
    let bitmap = code.bitmap();
    Ok(Symbol {
        size: (bitmap.width() as u32, bitmap.height() as u32),
        dark: bitmap.bits().to_vec(),
    })
}

type Mat3 = [[f64; 3]; 3];

/// The homography taking the unit square's corners (0,0), (1,0), (1,1),
/// (0,1) to `q`.
fn square_to_quad(q: [(f64, f64); 4]) -> Mat3 {
    let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = q;
    let (dx1, dx2, dx3) = (x1 - x2, x3 - x2, x0 - x1 + x2 - x3);
    let (dy1, dy2, dy3) = (y1 - y2, y3 - y2, y0 - y1 + y2 - y3);
    let den = dx1 * dy2 - dx2 * dy1;
    let g = (dx3 * dy2 - dx2 * dy3) / den;
    let h = (dx1 * dy3 - dx3 * dy1) / den;
    [
        [x1 - x0 + g * x1, x3 - x0 + h * x3, x0],
        [y1 - y0 + g * y1, y3 - y0 + h * y3, y0],
        [g, h, 1.0],
    ]
}

fn invert(m: &Mat3) -> Option<Mat3> {
    let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    if det.abs() < 1e-12 {
        return None;
    }
    let c =
        |r0: usize, c0: usize, r1: usize, c1: usize| m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0];
    Some([
        [
            c(1, 1, 2, 2) / det,
            -c(0, 1, 2, 2) / det,
            c(0, 1, 1, 2) / det,
        ],
        [
            -c(1, 0, 2, 2) / det,
            c(0, 0, 2, 2) / det,
            -c(0, 0, 1, 2) / det,
        ],
        [
            c(1, 0, 2, 1) / det,
            -c(0, 0, 2, 1) / det,
            c(0, 0, 1, 1) / det,
        ],
    ])
}

fn apply(m: &Mat3, x: f64, y: f64) -> (f64, f64) {
    let w = m[2][0] * x + m[2][1] * y + m[2][2];
    (
        (m[0][0] * x + m[0][1] * y + m[0][2]) / w,
        (m[1][0] * x + m[1][1] * y + m[1][2]) / w,
    )
}

/// A pack-like background: lighting gradient, boxes, print lines, text.
fn scene(rng: &mut Rng, w: u32, h: u32) -> Vec<f32> {
    let (wf, hf) = (w as f32, h as f32);
    let (top, bottom) = (rng.range(90.0, 170.0), rng.range(90.0, 170.0));
    let mut px: Vec<f32> = (0..h)
        .flat_map(|y| {
            let v = top + (bottom - top) * y as f32 / hf;
            std::iter::repeat_n(v, w as usize)
        })
        .collect();
    let rect = |px: &mut Vec<f32>, x0: f32, y0: f32, rw: f32, rh: f32, v: f32| {
        let (xa, ya) = (x0.max(0.0) as u32, y0.max(0.0) as u32);
        let (xb, yb) = (((x0 + rw) as u32).min(w), ((y0 + rh) as u32).min(h));
        for y in ya..yb {
            for x in xa..xb {
                px[(y * w + x) as usize] = v;
            }
        }
    };
    let big = (w * h / 20_000).max(20);
    for _ in 0..big {
        let (x, y) = (rng.range(0.0, wf), rng.range(0.0, hf));
        let (rw, rh) = (rng.range(10.0, wf / 4.0), rng.range(10.0, hf / 4.0));
        let v = rng.range(40.0, 230.0);
        rect(&mut px, x, y, rw, rh, v);
    }
    // Lines of "text": short dark dashes in rows.
    let lines = (h / 12).max(10);
    for _ in 0..lines {
        let (mut x, y) = (rng.range(0.0, wf), rng.range(0.0, hf));
        let size = rng.range(3.0, 9.0);
        let v = rng.range(10.0, 80.0);
        for _ in 0..rng.below(30) + 5 {
            let cw = rng.range(size * 0.4, size);
            rect(&mut px, x, y, cw, size, v);
            x += cw + rng.range(1.0, size * 0.6);
        }
    }
    px
}

fn gaussian_blur(px: &mut [f32], w: u32, h: u32, sigma: f32) {
    if sigma < 0.2 {
        return;
    }
    let r = (sigma * 3.0).ceil() as i32;
    let k: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let sum: f32 = k.iter().sum();
    let k: Vec<f32> = k.iter().map(|v| v / sum).collect();
    let (wi, hi) = (w as i32, h as i32);
    let mut tmp = vec![0.0f32; px.len()];
    for y in 0..hi {
        for x in 0..wi {
            let mut acc = 0.0;
            for (j, kv) in k.iter().enumerate() {
                let xx = (x + j as i32 - r).clamp(0, wi - 1);
                acc += kv * px[(y * wi + xx) as usize];
            }
            tmp[(y * wi + x) as usize] = acc;
        }
    }
    for y in 0..hi {
        for x in 0..wi {
            let mut acc = 0.0;
            for (j, kv) in k.iter().enumerate() {
                let yy = (y + j as i32 - r).clamp(0, hi - 1);
                acc += kv * tmp[(yy * wi + x) as usize];
            }
            px[(y * wi + x) as usize] = acc;
        }
    }
}

/// Generates sample `index` of `class` at `res`.
pub fn sample(class: Class, res: (u32, u32), index: u32) -> Result<Sample, String> {
    render(class, res, index, false)
}

/// A decoy: sample `index` of `class` at `res` with the symbol's data
/// replaced by random modules, its finder L and timing pattern kept. It
/// looks like a symbol to every detector and holds no code: a decoder
/// that returns any text for it has misread (its `expected` is empty).
pub fn decoy(class: Class, res: (u32, u32), index: u32) -> Result<Sample, String> {
    render(class, res, index, true)
}

fn render(class: Class, res: (u32, u32), index: u32, decoy: bool) -> Result<Sample, String> {
    let (w, h) = res;
    let name = format!(
        "{}{}-{}x{}-{:03}",
        if decoy { "decoy-" } else { "" },
        class.name(),
        w,
        h,
        index
    );
    let seed = name.bytes().fold(0xCBF2_9CE4_8422_2325u64, |a, b| {
        (a ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    });
    let mut rng = Rng::new(seed);
    let gs1 = index % 3 != 2;
    let mut expected = pack_text(&mut rng, gs1);
    let mut symbol = encode_shaped(&expected, gs1, class == Class::Dmre)?;
    if decoy {
        // Every module inside the L and the timing pattern, at random.
        let (sw, sh) = symbol.size;
        for y in 1..sh.saturating_sub(1) {
            for x in 1..sw.saturating_sub(1) {
                symbol.dark[(y * sw + x) as usize] = rng.below(2) == 0;
            }
        }
        expected.clear();
    }
    let mut px = scene(&mut rng, w, h);

    // Where the label goes: inside the guide box, off-centre a little.
    let m = match class {
        Class::Tiny => rng.range(1.2, 1.9),
        Class::Phone => rng.range(3.0, 4.0),
        _ => class.module(),
    };
    // Print on coloured board is on the carton itself: the board goes on
    // well past the symbol, where a label has a narrow margin.
    let quiet = if class == Class::Board { 12.0 } else { 3.0f32 };
    let (sw, sh) = (symbol.size.0 as f32, symbol.size.1 as f32);
    let (lw, lh) = ((sw + 2.0 * quiet) * m, (sh + 2.0 * quiet) * m);
    let (cx, cy) = match class {
        // Anywhere the label fits, a module from the edges.
        Class::Anywhere => {
            let r = 0.5 * lw.max(lh) * std::f32::consts::SQRT_2 + m;
            let (fx, fy) = (rng.unit(), rng.unit());
            let at = |f: f32, n: u32| r + f * (n as f32 - 2.0 * r).max(0.0);
            (at(fx, w), at(fy, h))
        }
        _ => (
            w as f32 * rng.range(0.42, 0.58),
            h as f32 * rng.range(0.40, 0.60),
        ),
    };
    let angle = match class {
        Class::Rotation => rng.range(0.0, std::f32::consts::TAU),
        Class::Phone => rng.range(-0.3, 0.3),
        _ => rng.range(-0.08, 0.08),
    };
    let (sa, ca) = angle.sin_cos();
    let mut corners: Vec<(f64, f64)> = [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)]
        .iter()
        .map(|(u, v)| {
            let (x, y) = (u * lw, v * lh);
            (
                f64::from(cx + x * ca - y * sa),
                f64::from(cy + x * sa + y * ca),
            )
        })
        .collect();
    if class == Class::Perspective {
        // Tilt: one side of the label nearer the camera than the other.
        let j = f64::from(lw.max(lh)) * 0.14;
        for c in corners.iter_mut() {
            c.0 += f64::from(rng.range(-1.0, 1.0)) * j;
            c.1 += f64::from(rng.range(-1.0, 1.0)) * j;
        }
    }
    let quad = [corners[0], corners[1], corners[2], corners[3]];
    let inv = invert(&square_to_quad(quad)).ok_or("degenerate label")?;
    let (dark, light) = match class {
        Class::LowContrast => (rng.range(105.0, 120.0), rng.range(155.0, 170.0)),
        Class::Board => {
            let board = rng.range(95.0, 150.0);
            (board - rng.range(22.0, 36.0), board)
        }
        Class::Inverted => (rng.range(20.0, 45.0), rng.range(200.0, 230.0)),
        _ => (rng.range(20.0, 50.0), rng.range(195.0, 235.0)),
    };
    // Inverted print: light modules on a dark label.
    let (ink, paper) = if class == Class::Inverted {
        (light, dark)
    } else {
        (dark, light)
    };
    let xs = quad.iter().map(|c| c.0);
    let ys = quad.iter().map(|c| c.1);
    let x0 = xs.clone().fold(f64::MAX, f64::min).floor().max(0.0) as u32;
    let x1 = (xs.fold(f64::MIN, f64::max).ceil() as u32 + 1).min(w);
    let y0 = ys.clone().fold(f64::MAX, f64::min).floor().max(0.0) as u32;
    let y1 = (ys.fold(f64::MIN, f64::max).ceil() as u32 + 1).min(h);
    let (tw, th) = (sw + 2.0 * quiet, sh + 2.0 * quiet);
    // Dot print: a dark module is a disc of this radius (in modules) around
    // its centre, 0.3–0.42 (gaps of 0.16–0.4 module between neighbours).
    let dot = (class == Class::Dots).then(|| rng.range(0.3, 0.42));
    let inked = |u: f32, v: f32| -> bool {
        if u < 0.0 || v < 0.0 || !symbol.get(u as u32, v as u32) {
            return false;
        }
        dot.is_none_or(|r| (u.fract() - 0.5).powi(2) + (v.fract() - 0.5).powi(2) <= r * r)
    };
    // A curved pack: the cylinder's radius (px), and its varnish's
    // highlight (offset from the axis, width, brightness).
    let cylinder = matches!(class, Class::Curved | Class::Phone).then(|| {
        let radius = f64::from(sw * m / rng.range(0.9, 1.6));
        let shine = (
            f64::from(rng.range(-0.3, 0.3) * sw * m),
            f64::from(rng.range(0.04, 0.08) * sw * m),
            rng.range(70.0, 120.0),
        );
        (radius, shine)
    });
    let (ca64, sa64) = (f64::from(ca), f64::from(sa));
    let (cx64, cy64) = (f64::from(cx), f64::from(cy));
    // Where a picture point lies on the label (the unit square), and the
    // light there (shading and highlight of a curved pack).
    let to_label = |x: f64, y: f64| -> Option<(f64, f64, f32, f32)> {
        let Some((radius, (sx, sw_, gain))) = cylinder else {
            let (s, t) = apply(&inv, x, y);
            return Some((s, t, 1.0, 0.0));
        };
        // Into the label's own axes, then round the cylinder (seen from
        // far: an orthographic view).
        let (dx, dy) = (x - cx64, y - cy64);
        let (u, v) = (dx * ca64 + dy * sa64, -dx * sa64 + dy * ca64);
        if u.abs() >= radius {
            return None;
        }
        let phi = (u / radius).asin();
        let s = phi * radius / f64::from(lw) + 0.5;
        let t = v / f64::from(lh) + 0.5;
        let shade = 0.55 + 0.45 * phi.cos() as f32;
        let shine = gain * (-(u - sx).powi(2) / (2.0 * sw_ * sw_)).exp() as f32;
        Some((s, t, shade, shine))
    };
    const SS: [f64; 3] = [1.0 / 6.0, 0.5, 5.0 / 6.0];
    for y in y0..y1 {
        for x in x0..x1 {
            let mut on = 0;
            let mut cover = 0;
            let mut lit = (1.0f32, 0.0f32);
            for dy in SS {
                for dx in SS {
                    let Some((s, t, shade, shine)) = to_label(f64::from(x) + dx, f64::from(y) + dy)
                    else {
                        continue;
                    };
                    lit = (shade, shine);
                    if !(0.0..1.0).contains(&s) || !(0.0..1.0).contains(&t) {
                        continue;
                    }
                    cover += 1;
                    let (u, v) = (s as f32 * tw - quiet, t as f32 * th - quiet);
                    if inked(u, v) {
                        on += 1;
                    }
                }
            }
            if cover > 0 {
                let i = (y * w + x) as usize;
                let label =
                    (on as f32 * ink + (cover - on) as f32 * paper) / cover as f32 * lit.0 + lit.1;
                px[i] = (px[i] * (9 - cover) as f32 + label * cover as f32) / 9.0;
            }
        }
    }
    let (code_w, code_h) = (sw * m, sh * m);
    match class {
        Class::Glare => {
            // A specular spot over part of the symbol.
            let (gx, gy) = (
                cx + rng.range(-0.3, 0.3) * code_w,
                cy + rng.range(-0.3, 0.3) * code_h,
            );
            let r = code_w.max(code_h) * rng.range(0.18, 0.28);
            let gain = rng.range(90.0, 140.0);
            for (i, p) in px.iter_mut().enumerate() {
                let (x, y) = ((i as u32 % w) as f32, (i as u32 / w) as f32);
                let d2 = (x - gx).powi(2) + (y - gy).powi(2);
                *p += gain * (-d2 / (2.0 * r * r)).exp();
            }
        }
        Class::Occluded => {
            // A finger or price sticker over one edge of the symbol: about
            // a tenth of its area, never its whole finder pattern.
            let (ow, oh) = (code_w * rng.range(0.12, 0.2), code_h * rng.range(0.4, 0.6));
            let ox = cx + code_w * rng.range(-0.1, 0.3);
            let oy = cy - code_h * rng.range(0.0, 0.4);
            let v = rng.range(120.0, 200.0);
            for y in (oy.max(0.0) as u32)..((oy + oh) as u32).min(h) {
                for x in (ox.max(0.0) as u32)..((ox + ow) as u32).min(w) {
                    px[(y * w + x) as usize] = v;
                }
            }
        }
        _ => {}
    }
    if class == Class::Board {
        // The board's mottle: smooth noise of 3–5 grey levels.
        let mut mottle: Vec<f32> = (0..px.len()).map(|_| rng.normal()).collect();
        gaussian_blur(&mut mottle, w, h, 2.0);
        let sd = (mottle.iter().map(|v| v * v).sum::<f32>() / mottle.len() as f32).sqrt();
        let k = rng.range(3.0, 5.0) / sd.max(1e-6);
        for (p, n) in px.iter_mut().zip(&mottle) {
            *p += k * n;
        }
    }
    // Camera optics and sensor: a little blur and noise on every picture.
    let sigma = match class {
        Class::Blur => 0.45 * m,
        Class::Sharpened | Class::Phone => rng.range(0.8, 1.3),
        _ => 0.5,
    };
    gaussian_blur(&mut px, w, h, sigma);
    if matches!(class, Class::Sharpened | Class::Phone) {
        // Sensor noise, then the phone's unsharp mask over it.
        for p in px.iter_mut() {
            *p += 5.0 * rng.normal();
        }
        let mut soft = px.clone();
        gaussian_blur(&mut soft, w, h, 1.2);
        let amount = rng.range(1.2, 2.2);
        for (p, s) in px.iter_mut().zip(&soft) {
            *p += amount * (*p - s);
        }
    }
    let noise = match class {
        Class::Noise => 16.0,
        _ => 3.0,
    };
    let luma: Vec<u8> = px
        .iter()
        .map(|v| (v + noise * rng.normal()).clamp(0.0, 255.0) as u8)
        .collect();
    let jpeg = if class == Class::Jpeg {
        let mut out = Vec::new();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 30);
        image::ImageEncoder::write_image(enc, &luma, w, h, image::ExtendedColorType::L8)
            .map_err(|e| e.to_string())?;
        Some(out)
    } else {
        None
    };
    Ok(Sample {
        name,
        class,
        width: w,
        height: h,
        expected,
        gs1,
        luma,
        jpeg,
    })
}

/// `per_cell` samples of every class at every resolution.
pub fn all(per_cell: u32) -> impl Iterator<Item = Result<Sample, String>> {
    Class::all().into_iter().flat_map(move |c| {
        RESOLUTIONS
            .iter()
            .flat_map(move |&r| (0..per_cell).map(move |i| sample(c, r, i)))
    })
}

/// One line of the corpus manifest (`manifest.jsonl`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub file: String,
    pub class: String,
    pub width: u32,
    pub height: u32,
    pub expected: String,
    pub gs1: bool,
}

/// Writes `per_cell` samples per class and resolution into `dir`, with a
/// `manifest.jsonl` of what each holds.
pub fn write_all(dir: &std::path::Path, per_cell: u32) -> Result<Vec<Entry>, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut entries = Vec::new();
    let mut manifest = String::new();
    for s in all(per_cell) {
        let s = s?;
        let path = s.write(dir)?;
        let e = Entry {
            file: path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            class: s.class.name(),
            width: s.width,
            height: s.height,
            expected: s.expected.clone(),
            gs1: s.gs1,
        };
        manifest.push_str(&serde_json::to_string(&e).map_err(|e| e.to_string())?);
        manifest.push('\n');
        entries.push(e);
    }
    std::fs::write(dir.join("manifest.jsonl"), manifest).map_err(|e| e.to_string())?;
    Ok(entries)
}
