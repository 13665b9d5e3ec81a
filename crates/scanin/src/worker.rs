//! The decoder worker: frames in from the camera thread, scans out.
//!
//! The camera never waits for the decoder. A frame offered while the
//! decoder is busy replaces the one waiting (the older is dropped, counted),
//! so the decoder always works on the newest picture. Each frame gets the
//! plan's deadline. A pack held in front of the camera is read once: the
//! same text again within the suppression window is not handed on, and
//! the window restarts with every sighting, so the pack must leave the
//! picture for the window before it counts as scanned again.

use crate::decode::{decode_planned, Attempt, CostModel, Plan};
use crate::frames::Frame;
use crate::{RawScan, Source};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Repeated reads of one pack, suppressed.
#[derive(Debug, Clone)]
pub struct Suppressor {
    window: Duration,
    last: Option<(String, Instant)>,
}

impl Suppressor {
    pub fn new(window: Duration) -> Suppressor {
        Suppressor { window, last: None }
    }

    /// True when `text` seen at `now` is a new scan.
    pub fn fresh(&mut self, text: &str, now: Instant) -> bool {
        let repeat = matches!(&self.last, Some((t, at)) if t == text && now.saturating_duration_since(*at) <= self.window);
        self.last = Some((text.to_string(), now));
        !repeat
    }
}

/// What the worker reports.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerEvent {
    /// A pack was read.
    Scan { scan: RawScan, ms: f64 },
}

/// Counters, for the scanner-setup screen and the tests.
#[derive(Debug, Default)]
pub struct Stats {
    pub offered: AtomicU64,
    pub dropped: AtomicU64,
    pub decoded: AtomicU64,
    pub found: AtomicU64,
    pub suppressed: AtomicU64,
    /// Frames that took longer than the deadline.
    pub overran: AtomicU64,
}

/// A snapshot of [`Stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct StatsView {
    pub offered: u64,
    pub dropped: u64,
    pub decoded: u64,
    pub found: u64,
    pub suppressed: u64,
    pub overran: u64,
}

#[derive(Debug, Default)]
struct Slot {
    frame: Option<Frame>,
    closed: bool,
}

/// Worker settings.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerConfig {
    pub plan: Plan,
    pub suppress: Duration,
    pub source: Source,
}

impl Default for WorkerConfig {
    fn default() -> WorkerConfig {
        WorkerConfig {
            plan: Plan::camera(Duration::from_millis(60)),
            suppress: Duration::from_millis(1500),
            source: Source::Camera,
        }
    }
}

/// The decoder thread and its inbox of one frame.
#[derive(Debug)]
pub struct Worker {
    slot: Arc<(Mutex<Slot>, Condvar)>,
    stats: Arc<Stats>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn lock(m: &Mutex<Slot>) -> std::sync::MutexGuard<'_, Slot> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Worker {
    /// Starts the decoder thread; scans arrive on `events`.
    pub fn start(cfg: WorkerConfig, events: Sender<WorkerEvent>) -> Worker {
        let slot: Arc<(Mutex<Slot>, Condvar)> = Arc::default();
        let stats: Arc<Stats> = Arc::default();
        let (s, st) = (slot.clone(), stats.clone());
        let thread = std::thread::Builder::new()
            .name("decoder".into())
            .spawn(move || run(cfg, &s, &st, &events))
            .ok();
        Worker {
            slot,
            stats,
            thread,
        }
    }

    /// Offers a frame; never blocks. A frame still waiting is dropped.
    pub fn offer(&self, frame: Frame) {
        self.stats.offered.fetch_add(1, Ordering::Relaxed);
        let (m, cv) = &*self.slot;
        let mut slot = lock(m);
        if slot.frame.replace(frame).is_some() {
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
        }
        cv.notify_one();
    }

    pub fn stats(&self) -> StatsView {
        let s = &self.stats;
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        StatsView {
            offered: g(&s.offered),
            dropped: g(&s.dropped),
            decoded: g(&s.decoded),
            found: g(&s.found),
            suppressed: g(&s.suppressed),
            overran: g(&s.overran),
        }
    }

    /// Lets the frame waiting be decoded, then stops the thread.
    pub fn finish(mut self) -> StatsView {
        self.close();
        self.stats()
    }

    fn close(&mut self) {
        {
            let (m, cv) = &*self.slot;
            lock(m).closed = true;
            cv.notify_one();
        }
        if let Some(t) = self.thread.take() {
            // A panic in the decoder thread has already been reported by
            // the runtime; the worker is finished either way.
            let _ = t.join();
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.close();
    }
}

fn run(
    cfg: WorkerConfig,
    slot: &(Mutex<Slot>, Condvar),
    stats: &Stats,
    events: &Sender<WorkerEvent>,
) {
    let mut costs = CostModel::default();
    let mut seen = Suppressor::new(cfg.suppress);
    loop {
        let frame = {
            let (m, cv) = slot;
            let mut s = lock(m);
            loop {
                if let Some(f) = s.frame.take() {
                    break f;
                }
                if s.closed {
                    return;
                }
                s = cv.wait(s).unwrap_or_else(PoisonError::into_inner);
            }
        };
        let attempt: Attempt = decode_planned(&frame, &cfg.plan, &mut costs, cfg.source);
        stats.decoded.fetch_add(1, Ordering::Relaxed);
        if cfg.plan.deadline.is_some_and(|d| attempt.elapsed > d) {
            stats.overran.fetch_add(1, Ordering::Relaxed);
        }
        if let Some((scan, _)) = attempt.found {
            stats.found.fetch_add(1, Ordering::Relaxed);
            if seen.fresh(&scan.text, Instant::now()) {
                let ms = attempt.elapsed.as_secs_f64() * 1000.0;
                if events.send(WorkerEvent::Scan { scan, ms }).is_err() {
                    return;
                }
            } else {
                stats.suppressed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Plays a frame source through a worker, waiting for each frame to be
/// decoded (for files and tests: nothing is dropped).
pub fn drain<S: crate::frames::FrameSource>(
    src: &mut S,
    cfg: WorkerConfig,
) -> Result<(Vec<WorkerEvent>, StatsView), String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = Worker::start(cfg, tx);
    while let Some(f) = src.next_frame()? {
        worker.offer(f);
        // Wait until the decoder has taken this frame and finished it.
        let target = worker.stats().offered;
        while worker.stats().decoded < target {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let stats = worker.finish();
    Ok((rx.try_iter().collect(), stats))
}
