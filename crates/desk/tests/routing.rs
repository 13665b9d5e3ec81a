//! One router for every scan source: a scan from a serial scanner (a
//! pseudo-terminal stands in for the USB-CDC port) during a delivery check
//! goes to the delivery, never into the counter's basket.

use desk::Desk;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "countercheck-routing-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serial_scan_during_a_delivery_check_goes_to_the_delivery() {
    use serialport::SerialPort;
    let dir = temp("serial");
    let desk = Arc::new(Desk::training(&dir).await.expect("desk"));
    let (mut master, slave) = serialport::TTYPort::pair().expect("pty");
    let path = slave.name().expect("pty name");
    desk.serial_start(&path).expect("serial opens");
    for _ in 0..50 {
        if desk.status().expect("status").inputs.serial_connected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(desk.status().expect("status").inputs.serial_connected);

    desk.delivery_start();
    let codes = desk.training_pack_codes(2).expect("codes");
    for c in &codes {
        master
            .write_all(format!("{}\r", c.replace("<GS>", "\u{1d}")).as_bytes())
            .expect("write");
    }
    master.flush().expect("flush");
    let mut counted = 0;
    for _ in 0..50 {
        counted = desk.delivery_view().scanned;
        if counted == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(counted, 2, "both serial scans counted in the delivery");
    assert!(
        desk.status().expect("status").basket.is_empty(),
        "nothing in the counter's basket"
    );
    desk.delivery_stop();
    desk.serial_stop();
    drop(slave);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn u_undoes_the_pack_on_show_not_the_newest_dispense() {
    use desk::view::Tone;
    let dir = temp("undo");
    let desk = Arc::new(Desk::training(&dir).await.expect("desk"));
    let sheet = desk.demo_sheet().expect("sheet");
    let genuine: Vec<String> = sheet
        .iter()
        .filter(|c| c.label.contains("genuine"))
        .map(|c| packcode::escapes::decode(&c.text))
        .collect();
    for text in &genuine[..2] {
        let v = desk.scan(text, false).await;
        assert_eq!(v.tone, Tone::Green, "{v:?}");
    }
    let out = desk.dispense().await;
    assert!(out.iter().all(|v| v.tone == Tone::Green), "{out:?}");
    assert_eq!(desk.status().expect("status").dispensed.len(), 2);
    // The older pack scanned again: "already dispensed here"; U undoes it.
    let older = desk.scan(&genuine[0], false).await;
    let older_serial = older.pack.clone().expect("pack").serial;
    let v = desk.undo_last().await.expect("undo");
    assert_eq!(v.tone, Tone::Green, "{v:?}");
    assert_eq!(v.pack.expect("pack").serial, older_serial);
    let left = desk.status().expect("status").dispensed;
    assert_eq!(left.len(), 1);
    assert_ne!(left[0].pack.serial, older_serial);
}

/// The engine opens the alert case, whichever screen met the alert: a pack
/// the system does not know, checked during a delivery, opens one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_during_a_delivery_check_opens_a_case() {
    let dir = temp("delivery-alert");
    let desk = Arc::new(Desk::training(&dir).await.expect("desk"));
    let sheet = desk.demo_sheet().expect("sheet");
    let unknown = sheet
        .iter()
        .find(|c| c.label.contains("does not know"))
        .map(|c| packcode::escapes::decode(&c.text))
        .expect("the unknown pack on the demo sheet");
    assert!(desk.cases_list(false).await.expect("cases").is_empty());
    desk.delivery_start();
    desk.delivery_scan(&unknown);
    let view = desk.delivery_verify().await.expect("verify");
    assert_eq!(view.scanned, 1);
    let cases = desk.cases_list(false).await.expect("cases");
    assert_eq!(cases.len(), 1, "{cases:?}");
    assert_eq!(cases[0].return_code, "NMVS_NC_PC_02");
    assert_eq!(cases[0].operation, "verify");
    desk.delivery_stop();
}

/// Closing the window while packs wait to be sent asks first; once the
/// person confirms, it closes, and the journal says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_with_packs_waiting_asks_first() {
    use desk::view::Tone;
    let dir = temp("close");
    let desk = Arc::new(Desk::training(&dir).await.expect("desk"));
    assert_eq!(desk.close_requested(), None, "nothing waits: close");
    let sheet = desk.demo_sheet().expect("sheet");
    let genuine = sheet
        .iter()
        .find(|c| c.label.contains("genuine"))
        .map(|c| packcode::escapes::decode(&c.text))
        .expect("a genuine pack");
    assert_eq!(desk.scan(&genuine, false).await.tone, Tone::Green);
    desk.training_outage(true).await.expect("outage");
    let out = desk.dispense().await;
    assert!(out[0].offline, "{out:?}");
    assert_eq!(desk.close_requested(), Some(1), "one pack waits: ask");
    desk.confirm_close();
    assert_eq!(desk.close_requested(), None, "confirmed: close");
    let noted = desk
        .journal_search(&desk::view::JournalQuery::default())
        .await
        .expect("journal")
        .iter()
        .any(|l| l.outcome == "closed_with_backlog");
    assert!(noted, "the choice is journaled");
}
