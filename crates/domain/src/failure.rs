//! What a failure to get a usable answer means at the counter: an outage
//! (offline, "you may hand out"), something to repeat, or a configuration
//! to fix. The table is data (`failures.txt`), like the return codes; the
//! adapter says what it saw ([`Failure`]) and the engine acts on the class.

use serde::Serialize;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The three kinds of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureClass {
    /// The system cannot be reached or says it is not available.
    Outage,
    /// The system asks to repeat: the same operation again, with backoff.
    Retry,
    /// Countercheck is set up wrongly for this system: cannot check.
    Configuration,
}

/// What the adapter saw, in terms of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure<'a> {
    /// No connection could be made (refused, no route, DNS, connect timeout).
    Unreachable,
    /// Connected, but no answer came (time-out, connection reset).
    NoAnswer,
    /// The server's certificate is not trusted.
    UntrustedServer,
    /// Our client certificate was refused or cannot be used.
    ClientCertificate,
    /// An answer that is not the interface (not SOAP, not its response).
    NotTheInterface,
    /// The server answered with a redirect (never followed).
    Redirected,
    /// An HTTP status without a usable answer.
    Http(u16),
    /// An answer with this return code.
    ReturnCode(&'a str),
}

/// A failure's class and, for a configuration failure, what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureInfo {
    pub class: FailureClass,
    /// What to fix, in a pharmacist's words (configuration only).
    pub fix: Option<String>,
}

const SOURCE: &str = include_str!("failures.txt");

fn read_rows(src: &str) -> Result<HashMap<String, FailureInfo>, String> {
    let mut rows = HashMap::new();
    for (n, line) in src.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let mut parts = t.split_whitespace();
        let (Some(key), Some(class)) = (parts.next(), parts.next()) else {
            return Err(format!("line {}: expected KIND:KEY CLASS FIX", n + 1));
        };
        let class = match class {
            "outage" => FailureClass::Outage,
            "retry" => FailureClass::Retry,
            "configuration" => FailureClass::Configuration,
            other => return Err(format!("line {}: unknown class {other}", n + 1)),
        };
        let fix = parts.collect::<Vec<_>>().join(" ");
        let fix = match (class, fix.as_str()) {
            (FailureClass::Configuration, "" | "-") => {
                return Err(format!(
                    "line {}: a configuration failure names its fix",
                    n + 1
                ))
            }
            (FailureClass::Configuration, _) => Some(fix),
            (_, "-") => None,
            _ => return Err(format!("line {}: only configuration names a fix", n + 1)),
        };
        if !matches!(key.split_once(':'), Some(("transport" | "http" | "code", k)) if !k.is_empty())
        {
            return Err(format!("line {}: unknown key {key}", n + 1));
        }
        if rows
            .insert(key.to_owned(), FailureInfo { class, fix })
            .is_some()
        {
            return Err(format!("line {}: {key} twice", n + 1));
        }
    }
    Ok(rows)
}

static TABLE: LazyLock<HashMap<String, FailureInfo>> = LazyLock::new(|| {
    read_rows(SOURCE).unwrap_or_else(|e| {
        // Checked by `embedded_table_reads`; a defect here is a build error.
        panic!("failures.txt {e}")
    })
});

/// The class of a failure; `None` for a return code that is not a failure
/// (the return-code table decides what it shows).
pub fn classify(f: Failure<'_>) -> Option<FailureInfo> {
    let key = match f {
        Failure::Unreachable => "transport:unreachable".to_owned(),
        Failure::NoAnswer => "transport:no_answer".to_owned(),
        Failure::UntrustedServer => "transport:untrusted_server".to_owned(),
        Failure::ClientCertificate => "transport:client_certificate".to_owned(),
        Failure::NotTheInterface => "transport:not_the_interface".to_owned(),
        Failure::Redirected => "transport:redirected".to_owned(),
        Failure::Http(status) => {
            let exact = format!("http:{status}");
            if TABLE.contains_key(&exact) {
                exact
            } else {
                match status {
                    400..=499 => "http:4xx".to_owned(),
                    500..=599 => "http:5xx".to_owned(),
                    // Any other status without a usable answer: not the interface.
                    _ => "transport:not_the_interface".to_owned(),
                }
            }
        }
        Failure::ReturnCode(code) => format!("code:{code}"),
    };
    TABLE.get(&key).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_reads() {
        let rows = read_rows(SOURCE).expect("table reads");
        assert!(rows.len() >= 30);
    }

    #[test]
    fn every_failure_has_a_class() {
        let c = |f| classify(f).map(|i| i.class);
        assert_eq!(c(Failure::Unreachable), Some(FailureClass::Outage));
        assert_eq!(c(Failure::NoAnswer), Some(FailureClass::Outage));
        assert_eq!(c(Failure::Http(503)), Some(FailureClass::Outage));
        assert_eq!(c(Failure::Http(504)), Some(FailureClass::Outage));
        assert_eq!(c(Failure::Http(500)), Some(FailureClass::Retry));
        assert_eq!(c(Failure::Http(507)), Some(FailureClass::Retry));
        assert_eq!(c(Failure::Http(401)), Some(FailureClass::Configuration));
        assert_eq!(c(Failure::Http(418)), Some(FailureClass::Configuration));
        assert_eq!(c(Failure::Http(302)), Some(FailureClass::Configuration));
        assert_eq!(
            c(Failure::UntrustedServer),
            Some(FailureClass::Configuration)
        );
        assert_eq!(
            c(Failure::ReturnCode("NMVS_FI_SE_CLI_01")),
            Some(FailureClass::Retry)
        );
        assert_eq!(
            c(Failure::ReturnCode("NMVS_FE_AU_01")),
            Some(FailureClass::Configuration)
        );
        assert_eq!(c(Failure::ReturnCode("SP-901")), Some(FailureClass::Outage));
        // A finding about the pack is not a failure.
        assert_eq!(c(Failure::ReturnCode("NMVS_NC_PC_02")), None);
        assert_eq!(c(Failure::ReturnCode("NMVS_SUCCESS")), None);
    }

    #[test]
    fn every_technical_return_code_is_classed() {
        // A technical code without a class would be shown as a finding
        // about the pack: each must say outage, retry or configuration.
        let table = crate::CodeTable::for_interface(crate::Interface::SecurPharm);
        for line in include_str!("return_codes.txt").lines() {
            let mut p = line.split_whitespace();
            let (Some(_), Some(code), Some("technical")) = (p.next(), p.next(), p.next()) else {
                continue;
            };
            assert!(table.knows(code));
            assert!(
                classify(Failure::ReturnCode(code)).is_some(),
                "{code} has no failure class"
            );
        }
    }

    #[test]
    fn configuration_failures_name_a_fix() {
        assert!(read_rows("code:X configuration -").is_err());
        assert!(read_rows("code:X outage Check it").is_err());
        assert!(read_rows("nope:X outage -").is_err());
        let i = classify(Failure::ClientCertificate).expect("classed");
        assert!(i.fix.is_some_and(|f| f.contains("certificate")));
    }
}
