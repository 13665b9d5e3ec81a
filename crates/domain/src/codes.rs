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
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
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

    /// The name in settings and configuration files (`arvato-v5`, …).
    pub fn name(self) -> &'static str {
        match self {
            Interface::ArvatoV4 => "arvato-v4",
            Interface::ArvatoV5 => "arvato-v5",
            Interface::SecurPharm => "securpharm",
        }
    }

    /// The interface a country's pharmacies verify through: Germany's
    /// pharmacies through securPharm's pharmacy server (domain.md §4.4), every
    /// other country's through its Arvato-built NMVS (v5, the current
    /// one). `country` is the ISO 3166 two-letter code, any case.
    pub fn for_country(country: &str) -> Interface {
        if country.trim().eq_ignore_ascii_case("DE") {
            Interface::SecurPharm
        } else {
            Interface::ArvatoV5
        }
    }

    /// Whether a site in `country` may use this interface: Germany only
    /// securPharm, the other countries only an NMVS (either version).
    pub fn serves(self, country: &str) -> bool {
        (self == Interface::SecurPharm)
            == (Interface::for_country(country) == Interface::SecurPharm)
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
    /// For a code of another interface than Arvato's: the NMVS code with the
    /// same meaning (`SP-000` → `NMVS_SUCCESS`).
    pub same_as: Option<String>,
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
        let mut rest: Vec<&str> = parts.collect();
        let same_as = match rest.first() {
            Some(s) if s.starts_with('=') => {
                let nmvs = s[1..].to_owned();
                rest.remove(0);
                if !nmvs.starts_with("NMVS_") {
                    return Err(err("SAME-AS names an NMVS code"));
                }
                Some(nmvs)
            }
            _ => None,
        };
        let message = rest.join(" ");
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
                same_as,
            },
        ));
    }
    Ok(rows)
}

/// Every row of the embedded table.
fn rows() -> &'static [(String, CodeInfo)] {
    static ROWS: LazyLock<Vec<(String, CodeInfo)>> = LazyLock::new(|| match read_rows(SOURCE) {
        Ok(rows) => rows,
        // Checked by `embedded_table_reads`; a defect here is a build error.
        Err(e) => panic!("return_codes.txt line {}: {}", e.line, e.reason),
    });
    &ROWS
}

/// The NMVS answer "done".
pub const SUCCESS: &str = "NMVS_SUCCESS";

/// The NMVS code with the same meaning as `code`: itself for an NMVS code
/// (or one the table does not know), the SAME-AS column for another
/// interface's (`SP-000` → `NMVS_SUCCESS`). The engine decides on this, so
/// one rule holds for every interface.
pub fn canonical(code: &str) -> &str {
    static SAME: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
        rows()
            .iter()
            .filter_map(|(_, i)| i.same_as.as_deref().map(|s| (i.code.as_str(), s)))
            .collect()
    });
    SAME.get(code).copied().unwrap_or(code)
}

/// Every interface's code for "done" (`NMVS_SUCCESS`, `SP-000`).
pub fn success_codes() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = rows()
        .iter()
        .filter(|(_, i)| canonical(&i.code) == SUCCESS)
        .map(|(_, i)| i.code.as_str())
        .collect();
    v.dedup();
    v
}

/// True when `code` means "done" in any interface.
pub fn is_success(code: &str) -> bool {
    canonical(code) == SUCCESS
}

/// True when `code` means the same as the NMVS code `nmvs`.
pub fn means(code: &str, nmvs: &str) -> bool {
    canonical(code) == nmvs
}

/// The code `interface` answers for the NMVS meaning `nmvs` (what a
/// simulator of that interface sends); `None` when it has none.
pub fn in_interface(nmvs: &str, interface: Interface) -> Option<&'static str> {
    let own = *interface.layers().last()?;
    if own.starts_with("arvato") {
        return rows()
            .iter()
            .find(|(t, i)| interface.layers().contains(&t.as_str()) && i.code == nmvs)
            .map(|(_, i)| i.code.as_str());
    }
    rows()
        .iter()
        .find(|(t, i)| t == own && i.same_as.as_deref() == Some(nmvs))
        .map(|(_, i)| i.code.as_str())
}

