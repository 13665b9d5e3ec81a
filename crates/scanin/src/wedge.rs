//! The keyboard-wedge assembler: key events in, scans (and typing) out.
//!
//! A scanner types a whole code in a burst, a few milliseconds per key, and
//! ends it with Enter or Tab; a person types slower. Bursts of at least
//! `min_len` characters with every gap within `max_gap_ms`, closed by a
//! terminator, are scans; everything else is typing, handed back for the
//! focused field. GS arrives as Ctrl+], as Alt+0029 on the numeric keypad,
//! or as a configured placeholder.

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

    fn push(&mut self, c: char, t: u64, caps: bool, out: &mut Vec<Output>) {
        if self
            .last_t
            .is_some_and(|last| t.saturating_sub(last) > self.cfg.max_gap_ms)
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
                let fast = self
                    .last_t
                    .is_some_and(|last| ev.t_ms.saturating_sub(last) <= self.cfg.max_gap_ms);
                if ends && fast && self.len >= self.cfg.min_len {
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

    /// Call when no key came for a while: an unterminated burst is typing.
    pub fn idle(&mut self, now_ms: u64) -> Vec<Output> {
        let mut out = Vec::new();
        if self
            .last_t
            .is_some_and(|last| now_ms.saturating_sub(last) > self.cfg.max_gap_ms)
        {
            self.typed(&mut out);
            self.last_t = None;
        }
        out
    }
}
