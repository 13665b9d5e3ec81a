//! A scanner on a serial or USB-CDC port: raw bytes (GS, RS and EOT arrive
//! as they are), scans split at a configurable terminator, and a port that
//! goes away (unplugged) is opened again when it comes back.

use crate::{RawScan, Source};
use std::io::Read;
use std::time::{Duration, Instant};

/// How to read the scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialConfig {
    /// Device path, e.g. `/dev/ttyACM0` (a stable udev symlink is best).
    pub path: String,
    pub baud: u32,
    /// Bytes that end a scan (default CR and LF; an empty scan is skipped).
    pub terminators: Vec<u8>,
    /// How long one read waits.
    pub read_timeout: Duration,
    /// How often to try again while the port is gone.
    pub reopen_every: Duration,
}

impl SerialConfig {
    pub fn new(path: &str) -> SerialConfig {
        SerialConfig {
            path: path.to_owned(),
            baud: 115_200,
            terminators: vec![b'\r', b'\n'],
            read_timeout: Duration::from_millis(100),
            reopen_every: Duration::from_millis(200),
        }
    }
}

/// What the reader says about the port besides scans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortEvent {
    Scan(RawScan),
    /// The port could not be opened or went away; still trying.
    Disconnected(String),
    /// The port is (again) open.
    Connected,
}

/// Reads scans from one port, reopening it when it comes back.
pub struct SerialReader {
    cfg: SerialConfig,
    port: Option<Box<dyn serialport::SerialPort>>,
    buf: Vec<u8>,
    last_attempt: Option<Instant>,
    reported_down: bool,
}

impl std::fmt::Debug for SerialReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialReader")
            .field("cfg", &self.cfg)
            .field("open", &self.port.is_some())
            .finish()
    }
}

/// Bytes as text without loss: UTF-8 when valid, else Latin-1.
fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

impl SerialReader {
    pub fn new(cfg: SerialConfig) -> SerialReader {
        SerialReader {
            cfg,
            port: None,
            buf: Vec::new(),
            last_attempt: None,
            reported_down: false,
        }
    }

    fn try_open(&mut self) -> Option<PortEvent> {
        if self
            .last_attempt
            .is_some_and(|t| t.elapsed() < self.cfg.reopen_every)
        {
            std::thread::sleep(
                self.cfg
                    .reopen_every
                    .saturating_sub(self.last_attempt.map_or(Duration::ZERO, |t| t.elapsed())),
            );
        }
        self.last_attempt = Some(Instant::now());
        match serialport::new(&self.cfg.path, self.cfg.baud)
            .timeout(self.cfg.read_timeout)
            .open()
        {
            Ok(p) => {
                self.port = Some(p);
                self.reported_down = false;
                Some(PortEvent::Connected)
            }
            Err(e) if !self.reported_down => {
                self.reported_down = true;
                Some(PortEvent::Disconnected(format!("{}: {e}", self.cfg.path)))
            }
            Err(_) => None,
        }
    }

    /// The next event, waiting at most until `deadline` (`None`: nothing yet).
    pub fn next_event(&mut self, deadline: Instant) -> Option<PortEvent> {
        loop {
            if let Some(ev) = self.split_scan() {
                return Some(ev);
            }
            if Instant::now() >= deadline {
                return None;
            }
            let Some(port) = self.port.as_mut() else {
                if let Some(ev) = self.try_open() {
                    return Some(ev);
                }
                continue;
            };
            let mut chunk = [0u8; 512];
            match port.read(&mut chunk) {
                Ok(0) => {}
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => {
                    // Unplugged: what was buffered without a terminator is
                    // kept, and the port is opened again when it returns.
                    self.port = None;
                    self.reported_down = true;
                    return Some(PortEvent::Disconnected(format!("{}: {e}", self.cfg.path)));
                }
            }
        }
    }

    fn split_scan(&mut self) -> Option<PortEvent> {
        loop {
            let end = self
                .buf
                .iter()
                .position(|b| self.cfg.terminators.contains(b))?;
            let scan: Vec<u8> = self.buf.drain(..=end).take(end).collect();
            if !scan.is_empty() {
                return Some(PortEvent::Scan(RawScan {
                    text: text(&scan),
                    source: Source::Serial,
                    caps_lock: false,
                }));
            }
        }
    }
}

/// The serial ports present (USB CDC scanners show as `/dev/ttyACM*`,
/// USB-serial adapters as `/dev/ttyUSB*`), sorted; empty when none or when
/// they cannot be listed.
pub fn list_ports() -> Vec<String> {
    let mut v: Vec<String> = serialport::available_ports()
        .map(|ps| ps.into_iter().map(|p| p.port_name).collect())
        .unwrap_or_default();
    v.sort();
    v
}
