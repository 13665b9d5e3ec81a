//! `countercheck scan --serial PORT` against a pseudo-terminal standing in
//! for the scanner.
// A pseudo-terminal stands in for the USB-CDC port: Unix only (Windows has
// no pseudo-terminals; the serial reader is built for Windows all the same).
#![cfg(unix)]

use serialport::{SerialPort, TTYPort};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

#[test]
fn serial_scans_are_parsed_as_they_arrive() {
    let (mut master, slave) = TTYPort::pair().expect("pty");
    let path = slave.name().expect("name");
    let mut child = Command::new(env!("CARGO_BIN_EXE_countercheck"))
        .args(["scan", "--serial", &path, "--count", "2"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("scan");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first: serde_json::Value =
        serde_json::from_str(&lines.next().expect("line").expect("utf8")).expect("json");
    assert_eq!(first["status"], "connected", "{first}");
    master
        .write_all(b"]d2010415003752864317270131101234\x1d21SER1\r")
        .expect("write");
    master
        .write_all(b"]d20104150037528644172701311012\x1d21S\r")
        .expect("write");
    master.flush().expect("flush");
    let a: serde_json::Value =
        serde_json::from_str(&lines.next().expect("line").expect("utf8")).expect("json");
    let b: serde_json::Value =
        serde_json::from_str(&lines.next().expect("line").expect("utf8")).expect("json");
    assert_eq!(
        (a["source"].as_str(), a["parsed"]["ok"].as_bool()),
        (Some("serial"), Some(true)),
        "{a}"
    );
    assert_eq!(a["parsed"]["serial"], "SER1");
    assert_eq!(b["parsed"]["error"]["code"], "bad_check_digit", "{b}");
    assert!(child.wait().expect("ends").success());
    drop(slave);
}

#[test]
fn decode_images_as_json() {
    use rxing::{BarcodeFormat, EncodeHints, Writer};
    let dir = std::env::temp_dir().join(format!("countercheck-cli-decode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let data = "010415003752864317270131101234\u{1d}21SER1";
    let hints = EncodeHints {
        DataMatrixCompact: Some(true),
        Gs1Format: Some(true),
        Margin: Some("0".into()),
        ..EncodeHints::default()
    };
    let m = rxing::datamatrix::DataMatrixWriter
        .encode_with_hints(data, &BarcodeFormat::DATA_MATRIX, 0, 0, &hints)
        .expect("encode");
    let px = 5;
    let img = image::GrayImage::from_fn(m.getWidth() * px + 60, m.getHeight() * px + 60, |x, y| {
        let (mx, my) = (x.wrapping_sub(30) / px, y.wrapping_sub(30) / px);
        image::Luma([
            if x >= 30 && y >= 30 && mx < m.getWidth() && my < m.getHeight() && m.get(mx, my) {
                20
            } else {
                230
            },
        ])
    });
    let code = dir.join("code.png");
    img.save(&code).expect("png");
    let blank = dir.join("blank.png");
    image::GrayImage::from_pixel(200, 200, image::Luma([230]))
        .save(&blank)
        .expect("png");
    let out = Command::new(env!("CARGO_BIN_EXE_countercheck"))
        .arg("decode")
        .arg(&code)
        .arg(&blank)
        .output()
        .expect("runs");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["symbology"], "]d2");
    assert_eq!(lines[0]["text"], data);
    assert_eq!(lines[0]["parsed"]["serial"], "SER1");
    // Load and decode timed apart (compare decoders on decode time alone);
    // `ms` is their sum.
    for l in &lines {
        let (load, decode, all) = (
            l["load_ms"].as_f64().expect("load_ms"),
            l["decode_ms"].as_f64().expect("decode_ms"),
            l["ms"].as_f64().expect("ms"),
        );
        assert!(load > 0.0 && decode > 0.0, "{l}");
        assert!((load + decode - all).abs() < 1e-6, "{l}");
    }
    assert_eq!(lines[1]["error"]["code"], "no_code_found");
    assert_eq!(out.status.code(), Some(1));
}

/// The camera's path, with image files for frames: decoded through the
/// worker, the same pack in consecutive frames reported once.
#[test]
fn camera_frames_from_files_one_line_per_pack() {
    let dir = std::env::temp_dir().join(format!("countercheck-frames-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let a = corpus::sample(corpus::Class::Module(4), (1280, 720), 0).expect("a");
    let b = corpus::sample(corpus::Class::Inverted, (640, 480), 1).expect("b");
    let (pa, pb) = (a.write(&dir).expect("a"), b.write(&dir).expect("b"));
    let out = Command::new(env!("CARGO_BIN_EXE_countercheck"))
        .arg("scan")
        .arg("--frames")
        .args([&pa, &pa, &pa, &pb])
        .output()
        .expect("scan");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["source"], "camera");
    assert_eq!(lines[0]["text"], format!("]d2{}", a.expected));
    assert_eq!(lines[0]["parsed"]["ok"], true);
    assert_eq!(
        lines[1]["text"].as_str().map(|t| t.ends_with(&b.expected)),
        Some(true)
    );
}

/// No camera on this machine: a clear error, not a hang or a panic.
#[test]
fn a_missing_camera_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_countercheck"))
        .args(["scan", "--camera", "7", "--count", "1"])
        .output()
        .expect("scan");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("camera"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
