//! The store on real SQLite files: migrations, recording, claiming,
//! finishing, and a journal that finds tampering.

use rusqlite::Connection;
use std::path::PathBuf;
use store::{JournalEntry, JournalFilter, NewOperation, OutboxStatus, Store, StoreError};

fn db(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("countercheck-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("countercheck.sqlite")
}

fn op(n: usize, operation: &str) -> NewOperation {
    NewOperation {
        client_trx_id: format!("trx-{operation}-{n}"),
        operation: operation.into(),
        product_code: "04150037528643".into(),
        scheme: "GTIN".into(),
        serial: format!("SER{n:05}"),
        batch: "B1".into(),
        expiry: "270100".into(),
        ref_client_trx_id: None,
        user_id: "anna".into(),
        workstation: "till-1".into(),
        site: "PH-1".into(),
    }
}

#[test]
fn migrations_on_empty_and_populated_databases() {
    let path = db("migrate");
    let mut s = Store::open(&path).expect("opens");
    assert_eq!(s.schema_version().expect("version"), 6);
    s.record_offline(&op(1, "G120"), 100).expect("recorded");
    drop(s);
    let s = Store::open(&path).expect("reopens");
    assert_eq!(s.schema_version().expect("version"), 6);
    assert_eq!(s.outbox(None).expect("outbox").len(), 1, "data kept");
    drop(s);
    let c = Connection::open(&path).expect("raw");
    c.execute_batch("PRAGMA user_version = 99").expect("bump");
    drop(c);
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::TooNew { found: 99, .. })
    ));
}

#[test]
fn recording_claiming_and_finishing() {
    let path = db("outbox");
    let mut a = Store::open(&path).expect("a");
    for n in 0..6 {
        a.record_offline(&op(n, "G120"), 100).expect("recorded");
    }
    let last = a
        .last_change("04150037528643", "SER00003")
        .expect("query")
        .expect("a change");
    // The change by its ClientTrxId (a repeated request is answered from it).
    let by_trx = a
        .change_of(&last.client_trx_id)
        .expect("query")
        .expect("found");
    assert_eq!(by_trx, last);
    assert_eq!(a.change_of("no-such-trx").expect("query"), None);
    assert_eq!(
        (last.operation.as_str(), last.outcome.as_str()),
        ("G120", "recorded")
    );
    // Two processes claim at once: disjoint items.
    let mut b = Store::open(&path).expect("b");
    let ca = a.claim_due("worker-a", 200, 60, 4).expect("claim a");
    let cb = b.claim_due("worker-b", 200, 60, 4).expect("claim b");
    assert_eq!(ca.len() + cb.len(), 6);
    assert!(ca.iter().all(|x| cb.iter().all(|y| x.id != y.id)));
    // Only the claimant can finish; finishing is recorded in ledger and journal.
    assert!(!b
        .complete(
            ca[0].id,
            "worker-b",
            "NMVS_SUCCESS",
            Some("SUPPLIED"),
            Some("N1"),
            210
        )
        .expect("not mine"));
    assert!(a
        .complete(
            ca[0].id,
            "worker-a",
            "NMVS_SUCCESS",
            Some("SUPPLIED"),
            Some("N1"),
            210
        )
        .expect("done"));
    assert!(a
        .to_exception(
            ca[1].id,
            "worker-a",
            "NMVS_NC_PCK_22",
            "already inactive at replay",
            211
        )
        .expect("exception"));
    assert!(a
        .retry_later(ca[2].id, "worker-a", "timeout", 400)
        .expect("later"));
    let done = a.outbox(Some(OutboxStatus::Done)).expect("done list");
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].result_code.as_deref(), Some("NMVS_SUCCESS"));
    let ex = a.outbox(Some(OutboxStatus::Exception)).expect("exceptions");
    assert_eq!(
        ex[0].last_error.as_deref(),
        Some("already inactive at replay")
    );
    assert!(a
        .acknowledge(ex[0].id, "called the wholesaler", "anna", "till-1", 300)
        .expect("ack"));
    assert!(!a
        .acknowledge(ex[0].id, "again", "anna", "till-1", 301)
        .expect("only once"));
    // Who acknowledged it is kept, and journaled.
    let ex = a.outbox(Some(OutboxStatus::Exception)).expect("exceptions");
    assert_eq!(ex[0].acknowledged_by.as_deref(), Some("anna"));
    let acks = a
        .journal_query(&store::JournalFilter {
            outcome: "acknowledged".into(),
            ..store::JournalFilter::default()
        })
        .expect("journal");
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].entry.user_id, "anna");
    assert!(acks[0].entry.detail.contains("called the wholesaler"));
    // A claim whose process died is due again after the lease.
    assert!(
        a.claim_due("worker-c", 230, 60, 10)
            .expect("claim")
            .is_empty(),
        "leases still running"
    );
    let again = a.claim_due("worker-c", 1000, 60, 10).expect("claim");
    assert_eq!(again.len(), 4, "the abandoned claims and the retried item");
    let ledger_state: String = a
        .connection()
        .query_row(
            "SELECT outcome FROM ledger WHERE client_trx_id = ?1",
            [&ca[0].op.client_trx_id],
            |r| r.get(0),
        )
        .expect("ledger");
    assert_eq!(ledger_state, "NMVS_SUCCESS");
    // Eight from the operations, one for the acknowledgement.
    assert_eq!(a.journal_verify().expect("verify"), Ok(9));
}

