//! The desk's other scan inputs: a scanner on a serial/USB-CDC port, and the
//! webcam (or, in training and tests, pictures played as camera frames).
//! Each runs on its own thread; a scan it reads is decided like a wedge
//! scan and arrives as a verdict event. The camera also sends a small
//! preview picture a few times a second, for the window's guide box.

use crate::view::{CameraPreview, InputsView, KeyInput, KeyResult};
use crate::{lock, trace_keys, Desk, DeskError, DeskEvent};
use scanin::frames::{Frame, FrameSource};
use scanin::wedge::{Assembler, Key, KeyEvent, Output, WedgeConfig};
use scanin::worker::{Worker, WorkerConfig, WorkerEvent};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where camera frames come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraSource {
    /// A webcam by index (needs the `camera` feature).
    Device(u32),
    /// Pictures played as frames, in a loop (training, tests).
    Pictures(Vec<PathBuf>),
}

/// One running input: its stop flag and what it reports.
#[derive(Debug, Default)]
pub(crate) struct Inputs {
    pub serial: Option<(String, Arc<AtomicBool>)>,
    pub serial_connected: bool,
    pub serial_note: Option<String>,
    pub camera: Option<(String, Arc<AtomicBool>)>,
    pub camera_note: Option<String>,
}

impl Inputs {
    pub fn view(&self) -> InputsView {
        InputsView {
            serial_port: self.serial.as_ref().map(|(p, _)| p.clone()),
            serial_connected: self.serial_connected,
            serial_note: self.serial_note.clone(),
            camera: self.camera.as_ref().map(|(c, _)| c.clone()),
            camera_note: self.camera_note.clone(),
        }
    }
}

/// Pictures played in a loop, at about `fps` frames per second.
struct Looping {
    paths: Vec<PathBuf>,
    next: usize,
    every: Duration,
    last: Option<Instant>,
}

impl FrameSource for Looping {
    fn next_frame(&mut self) -> Result<Option<Frame>, String> {
        if self.paths.is_empty() {
            return Ok(None);
        }
        if let Some(last) = self.last {
            let since = last.elapsed();
            if since < self.every {
                std::thread::sleep(self.every - since);
            }
        }
        self.last = Some(Instant::now());
        let p = &self.paths[self.next % self.paths.len()];
        self.next += 1;
        scanin::frames::load_luma(p).map(Some)
    }
}

fn open_source(src: &CameraSource) -> Result<Box<dyn FrameSource>, String> {
    match src {
        CameraSource::Pictures(paths) => Ok(Box::new(Looping {
            paths: paths.clone(),
            next: 0,
            every: Duration::from_millis(100),
            last: None,
        })),
        #[cfg(feature = "camera")]
        CameraSource::Device(i) => scanin::camera::CameraFrames::open(*i, 1280, 720)
            .map(|c| Box::new(c) as Box<dyn FrameSource>),
        #[cfg(not(feature = "camera"))]
        CameraSource::Device(_) => {
            Err("this build has no camera support (cargo feature `camera`)".into())
        }
    }
}

/// A preview: the frame scaled to at most 320 pixels wide, as a PNG data URL.
fn preview(frame: &Frame) -> Option<CameraPreview> {
    let step = (frame.width / 320).max(1);
    let (w, h) = (frame.width / step, frame.height / step);
    let mut px = Vec::with_capacity((w * h) as usize);
    for y in 0..h {
        let row = (y * step * frame.width) as usize;
        for x in 0..w {
            px.push(*frame.luma.get(row + (x * step) as usize)?);
        }
    }
    let img = image::GrayImage::from_raw(w, h, px)?;
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .ok()?;
    Some(CameraPreview {
        data_url: format!("data:image/png;base64,{}", domain::text::base64(&png)),
        width: w,
        height: h,
    })
}

