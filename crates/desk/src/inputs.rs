//! The desk's other scan inputs: a scanner on a serial/USB-CDC port, and the
//! webcam (or, in training and tests, pictures played as camera frames).
//! Each runs on its own thread; a scan it reads is decided like a wedge
//! scan and arrives as a verdict event. The camera also sends a small
//! preview picture a few times a second, for the window's guide box.

use crate::view::{CameraPreview, InputsView};
use crate::{lock, Desk, DeskError, DeskEvent};
use scanin::frames::{Frame, FrameSource};
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
                Err(DeskError::Input(e))
            }
            Err(_) => Err(DeskError::Input(
                "the camera did not open within 10 s".into(),
            )),
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