fn entry(n: i64) -> JournalEntry {
    JournalEntry {
        at: 1_000 + n,
        kind: "scan".into(),
        product_code: "04150037528643".into(),
        batch: if n % 2 == 0 { "B1".into() } else { "B2".into() },
        serial: format!("S{n}"),
        operation: "G110".into(),
        outcome: "NMVS_SUCCESS".into(),
        user_id: "anna".into(),
        workstation: "till-1".into(),
        detail: String::new(),
    }
}

fn journal_of(name: &str, n: i64) -> PathBuf {
    let path = db(name);
    let mut s = Store::open(&path).expect("opens");
    for i in 1..=n {
        s.journal_append(&entry(i)).expect("append");
    }
    assert_eq!(s.journal_verify().expect("verify"), Ok(n));
    path
}

/// Tampers with the file as someone with the sqlite3 tool would.
fn tamper(path: &PathBuf, sql: &str) {
    let c = Connection::open(path).expect("raw open");
    c.execute_batch(&format!(
        "DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete; {sql}"
    ))
    .expect("tamper");
}

#[test]
fn the_journal_is_append_only_in_sql() {
    let path = journal_of("appendonly", 3);
    let c = Connection::open(&path).expect("raw open");
    assert!(c
        .execute("UPDATE journal SET outcome = 'X' WHERE seq = 2", [])
        .is_err());
    assert!(c.execute("DELETE FROM journal WHERE seq = 2", []).is_err());
}

#[test]
fn tampering_is_found_at_the_first_bad_entry() {
    let path = journal_of("changed", 10);
    tamper(
        &path,
        "UPDATE journal SET outcome = 'NMVS_NC_PCK_22' WHERE seq = 4;",
    );
    let broken = Store::open(&path)
        .expect("opens")
        .journal_verify()
        .expect("verify")
        .expect_err("broken");
    assert_eq!(broken.seq, 4);
    assert!(broken.reason.contains("changed"), "{broken}");

    let path = journal_of("deleted", 10);
    tamper(&path, "DELETE FROM journal WHERE seq = 6;");
    let broken = Store::open(&path)
        .expect("opens")
        .journal_verify()
        .expect("verify")
        .expect_err("broken");
    assert_eq!(broken.seq, 6);

    let path = journal_of("reordered", 10);
    // Swap the contents of entries 3 and 7 (hashes travel with their rows).
    tamper(
        &path,
        "UPDATE journal SET seq = -3 WHERE seq = 3; UPDATE journal SET seq = 3 WHERE seq = 7; UPDATE journal SET seq = 7 WHERE seq = -3;",
    );
    let broken = Store::open(&path)
        .expect("opens")
        .journal_verify()
        .expect("verify")
        .expect_err("broken");
    assert_eq!(broken.seq, 3);

    let path = journal_of("truncated", 10);
    tamper(&path, "DELETE FROM journal WHERE seq = 10;");
    let broken = Store::open(&path)
        .expect("opens")
        .journal_verify()
        .expect("verify")
        .expect_err("broken");
    assert_eq!(broken.seq, 10);
    assert!(broken.reason.contains("end"), "{broken}");
}

#[test]
fn recall_search_by_product_batch_and_time() {
    let path = journal_of("recall", 20);
    let s = Store::open(&path).expect("opens");
    let hits = s
        .journal_search("04150037528643", "B1", None, None)
        .expect("search");
    assert_eq!(hits.len(), 10);
    assert!(hits.iter().all(|h| h.entry.batch == "B1"));
    let window = s
        .journal_search("04150037528643", "B1", Some(1_005), Some(1_010))
        .expect("search");
    assert_eq!(
        window
            .iter()
            .map(|h| h.entry.serial.as_str())
            .collect::<Vec<_>>(),
        vec!["S6", "S8", "S10"]
    );
    assert!(s
        .journal_search("09501101530003", "B1", None, None)
        .expect("search")
        .is_empty());
}

