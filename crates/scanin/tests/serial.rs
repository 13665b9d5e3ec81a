//! The serial reader against a pseudo-terminal pair standing in for the
//! scanner, reached through a symlink as a udev rule would provide.
// Pseudo-terminals and symlinks stand in for the USB-CDC port: Unix only
// (the serial reader is built for Windows all the same).
#![cfg(unix)]

use scanin::serial::{PortEvent, SerialConfig, SerialReader};
use serialport::{SerialPort, TTYPort};
use std::io::Write;
use std::time::{Duration, Instant};

fn pair(link: &std::path::Path) -> TTYPort {
    let (master, slave) = TTYPort::pair().expect("pty pair");
    let name = slave.name().expect("slave name");
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(name, link).expect("symlink");
    // The reader opens its own handle on the slave side.
    drop(slave);
    master
}

fn next_scan(r: &mut SerialReader) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    while let Some(ev) = r.next_event(deadline) {
        if let PortEvent::Scan(s) = ev {
            return Some(s.text);
        }
    }
    None
}

#[test]
fn raw_bytes_terminators_and_replugging() {
    let dir = std::env::temp_dir().join(format!("countercheck-serial-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let link = dir.join("scanner");
    let mut master = pair(&link);
    let mut cfg = SerialConfig::new(link.to_str().expect("path"));
    cfg.reopen_every = Duration::from_millis(50);
    let mut r = SerialReader::new(cfg);
    // Connect first.
    let ev = r.next_event(Instant::now() + Duration::from_secs(5));
    assert_eq!(ev, Some(PortEvent::Connected));
    // GS and the IFA envelope bytes arrive untouched; CR, LF or both end a scan.
    master
        .write_all(b"]d2010415003752864317270131101234\x1d21SER1\r")
        .expect("write");
    master
        .write_all(b"[)>\x1e06\x1d9N110375286414\x1d1TB\x1dD270100\x1dSX\x1e\x04\r\n")
        .expect("write");
    master
        .write_all(b"0104150037528643172701311012\x1d21S\xdf\n")
        .expect("write");
    master.flush().expect("flush");
    assert_eq!(
        next_scan(&mut r).as_deref(),
        Some("]d2010415003752864317270131101234\u{1d}21SER1")
    );
    assert_eq!(
        next_scan(&mut r).as_deref(),
        Some("[)>\u{1e}06\u{1d}9N110375286414\u{1d}1TB\u{1d}D270100\u{1d}SX\u{1e}\u{4}")
    );
    assert_eq!(
        next_scan(&mut r).as_deref(),
        Some("0104150037528643172701311012\u{1d}21Sß"),
        "a Latin-1 byte is kept"
    );
    // Unplug: the reader says so and keeps trying.
    drop(master);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut saw_down = false;
    while let Some(ev) = r.next_event(deadline) {
        if matches!(ev, PortEvent::Disconnected(_)) {
            saw_down = true;
            break;
        }
    }
    assert!(saw_down, "the unplug is reported");
    // Replug (a new device behind the same path): scans flow again.
    let mut master = pair(&link);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut back = false;
    while let Some(ev) = r.next_event(deadline) {
        if ev == PortEvent::Connected {
            back = true;
            break;
        }
    }
    assert!(back, "reconnected");
    master.write_all(b"AFTER-REPLUG-12345\r").expect("write");
    master.flush().expect("flush");
    assert_eq!(next_scan(&mut r).as_deref(), Some("AFTER-REPLUG-12345"));
}
