//! The wedge assembler fed with key-event streams as scanners and people
//! produce them.

use packcode::layout::{swap_case, Layout};
use packcode::{parse, Date};
use scanin::calibrate::{CalibrationError, CharMap, CALIBRATION_TEXT};
use scanin::wedge::{Assembler, Key, KeyEvent, Output, WedgeConfig};

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 23,
};
const SCAN: &str = "]d2010415003752864317270131101234AB\u{1d}21XY7Z-Q";

/// How the scanner sends GS.
#[derive(Clone, Copy)]
enum Gs {
    CtrlBracket,
    AltCode,
    Placeholder,
}

/// The key events a wedge scanner sends for `typed` (already garbled by
/// the layout, if any), `gap` ms apart, ended by Enter.
fn scanner(typed: &str, t0: u64, gap: u64, gs: Gs, caps: bool) -> Vec<KeyEvent> {
    let mut t = t0;
    let mut ev = Vec::new();
    let key = |key, t, ctrl, alt| KeyEvent {
        key,
        t_ms: t,
        ctrl,
        alt,
        caps_lock: caps,
    };
    for c in typed.chars() {
        if c == '\u{1d}' {
            match gs {
                Gs::CtrlBracket => ev.push(key(Key::Char(']'), t, true, false)),
                Gs::AltCode => {
                    for d in [0, 0, 2, 9] {
                        ev.push(key(Key::Numpad(d), t, false, true));
                        t += 2;
                    }
                }
                Gs::Placeholder => {
                    for p in "<GS>".chars() {
                        ev.push(key(Key::Char(p), t, false, false));
                        t += gap;
                    }
                }
            }
        } else {
            ev.push(key(Key::Char(c), t, false, false));
        }
        t += gap;
    }
    ev.push(key(Key::Enter, t, false, false));
    ev
}

fn run(cfg: WedgeConfig, events: &[KeyEvent]) -> Vec<Output> {
    let mut a = Assembler::new(cfg);
    events.iter().flat_map(|e| a.feed(e)).collect()
}

