//! Camera pixel formats to the luma plane, without any RGB step.
//!
//! A webcam delivers YUYV (4:2:2, `Y0 U Y1 V`), NV12 (a full Y plane then
//! interleaved chroma), plain grey, or MJPEG. The decoder only needs Y, so
//! YUYV keeps every second byte, NV12 keeps its first plane, and MJPEG is
//! decoded by the JPEG decoder straight into its luma component.

use crate::frames::Frame;

/// Why a camera buffer could not become a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LumaError {
    /// The buffer is shorter than the resolution says.
    Short {
        format: &'static str,
        need: usize,
        got: usize,
    },
    /// The MJPEG frame did not decode.
    Jpeg(String),
    /// Zero width or height.
    Empty,
}

impl std::fmt::Display for LumaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LumaError::Short { format, need, got } => {
                write!(f, "{format} frame too short: {got} bytes, {need} needed")
            }
            LumaError::Jpeg(e) => write!(f, "MJPEG frame did not decode: {e}"),
            LumaError::Empty => f.write_str("frame has no pixels"),
        }
    }
}

impl std::error::Error for LumaError {}

fn need(width: u32, height: u32, per_px_num: usize, per_px_den: usize) -> Result<usize, LumaError> {
    let px = (width as usize)
        .checked_mul(height as usize)
        .ok_or(LumaError::Empty)?;
    if px == 0 {
        return Err(LumaError::Empty);
    }
    Ok(px * per_px_num / per_px_den)
}

/// YUYV (YUY2) to luma: the Y bytes are at even offsets.
pub fn from_yuyv(buf: &[u8], width: u32, height: u32) -> Result<Frame, LumaError> {
    let n = need(width, height, 2, 1)?;
    if buf.len() < n {
        return Err(LumaError::Short {
            format: "YUYV",
            need: n,
            got: buf.len(),
        });
    }
    let luma = buf[..n].iter().step_by(2).copied().collect();
    Ok(Frame {
        width,
        height,
        luma,
    })
}

/// NV12 to luma: the first `width × height` bytes are the Y plane.
pub fn from_nv12(buf: &[u8], width: u32, height: u32) -> Result<Frame, LumaError> {
    let y = need(width, height, 1, 1)?;
    let n = need(width, height, 3, 2)?;
    if buf.len() < n {
        return Err(LumaError::Short {
            format: "NV12",
            need: n,
            got: buf.len(),
        });
    }
    Ok(Frame {
        width,
        height,
        luma: buf[..y].to_vec(),
    })
}

/// Grey frames as they are.
pub fn from_grey(buf: &[u8], width: u32, height: u32) -> Result<Frame, LumaError> {
    let n = need(width, height, 1, 1)?;
    if buf.len() < n {
        return Err(LumaError::Short {
            format: "GRAY",
            need: n,
            got: buf.len(),
        });
    }
    Ok(Frame {
        width,
        height,
        luma: buf[..n].to_vec(),
    })
}

/// RGB888 (cameras that only offer it): the BT.601 luma, in integers.
pub fn from_rgb(buf: &[u8], width: u32, height: u32) -> Result<Frame, LumaError> {
    weighted(buf, width, height, "RGB", [77, 150, 29])
}

/// BGR888: as [`from_rgb`] with the channels the other way round.
pub fn from_bgr(buf: &[u8], width: u32, height: u32) -> Result<Frame, LumaError> {
    weighted(buf, width, height, "BGR", [29, 150, 77])
}

fn weighted(
    buf: &[u8],
    width: u32,
    height: u32,
    format: &'static str,
    k: [u32; 3],
) -> Result<Frame, LumaError> {
    let n = need(width, height, 3, 1)?;
    if buf.len() < n {
        return Err(LumaError::Short {
            format,
            need: n,
            got: buf.len(),
        });
    }
    let luma = buf[..n]
        .chunks_exact(3)
        .map(|p| {
            let y = k[0] * u32::from(p[0]) + k[1] * u32::from(p[1]) + k[2] * u32::from(p[2]);
            u8::try_from(y >> 8).unwrap_or(u8::MAX)
        })
        .collect();
    Ok(Frame {
        width,
        height,
        luma,
    })
}

/// MJPEG to luma: the JPEG decoder writes its luma output directly, so the
/// chroma planes are never upsampled or converted.
pub fn from_mjpeg(buf: &[u8]) -> Result<Frame, LumaError> {
    use zune_jpeg::zune_core::bytestream::ZCursor;
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;
    let opts = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::Luma)
        .set_max_width(8192)
        .set_max_height(8192);
    let mut dec = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(buf), opts);
    let luma = dec
        .decode()
        .map_err(|e| LumaError::Jpeg(format!("{e:?}")))?;
    let info = dec.info().ok_or(LumaError::Empty)?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let px = need(width, height, 1, 1)?;
    if luma.len() != px {
        return Err(LumaError::Jpeg(format!(
            "decoder gave {} bytes for {width}×{height} luma",
            luma.len()
        )));
    }
    Ok(Frame {
        width,
        height,
        luma,
    })
}
