//! `countercheck scan --serial PORT` against a pseudo-terminal standing in
//! for the scanner.

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