fn scans(out: &[Output]) -> Vec<&scanin::RawScan> {
    out.iter()
        .filter_map(|o| {
            if let Output::Scan(s) = o {
                Some(s)
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn gs_arrives_three_ways() {
    for gs in [Gs::CtrlBracket, Gs::AltCode, Gs::Placeholder] {
        let cfg = WedgeConfig {
            gs_placeholder: Some("<GS>".into()),
            ..WedgeConfig::default()
        };
        let out = run(cfg, &scanner(SCAN, 1000, 4, gs, false));
        let s = scans(&out);
        assert_eq!(s.len(), 1, "{out:?}");
        assert_eq!(s[0].text, SCAN);
        assert!(parse(&s[0].text, TODAY).ok());
    }
}

#[test]
fn a_us_scanner_on_german_and_french_layouts_after_calibration() {
    for layout in [Layout::German, Layout::French] {
        // Calibration: the workstation scans the calibration code once.
        let typed = layout.garble(CALIBRATION_TEXT);
        let map = CharMap::calibrate(CALIBRATION_TEXT, &typed).expect("calibrates");
        assert!(!map.is_identity());
        // Before calibration the scan is garbled and does not parse.
        let events = scanner(&layout.garble(SCAN), 0, 5, Gs::CtrlBracket, false);
        let raw = run(WedgeConfig::default(), &events);
        assert!(
            !parse(&scans(&raw)[0].text, TODAY).ok(),
            "{layout:?} garbles the scan"
        );
        // After: the same events give the meant text.
        let out = run(
            WedgeConfig {
                layout: map,
                ..WedgeConfig::default()
            },
            &events,
        );
        assert_eq!(scans(&out)[0].text, SCAN, "{layout:?}");
    }
}

#[test]
fn calibration_refuses_what_cannot_be_undone() {
    assert!(matches!(
        CharMap::calibrate("abc", "ab"),
        Err(CalibrationError::Length {
            expected: 3,
            got: 2
        })
    ));
    assert!(matches!(
        CharMap::calibrate("ab", "xx"),
        Err(CalibrationError::Ambiguous { typed: 'x', .. })
    ));
    assert!(CharMap::calibrate(CALIBRATION_TEXT, CALIBRATION_TEXT)
        .expect("same")
        .is_identity());
    // A swap no keyboard layout makes (A and B, typed by hand or a broken
    // scanner) is refused: stored, it would rewrite every later serial.
    let swapped: String = CALIBRATION_TEXT
        .chars()
        .map(|c| match c {
            'A' => 'B',
            'B' => 'A',
            c => c,
        })
        .collect();
    assert!(matches!(
        CharMap::calibrate(CALIBRATION_TEXT, &swapped),
        Err(CalibrationError::NotALayout { .. })
    ));
    // Caps Lock is not a layout either: said so.
    let e = CharMap::calibrate(
        CALIBRATION_TEXT,
        &packcode::layout::swap_case(CALIBRATION_TEXT),
    )
    .expect_err("caps lock");
    assert!(e.to_string().contains("Caps Lock"), "{e}");
    // A German layout with one extra foreign swap (j and k) is refused too.
    let typed: String = Layout::German
        .garble(CALIBRATION_TEXT)
        .chars()
        .map(|c| match c {
            'j' => 'k',
            'k' => 'j',
            c => c,
        })
        .collect();
    assert!(CharMap::calibrate(CALIBRATION_TEXT, &typed).is_err());
    // The British layout is a real difference too.
    let typed = Layout::British.garble(CALIBRATION_TEXT);
    let mapped = CharMap::calibrate(CALIBRATION_TEXT, &typed);
    assert!(mapped.is_ok(), "{typed}: {mapped:?}");
}

#[test]
fn caps_lock_is_reported() {
    let out = run(
        WedgeConfig::default(),
        &scanner(&swap_case(SCAN), 0, 5, Gs::CtrlBracket, true),
    );
    let s = scans(&out);
    assert!(s[0].caps_lock);
    assert_eq!(
        s[0].text,
        swap_case(SCAN),
        "the text is not silently repaired"
    );
    let out = run(
        WedgeConfig::default(),
        &scanner(SCAN, 0, 5, Gs::CtrlBracket, false),
    );
    assert!(!scans(&out)[0].caps_lock);
}

#[test]
fn people_typing_are_never_taken_for_a_scan() {
    // A fast typist: 60 ms per key, words (shortcut letters) and Enter.
    let words = "note about the delivery AB";
    let out = run(
        WedgeConfig::default(),
        &scanner(words, 0, 60, Gs::CtrlBracket, false),
    );
    assert!(scans(&out).is_empty(), "{out:?}");
    let typed: String = out
        .iter()
        .filter_map(|o| {
            if let Output::Typed(t) = o {
                Some(t.as_str())
            } else {
                None
            }
        })
        .collect();
    assert!(
        typed.contains("AB") && typed.ends_with('\n'),
        "typing is handed back: {typed:?}"
    );
    // A short fast word and Enter is typing too.
    let out = run(
        WedgeConfig::default(),
        &scanner("hello", 0, 5, Gs::CtrlBracket, false),
    );
    assert!(scans(&out).is_empty());
}

#[test]
fn a_scan_in_the_middle_of_typing_is_found() {
    let mut events = scanner("note", 0, 150, Gs::CtrlBracket, false);
    events.pop(); // no Enter after the typing
    events.extend(scanner(SCAN, 2000, 4, Gs::CtrlBracket, false));
    let out = run(WedgeConfig::default(), &events);
    assert_eq!(scans(&out).len(), 1);
    assert_eq!(scans(&out)[0].text, SCAN);
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::Typed(t) if t.contains('n'))));
}

#[test]
fn an_unterminated_burst_becomes_typing_after_a_pause() {
    let mut events = scanner(SCAN, 0, 4, Gs::CtrlBracket, false);
    events.pop(); // the terminator never came
    let mut a = Assembler::new(WedgeConfig::default());
    let mut out: Vec<Output> = events.iter().flat_map(|e| a.feed(e)).collect();
    out.extend(a.idle(10_000));
    assert!(scans(&out).is_empty());
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Typed(t) if t.len() > 10)),
        "nothing lost: {out:?}"
    );
}

