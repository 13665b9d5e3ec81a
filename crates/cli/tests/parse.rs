//! `countercheck parse` as a real process: arguments, stdin, exit codes,
//! escapes, and a large stream.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

#[path = "common/mod.rs"]
mod common;

const GOOD: &str = "]d2010415003752864317270131101234\u{1d}21SER1";

fn run(args: &[&str], stdin: &[u8]) -> (i32, Vec<serde_json::Value>, String) {
    let mut child = common::start(
        Command::new(common::bin())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("countercheck ends");
    writer.join().ok();
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    (
        out.status.code().unwrap_or(-1),
        lines,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn codes_as_arguments() {
    let (code, out, _) = run(&["parse", "--today", "2026-11-23", GOOD], b"");
    assert_eq!(code, 0);
    assert_eq!(out.len(), 1);
    let v = &out[0];
    assert_eq!(v["ok"], true);
    assert_eq!(v["scheme"], "GS1");
    assert_eq!(v["symbology"], "]d2");
    assert_eq!(v["product_code"], "04150037528643");
    assert_eq!(v["serial"], "SER1");
    assert_eq!(v["batch"], "1234");
    assert_eq!(v["expiry"], "270131");
    assert_eq!(v["expiry_date"], "2027-01-31");
    assert_eq!(v["elements"][0]["id"], "01");
    assert!(v["nhrn"].as_array().is_some_and(Vec::is_empty));
    assert!(v["diagnosis"].as_array().is_some_and(Vec::is_empty));
}

#[test]
fn stdin_lines_with_raw_bytes_and_exit_status() {
    let mut input = Vec::new();
    input.extend_from_slice(GOOD.as_bytes());
    input.extend_from_slice(b"\r\n");
    input.extend_from_slice(b"0104150037528644172701311012\x1d21S\n");
    input.extend_from_slice(b"[)>\x1e06\x1d9N110375286414\x1d1TB\x1dD270100\x1dSX\x1e\x04\n");
    input.extend_from_slice(b"\n");
    input.extend_from_slice(b"01041500375286431727013110AB\x1d21C\xdf"); // Latin-1 byte, no final newline
    let (code, out, _) = run(&["parse", "--today", "2026-11-23"], &input);
    assert_eq!(code, 1, "some scans are invalid");
    assert_eq!(out.len(), 5, "one object per line, none dropped");
    assert_eq!(out[0]["ok"], true);
    assert_eq!(out[1]["ok"], false);
    assert_eq!(out[1]["error"]["code"], "bad_check_digit");
    assert_eq!(out[1]["error"]["element"], "01");
    assert_eq!(out[2]["ok"], true);
    assert_eq!(out[2]["scheme"], "IFA");
    assert_eq!(out[2]["expiry_date"], "2027-01-31");
    assert_eq!(out[3]["error"]["code"], "empty");
    assert_eq!(out[4]["error"]["code"], "bad_character");
    assert_eq!(out[4]["errors"][0]["position"], 32);
}

#[test]
fn escapes_for_hand_typed_codes() {
    for typed in [
        r"]d2010415003752864317270131101234\x1D21SER1",
        "]d2010415003752864317270131101234<GS>21SER1",
        "]d2010415003752864317270131101234^]21SER1",
    ] {
        let (code, out, _) = run(&["parse", "--escapes", "--today", "2026-11-23", typed], b"");
        assert_eq!(code, 0, "{typed}");
        assert_eq!(out[0]["serial"], "SER1");
    }
    // Without --escapes the placeholder is diagnosed, with the repair offered.
    let (code, out, _) = run(
        &[
            "parse",
            "--today",
            "2026-11-23",
            "]d2010415003752864317270131101234<GS>21SER1",
        ],
        b"",
    );
    assert_eq!(code, 1);
    assert_eq!(out[0]["diagnosis"][0]["code"], "separator_placeholder");
    assert_eq!(out[0]["diagnosis"][0]["suggestion"], GOOD);
}

#[test]
fn usage_errors_exit_2() {
    let (code, out, err) = run(&["parse", "--today", "2026-13-01", GOOD], b"");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("2026-13-01"), "{err}");
    let (code, _, _) = run(&["parse", "--no-such-flag"], b"");
    assert_eq!(code, 2);
    let (code, _, _) = run(&["frobnicate"], b"");
    assert_eq!(code, 2);
}

#[test]
fn streams_a_large_input_line_by_line() {
    // 200,000 lines: the output starts before the input ends (streaming),
    // and every line gets its answer.
    let n = 200_000usize;
    let mut child = common::start(
        Command::new(common::bin())
            .args(["parse", "--today", "2026-11-23"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped()),
    );
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let writer = std::thread::spawn(move || {
        let mut w = std::io::BufWriter::new(&mut stdin);
        for i in 0..n {
            let _ = writeln!(w, "]d2010415003752864317270131101234\x1d21S{i}");
        }
    });
    let mut count = 0usize;
    let mut serials_ok = true;
    for (i, line) in BufReader::new(stdout).lines().enumerate() {
        let line = line.expect("utf-8 line");
        serials_ok &= line.contains(&format!("\"serial\":\"S{i}\""));
        count += 1;
    }
    writer.join().ok();
    let status = child.wait().expect("ends");
    assert_eq!(count, n);
    assert!(serials_ok, "answers come in input order");
    assert!(status.success());
}
