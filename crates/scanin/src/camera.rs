//! The webcam through `nokhwa` (V4L2 on Linux), luma only.
//!
//! The camera hands over its raw buffer; [`crate::luma`] takes the Y plane
//! from YUYV/NV12 or decodes MJPEG straight to grey. nokhwa's own RGB
//! conversion is never used. A camera is owned by one thread: open it there
//! and send frames to the decoder worker (see [`crate::worker`]).

use crate::frames::{Frame, FrameSource};
use crate::luma;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    Resolution,
};

/// One camera the system offers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CameraEntry {
    pub index: String,
    pub name: String,
    pub description: String,
}

/// The cameras present (an empty list on a machine without any).
pub fn list() -> Result<Vec<CameraEntry>, String> {
    let found = nokhwa::query(ApiBackend::Auto).map_err(|e| e.to_string())?;
    Ok(found
        .into_iter()
        .map(|c| CameraEntry {
            index: c.index().to_string(),
            name: c.human_name(),
            description: c.description().to_string(),
        })
        .collect())
}

/// A webcam as a frame source.
pub struct CameraFrames {
    camera: nokhwa::Camera,
}

impl std::fmt::Debug for CameraFrames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CameraFrames")
            .field("format", &self.camera.camera_format())
            .finish()
    }
}

/// The formats we can turn into luma without RGB, best first.
const WANTED: &[FrameFormat] = &[
    FrameFormat::YUYV,
    FrameFormat::NV12,
    FrameFormat::GRAY,
    FrameFormat::MJPEG,
    FrameFormat::RAWRGB,
];

impl CameraFrames {
    /// Opens camera `index` near `width`×`height` at 30 frames per second.
    pub fn open(index: u32, width: u32, height: u32) -> Result<CameraFrames, String> {
        let want = CameraFormat::new(Resolution::new(width, height), FrameFormat::YUYV, 30);
        let req = RequestedFormat::with_formats(RequestedFormatType::Closest(want), WANTED);
        let mut camera = nokhwa::Camera::new(CameraIndex::Index(index), req)
            .map_err(|e| format!("camera {index}: {e}"))?;
        camera
            .open_stream()
            .map_err(|e| format!("camera {index}: {e}"))?;
        Ok(CameraFrames { camera })
    }
}

impl FrameSource for CameraFrames {
    fn next_frame(&mut self) -> Result<Option<Frame>, String> {
        let buf = self.camera.frame().map_err(|e| e.to_string())?;
        let res = buf.resolution();
        let (w, h) = (res.width(), res.height());
        let bytes = buf.buffer();
        let frame = match buf.source_frame_format() {
            FrameFormat::YUYV => luma::from_yuyv(bytes, w, h),
            FrameFormat::NV12 => luma::from_nv12(bytes, w, h),
            FrameFormat::GRAY => luma::from_grey(bytes, w, h),
            FrameFormat::MJPEG => luma::from_mjpeg(bytes),
            FrameFormat::RAWRGB => luma::from_rgb(bytes, w, h),
            FrameFormat::RAWBGR => luma::from_bgr(bytes, w, h),
        };
        frame.map(Some).map_err(|e| e.to_string())
    }
}
