//! Decoding generated pack codes from image files: GS1 Data Matrix with its
//! `]d2` identifier and GS separators, and the IFA Format 06 envelope.

use rxing::{BarcodeFormat, EncodeHints, Writer};
use scanin::decode::{decode_file, DecodeError};
use scanin::frames::{FileFrames, FrameSource};
use std::path::PathBuf;

/// Renders a Data Matrix of `data` (GS1 when `gs1`) as a PNG: `module` px
/// per module, a quiet zone, a grey background, dark modules.
fn png(name: &str, data: &str, gs1: bool, module: u32) -> PathBuf {
    let hints = EncodeHints {
        DataMatrixCompact: Some(true),
        Gs1Format: Some(gs1),
        Margin: Some("0".into()),
        ..EncodeHints::default()
    };
    let m = rxing::datamatrix::DataMatrixWriter
        .encode_with_hints(data, &BarcodeFormat::DATA_MATRIX, 0, 0, &hints)
        .expect("encodes");
    let quiet = 4 * module;
    let (w, h) = (
        m.getWidth() * module + 2 * quiet,
        m.getHeight() * module + 2 * quiet,
    );
    let img = image::GrayImage::from_fn(w + 40, h + 30, |x, y| {
        let (x, y) = (x.wrapping_sub(20 + quiet), y.wrapping_sub(15 + quiet));
        let (mx, my) = (x / module, y / module);
        if mx < m.getWidth() && my < m.getHeight() && m.get(mx, my) {
            image::Luma([25])
        } else {
            image::Luma([225])
        }
    });
    let dir = std::env::temp_dir().join(format!("countercheck-decode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join(format!("{name}.png"));
    img.save(&path).expect("png");
    path
}

/// The same code as WebP (lossless), BMP, GIF, TIFF and JPEG: each is read
/// (`countercheck decode` and the camera's file source use the same loader).
#[test]
fn the_picture_formats_people_have_are_read() {
    let data = "010415003752864317270131101234AB\u{1d}21XY7Z-Q";
    let src = png("formats", data, true, 6);
    let img = image::open(&src).expect("png").to_luma8();
    let rgb = image::DynamicImage::ImageLuma8(img).to_rgb8();
    for ext in ["webp", "bmp", "gif", "tiff", "jpg"] {
        let path = src.with_extension(ext);
        rgb.save(&path).unwrap_or_else(|e| panic!("{ext}: {e}"));
        let scan = decode_file(&path).unwrap_or_else(|e| panic!("{ext}: {e}"));
        assert_eq!(scan.text, format!("]d2{data}"), "{ext}");
    }
}

#[test]
fn gs1_datamatrix_with_identifier_and_separators() {
    let data = "010415003752864317270131101234AB\u{1d}21XY7Z-Q";
    for module in [2, 4, 8] {
        let scan =
            decode_file(&png(&format!("gs1-{module}"), data, true, module)).expect("decoded");
        assert_eq!(scan.text, format!("]d2{data}"), "module {module}");
        assert!(packcode::parse(
            &scan.text,
            packcode::Date {
                year: 2026,
                month: 11,
                day: 23
            }
        )
        .ok());
    }
}

#[test]
fn ifa_format_06_comes_back_as_the_envelope() {
    let data =
        "[)>\u{1e}06\u{1d}9N110375286414\u{1d}1TABC123\u{1d}D270100\u{1d}SPACK0001\u{1e}\u{04}";
    let scan = decode_file(&png("ifa", data, false, 4)).expect("decoded");
    assert!(scan.text.starts_with("]d"), "{:?}", scan.text);
    assert!(scan.text.ends_with(data), "{:?}", scan.text);
    let parsed = packcode::parse(
        &scan.text,
        packcode::Date {
            year: 2026,
            month: 11,
            day: 23,
        },
    );
    assert!(parsed.ok(), "{:?}", parsed.errors);
}

#[test]
fn no_code_and_no_image_are_clear_errors() {
    let dir = std::env::temp_dir().join(format!("countercheck-decode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let blank = dir.join("blank.png");
    image::GrayImage::from_pixel(320, 240, image::Luma([200]))
        .save(&blank)
        .expect("png");
    assert_eq!(decode_file(&blank), Err(DecodeError::NotFound));
    let junk = dir.join("junk.png");
    std::fs::write(&junk, b"not a png").expect("write");
    assert!(matches!(decode_file(&junk), Err(DecodeError::Image(_))));
    // A file frame source plays frames in order and ends.
    let mut src = FileFrames::new(vec![blank.clone(), blank]);
    assert!(src.next_frame().expect("frame").is_some());
    assert!(src.next_frame().expect("frame").is_some());
    assert!(src.next_frame().expect("end").is_none());
}

#[test]
fn qr_with_a_gs1_digital_link_is_read_and_parses() {
    let uri = "https://id.gs1.org/01/04150037528643/10/AB12/21/SER1X?17=270131";
    let m = rxing::qrcode::QRCodeWriter
        .encode(uri, &BarcodeFormat::QR_CODE, 0, 0)
        .expect("encodes");
    let module = 4;
    let quiet = 4 * module;
    let (w, h) = (
        m.getWidth() * module + 2 * quiet,
        m.getHeight() * module + 2 * quiet,
    );
    let img = image::GrayImage::from_fn(w, h, |x, y| {
        let (x, y) = (x.wrapping_sub(quiet), y.wrapping_sub(quiet));
        if x / module < m.getWidth() && y / module < m.getHeight() && m.get(x / module, y / module)
        {
            image::Luma([20])
        } else {
            image::Luma([230])
        }
    });
    let dir = std::env::temp_dir().join(format!("countercheck-decode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("dl.png");
    img.save(&path).expect("png");
    let scan = decode_file(&path).expect("decoded");
    assert!(scan.text.starts_with("]Q"), "{:?}", scan.text);
    assert!(scan.text.ends_with(uri), "{:?}", scan.text);
    let parsed = packcode::parse(
        &scan.text,
        packcode::Date {
            year: 2026,
            month: 11,
            day: 23,
        },
    );
    assert!(parsed.ok(), "{:?}", parsed.errors);
    assert_eq!(parsed.serial(), Some("SER1X"));
}