#[test]
fn migration_2_on_a_version_1_database_with_data() {
    let path = db("v1");
    std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    let c = Connection::open(&path).expect("raw");
    c.execute_batch(include_str!("../migrations/0001_init.sql"))
        .expect("v1 schema");
    c.execute_batch("PRAGMA user_version = 1").expect("v1");
    c.execute(
        "INSERT INTO outbox (client_trx_id, operation, product_code, scheme, serial, batch, expiry, user_id, workstation, site, created_at, next_attempt_at, attempts)
         VALUES ('t1', 'G120', 'P', 'GTIN', 'S1', 'B', '270100', 'u', 'w', 's', 50, 50, 1),
                ('t2', 'G120', 'P', 'GTIN', 'S2', 'B', '270100', 'u', 'w', 's', 60, 60, 0)",
        [],
    )
    .expect("v1 data");
    c.execute(
        "INSERT INTO users (id, name, role, pin_hash) VALUES ('anna', 'Anna', 'pharmacist', NULL)",
        [],
    )
    .expect("v1 user");
    drop(c);
    let s = Store::open(&path).expect("migrates");
    let anna = s.user("anna").expect("user").expect("kept");
    assert!(anna.active, "a user from version 1 may still sign in");
    assert_eq!(s.schema_version().expect("version"), 6);
    let items = s.outbox(None).expect("items");
    assert_eq!(
        items.iter().map(|i| i.sent_at).collect::<Vec<_>>(),
        vec![Some(50), None]
    );
}

#[test]
fn journal_search_by_any_field_newest_first() {
    let path = journal_of("query", 20);
    let mut s = Store::open(&path).expect("opens");
    let mut odd = entry(21);
    odd.user_id = "ben".into();
    odd.outcome = "NMVS_FE_LOT_03".into();
    s.journal_append(&odd).expect("append");
    let q = |f: JournalFilter| s.journal_query(&f).expect("query");
    let all = q(JournalFilter::default());
    assert_eq!(all.len(), 21);
    assert!(
        all.windows(2).all(|w| w[0].entry.at >= w[1].entry.at),
        "newest first"
    );
    let ben = q(JournalFilter {
        user_id: "ben".into(),
        ..JournalFilter::default()
    });
    assert_eq!(ben.len(), 1);
    assert_eq!(ben[0].entry.serial, "S21");
    let errors = q(JournalFilter {
        outcome: "NMVS_FE".into(),
        ..JournalFilter::default()
    });
    assert_eq!(errors.len(), 1);
    // LIKE wildcards in the input are taken literally.
    assert!(q(JournalFilter {
        outcome: "%".into(),
        ..JournalFilter::default()
    })
    .is_empty());
    let one = q(JournalFilter {
        serial: "S7".into(),
        ..JournalFilter::default()
    });
    assert_eq!(one.len(), 1);
    let window = q(JournalFilter {
        batch: "B2".into(),
        from: Some(1_005),
        to: Some(1_009),
        ..JournalFilter::default()
    });
    assert_eq!(
        window
            .iter()
            .map(|h| h.entry.serial.as_str())
            .collect::<Vec<_>>(),
        vec!["S9", "S7", "S5"]
    );
    assert_eq!(
        q(JournalFilter {
            limit: Some(3),
            ..JournalFilter::default()
        })
        .len(),
        3
    );
}

#[test]
fn alert_cases_open_and_are_decided_once() {
    let s = Store::open(&db("cases")).expect("opens");
    let case = store::NewCase {
        opened_at: 100,
        product_code: "04150037528643".into(),
        batch: "B1".into(),
        expiry: "270131".into(),
        serial: "FAKE1".into(),
        operation: "verify".into(),
        return_code: "NMVS_NC_PC_01".into(),
        message: "Unknown serial".into(),
        likely_cause: "the scan was read cleanly: the pack may be falsified".into(),
        scan_text: "]d2…".into(),
        user_id: "anna".into(),
        workstation: "till-1".into(),
        alert_id: Some("SPA-7".into()),
    };
    let id = s.open_case(&case).expect("open");
    assert_eq!(s.cases(true).expect("open cases").len(), 1);
    assert!(s
        .decide_case(id, "quarantined", "reported", "anna", 200)
        .expect("decide"));
    assert!(!s
        .decide_case(id, "again", "cleared", "ben", 300)
        .expect("no rewrite"));
    assert!(s.cases(true).expect("open").is_empty());
    let all = s.cases(false).expect("all");
    assert_eq!(
        (all[0].decision.as_deref(), all[0].decided_by.as_deref()),
        (Some("reported"), Some("anna"))
    );
    assert_eq!(all[0].alert_id.as_deref(), Some("SPA-7"));
    assert!(!s.decide_case(999, "x", "y", "z", 1).expect("unknown id"));
}

