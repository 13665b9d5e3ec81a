//! The luma conversions and the decoder worker, fed from generated frames.

use scanin::decode::{decode_planned, CostModel, Plan};
use scanin::frames::{Frame, FrameSource};
use scanin::luma;
use scanin::worker::{drain, Suppressor, Worker, WorkerConfig, WorkerEvent};
use scanin::Source;
use std::time::{Duration, Instant};

fn frame(class: corpus::Class, i: u32) -> (Frame, String) {
    let s = corpus::sample(class, (640, 480), i).expect("sample");
    let text = format!("{}{}", if s.gs1 { "]d2" } else { "]d1" }, s.expected);
    (
        Frame {
            width: s.width,
            height: s.height,
            luma: s.pixels().expect("pixels"),
        },
        text,
    )
}

/// Frames from memory, as a camera would deliver them.
struct Frames(std::vec::IntoIter<Frame>);

impl FrameSource for Frames {
    fn next_frame(&mut self) -> Result<Option<Frame>, String> {
        Ok(self.0.next())
    }
}

#[test]
fn yuyv_and_nv12_give_back_exactly_the_y_plane() {
    let (f, _) = frame(corpus::Class::Module(4), 0);
    let yuyv: Vec<u8> = f
        .luma
        .iter()
        .enumerate()
        .flat_map(|(i, &y)| [y, (i * 7 % 256) as u8])
        .collect();
    assert_eq!(luma::from_yuyv(&yuyv, f.width, f.height).expect("yuyv"), f);
    let mut nv12 = f.luma.clone();
    nv12.extend((0..f.luma.len() / 2).map(|i| (i % 251) as u8));
    assert_eq!(luma::from_nv12(&nv12, f.width, f.height).expect("nv12"), f);
    assert_eq!(
        luma::from_grey(&f.luma, f.width, f.height).expect("grey"),
        f
    );
    // Short buffers and empty frames are errors, not panics.
    assert!(matches!(
        luma::from_yuyv(&yuyv[..100], f.width, f.height),
        Err(luma::LumaError::Short { .. })
    ));
    assert!(luma::from_nv12(&f.luma, f.width, f.height).is_err());
    assert_eq!(luma::from_grey(&[], 0, 10), Err(luma::LumaError::Empty));
    assert!(luma::from_rgb(&[1, 2], 1, 1).is_err());
}

#[test]
fn mjpeg_decodes_to_grey_and_the_code_still_reads() {
    let (f, text) = frame(corpus::Class::Module(5), 1);
    // A colour JPEG, as webcams send: the decoder must not need RGB.
    let rgb: Vec<u8> = f.luma.iter().flat_map(|&y| [y, y, y]).collect();
    let mut jpeg = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80);
    image::ImageEncoder::write_image(enc, &rgb, f.width, f.height, image::ExtendedColorType::Rgb8)
        .expect("jpeg");
    let g = luma::from_mjpeg(&jpeg).expect("mjpeg");
    assert_eq!((g.width, g.height), (f.width, f.height));
    let a = decode_planned(&g, &Plan::file(), &mut CostModel::default(), Source::Camera);
    assert_eq!(a.found.expect("read").0.text, text);
    assert!(matches!(
        luma::from_mjpeg(b"\xff\xd8junk"),
        Err(luma::LumaError::Jpeg(_))
    ));
    assert!(luma::from_mjpeg(&[]).is_err());
    let bgr: Vec<u8> = rgb.clone();
    assert_eq!(
        luma::from_bgr(&bgr, f.width, f.height)
            .expect("bgr")
            .luma
            .len(),
        f.luma.len()
    );
}

#[test]
fn a_pack_held_in_view_is_read_once_and_again_after_it_left() {
    let (pack, text) = frame(corpus::Class::Module(4), 2);
    let (other, other_text) = frame(corpus::Class::Rotation, 3);
    let blank = Frame {
        width: 640,
        height: 480,
        luma: vec![128; 640 * 480],
    };
    // The same pack in five frames, then another pack, then the first again.
    let seq = vec![
        pack.clone(),
        pack.clone(),
        pack.clone(),
        pack.clone(),
        pack.clone(),
        blank.clone(),
        other,
        pack,
    ];
    let cfg = WorkerConfig {
        plan: Plan {
            deadline: None,
            ..Plan::camera(Duration::ZERO)
        },
        ..WorkerConfig::default()
    };
    let (events, stats) = drain(&mut Frames(seq.into_iter()), cfg).expect("drained");
    let texts: Vec<String> = events
        .into_iter()
        .map(|WorkerEvent::Scan { scan, .. }| scan.text)
        .collect();
    assert_eq!(texts, vec![text.clone(), other_text, text]);
    assert_eq!(stats.decoded, 8);
    assert_eq!(stats.suppressed, 4);
    assert_eq!(stats.found, 7);
}

#[test]
fn suppression_window_restarts_with_every_sighting() {
    let mut s = Suppressor::new(Duration::from_millis(1000));
    let t0 = Instant::now();
    assert!(s.fresh("A", t0));
    assert!(!s.fresh("A", t0 + Duration::from_millis(900)));
    assert!(!s.fresh("A", t0 + Duration::from_millis(1800)));
    assert!(s.fresh("A", t0 + Duration::from_millis(3000)));
    assert!(s.fresh("B", t0 + Duration::from_millis(3001)));
    assert!(s.fresh("A", t0 + Duration::from_millis(3002)));
}

#[test]
fn frames_offered_while_busy_are_dropped_and_the_newest_is_decoded() {
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = Worker::start(WorkerConfig::default(), tx);
    let (pack, text) = frame(corpus::Class::Module(3), 4);
    let noise = Frame {
        width: 1280,
        height: 720,
        luma: (0..1280u64 * 720)
            .map(|i| ((i * 7919) % 253) as u8)
            .collect(),
    };
    // A burst far faster than any decoder: most frames must be dropped,
    // and the offering side never blocks.
    let t = Instant::now();
    for _ in 0..200 {
        worker.offer(noise.clone());
    }
    worker.offer(pack);
    assert!(t.elapsed() < Duration::from_secs(5));
    let event = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the newest frame was decoded");
    let WorkerEvent::Scan { scan, .. } = event;
    assert_eq!(scan.text, text);
    assert_eq!(scan.source, Source::Camera);
    let stats = worker.finish();
    assert_eq!(stats.offered, 201);
    assert!(stats.dropped > 100, "{stats:?}");
    assert_eq!(stats.decoded + stats.dropped, stats.offered);
}

#[test]
fn malformed_frames_are_skipped_not_fatal() {
    let bad = Frame {
        width: 100,
        height: 100,
        luma: vec![0; 10],
    };
    let a = decode_planned(
        &bad,
        &Plan::file(),
        &mut CostModel::default(),
        Source::Camera,
    );
    assert!(a.found.is_none());
    assert_eq!(a.passes, 0);
    let tiny = Frame {
        width: 1,
        height: 1,
        luma: vec![0],
    };
    assert!(decode_planned(
        &tiny,
        &Plan::file(),
        &mut CostModel::default(),
        Source::Camera
    )
    .found
    .is_none());
}
