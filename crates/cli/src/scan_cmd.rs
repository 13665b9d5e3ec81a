//! `countercheck scan --camera N` and `--frames FILE…`: the webcam's path,
//! frames through the decoder worker, one JSON line per pack.

use scanin::worker::{WorkerConfig, WorkerEvent};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::Receiver;

fn line(ev: &WorkerEvent) -> serde_json::Value {
    let WorkerEvent::Scan { scan, ms } = ev;
    let parsed = packcode::parse(&scan.text, crate::parse_cmd::system_today());
    serde_json::json!({"source": scan.source, "text": scan.text, "parsed": parsed.view(), "ms": ms})
}

/// Prints scans as they come until `count` or the end of the events.
fn print_events(rx: &Receiver<WorkerEvent>, count: Option<usize>) -> ExitCode {
    let stdout = std::io::stdout();
    for (i, ev) in rx.iter().enumerate() {
        let mut out = stdout.lock();
        if writeln!(out, "{}", line(&ev))
            .and_then(|_| out.flush())
            .is_err()
        {
            return ExitCode::from(1);
        }
        if count.is_some_and(|c| i + 1 >= c) {
            break;
        }
    }
    ExitCode::SUCCESS
}

/// Image files as camera frames: every frame is decoded (none dropped, as
/// a file source is never late), repeated reads suppressed as for a camera.
pub fn frames(files: &[PathBuf], count: Option<usize>) -> ExitCode {
    let mut src = scanin::frames::FileFrames::new(files.to_vec());
    let cfg = WorkerConfig {
        plan: scanin::decode::Plan {
            deadline: None,
            ..WorkerConfig::default().plan
        },
        ..WorkerConfig::default()
    };
    match scanin::worker::drain(&mut src, cfg) {
        Ok((events, _)) => {
            let (tx, rx) = std::sync::mpsc::channel();
            for e in events {
                // The receiver is alive: it is right here.
                let _ = tx.send(e);
            }
            drop(tx);
            print_events(&rx, count)
        }
        Err(e) => {
            eprintln!("countercheck: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg_attr(not(feature = "camera"), allow(dead_code))]
fn resolution(s: &str) -> Option<(u32, u32)> {
    let (w, h) = s.split_once(['x', 'X'])?;
    Some((w.trim().parse().ok()?, h.trim().parse().ok()?))
}

/// The webcam: a capture thread owns the camera and offers every frame to
/// the worker, which drops what it has no time for.
#[cfg(feature = "camera")]
pub fn camera(index: u32, res: &str, count: Option<usize>) -> ExitCode {
    use scanin::frames::FrameSource;
    let Some((w, h)) = resolution(res) else {
        eprintln!("countercheck: --resolution must be WIDTHxHEIGHT, e.g. 1280x720");
        return ExitCode::from(2);
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut cam = match scanin::camera::CameraFrames::open(index, w, h) {
            Ok(c) => {
                let _ = ready_tx.send(Ok(()));
                c
            }
            Err(e) => {
                let _ = ready_tx.send(Err(e));
                return;
            }
        };
        let worker = scanin::worker::Worker::start(WorkerConfig::default(), tx);
        loop {
            match cam.next_frame() {
                Ok(Some(f)) => worker.offer(f),
                Ok(None) => break,
                Err(e) => {
                    eprintln!("countercheck: camera {index}: {e}");
                    break;
                }
            }
        }
    });
    match ready_rx.recv() {
        Ok(Ok(())) => print_events(&rx, count),
        Ok(Err(e)) => {
            let found = scanin::camera::list().unwrap_or_default();
            eprintln!("countercheck: {e} ({} camera(s) found)", found.len());
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(1),
    }
}

/// Built without the camera: say so.
#[cfg(not(feature = "camera"))]
pub fn camera(_index: u32, _res: &str, _count: Option<usize>) -> ExitCode {
    eprintln!("countercheck: this build has no camera support (cargo feature `camera`)");
    ExitCode::from(2)
}
