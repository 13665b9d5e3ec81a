//! The keyboard-wedge assembler: key events in, scans (and typing) out.
//!
//! A scanner types a whole code in a burst, a few milliseconds per key, and
//! ends it with Enter or Tab; a person types slower. Bursts of at least
//! `min_len` characters with every gap within `max_gap_ms`, closed by a
//! terminator, are scans; everything else is typing, handed back for the
//! focused field. GS arrives as Ctrl+], as Alt+0029 on the numeric keypad,
//! or as a configured placeholder. A burst that begins with an AIM
//! symbology identifier (`]d2`) is a scan beyond doubt and may stall longer;
//! where the scanner is set to send the identifier, it can be required.

use crate::calibrate::CharMap;
use crate::{RawScan, Source};

/// A key event as the window reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEvent {
    pub key: Key,
    /// Milliseconds, from any fixed start.
    pub t_ms: u64,
    pub ctrl: bool,
    pub alt: bool,
    pub caps_lock: bool,
}

/// What was pressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// A key that produced this character.
    Char(char),
    /// A numeric-keypad digit (Alt codes).
    Numpad(u8),
    Enter,
    Tab,
    /// Anything else (shift, arrows, …): ignored.
    Other,
}

/// How the wedge is set up at this workstation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WedgeConfig {
    pub max_gap_ms: u64,
    pub min_len: usize,
    pub enter_ends: bool,
    pub tab_ends: bool,
    /// A text the scanner sends for GS (e.g. `<GS>`), if configured so.
    pub gs_placeholder: Option<String>,
    /// The calibration map of this workstation.
    pub layout: CharMap,
    /// What the AIM symbology identifier (`]d2`, `]Q3`, …) at the start of
    /// a burst means.
    pub aim: AimMode,
    /// Largest gap between keys once a burst has begun with an AIM
    /// identifier (scanners stall now and then, remote desktops more, and a
    /// busy window delivers its key events late; nobody types `]d2` by hand).
    pub aim_max_gap_ms: u64,
    /// How long [`Assembler::idle`] waits before it calls a burst that
    /// already looks like a scan (scanner speed for `min_len` keys, or an
    /// AIM prefix) typing. `idle` is a wall-clock guess made by the window,
    /// whose key events can be delivered late when it is busy; the keys'
    /// own times decide everything else.
    pub burst_idle_ms: u64,
}

/// The AIM identifier as a sentinel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AimMode {
    /// A burst that begins with one tolerates longer gaps; bursts without
    /// one are still scans if fast enough.
    #[default]
    Optional,
    /// The scanner is set to send it: a burst without one is typing.
    Required,
}

impl Default for WedgeConfig {
    fn default() -> WedgeConfig {
        WedgeConfig {
            max_gap_ms: 35,
            min_len: 8,
            enter_ends: true,
            tab_ends: true,
            gs_placeholder: None,
            layout: CharMap::default(),
            aim: AimMode::Optional,
            aim_max_gap_ms: 500,
            burst_idle_ms: 600,
        }
    }
}

/// What the assembler hands on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Scan(RawScan),
    /// Characters a person typed, for the focused field.
    Typed(String),
}

/// Turns key events into scans.
#[derive(Debug)]
pub struct Assembler {
    cfg: WedgeConfig,
    buf: String,
    len: usize,
    last_t: Option<u64>,
    caps: bool,
    alt_digits: String,
}

const GS: char = '\u{1d}';

impl Assembler {
    pub fn new(cfg: WedgeConfig) -> Assembler {
        Assembler {
            cfg,
            buf: String::new(),
            len: 0,
            last_t: None,
            caps: false,
            alt_digits: String::new(),
        }
    }

    fn typed(&mut self, out: &mut Vec<Output>) {
        if !self.buf.is_empty() {
            out.push(Output::Typed(std::mem::take(&mut self.buf)));
        }
        self.len = 0;
        self.caps = false;
    }

    /// The burst so far began with an AIM identifier: `]`, a letter, a
    /// digit (as typed, before the layout map; the map may turn `]` into
    /// another key on a foreign layout, so the translated start counts too).
    fn has_aim(&self) -> bool {
        let aim = |s: &str| {
            let b: Vec<char> = s.chars().take(3).collect();
            b.len() == 3 && b[0] == ']' && b[1].is_ascii_alphabetic() && b[2].is_ascii_digit()
        };
        aim(&self.buf) || {
            let head: String = self.buf.chars().take(3).collect();
            head.chars().count() == 3 && aim(&self.cfg.layout.translate(&head))
        }
    }

