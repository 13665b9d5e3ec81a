//! # scanin
//!
//! Every way a pack code arrives, as raw scan text with its source:
//! - the keyboard wedge, a USB scanner that types like a keyboard:
//!   [`wedge::Assembler`] turns key events into scans (bursts told from
//!   typing by their timing or the AIM prefix), recovers the GS separator
//!   however the scanner sends it, and translates through a per-workstation
//!   [`calibrate::CharMap`] learned from calibration codes;
//! - a scanner on a serial or USB-CDC port ([`serial`]);
//! - the webcam (feature `camera`, [`camera`]) and image files
//!   ([`frames`]), as luma frames ([`luma`]) for the decoder worker
//!   ([`worker`], [`decode`]).

pub mod calibrate;
#[cfg(feature = "camera")]
pub mod camera;
pub mod decode;
pub mod frames;
pub mod grid;
pub mod locate;
pub mod luma;
pub mod serial;
pub mod wedge;
pub mod worker;

/// Where a scan came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    KeyboardWedge,
    Serial,
    Camera,
    ImageFile,
}

/// One scan as it arrived, before parsing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RawScan {
    pub text: String,
    pub source: Source,
    /// Caps Lock was on while the scan was typed (keyboard wedge only).
    pub caps_lock: bool,
}
