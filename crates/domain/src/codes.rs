//! Return codes of the national system as a table: class, alert flag and
//! the sentence shown, per interface version. The table is data
//! (`return_codes.txt`); code never matches on return-code strings to decide
//! what a pharmacist sees.

use serde::Serialize;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The NMVS answer "this ClientTrxId was used before": the system refuses
/// an id it has seen, so re-sending a request with its own id tells "our
/// earlier request reached the system" from "someone else changed the
/// pack" (the replay settles an unknown outcome with it).
pub const TRX_ID_USED: &str = "NMVS_TE_TX_01";

/// How Countercheck presents an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeClass {
    /// Green: done.
    Ok,
    /// Green with a note: nothing wrong with the pack, but read this.
    Notice,
    /// Amber: do not hand out (expired, recalled, not allowed), no alert.
    Warning,
    /// Grey/blue: the system could not answer properly; retried or recorded.
    Technical,
    /// Red: an alert at the national system; quarantine and investigate.
    Alert,
}

impl OutcomeClass {
    fn from_name(s: &str) -> Option<OutcomeClass> {
        Some(match s {
            "ok" => OutcomeClass::Ok,
            "notice" => OutcomeClass::Notice,
            "warning" => OutcomeClass::Warning,
            "technical" => OutcomeClass::Technical,
            "alert" => OutcomeClass::Alert,
            _ => return None,
        })
    }
}

/// A national-system interface whose return codes we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Interface {
    /// Arvato NMVS web services v4.
    ArvatoV4,
    /// Arvato NMVS web services v5 (adds "no alert" twins).
    ArvatoV5,
    /// securPharm (Germany) codes on top of the v5 set.
    SecurPharm,
}

impl Interface {
    /// The tables this interface uses, oldest first (later ones override).
    fn layers(self) -> &'static [&'static str] {
        match self {
            Interface::ArvatoV4 => &["arvato-v4"],
            Interface::ArvatoV5 => &["arvato-v4", "arvato-v5"],
            Interface::SecurPharm => &["arvato-v4", "arvato-v5", "securpharm"],
        }
    }

    pub fn from_name(s: &str) -> Option<Interface> {
        Some(match s {
            "arvato-v4" => Interface::ArvatoV4,
            "arvato-v5" => Interface::ArvatoV5,
            "securpharm" => Interface::SecurPharm,
            _ => return None,
        })
    }
}

/// What one return code means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeInfo {
    pub code: String,
    pub class: OutcomeClass,
    /// The national system raised an alert (level 5).
    pub alert: bool,
    /// What happened and what to do next, in a pharmacist's words.
    pub message: String,
}

/// The codes of one interface.
#[derive(Debug, Clone)]
pub struct CodeTable {
    codes: HashMap<String, CodeInfo>,
}

const SOURCE: &str = include_str!("return_codes.txt");

/// A line of the table that cannot be read (a build defect, caught by tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    pub line: usize,
    pub reason: String,
}

fn read_rows(src: &str) -> Result<Vec<(String, CodeInfo)>, TableError> {
    let mut rows = Vec::new();
    for (n, line) in src.lines().enumerate() {
        let line_no = n + 1;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let err = |reason: &str| TableError {
            line: line_no,
            reason: reason.to_owned(),
        };
        let mut parts = t.split_whitespace();
        let (Some(table), Some(code), Some(class), Some(alert)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(err("expected TABLE CODE CLASS ALERT MESSAGE"));
        };
        let class = OutcomeClass::from_name(class).ok_or_else(|| err("unknown class"))?;
        let alert = match alert {
            "yes" => true,
            "no" => false,
            _ => return Err(err("ALERT must be yes or no")),
        };
        if alert != (class == OutcomeClass::Alert) {
            return Err(err("only alert-class codes raise alerts"));
        }
        let message = parts.collect::<Vec<_>>().join(" ");
        if message.is_empty() {
            return Err(err("missing message"));
        }
        rows.push((
            table.to_owned(),
            CodeInfo {
                code: code.to_owned(),
                class,
                alert,
                message,
            },
        ));
    }
    Ok(rows)
}