#[test]
fn claims_are_renewed_by_their_round_and_survive_no_clock_change() {
    let path = db("lease");
    let mut s = Store::open(&path).expect("opens");
    for n in 0..3 {
        s.record_offline(&op(n, "G120"), 100).expect("recorded");
    }
    assert_eq!(s.claim_due("a", 100, 15, 10).expect("claim").len(), 3);
    // A long round renews what it holds: nobody else takes it.
    assert_eq!(s.renew_claims("a", 140).expect("renew"), 3);
    assert!(s.claim_due("b", 150, 15, 10).expect("claim").is_empty());
    // Not renewed for the lease: the claimant died; taken over.
    assert_eq!(s.claim_due("b", 160, 15, 10).expect("claim").len(), 3);
    // The clock moved back an hour: a claim "from the future" would never
    // run out; it counts as due, not stranded.
    assert_eq!(
        s.claim_due("c", 160 - 3600, 15, 10).expect("claim").len(),
        3
    );
    // Renewing only touches the worker's own claims.
    assert_eq!(s.renew_claims("b", 170).expect("renew"), 0);
}

/// The intent of a change and its guard are one transaction: a live claim
/// of the pack is "busy", a waiting item queues the new change behind it, a
/// refused guard writes nothing; settling writes what the answer said.
#[test]
fn intents_are_guarded_queued_and_settled() {
    use store::{Begin, Settle};
    let path = db("intents");
    let mut s = Store::open(&path).expect("opens");
    let mut a = op(1, "G120");
    let begun = s
        .begin_change(&mut a, "w1", 100, 15, |last| {
            assert!(last.is_none());
            Ok::<_, ()>(None)
        })
        .expect("begin");
    let Begin::Send(id) = begun else {
        panic!("{begun:?}")
    };
    assert_eq!(
        s.last_change("04150037528643", "SER00001")
            .expect("last")
            .map(|r| r.outcome)
            .as_deref(),
        Some(store::SENDING)
    );
    // Another program, while the claim is live: busy, and nothing written.
    let mut again = op(1, "G120");
    again.client_trx_id = "trx-other".into();
    let other = Store::open(&path).expect("second connection");
    let mut other = other;
    assert_eq!(
        other
            .begin_change(&mut again, "w2", 105, 15, |_| Ok::<_, ()>(None))
            .expect("busy"),
        Begin::Busy
    );
    // The guard sees the intent and refuses; nothing is written.
    assert_eq!(
        s.begin_change(&mut again, "w1", 200, 15, |last| {
            assert_eq!(last.map(|r| r.outcome.as_str()), Some(store::SENDING));
            Err("already")
        })
        .expect("refused"),
        Begin::Refused("already")
    );
    // Unknown outcome: the intent becomes an ordinary outbox item.
    assert!(s
        .settle_change(
            id,
            "w1",
            Settle::Unknown {
                maybe_sent: true,
                error: "no answer"
            },
            101
        )
        .expect("settle"));
    let items = s.outbox(Some(store::OutboxStatus::Pending)).expect("list");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].sent_at, Some(100));
    // An undo now waits behind it (queued, recorded), in order.
    let mut undo = op(1, "G121");
    let queued = s
        .begin_change(&mut undo, "w1", 102, 15, |last| {
            Ok::<_, ()>(last.map(|r| r.client_trx_id.clone()))
        })
        .expect("queue");
    assert!(matches!(queued, Begin::Queued(_)), "{queued:?}");
    assert_eq!(undo.ref_client_trx_id.as_deref(), Some("trx-G120-1"));
    // Answered: the queue keeps nothing, the ledger the answer.
    let mut b = op(2, "G120");
    let Begin::Send(id) = s
        .begin_change(&mut b, "w1", 110, 15, |_| Ok::<_, ()>(None))
        .expect("begin")
    else {
        panic!()
    };
    assert!(!s
        .settle_change(id, "w9", Settle::NotSent, 111)
        .expect("not w9's"));
    assert!(s
        .settle_change(
            id,
            "w1",
            Settle::Refused {
                code: "NMVS_NC_PCK_22"
            },
            111
        )
        .expect("refused"));
    assert_eq!(
        s.last_change("04150037528643", "SER00002").expect("last"),
        None
    );
    assert_eq!(s.outbox(None).expect("all").len(), 2);
}

#[test]
fn the_journals_head_is_not_a_setting_anyone_writes() {
    let s = Store::open(&db("head")).expect("opens");
    for r in [
        s.set_setting(store::JOURNAL_HEAD_KEY, "0"),
        s.delete_setting(store::JOURNAL_HEAD_KEY),
    ] {
        assert!(matches!(r, Err(store::StoreError::Reserved(_))), "{r:?}");
    }
    s.set_setting("ui.language", "de")
        .expect("an ordinary setting");
}