    /// The largest gap between keys that keeps them in one burst.
    ///
    /// `max_gap_ms` is what tells a person's key from a scanner's; it only
    /// matters where a person's key means something at once, and the
    /// window's shortcuts are letters (and a space presses a button). A
    /// burst that begins with a digit or an ASCII sign (`]d2…`, `01…`,
    /// `[)>…`, `+d2…` on a German layout: every GS1 and IFA code) may therefore
    /// stall up to `aim_max_gap_ms`: a busy window delivers its first keys
    /// late and in clumps, and splitting there handed the start of a scan
    /// back as typing (a lost or split scan, seen under load in CI). Keys
    /// typed into a field never come here (the window keeps them).
    fn max_gap(&self) -> u64 {
        let starts_like_a_code = self
            .buf
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c.is_ascii_punctuation());
        if self.has_aim() || starts_like_a_code {
            self.cfg.aim_max_gap_ms.max(self.cfg.max_gap_ms)
        } else {
            self.cfg.max_gap_ms
        }
    }

    fn push(&mut self, c: char, t: u64, caps: bool, out: &mut Vec<Output>) {
        let max_gap = self.max_gap();
        if self
            .last_t
            .is_some_and(|last| t.saturating_sub(last) > max_gap)
        {
            // Too slow for a scanner: what came before was typing.
            self.typed(out);
        }
        self.buf.push(c);
        self.len += 1;
        self.caps |= caps;
        self.last_t = Some(t);
    }

    /// Feeds one key event.
    pub fn feed(&mut self, ev: &KeyEvent) -> Vec<Output> {
        let mut out = Vec::new();
        // Alt + keypad digits: collect while Alt is held.
        if ev.alt {
            if let Key::Numpad(d) = ev.key {
                self.alt_digits.push(char::from(b'0' + d.min(9)));
                if self.alt_digits.len() == 4 {
                    let code: u32 = self.alt_digits.parse().unwrap_or(0);
                    self.alt_digits.clear();
                    if let Some(c) = char::from_u32(code) {
                        self.push(c, ev.t_ms, ev.caps_lock, &mut out);
                    }
                }
                return out;
            }
        }
        self.alt_digits.clear();
        match &ev.key {
            Key::Char(']') | Key::Char('}') if ev.ctrl => {
                self.push(GS, ev.t_ms, ev.caps_lock, &mut out)
            }
            Key::Char(_) if ev.ctrl || ev.alt => {}
            Key::Char(c) => self.push(*c, ev.t_ms, ev.caps_lock, &mut out),
            Key::Enter | Key::Tab => {
                let ends = matches!(ev.key, Key::Enter) && self.cfg.enter_ends
                    || matches!(ev.key, Key::Tab) && self.cfg.tab_ends;
                let max_gap = self.max_gap();
                let fast = self
                    .last_t
                    .is_some_and(|last| ev.t_ms.saturating_sub(last) <= max_gap);
                let sentinel = self.cfg.aim == AimMode::Optional || self.has_aim();
                if ends && fast && sentinel && self.len >= self.cfg.min_len {
                    let text = std::mem::take(&mut self.buf);
                    let text = match &self.cfg.gs_placeholder {
                        Some(p) if !p.is_empty() => text.replace(p.as_str(), "\u{1d}"),
                        _ => text,
                    };
                    out.push(Output::Scan(RawScan {
                        text: self.cfg.layout.translate(&text),
                        source: Source::KeyboardWedge,
                        caps_lock: self.caps,
                    }));
                    self.len = 0;
                    self.caps = false;
                } else {
                    self.typed(&mut out);
                    out.push(Output::Typed(if matches!(ev.key, Key::Enter) {
                        "\n".into()
                    } else {
                        "\t".into()
                    }));
                }
                self.last_t = None;
            }
            Key::Numpad(d) => self.push(
                char::from(b'0' + (*d).min(9)),
                ev.t_ms,
                ev.caps_lock,
                &mut out,
            ),
            Key::Other => {}
        }
        out
    }

    /// Keys are held back as a possible scan (not yet handed on).
    pub fn pending(&self) -> bool {
        !self.buf.is_empty()
    }

    /// Call when no key came for a while: an unterminated burst is typing.
    pub fn idle(&mut self, now_ms: u64) -> Vec<Output> {
        let mut out = Vec::new();
        let max_gap = if self.len >= self.cfg.min_len || self.has_aim() {
            self.cfg.burst_idle_ms.max(self.max_gap())
        } else {
            self.max_gap()
        };
        if self
            .last_t
            .is_some_and(|last| now_ms.saturating_sub(last) > max_gap)
        {
            self.typed(&mut out);
            self.last_t = None;
        }
        out
    }
}