impl Desk {
    /// Reads scans from a serial/USB-CDC scanner until [`Desk::serial_stop`].
    pub fn serial_start(self: &Arc<Desk>, path: &str) -> Result<(), DeskError> {
        self.serial_stop();
        let stop = Arc::new(AtomicBool::new(false));
        {
            let mut i = lock(&self.inputs);
            i.serial = Some((path.to_owned(), stop.clone()));
            i.serial_connected = false;
            i.serial_note = None;
        }
        let desk = self.clone();
        let path = path.to_owned();
        std::thread::Builder::new()
            .name("serial".into())
            .spawn(move || {
                use scanin::serial::{PortEvent, SerialConfig, SerialReader};
                let mut reader = SerialReader::new(SerialConfig::new(&path));
                while !stop.load(Ordering::Relaxed) {
                    let deadline = Instant::now() + Duration::from_millis(300);
                    let Some(ev) = reader.next_event(deadline) else {
                        continue;
                    };
                    match ev {
                        PortEvent::Scan(raw) => desk.route(raw),
                        PortEvent::Connected => {
                            let mut i = lock(&desk.inputs);
                            i.serial_connected = true;
                            i.serial_note = None;
                            drop(i);
                            desk.emit(DeskEvent::Status);
                        }
                        PortEvent::Disconnected(why) => {
                            let mut i = lock(&desk.inputs);
                            i.serial_connected = false;
                            i.serial_note = Some(why);
                            drop(i);
                            desk.emit(DeskEvent::Status);
                        }
                    }
                }
            })?;
        self.emit(DeskEvent::Status);
        Ok(())
    }

    pub fn serial_stop(&self) {
        if let Some((_, stop)) = lock(&self.inputs).serial.take() {
            stop.store(true, Ordering::Relaxed);
        }
        self.emit(DeskEvent::Status);
    }

