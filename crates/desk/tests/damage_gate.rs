//! The damage gate over real parts: scans typed into the desk as key events
//! at scanner speed (the wedge assembler, as the window feeds it), decided
//! by a training desk against the bundled simulator over HTTPS, counted at
//! the simulator. A damaged scan must cause no request at all (so no alert);
//! a clean scan must never be held.
//!
//! `COUNTERCHECK_GATE_N` sets how many scans of each kind (default 40, the
//! CI size); the figure in `benches/README.md` is this test at 1,000.

use desk::view::{KeyInput, Tone};
use desk::{Desk, DeskEvent};
use packcode::layout::{swap_case, Layout};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("countercheck-gate-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

const GS: char = '\u{1d}';

/// How a scanner (or the computer) damaged a clean code on its way in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Damage {
    /// Caps Lock on: the keys arrive with their case inverted, the key
    /// state says Caps Lock.
    CapsLockKey,
    /// Caps Lock on, no AIM prefix: the key state says Caps Lock.
    CapsLockKeyNoAim,
    /// All letters lower case, no AIM prefix, key state unknown.
    CapsLockContent,
    /// A US-layout scanner on a German keyboard layout.
    GermanLayout,
    /// A US-layout scanner on a French keyboard layout.
    FrenchLayout,
    /// The group separators lost.
    LostGs,
    /// Two codes arrived as one.
    Glued,
    /// The PZN's linear barcode (Code 39) instead of the Data Matrix.
    PznLinear,
}

const ALL: [Damage; 8] = [
    Damage::CapsLockKey,
    Damage::CapsLockKeyNoAim,
    Damage::CapsLockContent,
    Damage::GermanLayout,
    Damage::FrenchLayout,
    Damage::LostGs,
    Damage::Glued,
    Damage::PznLinear,
];

/// The text the keys deliver and the Caps Lock key state.
fn damage(d: Damage, clean: &str, other: &str) -> (String, bool) {
    let no_aim = clean.trim_start_matches("]d2");
    match d {
        Damage::CapsLockKey => (swap_case(clean), true),
        Damage::CapsLockKeyNoAim => (swap_case(no_aim), true),
        Damage::CapsLockContent => (no_aim.to_ascii_lowercase(), false),
        Damage::GermanLayout => (Layout::German.garble(clean), false),
        Damage::FrenchLayout => (Layout::French.garble(clean), false),
        Damage::LostGs => (clean.replace(GS, ""), false),
        Damage::Glued => (format!("{clean}{other}"), false),
        Damage::PznLinear => {
            // NTIN 0 4150 PPPPPPPP C: the PZN is digits 5 to 12.
            let pzn = &no_aim[7..15];
            (format!("]A0{pzn}"), false)
        }
    }
}

/// Types `text` as a keyboard scanner does: a key every 4 ms, GS as
/// Ctrl+], Enter at the end; `t` is the window's clock.
fn type_scan(desk: &Arc<Desk>, text: &str, caps_lock: bool, t: &mut f64) -> bool {
    let mut scanned = false;
    let mut send = |key: &str, code: &str, ctrl: bool, t: f64| {
        let r = desk.key(&KeyInput {
            key: key.into(),
            code: code.into(),
            ctrl,
            alt: false,
            caps_lock,
            t_ms: t,
        });
        scanned |= r.scanned;
    };
    for c in text.chars() {
        *t += 4.0;
        if c == GS {
            send("]", "BracketRight", true, *t);
        } else {
            send(&c.to_string(), "", false, *t);
        }
    }
    *t += 4.0;
    send("Enter", "Enter", false, *t);
    *t += 400.0;
    scanned
}

async fn next_verdict(
    rx: &mut tokio::sync::broadcast::Receiver<DeskEvent>,
) -> desk::view::CounterVerdict {
    loop {
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Ok(DeskEvent::Verdict(v))) => return *v,
            Ok(Ok(_)) => continue,
            Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => continue,
            other => panic!("no verdict: {other:?}"),
        }
    }
}