#[test]
fn the_aim_prefix_is_a_sentinel() {
    use scanin::wedge::AimMode;
    // One 80 ms stall in the middle of the scan (a busy USB hub, a remote
    // desktop): with the AIM prefix it is still one scan.
    let mut ev = scanner(SCAN, 1000, 8, Gs::CtrlBracket, false);
    for e in ev.iter_mut().skip(20) {
        e.t_ms += 80;
    }
    let out = run(WedgeConfig::default(), &ev);
    assert_eq!(scans(&out).len(), 1, "{out:?}");
    assert_eq!(scans(&out)[0].text, SCAN);
    // The same stall without a prefix: a burst that begins with a digit
    // is a code's start too (no shortcut is a digit), still one scan.
    let bare = &SCAN[3..];
    let mut ev = scanner(bare, 1000, 8, Gs::CtrlBracket, false);
    for e in ev.iter_mut().skip(20) {
        e.t_ms += 80;
    }
    let out = run(WedgeConfig::default(), &ev);
    assert_eq!(scans(&out).len(), 1, "{out:?}");
    assert_eq!(scans(&out)[0].text, bare);
    // A burst that begins with a letter (a shortcut) splits at a stall:
    // the letters typed before it are handed back at once.
    let letters = "dxyzabcdefghij";
    let mut ev = scanner(letters, 1000, 8, Gs::CtrlBracket, false);
    for e in ev.iter_mut().skip(3) {
        e.t_ms += 80;
    }
    let out = run(WedgeConfig::default(), &ev);
    assert!(
        matches!(out.first(), Some(Output::Typed(t)) if t == "dxy"),
        "{out:?}"
    );
    // Required: a fast burst without the prefix is typing, with it a scan.
    let required = WedgeConfig {
        aim: AimMode::Required,
        ..WedgeConfig::default()
    };
    let out = run(
        required.clone(),
        &scanner(bare, 1000, 8, Gs::CtrlBracket, false),
    );
    assert!(scans(&out).is_empty(), "{out:?}");
    let typed: String = out
        .iter()
        .filter_map(|o| match o {
            Output::Typed(t) => Some(t.as_str()),
            Output::Scan(_) => None,
        })
        .collect();
    assert!(
        typed.starts_with("01041500375286"),
        "nothing lost: {typed:?}"
    );
    let out = run(required, &scanner(SCAN, 1000, 8, Gs::CtrlBracket, false));
    assert_eq!(scans(&out).len(), 1);
    assert!(parse(&scans(&out)[0].text, TODAY).ok());
}

#[test]
fn a_busy_window_delivering_the_first_keys_late_does_not_split_a_scan() {
    // Seen in CI under load: the window dispatched the scan's first key,
    // then the rest in a clump 120 ms later. The first key (']' of the AIM
    // prefix, '+' on a German layout, '0' without a prefix) must not be
    // handed back as typing: the scan would lose its head, and a split
    // after "]d" would have handed the 'd' (dispense) to the shortcuts.
    for text in [SCAN, &SCAN[3..], "+d1!\"%&'()*+,-./0123456789"] {
        for split_after in [1, 2] {
            let mut ev = scanner(text, 1000, 8, Gs::CtrlBracket, false);
            for e in ev.iter_mut().skip(split_after) {
                e.t_ms += 120;
            }
            let out = run(WedgeConfig::default(), &ev);
            assert_eq!(scans(&out).len(), 1, "{text} after {split_after}: {out:?}");
            assert_eq!(scans(&out)[0].text, text);
            assert!(
                !out.iter().any(|o| matches!(o, Output::Typed(_))),
                "nothing handed back as typing: {out:?}"
            );
        }
    }
}

#[test]
fn a_late_idle_check_does_not_cut_a_scan_in_two() {
    // The window asks `idle` on its own clock; when it is busy, keys that
    // were typed before the check are delivered after it. A burst that
    // already looks like a scan survives such a check; a lone key does not
    // wait for it.
    let ev = scanner(SCAN, 1000, 8, Gs::CtrlBracket, false);
    let mut a = Assembler::new(WedgeConfig::default());
    let mut out = Vec::new();
    for (i, e) in ev.iter().enumerate() {
        if i == 12 {
            out.extend(a.idle(e.t_ms + 100));
        }
        out.extend(a.feed(e));
    }
    assert_eq!(scans(&out).len(), 1, "{out:?}");
    assert_eq!(scans(&out)[0].text, SCAN);
    // A person's shortcut key: typing after the short pause.
    let mut a = Assembler::new(WedgeConfig::default());
    let d = KeyEvent {
        key: Key::Char('d'),
        t_ms: 5000,
        ctrl: false,
        alt: false,
        caps_lock: false,
    };
    assert!(a.feed(&d).is_empty());
    assert_eq!(a.idle(5060), vec![Output::Typed("d".into())]);
    // A burst that never ends (a scanner without a terminator) is handed
    // back as typing in the end, nothing lost.
    let mut a = Assembler::new(WedgeConfig::default());
    let ev = scanner(&SCAN[3..20], 1000, 8, Gs::CtrlBracket, false);
    for e in &ev[..ev.len() - 1] {
        assert!(a.feed(e).is_empty());
    }
    let last = ev[ev.len() - 2].t_ms;
    assert!(a.idle(last + 100).is_empty());
    assert_eq!(a.idle(last + 700), vec![Output::Typed(SCAN[3..20].into())]);
}
