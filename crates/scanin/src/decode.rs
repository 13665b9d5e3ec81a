//! Decoding pack codes from images: Data Matrix first (GS1 `]d2`, and `]d1`
//! with the Format 05/06 envelope), QR for GS1 Digital Link. The decoder
//! works on the luma (grey) plane only.

use crate::frames::Frame;
use crate::{RawScan, Source};
use rxing::{BarcodeFormat, DecodeHints, RXingResultMetadataType, RXingResultMetadataValue};
use std::collections::HashSet;

/// Why an image gave no code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The file is not an image we can read.
    Image(String),
    /// No Data Matrix or QR code was found.
    NotFound,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Image(e) => write!(f, "not a readable image: {e}"),
            DecodeError::NotFound => f.write_str("no Data Matrix or QR code found"),
        }
    }
}

/// Decodes one frame: the fast pass first, the thorough one if that finds
/// nothing and `thorough` is allowed.
pub fn decode_frame(frame: &Frame, thorough: bool) -> Result<RawScan, DecodeError> {
    let passes: &[bool] = if thorough { &[false, true] } else { &[false] };
    for &try_harder in passes {
        let mut hints = DecodeHints {
            TryHarder: Some(try_harder),
            PossibleFormats: Some(HashSet::from([
                BarcodeFormat::DATA_MATRIX,
                BarcodeFormat::QR_CODE,
            ])),
            ..DecodeHints::default()
        };
        let found = rxing::helpers::detect_in_luma_slice_with_hints(
            &frame.luma,
            frame.width,
            frame.height,
            None,
            &mut hints,
        );
        if let Ok(r) = found {
            let symbology = match r
                .getRXingResultMetadata()
                .get(&RXingResultMetadataType::SYMBOLOGY_IDENTIFIER)
            {
                Some(RXingResultMetadataValue::SymbologyIdentifier(s)) => s.clone(),
                _ => String::new(),
            };
            return Ok(RawScan {
                text: format!("{symbology}{}", r.getText()),
                source: Source::ImageFile,
                caps_lock: false,
            });
        }
    }
    Err(DecodeError::NotFound)
}

/// Decodes an image file (PNG).
pub fn decode_file(path: &std::path::Path) -> Result<RawScan, DecodeError> {
    let frame = crate::frames::load_luma(path).map_err(DecodeError::Image)?;
    decode_frame(&frame, true)
}
