//! Every export is CSV from one writer, formula-safe: a pack whose serial
//! is a spreadsheet formula (allowed by GS1 character set 82) is scanned,
//! raises an alert at the simulator (unknown serial), is checked in a
//! delivery, and each export is read back with a CSV reader: the field is
//! there, whole, and defused.

use desk::view::JournalQuery;
use desk::Desk;
use std::path::PathBuf;

const FORMULA: &str = "=HYPERLINK(\"x\")";

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "countercheck-exports-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Every field of a CSV file (rows of any width).
fn fields(path: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    r.records()
        .flat_map(|rec| {
            rec.expect("a CSV row")
                .iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn assert_defused(what: &str, path: &str) {
    let all = fields(path);
    assert!(
        all.iter().any(|f| f == &format!("'{FORMULA}")),
        "{what}: the serial is not there, defused: {all:?}"
    );
    assert!(
        !all.iter().any(|f| f.starts_with(['=', '+', '@'])),
        "{what}: a field a spreadsheet would run: {all:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journal_cases_and_delivery_exports_defuse_formulas() {
    let dir = temp("formula");
    let desk = Desk::training(&dir).await.expect("desk");
    let code = desk.training_pack_codes(1).expect("codes")[0].replace("<GS>", "\u{1d}");
    let at = code.rfind("\u{1d}21").expect("serial last") + 3;
    let hostile = format!("{}{FORMULA}", &code[..at]);
    // An unknown serial: an alert at the simulator, a case here.
    let v = desk.scan(&hostile, false).await;
    assert_eq!(v.code.as_deref(), Some("NMVS_NC_PC_02"), "{v:?}");
    assert!(v.case_id.is_some(), "{v:?}");

    let all = JournalQuery {
        product_code: String::new(),
        batch: String::new(),
        serial: String::new(),
        user_id: String::new(),
        outcome: String::new(),
        from_day: String::new(),
        to_day: String::new(),
    };
    assert_defused(
        "journal",
        &desk.journal_export(&all, false).expect("journal export"),
    );
    assert_defused(
        "alert cases",
        &desk.cases_export().await.expect("cases export"),
    );

    desk.delivery_start();
    desk.delivery_scan(&hostile);
    desk.delivery_stop();
    assert_defused("delivery", &desk.delivery_report(false).expect("report"));
}