impl CodeTable {
    /// The table for an interface, from the embedded data.
    pub fn for_interface(interface: Interface) -> CodeTable {
        let mut codes = HashMap::new();
        for layer in interface.layers() {
            for (_, info) in rows().iter().filter(|(t, _)| t == layer) {
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
            same_as: None,
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
    #[test]
    fn the_interface_follows_the_country() {
        assert_eq!(Interface::for_country("DE"), Interface::SecurPharm);
        assert_eq!(Interface::for_country(" de "), Interface::SecurPharm);
        assert_eq!(Interface::for_country("AT"), Interface::ArvatoV5);
        assert!(Interface::SecurPharm.serves("DE"));
        assert!(!Interface::SecurPharm.serves("FR"));
        assert!(!Interface::ArvatoV5.serves("de"));
        assert!(Interface::ArvatoV4.serves("NL"));
        for i in [
            Interface::ArvatoV4,
            Interface::ArvatoV5,
            Interface::SecurPharm,
        ] {
            assert_eq!(Interface::from_name(i.name()), Some(i));
        }
    }

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

    /// Every securPharm code but the two without an NMVS twin (SP-030 from
    /// the scan-decoding call, SP-901/SP-402 handled as failures) means an
    /// NMVS code of the same class and alert flag, and every NMVS code the
    /// simulator's rules can answer has a securPharm twin.
    #[test]
    fn securpharm_codes_mean_nmvs_codes_of_the_same_class() {
        let de = CodeTable::for_interface(Interface::SecurPharm);
        let v5 = CodeTable::for_interface(Interface::ArvatoV5);
        for (t, info) in rows() {
            if t != "securpharm" {
                assert!(info.same_as.is_none(), "{}", info.code);
                continue;
            }
            let Some(same) = &info.same_as else {
                assert!(
                    ["SP-030", "SP-402", "SP-901"].contains(&info.code.as_str()),
                    "{}",
                    info.code
                );
                continue;
            };
            let twin = v5.lookup(same);
            assert!(v5.knows(same), "{same}");
            assert_eq!(twin.class, info.class, "{}", info.code);
            assert_eq!(twin.alert, info.alert, "{}", info.code);
            assert_eq!(
                de.lookup(&info.code).same_as.as_deref(),
                Some(same.as_str())
            );
            assert_eq!(canonical(&info.code), same);
            assert_eq!(
                in_interface(same, Interface::SecurPharm),
                Some(info.code.as_str())
            );
        }
        assert!(is_success("SP-000") && is_success("NMVS_SUCCESS"));
        assert!(!is_success("SP-201"));
        assert!(means("SP-401", crate::TRX_ID_USED));
        assert_eq!(canonical("NMVS_NC_PCK_22"), "NMVS_NC_PCK_22");
        assert_eq!(canonical("SP-999"), "SP-999");
        for nmvs in [
            "NMVS_SUCCESS",
            "NMVS_TE_TX_01",
            "NMVS_NC_PC_01",
            "NMVS_NC_PC_02",
            "NMVS_FE_LOT_03",
            "NMVS_FE_LOT_12",
            "NMVS_FE_LOT_13",
            "NMVS_NC_PCK_22",
            "NMVS_NC_PCK_23",
            "NMVS_NC_PCK_06",
            "NMVS_NC_PCK_20",
            "NMVS_NC_PCK_21",
            "NMVS_FE_TX_01",
            "NMVS_NC_PCK_02",
            "NMVS_FE_LOT_01",
            "NMVS_FE_LOT_08",
            "NMVS_ERROR",
        ] {
            assert!(
                in_interface(nmvs, Interface::SecurPharm).is_some(),
                "{nmvs}"
            );
            assert_eq!(in_interface(nmvs, Interface::ArvatoV5), Some(nmvs));
        }
        assert!(read_rows("securpharm X ok no =SP-000 msg").is_err());
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
