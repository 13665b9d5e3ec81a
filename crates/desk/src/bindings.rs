//! TypeScript declarations of the view models, generated from the Rust
//! types. A test writes them to `ui/src/lib/bindings.ts` when asked
//! (`UPDATE_BINDINGS=1`) and otherwise fails if the committed file differs.

use crate::view::*;
use ts_rs::{Config, TS};

/// The declarations, in a fixed order.
pub fn typescript() -> String {
    let cfg = Config::new();
    let mut out = String::from(
        "// Generated from crates/desk/src/view.rs by `cargo test -p desk bindings`.\n// Do not edit: change the Rust types and set UPDATE_BINDINGS=1.\n\n",
    );
    for decl in [
        crate::words::Say::decl(&cfg),
        crate::words::Sentence::decl(&cfg),
        Tone::decl(&cfg),
        Sound::decl(&cfg),
        PackFields::decl(&cfg),
        Hint::decl(&cfg),
        HeldChoices::decl(&cfg),
        CounterVerdict::decl(&cfg),
        BasketItem::decl(&cfg),
        Dispensed::decl(&cfg),
        Banner::decl(&cfg),
        ExceptionItem::decl(&cfg),
        InputsView::decl(&cfg),
        CameraPreview::decl(&cfg),
        DeskStatus::decl(&cfg),
        DemoCode::decl(&cfg),
        JournalQuery::decl(&cfg),
        JournalLine::decl(&cfg),
        JournalCheck::decl(&cfg),
        RecallLine::decl(&cfg),
        OutboxLine::decl(&cfg),
        AlertCase::decl(&cfg),
        DeliveryGroup::decl(&cfg),
        DeliveryStatus::decl(&cfg),
        DeliveryPack::decl(&cfg),
        DeliveryView::decl(&cfg),
        UserLine::decl(&cfg),
        UserInput::decl(&cfg),
        CertView::decl(&cfg),
        NationalView::decl(&cfg),
        NationalInput::decl(&cfg),
        WorkstationLine::decl(&cfg),
        SettingsView::decl(&cfg),
        SiteServerView::decl(&cfg),
        SiteStatusView::decl(&cfg),
        SiteInput::decl(&cfg),
        PrefsInput::decl(&cfg),
        PingView::decl(&cfg),
        ScanProbe::decl(&cfg),
        InputChoices::decl(&cfg),
        KeyInput::decl(&cfg),
        KeyResult::decl(&cfg),
        ErrorKind::decl(&cfg),
        CommandError::decl(&cfg),
    ] {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    /// Every scan diagnosis the parser can give is worded in German in the
    /// window (`DIAGNOSIS_DE` in `ui/src/lib/say.ts`). The match makes a new
    /// diagnosis code fail to compile here until it is listed.
    #[test]
    fn every_diagnosis_code_has_german_words_in_the_window() {
        use packcode::DiagnosisCode as D;
        let all = [
            D::LostSeparator,
            D::CapsLock,
            D::KeyboardLayout,
            D::StrayWhitespace,
            D::WrongBarcode,
            D::GluedScans,
            D::SeparatorPlaceholder,
            D::ControlCharactersLost,
            D::SplitIntoProductCode,
            D::DuplicateElement,
            D::PlainDataMatrix,
            D::ProductCodeMismatch,
        ];
        for c in all {
            match c {
                D::LostSeparator
                | D::CapsLock
                | D::KeyboardLayout
                | D::StrayWhitespace
                | D::WrongBarcode
                | D::GluedScans
                | D::SeparatorPlaceholder
                | D::ControlCharactersLost
                | D::SplitIntoProductCode
                | D::DuplicateElement
                | D::PlainDataMatrix
                | D::ProductCodeMismatch => {}
            }
        }
        let say = std::fs::read_to_string(
            std::path::Path::new(
                &std::env::var("CARGO_MANIFEST_DIR")
                    .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned()),
            )
            .join("../../ui/src/lib/say.ts"),
        )
        .expect("say.ts");
        let table = say
            .split("const DIAGNOSIS_DE")
            .nth(1)
            .and_then(|t| t.split("\n};").next())
            .expect("DIAGNOSIS_DE in say.ts");
        for c in all {
            let name = engine::gate::code_name(c);
            assert!(
                table.contains(&format!("\n  {name}: [")),
                "{name} has no German words in ui/src/lib/say.ts"
            );
        }
    }

    #[test]
    fn bindings_are_committed_and_current() {
        let path = std::path::Path::new(
            &std::env::var("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned()),
        )
        .join("../../ui/src/lib/bindings.ts");
        let want = super::typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::create_dir_all(path.parent().expect("dir")).expect("dir");
            std::fs::write(&path, &want).expect("write bindings");
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "ui/src/lib/bindings.ts is out of date: run UPDATE_BINDINGS=1 cargo test -p desk bindings"
        );
    }
}
