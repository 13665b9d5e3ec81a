//! The decoder's entry with arbitrary bytes: as an MJPEG camera frame, as
//! an image file, or as a raw luma frame of any shape. No input may crash
//! it, and no frame may run past its deadline by more than one pass's
//! misjudged cost (checked at twice the deadline; run with `-s none` so the
//! timing is the real code's, not a sanitizer's).
#![no_main]

use libfuzzer_sys::fuzz_target;
use scanin::decode::{decode_planned, CostModel, Plan};
use scanin::frames::Frame;
use std::time::Duration;

const DEADLINE: Duration = Duration::from_millis(50);

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let frame = match mode % 3 {
        0 => scanin::luma::from_mjpeg(rest).ok(),
        1 => image::load_from_memory(rest).ok().and_then(|i| {
            let g = i.to_luma8();
            // A decompression bomb is the image crate's to refuse; keep
            // frames camera-sized.
            (u64::from(g.width()) * u64::from(g.height()) <= 1920 * 1080).then(|| Frame {
                width: g.width(),
                height: g.height(),
                luma: g.into_raw(),
            })
        }),
        _ => {
            if rest.len() < 3 {
                return;
            }
            let w = u32::from(u16::from_le_bytes([rest[0], rest[1]]) % 1024) + 1;
            let px = &rest[2..];
            let h = (px.len() as u32) / w;
            Some(Frame {
                width: w,
                height: h,
                luma: px[..(w * h) as usize].to_vec(),
            })
        }
    };
    let Some(frame) = frame else {
        return;
    };
    if frame.luma.len() as u64 > 1920 * 1080 {
        return;
    }
    let mut costs = CostModel::default();
    let a = decode_planned(&frame, &Plan::camera(DEADLINE), &mut costs, scanin::Source::Camera);
    assert!(
        a.elapsed <= 2 * DEADLINE,
        "{}×{} frame took {:?} (deadline {DEADLINE:?}, {} passes)",
        frame.width,
        frame.height,
        a.elapsed,
        a.passes
    );
});
