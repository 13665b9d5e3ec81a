//! Frames as the decoder wants them: the luma plane only. A camera and
//! image files are both frame sources; tests use files.

/// One grey frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    /// One byte per pixel, row by row.
    pub luma: Vec<u8>,
}

/// Something that yields frames (a camera, a sequence of image files).
pub trait FrameSource {
    /// The next frame, `Ok(None)` at the end.
    fn next_frame(&mut self) -> Result<Option<Frame>, String>;
}

/// Reads an image file into a luma frame.
pub fn load_luma(path: &std::path::Path) -> Result<Frame, String> {
    let img = image::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let grey = img.to_luma8();
    Ok(Frame {
        width: grey.width(),
        height: grey.height(),
        luma: grey.into_raw(),
    })
}

/// Image files played as frames, in order.
#[derive(Debug, Clone)]
pub struct FileFrames {
    paths: std::vec::IntoIter<std::path::PathBuf>,
}

impl FileFrames {
    pub fn new(paths: Vec<std::path::PathBuf>) -> FileFrames {
        FileFrames {
            paths: paths.into_iter(),
        }
    }
}

impl FrameSource for FileFrames {
    fn next_frame(&mut self) -> Result<Option<Frame>, String> {
        match self.paths.next() {
            Some(p) => load_luma(&p).map(Some),
            None => Ok(None),
        }
    }
}