    /// Starts the camera (or pictures played as frames): frames go to the
    /// decoder worker, reads become scans, previews go to the window.
    pub fn camera_start(self: &Arc<Desk>, source: CameraSource) -> Result<(), DeskError> {
        self.camera_stop();
        let stop = Arc::new(AtomicBool::new(false));
        let label = match &source {
            CameraSource::Device(i) => format!("camera {i}"),
            CameraSource::Pictures(p) => format!("{} demo pictures", p.len()),
        };
        {
            let mut i = lock(&self.inputs);
            i.camera = Some((label, stop.clone()));
            i.camera_note = None;
        }
        let desk = self.clone();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("camera".into())
            .spawn(move || {
                // The camera is opened on the thread that owns it.
                let mut src = match open_source(&source) {
                    Ok(s) => {
                        let _ = ready_tx.send(Ok(()));
                        s
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let (tx, rx) = std::sync::mpsc::channel();
                let worker = Worker::start(WorkerConfig::default(), tx);
                let mut last_preview: Option<Instant> = None;
                while !stop.load(Ordering::Relaxed) {
                    let frame = match src.next_frame() {
                        Ok(Some(f)) => f,
                        Ok(None) => break,
                        Err(e) => {
                            lock(&desk.inputs).camera_note = Some(e);
                            desk.emit(DeskEvent::Status);
                            break;
                        }
                    };
                    if last_preview.is_none_or(|t| t.elapsed() >= Duration::from_millis(200)) {
                        last_preview = Some(Instant::now());
                        if let Some(p) = preview(&frame) {
                            desk.emit(DeskEvent::Preview(Box::new(p)));
                        }
                    }
                    worker.offer(frame);
                    for WorkerEvent::Scan { scan, .. } in rx.try_iter() {
                        desk.route(scan);
                    }
                }
                drop(worker);
            })?;
        match ready_rx.recv_timeout(Duration::from_secs(10)) {
            Ok(Ok(())) => {
                self.emit(DeskEvent::Status);
                Ok(())
            }
            Ok(Err(e)) => {
                self.camera_stop();
                lock(&self.inputs).camera_note = Some(e.clone());
                Err(DeskError::Input(
                    crate::words::Sentence::of(crate::words::Say::CameraFailed).with("reason", e),
                ))
            }
            Err(_) => Err(DeskError::Input(crate::words::Sentence::of(
                crate::words::Say::CameraTimeout,
            ))),
        }
    }

    pub fn camera_stop(&self) {
        if let Some((_, stop)) = lock(&self.inputs).camera.take() {
            stop.store(true, Ordering::Relaxed);
        }
        self.emit(DeskEvent::Status);
    }

    /// Training: the demo codes as pictures on a pack-like background,
    /// played as camera frames.
    pub fn camera_demo(self: &Arc<Desk>) -> Result<(), DeskError> {
        let t = self.training.as_ref().ok_or(DeskError::NotTraining)?;
        let paths = t.demo_pictures.clone();
        self.camera_start(CameraSource::Pictures(paths))
    }
}

/// Where the workstation's keyboard-layout map is kept (store settings).
const LAYOUT_SETTING: &str = "wedge.layout";

/// Where the next scan goes besides the counter: the calibration code, the
/// scanner-setup screen (inputs.rs is the one owner of this state).
#[derive(Default)]
pub(crate) struct Routing {
    /// The next wedge scan is the calibration code.
    pub(crate) calibrating: bool,
    /// The outcome of the last calibration, for the window.
    pub(crate) calibration: Option<String>,
    /// The scanner-setup screen is open: scans are shown, not sent.
    pub(crate) scanner_setup: bool,
    pub(crate) probe: Option<crate::view::ScanProbe>,
}

impl Desk {
    /// Uses the layout map stored for this workstation (after a restart).
    pub fn load_layout(&self) {
        if let Some(map) = self.stored_layout() {
            *lock(&self.wedge) = Assembler::new(WedgeConfig {
                layout: map,
                ..WedgeConfig::default()
            });
        }
    }

    /// Feeds one key from the window to the wedge assembler. A scan it
    /// completes is decided in the background and arrives as a verdict
    /// event; typed characters (shortcuts) come back.
    pub fn key(self: &Arc<Desk>, input: &KeyInput) -> KeyResult {
        let key = match input.key.as_str() {
            "Enter" => Key::Enter,
            "Tab" => Key::Tab,
            k if input.code.starts_with("Numpad") && k.len() == 1 && input.alt => {
                Key::Numpad(k.as_bytes()[0].wrapping_sub(b'0'))
            }
            k if k.chars().count() == 1 => Key::Char(k.chars().next().unwrap_or('\0')),
            _ => Key::Other,
        };
        let ev = KeyEvent {
            key,
            t_ms: input.t_ms.max(0.0) as u64,
            ctrl: input.ctrl,
            alt: input.alt,
            caps_lock: input.caps_lock,
        };
        if trace_keys() {
            eprintln!(
                "key {:?} t={} ctrl={} alt={}",
                ev.key, ev.t_ms, ev.ctrl, ev.alt
            );
        }
        let (outputs, pending) = {
            let mut w = lock(&self.wedge);
            let out = w.feed(&ev);
            (out, w.pending())
        };
        self.outputs(outputs, pending)
    }

    /// No key for a while: what was held back is typing after all.
    pub fn key_idle(self: &Arc<Desk>, t_ms: f64) -> KeyResult {
        if trace_keys() {
            eprintln!("idle t={t_ms}");
        }
        let (outputs, pending) = {
            let mut w = lock(&self.wedge);
            let out = w.idle(t_ms.max(0.0) as u64);
            (out, w.pending())
        };
        self.outputs(outputs, pending)
    }

    fn outputs(self: &Arc<Desk>, outputs: Vec<Output>, pending: bool) -> KeyResult {
        let mut res = KeyResult {
            typed: String::new(),
            scanned: false,
            pending,
        };
        for o in outputs {
            match o {
                Output::Typed(t) => res.typed.push_str(&t),
                Output::Scan(raw) => {
                    res.scanned = true;
                    self.route(raw);
                }
            }
        }
        res
    }

    /// The next scan from the keyboard wedge is the calibration code: the
    /// layout map is set aside until it arrives, so its raw keys are seen.
    /// Only a signed-in pharmacist or administrator may calibrate: the map
    /// rewrites every later scan at this workstation. Journaled.
    pub fn calibration_start(&self) -> Result<(), DeskError> {
        match self.signed_in() {
            Some(s) if s.role.may_calibrate() => {}
            Some(_) => {
                self.journal_note("refused", "", "calibration_not_permitted", "");
                return Err(crate::words::refused(
                    crate::words::Say::CalibrateNotPermitted,
                ));
            }
            None => return Err(crate::words::refused(crate::words::Say::SignInFirst)),
        }
        self.journal_note("calibration", "", "started", "");
        *lock(&self.wedge) = Assembler::new(WedgeConfig::default());
        let mut inner = lock(&self.routing);
        inner.calibrating = true;
        inner.calibration = None;
        drop(inner);
        self.emit(DeskEvent::Status);
        Ok(())
    }

    /// Derives the layout map from what the wedge typed for the
    /// calibration code, stores it for this workstation and uses it.
    fn finish_calibration(&self, typed: &str) {
        let outcome = match scanin::calibrate::CharMap::calibrate(
            scanin::calibrate::CALIBRATION_TEXT,
            typed,
        ) {
            Ok(map) => {
                let stored = serde_json::to_string(&map)
                    .map_err(|e| e.to_string())
                    .and_then(|json| {
                        lock(&self.config)
                            .set_setting(LAYOUT_SETTING, &json)
                            .map_err(|e| e.to_string())
                    });
                match stored {
                    Ok(()) => {
                        let msg = if map.is_identity() {
                            "Calibrated: the scanner and this keyboard layout agree; no translation needed.".to_owned()
                        } else {
                            "Calibrated: scans from this scanner are now translated from this keyboard layout.".to_owned()
                        };
                        *lock(&self.wedge) = Assembler::new(WedgeConfig {
                            layout: map,
                            ..WedgeConfig::default()
                        });
                        msg
                    }
                    Err(e) => format!("Calibration read, but not stored: {e}"),
                }
            }
            Err(e) => format!("Calibration failed: {e}"),
        };
        let result = if outcome.starts_with("Calibrated") {
            "calibrated"
        } else {
            "failed"
        };
        self.journal_note("calibration", "", result, &outcome);
        lock(&self.routing).calibration = Some(outcome);
        self.emit(DeskEvent::Status);
    }

    /// The layout map stored for this workstation, if any.
    fn stored_layout(&self) -> Option<scanin::calibrate::CharMap> {
        let json = lock(&self.config).setting(LAYOUT_SETTING).ok()??;
        serde_json::from_str(&json).ok()
    }

    /// The one router for every scan source (keyboard wedge, serial,
    /// camera): the calibration code (wedge only, when asked for), the
    /// scanner-setup screen (shown, not sent), the delivery check while it
    /// runs, else the counter, whose verdict goes out as an event.
    pub(crate) fn route(self: &Arc<Desk>, raw: scanin::RawScan) {
        let wedge = raw.source == scanin::Source::KeyboardWedge;
        let (calibrating, setup) = {
            let mut inner = lock(&self.routing);
            let calibrating = wedge && std::mem::take(&mut inner.calibrating);
            (calibrating, inner.scanner_setup)
        };
        if calibrating {
            self.finish_calibration(&raw.text);
        } else if setup {
            let what = match raw.source {
                scanin::Source::KeyboardWedge => "keyboard wedge",
                scanin::Source::Serial => "serial scanner",
                scanin::Source::Camera | scanin::Source::ImageFile => "camera",
            };
            self.show_probe(what, &raw.text);
        } else if self.delivery_active() {
            self.delivery_scan_from(&raw.text, raw.caps_lock);
        } else {
            self.decide_in_background(raw.text, raw.caps_lock);
        }
    }
}