async fn requests(desk: &Desk) -> i64 {
    let stats = desk
        .training_admin()
        .expect("admin")
        .stats()
        .await
        .expect("stats");
    stats["requests"].as_i64().expect("requests")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_scans_reach_nobody_and_clean_scans_are_never_held() {
    let n: usize = std::env::var("COUNTERCHECK_GATE_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let dir = temp("keys");
    let desk = Arc::new(Desk::training(&dir).await.expect("desk"));
    let mut rx = desk.subscribe();
    // Packs whose batch or serial has letters (Caps Lock can damage them).
    let codes: Vec<String> = desk
        .training_pack_codes(208)
        .expect("codes")
        .into_iter()
        .map(|c| c.replace("<GS>", "\u{1d}"))
        .collect();
    assert!(codes.len() >= 100, "{}", codes.len());
    let mut t = 1_000.0;

    // Damaged: every kind in turn, nothing may reach the simulator.
    let before = requests(&desk).await;
    let mut held_by_kind = std::collections::BTreeMap::<String, usize>::new();
    for i in 0..n {
        let kind = ALL[i % ALL.len()];
        let clean = &codes[i % codes.len()];
        let other = &codes[(i + 1) % codes.len()];
        let (text, caps) = damage(kind, clean, other);
        assert!(
            type_scan(&desk, &text, caps, &mut t),
            "{kind:?}: not taken as a scan"
        );
        let v = next_verdict(&mut rx).await;
        assert_ne!(v.tone, Tone::Green, "{kind:?} {text:?}: {v:?}");
        assert!(
            v.code.is_none() || v.code.as_deref() == Some("held"),
            "{kind:?}: {v:?}"
        );
        *held_by_kind.entry(format!("{kind:?}")).or_default() += 1;
    }
    assert_eq!(
        requests(&desk).await,
        before,
        "a damaged scan reached the national system ({held_by_kind:?})"
    );
    let alerts = desk
        .training_admin()
        .expect("admin")
        .stats()
        .await
        .expect("stats")["alerts"]
        .as_object()
        .map_or(0, |m| m.len());
    assert_eq!(alerts, 0);

    // Clean: none held, every one answered by the simulator (the training
    // set has stolen, recalled and expired packs among them too).
    for i in 0..n {
        let clean = &codes[i % codes.len()];
        assert!(type_scan(&desk, clean, false, &mut t));
        let v = next_verdict(&mut rx).await;
        assert!(v.held.is_none(), "clean scan held {clean:?}: {v:?}");
        assert!(
            v.code.as_deref().is_some_and(|c| c.starts_with("NMVS_")),
            "clean scan not answered {clean:?}: {v:?}"
        );
        if v.in_basket {
            desk.remove(v.id).expect("out of the basket");
        }
    }
    assert_eq!(requests(&desk).await, before + n as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_scan_is_sent_only_on_a_choice_and_the_choice_is_journaled() {
    let dir = temp("choice");
    let desk = Arc::new(Desk::training(&dir).await.expect("desk"));
    let codes = desk.training_pack_codes(20).expect("codes");
    let clean = codes
        .iter()
        .map(|c| c.replace("<GS>", "\u{1d}"))
        .find(|c| {
            c.trim_start_matches("]d2")
                .bytes()
                .any(|b| b.is_ascii_alphabetic())
        })
        .expect("a code with letters");
    let before = requests(&desk).await;
    // Caps Lock on: held, with the repaired reading offered.
    let v = desk.scan(&swap_case(&clean), true).await;
    assert_eq!(v.code.as_deref(), Some("held"), "{v:?}");
    let choices = v.held.clone().expect("choices");
    let repair = choices.repair.expect("one repair");
    let want = packcode::parse(&clean, "2026-11-23".parse().expect("date"));
    assert_eq!(Some(repair.serial.as_str()), want.serial());
    assert_eq!(requests(&desk).await, before, "held means not sent");
    // F: the repaired reading is verified, green, and the choice journaled.
    let v = desk
        .send_held(desk::Choice::SendRepair)
        .await
        .expect("sent");
    assert_eq!(v.tone, Tone::Green, "{v:?}");
    assert_eq!(requests(&desk).await, before + 1);
    let q = desk::view::JournalQuery {
        product_code: String::new(),
        batch: String::new(),
        serial: String::new(),
        user_id: "anna".into(),
        outcome: "send_repair".into(),
        from_day: String::new(),
        to_day: String::new(),
    };
    let lines = desk.journal_search(&q).await.expect("journal");
    assert_eq!(lines.len(), 1, "{lines:?}");
    // Nothing held any more: F again is an error, not a send.
    assert!(desk.send_held(desk::Choice::SendRepair).await.is_err());
    // Held again, as a sentence key the window words in its language
    // (ui/src/lib/say.ts, German included).
    desk.set_language(desk::Lang::De);
    let v = desk.scan(&swap_case(&clean), true).await;
    assert_eq!(v.headline.key, desk::words::Say::Held, "{v:?}");
}