impl CodeTable {
    /// The table for an interface, from the embedded data.
    pub fn for_interface(interface: Interface) -> CodeTable {
        static ROWS: LazyLock<Vec<(String, CodeInfo)>> =
            LazyLock::new(|| match read_rows(SOURCE) {
                Ok(rows) => rows,
                // Checked by `embedded_table_reads`; a defect here is a build error.
                Err(e) => panic!("return_codes.txt line {}: {}", e.line, e.reason),
            });
        let mut codes = HashMap::new();
        for layer in interface.layers() {
            for (_, info) in ROWS.iter().filter(|(t, _)| t == layer) {
                codes.insert(info.code.clone(), info.clone());
            }
        }
        CodeTable { codes }
    }

    /// What a code means. Codes the table does not know are technical, so a
    /// new code from the national system is shown, never hidden.
    pub fn lookup(&self, code: &str) -> CodeInfo {
        self.codes.get(code).cloned().unwrap_or_else(|| CodeInfo {
            code: code.to_owned(),
            class: OutcomeClass::Technical,
            alert: false,
            message: format!("The national system answered with code {code}, which Countercheck does not know yet. Report it; the pack was not changed by Countercheck."),
        })
    }

    /// True when the table lists this code.
    pub fn knows(&self, code: &str) -> bool {
        self.codes.contains_key(code)
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_reads() {
        let rows = read_rows(SOURCE).expect("table reads");
        assert!(rows.len() >= 50);
        let mut seen = std::collections::HashSet::new();
        for (t, info) in &rows {
            assert!(
                seen.insert((t.clone(), info.code.clone())),
                "{} twice in {t}",
                info.code
            );
            assert!(Interface::from_name(t).is_some(), "unknown table {t}");
        }
    }

    #[test]
    fn classes_of_the_codes_that_matter() {
        let v5 = CodeTable::for_interface(Interface::ArvatoV5);
        let c = |code: &str| v5.lookup(code);
        assert_eq!(c("NMVS_SUCCESS").class, OutcomeClass::Ok);
        assert_eq!(c("NMVS_NC_PC_01").class, OutcomeClass::Notice);
        assert!(!c("NMVS_NC_PC_01").alert, "unknown product raises no alert");
        for alert in [
            "NMVS_NC_PC_02",
            "NMVS_FE_LOT_03",
            "NMVS_FE_LOT_12",
            "NMVS_FE_LOT_13",
            "NMVS_NC_PCK_22",
        ] {
            assert_eq!(c(alert).class, OutcomeClass::Alert, "{alert}");
            assert!(c(alert).alert);
        }
        // v5 no-alert twins
        for twin in [
            "NMVS_NC_PC_14",
            "NMVS_FE_LOT_15",
            "NMVS_FE_LOT_17",
            "NMVS_FE_LOT_18",
            "NMVS_NC_PCK_30",
        ] {
            assert!(!c(twin).alert, "{twin}");
            assert!(v5.knows(twin));
        }
        assert_eq!(c("NMVS_NC_PCK_23").class, OutcomeClass::Notice);
        assert_eq!(c("NMVS_TE_TX_01").class, OutcomeClass::Technical);
        // v4 does not know the v5 twins; securPharm adds SP-901.
        assert!(!CodeTable::for_interface(Interface::ArvatoV4).knows("NMVS_NC_PC_14"));
        let de = CodeTable::for_interface(Interface::SecurPharm);
        assert_eq!(de.lookup("SP-901").class, OutcomeClass::Technical);
    }

    #[test]
    fn unknown_codes_are_technical_and_named() {
        let t = CodeTable::for_interface(Interface::ArvatoV5);
        let info = t.lookup("NMVS_XX_99");
        assert_eq!(info.class, OutcomeClass::Technical);
        assert!(info.message.contains("NMVS_XX_99"));
    }

    #[test]
    fn bad_rows_are_refused() {
        for bad in [
            "arvato-v4 X ok",
            "arvato-v4 X okay no msg",
            "arvato-v4 X ok maybe msg",
            "arvato-v4 X alert no msg",
            "arvato-v4 X ok yes msg",
        ] {
            assert!(read_rows(bad).is_err(), "{bad}");
        }
    }
}
