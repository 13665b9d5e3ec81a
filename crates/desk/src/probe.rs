//! The scanner-setup screen: while it is open, a scan is not sent to the
//! national system but shown as it arrived: its bytes in hex, the AIM
//! symbology identifier and what it means, and the parse.

use crate::view::{InputChoices, ScanProbe};
use crate::{lock, pack_fields, today, Desk, DeskEvent};

/// What an AIM symbology identifier says about the code that was read.
pub fn aim_meaning(id: &str) -> &'static str {
    match id {
        "]d2" => "Data Matrix, GS1 (FNC1 first): the pack code format",
        "]d1" => "Data Matrix without FNC1 (ISO/IEC 15434, e.g. the German PPN code)",
        "]d0" | "]d3" | "]d4" | "]d5" | "]d6" => "Data Matrix, another mode",
        "]Q3" => "QR Code, GS1",
        "]Q1" => "QR Code (a GS1 Digital Link when it is a web address)",
        "]C1" => "GS1-128 (a linear barcode: not the pack's unique identifier)",
        "]E0" => "EAN-13 (the linear product barcode: scan the Data Matrix instead)",
        "]e0" => "GS1 DataBar",
        _ => "another symbology",
    }
}

/// The text with its control characters named.
fn show(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\u{1d}' => out.push_str("<GS>"),
            '\u{1e}' => out.push_str("<RS>"),
            '\u{04}' => out.push_str("<EOT>"),
            c if c.is_control() => out.push_str(&format!("<{:02X}>", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// The probe of one scan.
pub fn probe(source: &str, text: &str) -> ScanProbe {
    let bytes = text.as_bytes();
    let hex = bytes
        .chunks(16)
        .map(|c| {
            c.iter()
                .map(|b| format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let shown = show(text);
    let aim = packcode::Symbology::at_start(text)
        .map(|s| format!("{} — {}", s.as_str(), aim_meaning(s.as_str())));
    let scan = packcode::parse(text, today());
    let mut elements: Vec<String> = scan
        .elements
        .iter()
        .map(|e| format!("({}) {}", e.id, e.value))
        .collect();
    elements.extend(scan.errors.iter().map(|e| format!("error: {}", e.message)));
    ScanProbe {
        source: source.to_owned(),
        hex,
        shown,
        aim,
        elements,
        ok: scan.ok(),
        hints: scan
            .diagnosis
            .iter()
            .map(|d| crate::words::hint(&engine::gate::code_name(d.code), &d.message, &d.fix))
            .collect(),
        pack: pack_fields(&scan),
    }
}

impl Desk {
    /// Opens or closes the scanner-setup screen.
    pub fn scanner_setup(&self, on: bool) {
        let mut inner = lock(&self.routing);
        inner.scanner_setup = on;
        if on {
            inner.probe = None;
        }
        drop(inner);
        self.emit(DeskEvent::Status);
    }

    /// The last scan seen on the scanner-setup screen.
    pub fn scanner_probe(&self) -> Option<ScanProbe> {
        lock(&self.routing).probe.clone()
    }

    pub(crate) fn show_probe(&self, source: &str, text: &str) {
        lock(&self.routing).probe = Some(probe(source, text));
        self.emit(DeskEvent::Status);
    }

    /// The serial ports and cameras to pick from.
    pub fn input_choices(&self) -> InputChoices {
        #[cfg(feature = "camera")]
        let (cameras, camera_note) = match scanin::camera::list() {
            Ok(list) if list.is_empty() => (Vec::new(), Some("No camera found.".to_owned())),
            Ok(list) => (
                list.into_iter()
                    .map(|c| format!("{}: {}", c.index, c.name))
                    .collect(),
                None,
            ),
            Err(e) => (Vec::new(), Some(e)),
        };
        #[cfg(not(feature = "camera"))]
        let (cameras, camera_note) = (
            Vec::new(),
            Some("This build has no webcam support.".to_owned()),
        );
        InputChoices {
            serial_ports: scanin::serial::list_ports(),
            cameras,
            camera_note,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_shows_bytes_aim_and_parse() {
        let p = probe(
            "keyboard wedge",
            "]d20104150037528643\u{1d}21SER1\u{1d}10B1\u{1d}17270131",
        );
        assert!(p.hex[0].starts_with("5D 64 32 30 31"), "{:?}", p.hex);
        assert!(p.hex.iter().any(|l| l.contains("1D")), "GS shown in hex");
        assert!(p.shown.contains("<GS>"), "{}", p.shown);
        assert!(p.aim.as_deref().expect("ok").starts_with("]d2"));
        assert!(
            p.elements.iter().any(|e| e == "(21) SER1"),
            "{:?}",
            p.elements
        );
        assert!(p.ok);
    }

    #[test]
    fn a_damaged_scan_shows_its_errors_and_hint() {
        // The GS after the serial was lost: the batch runs into it.
        let p = probe("keyboard wedge", "]d2010415003752864321SER110B117270131");
        assert!(!p.ok);
        assert!(
            p.elements.iter().any(|e| e.starts_with("error:")),
            "{:?}",
            p.elements
        );
    }
}
