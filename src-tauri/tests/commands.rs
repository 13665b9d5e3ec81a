//! Every command under Tauri's mock runtime, with the app's real
//! configuration and capabilities (so a command the window is not granted
//! fails here), over a training desk: the bundled simulator on loopback
//! over HTTPS, a real SQLite ledger.

use desk::Desk;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Listener, WebviewWindow, WebviewWindowBuilder};

fn call(
    w: &WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().expect("json"))
}

fn ok(w: &WebviewWindow<tauri::test::MockRuntime>, cmd: &str, args: Value) -> Value {
    call(w, cmd, args).unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

fn key(w: &WebviewWindow<tauri::test::MockRuntime>, k: &str, t: f64, ctrl: bool) -> Value {
    ok(
        w,
        "key_event",
        json!({"input": {"key": k, "code": "", "ctrl": ctrl, "alt": false, "caps_lock": false, "t_ms": t}}),
    )
}

#[test]
fn every_command_over_a_training_desk() {
    let dir = std::env::temp_dir().join(format!("countercheck-app-cmds-{}", std::process::id()));
    let desk = tauri::async_runtime::block_on(async {
        let d = Arc::new(Desk::training(&dir).await.expect("training desk"));
        d.start_background();
        d
    });
    let app = countercheck_app::build(mock_builder(), desk.clone())
        .build(tauri::generate_context!())
        .expect("app");
    countercheck_app::forward_events(app.handle(), desk.clone());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");

    let status = ok(&w, "desk_status", json!({}));
    assert_eq!(status["training"], true);
    assert_eq!(status["basket"], json!([]));

    let sheet = ok(&w, "demo_sheet", json!({}));
    let sheet = sheet.as_array().expect("codes");
    assert!(sheet.len() >= 5, "{sheet:?}");
    assert!(sheet
        .iter()
        .all(|c| c["svg"].as_str().is_some_and(|s| s.starts_with("<svg"))));
    let text = |i: usize| sheet[i]["text"].as_str().expect("text").to_owned();

    // A genuine pack: green, into the basket; scanned twice: not twice.
    let v = ok(&w, "scan_text", json!({"text": text(0)}));
    assert_eq!(
        (v["tone"].as_str(), v["in_basket"].as_bool()),
        (Some("green"), Some(true)),
        "{v}"
    );
    assert!(
        v["product_name"].as_str().is_some_and(|n| !n.is_empty()),
        "{v}"
    );
    assert_eq!(
        v["pack"]["serial"].as_str().map(|s| text(0).ends_with(s)),
        Some(true)
    );
    let again = ok(&w, "scan_text", json!({"text": text(0)}));
    assert_eq!(again["tone"], "amber");
    assert_eq!(
        ok(&w, "desk_status", json!({}))["basket"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // Dispense the basket; the second scan says "already dispensed here".
    let out = ok(&w, "dispense", json!({}));
    assert_eq!(out[0]["tone"], "green", "{out}");
    let status = ok(&w, "desk_status", json!({}));
    let d = &status["dispensed"][0];
    assert_eq!(
        d["undo_until"]
            .as_i64()
            .zip(d["at"].as_i64())
            .map(|(u, a)| u - a),
        Some(864_000)
    );
    let v = ok(&w, "scan_text", json!({"text": text(0)}));
    assert_eq!(v["tone"], "amber", "{v}");
    assert_eq!(v["detail"]["key"], "already_here_detail", "{v}");
    assert_eq!(v["detail"]["params"]["name"], "Anna Berg", "{v}");
    // Undo it.
    let v = ok(&w, "undo", json!({"id": d["id"]}));
    assert_eq!(v["tone"], "green", "{v}");
    assert!(
        call(&w, "undo_last", json!({})).is_err(),
        "nothing left to undo"
    );

    // The journal: every step of that pack, the chain intact, a CSV export,
    // and the recall view of its batch (undone: still here).
    let serial0 = d["pack"]["serial"].clone();
    let lines = ok(
        &w,
        "journal_search",
        json!({"query": {"product_code": "", "batch": "", "serial": serial0, "user_id": "", "outcome": "", "from_day": "", "to_day": ""}}),
    );
    let ops: Vec<&str> = lines
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["operation"].as_str())
        .collect();
    assert!(
        ops.contains(&"dispense") && ops.contains(&"undo") && ops.contains(&"verify"),
        "{lines}"
    );
    assert_eq!(ok(&w, "journal_check", json!({}))["ok"], true);
    let bad_day = call(
        &w,
        "journal_search",
        json!({"query": {"product_code": "", "batch": "", "serial": "", "user_id": "", "outcome": "", "from_day": "2026-13-01", "to_day": ""}}),
    );
    assert!(bad_day.is_err(), "a bad date is a clear error");
    let path = ok(
        &w,
        "journal_export",
        json!({"query": {"product_code": "", "batch": "", "serial": serial0, "user_id": "", "outcome": "", "from_day": "", "to_day": ""}}),
    );
    let csv = std::fs::read_to_string(path.as_str().expect("path")).expect("csv written");
    assert!(
        csv.starts_with("\"seq\",\"time_utc\",\"operation\""),
        "{csv}"
    );
    assert_eq!(
        csv.lines().count(),
        1 + lines.as_array().map(Vec::len).unwrap_or(0),
        "{csv}"
    );
    let pdf_path = ok(
        &w,
        "journal_export",
        json!({"format": "pdf", "query": {"product_code": "", "batch": "", "serial": serial0, "user_id": "", "outcome": "", "from_day": "", "to_day": ""}}),
    );
    let pdf = std::fs::read(pdf_path.as_str().expect("path")).expect("pdf written");
    assert!(
        pdf.starts_with(b"%PDF-1.4") && pdf.ends_with(b"%%EOF\n"),
        "a PDF"
    );
    let recall = ok(
        &w,
        "recall_search",
        json!({"productCode": d["pack"]["product_code"], "batch": d["pack"]["batch"]}),
    );
    let mine = recall
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["serial"] == serial0)
        .expect("the pack")
        .clone();
    assert_eq!(
        (mine["last_operation"].as_str(), mine["gone"].as_bool()),
        (Some("undo"), Some(false)),
        "{recall}"
    );
    assert!(call(
        &w,
        "recall_search",
        json!({"productCode": "", "batch": "X"})
    )
    .is_err());

    // Recalled, stolen, unknown: red.
    for code in sheet
        .iter()
        .skip(3)
        .filter(|c| c["text"].as_str().is_some_and(|t| t.starts_with("]d2")))
    {
        let v = ok(&w, "scan_text", json!({"text": code["text"]}));
        assert_eq!(v["tone"], "red", "{}: {v}", code["label"]);
    }

    // The unknown serial was an alert: it opened a case with a likely
    // cause; a decision is recorded once; the cases export as CSV.
    let open = ok(&w, "cases_list", json!({"openOnly": true}));
    let case = open
        .as_array()
        .and_then(|a| a.first())
        .cloned()
        .expect("an alert case");
    assert!(
        case["likely_cause"]
            .as_str()
            .is_some_and(|c| c.contains("falsified")),
        "{case}"
    );
    assert!(call(
        &w,
        "case_decide",
        json!({"id": case["id"], "note": "", "decision": " "})
    )
    .is_err());
    assert_eq!(
        ok(
            &w,
            "case_decide",
            json!({"id": case["id"], "note": "pack quarantined", "decision": "reported"})
        ),
        true
    );
    assert_eq!(
        ok(
            &w,
            "case_decide",
            json!({"id": case["id"], "note": "x", "decision": "cleared"})
        ),
        false
    );
    assert_eq!(ok(&w, "cases_list", json!({"openOnly": true})), json!([]));
    let cases_csv =
        std::fs::read_to_string(ok(&w, "cases_export", json!({})).as_str().expect("path"))
            .expect("csv");
    assert!(
        cases_csv.contains("\"reported\"") && cases_csv.contains("pack quarantined"),
        "{cases_csv}"
    );

    // A scan typed by the wedge: a verdict event.
    let (tx, rx) = std::sync::mpsc::channel();
    app.listen_any("verdict", move |e| {
        let _ = tx.send(e.payload().to_owned());
    });
    let mut drx = desk.subscribe();
    let mut t = 10_000.0;
    let scan = text(1).replace("<GS>", "\u{1d}");
    let mut scanned = false;
    for c in scan.chars() {
        let r = if c == '\u{1d}' {
            key(&w, "]", t, true)
        } else {
            key(&w, &c.to_string(), t, false)
        };
        assert_eq!(r["typed"], "", "{r}");
        t += 8.0;
        scanned |= r["scanned"] == true;
    }
    let r = key(&w, "Enter", t, false);
    assert!(r["scanned"] == true && !scanned, "{r}");
    let mut got = false;
    for _ in 0..100 {
        match drx.try_recv() {
            Ok(desk::DeskEvent::Verdict(v)) => {
                assert_eq!(v.tone, desk::view::Tone::Green);
                got = true;
                break;
            }
            Ok(_) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    assert!(got, "the desk decided the wedge scan");
    let event: Value = serde_json::from_str(
        &rx.recv_timeout(Duration::from_secs(10))
            .expect("verdict event"),
    )
    .expect("json");
    assert_eq!(event["tone"], "green", "{event}");
    // A person typing "d": handed back as typed, after the pause.
    let r = key(&w, "d", t + 1000.0, false);
    assert_eq!(r["pending"], true);
    let r = ok(&w, "key_idle", json!({"tMs": t + 1100.0}));
    assert_eq!(r["typed"], "d", "{r}");

    // Basket edits and errors.
    let basket = ok(&w, "desk_status", json!({}))["basket"].clone();
    assert_eq!(basket.as_array().map(Vec::len), Some(1));
    ok(&w, "remove_from_basket", json!({"id": basket[0]["id"]}));
    assert!(call(&w, "remove_from_basket", json!({"id": 999_999})).is_err());
    assert_eq!(
        ok(&w, "acknowledge", json!({"id": 424_242, "note": "none"})),
        false
    );

    // German: kept as the desk's preference; the window words the keys.
    ok(&w, "set_language", json!({"lang": "de"}));
    assert_eq!(ok(&w, "desk_status", json!({}))["language"], "de");
    let v = ok(&w, "scan_text", json!({"text": text(2)}));
    assert_eq!(v["headline"]["key"], "genuine", "{v}");
    assert!(call(&w, "set_language", json!({"lang": "xx"})).is_err());
    ok(&w, "set_language", json!({"lang": "en"}));

    // Calibration: a US scanner on a German keyboard layout. Before, its
    // scan is damaged; after scanning the calibration code, it is clean.
    {
        use packcode::layout::Layout;
        let type_burst = |text: &str, t0: f64| -> f64 {
            let mut t = t0;
            for c in text.chars() {
                if c == '\u{1d}' {
                    key(&w, "]", t, true);
                } else {
                    key(&w, &c.to_string(), t, false);
                }
                t += 8.0;
            }
            key(&w, "Enter", t, false);
            t + 1000.0
        };
        while rx.try_recv().is_ok() {}
        let pack = text(2).replace("<GS>", "\u{1d}");
        let mut t = type_burst(&Layout::German.garble(&pack), 50_000.0);
        let before: Value =
            serde_json::from_str(&rx.recv_timeout(Duration::from_secs(10)).expect("verdict"))
                .expect("json");
        assert_ne!(before["tone"], "green", "garbled by the layout: {before}");
        ok(&w, "calibration_start", json!({}));
        assert_eq!(ok(&w, "desk_status", json!({}))["calibrating"], true);
        let cal = sheet
            .iter()
            .find(|c| {
                c["label"]
                    .as_str()
                    .is_some_and(|l| l.contains("calibration"))
            })
            .expect("calibration code on the sheet");
        t = type_burst(
            &Layout::German.garble(cal["text"].as_str().expect("text")),
            t,
        );
        let status = ok(&w, "desk_status", json!({}));
        assert_eq!(status["calibrating"], false, "{status}");
        assert!(
            status["calibration"]
                .as_str()
                .is_some_and(|m| m.starts_with("Calibrated")),
            "{status}"
        );
        type_burst(&Layout::German.garble(&pack), t);
        let after: Value =
            serde_json::from_str(&rx.recv_timeout(Duration::from_secs(10)).expect("verdict"))
                .expect("json");
        assert_eq!(
            after["pack"]["serial"].as_str().map(|s| pack.ends_with(s)),
            Some(true),
            "clean after calibration: {after}"
        );
        for item in ok(&w, "desk_status", json!({}))["basket"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            ok(&w, "remove_from_basket", json!({"id": item["id"]}));
        }
    }

    // A delivery check: 30 packs of the simulator, one scanned twice, one
    // damaged, a delivery note; bulk verify; the report.
    {
        let codes: Vec<String> =
            serde_json::from_value(ok(&w, "training_pack_codes", json!({"count": 30})))
                .expect("codes");
        assert_eq!(codes.len(), 30);
        let v = ok(&w, "delivery_start", json!({}));
        assert_eq!(
            (v["active"].as_bool(), v["scanned"].as_u64()),
            (Some(true), Some(0))
        );
        assert_eq!(ok(&w, "desk_status", json!({}))["delivery_active"], true);
        // The first pack through the wedge, as a scanner types it.
        let mut t = 90_000.0;
        for c in codes[0].replace("<GS>", "\u{1d}").chars() {
            if c == '\u{1d}' {
                key(&w, "]", t, true);
            } else {
                key(&w, &c.to_string(), t, false);
            }
            t += 8.0;
        }
        key(&w, "Enter", t, false);
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(
            ok(&w, "delivery_view", json!({}))["scanned"],
            1,
            "a wedge scan goes to the delivery"
        );
        for c in &codes[1..] {
            ok(&w, "delivery_scan", json!({"text": c}));
        }
        ok(&w, "delivery_scan", json!({"text": codes[3]}));
        ok(
            &w,
            "delivery_scan",
            json!({"text": "]d201041500375286431727"}),
        );
        let first = packcode::parse(
            &codes[0].replace("<GS>", "\u{1d}"),
            packcode::Date {
                year: 2026,
                month: 11,
                day: 23,
            },
        );
        let (product, _) = first.product_code().expect("product");
        let note = format!(
            "product,batch,quantity\n{product},{},12\n",
            first.batch().expect("batch")
        );
        let v = ok(&w, "delivery_note", json!({"csv": note}));
        assert_eq!(
            (
                v["scanned"].as_u64(),
                v["duplicates"].as_u64(),
                v["bad_scans"].as_u64()
            ),
            (Some(30), Some(1), Some(1)),
            "{v}"
        );
        assert_eq!(v["expected"], 12);
        assert!(call(&w, "delivery_note", json!({"csv": "p,b,q\n1,2,many"})).is_err());
        let v = ok(&w, "delivery_verify", json!({}));
        let groups = v["groups"].as_array().expect("groups");
        let active: u64 = groups.iter().filter_map(|g| g["active"].as_u64()).sum();
        let problems: u64 = groups.iter().filter_map(|g| g["problems"].as_u64()).sum();
        assert_eq!(active + problems, 30, "every pack has a result: {v}");
        assert!(
            v["packs"].as_array().is_some_and(|p| p
                .iter()
                .any(|p| p["detail"].as_str().is_some_and(|d| d.starts_with("bulk")))),
            "verified in bulk: {v}"
        );
        let pdf = ok(&w, "delivery_report", json!({"format": "pdf"}));
        assert!(pdf.as_str().is_some_and(|p| p.ends_with(".pdf")), "{pdf}");
        let path = ok(&w, "delivery_report", json!({}));
        let report = std::fs::read_to_string(path.as_str().expect("path")).expect("report");
        assert!(
            report.contains("\"scanned\",\"30\"") && report.contains("\"duplicates\",\"1\""),
            "{report}"
        );
        ok(&w, "delivery_stop", json!({}));
        assert_eq!(ok(&w, "desk_status", json!({}))["delivery_active"], false);
    }

    // A scanner on a serial port (a pseudo-terminal stands in for it).
    {
        use serialport::SerialPort;
        use std::io::Write;
        let (mut master, slave) = serialport::TTYPort::pair().expect("pty");
        let path = slave.name().expect("pty name");
        ok(&w, "serial_open", json!({"path": path}));
        let mut connected = false;
        for _ in 0..50 {
            if ok(&w, "desk_status", json!({}))["inputs"]["serial_connected"] == true {
                connected = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(connected, "the serial port opened");
        let serial_pack = text(1).replace("<GS>", "\u{1d}");
        master
            .write_all(format!("{serial_pack}\r").as_bytes())
            .expect("write");
        master.flush().expect("flush");
        let ev: Value = serde_json::from_str(
            &rx.recv_timeout(Duration::from_secs(10))
                .expect("serial verdict"),
        )
        .expect("json");
        assert_eq!(
            ev["pack"]["serial"]
                .as_str()
                .map(|s| serial_pack.ends_with(s)),
            Some(true),
            "{ev}"
        );
        ok(&w, "serial_close", json!({}));
        assert!(ok(&w, "desk_status", json!({}))["inputs"]["serial_port"].is_null());
        drop(slave);
    }

    // The camera: none on this machine (a clear error); the demo camera
    // plays the demo codes as frames, with previews and verdicts.
    let err = call(&w, "camera_open", json!({"index": 7})).expect_err("no camera here");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("camera")),
        "{err}"
    );
    let (ptx, prx) = std::sync::mpsc::channel();
    app.listen_any("preview", move |e| {
        let _ = ptx.send(e.payload().to_owned());
    });
    while rx.try_recv().is_ok() {}
    ok(&w, "camera_demo", json!({}));
    let p: Value = serde_json::from_str(
        &prx.recv_timeout(Duration::from_secs(10))
            .expect("a preview"),
    )
    .expect("json");
    assert!(
        p["data_url"]
            .as_str()
            .is_some_and(|d| d.starts_with("data:image/png;base64,")),
        "{p}"
    );
    assert!(
        p["width"].as_u64().is_some_and(|w| w > 0 && w <= 320),
        "{p}"
    );
    let ev: Value = serde_json::from_str(
        &rx.recv_timeout(Duration::from_secs(20))
            .expect("a camera verdict"),
    )
    .expect("json");
    assert!(ev["pack"]["serial"].is_string(), "{ev}");
    assert!(ok(&w, "desk_status", json!({}))["inputs"]["camera"].is_string());
    ok(&w, "camera_close", json!({}));
    assert!(ok(&w, "desk_status", json!({}))["inputs"]["camera"].is_null());
    // The camera's reads went into the basket: empty it by hand.
    std::thread::sleep(Duration::from_millis(300));
    for item in ok(&w, "desk_status", json!({}))["basket"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        ok(&w, "remove_from_basket", json!({"id": item["id"]}));
    }
    assert_eq!(ok(&w, "desk_status", json!({}))["basket"], json!([]));

    // An outage: the dispense is recorded offline, then replayed.
    ok(&w, "training_outage", json!({"on": true}));
    // The stolen pack cannot be checked offline: amber, but it can be
    // dispensed; the replay will find out.
    let stolen = sheet
        .iter()
        .find(|c| c["label"].as_str().is_some_and(|l| l.contains("stolen")))
        .expect("stolen demo pack");
    let v = ok(&w, "scan_text", json!({"text": text(2)}));
    assert_eq!(v["in_basket"], true, "{v}");
    let v = ok(&w, "scan_text", json!({"text": stolen["text"]}));
    assert_eq!(
        (v["tone"].as_str(), v["in_basket"].as_bool()),
        (Some("amber"), Some(true)),
        "{v}"
    );
    let out = ok(&w, "dispense", json!({}));
    assert_eq!(out.as_array().map(Vec::len), Some(2), "{out}");
    assert!(
        out.as_array()
            .is_some_and(|a| a.iter().all(|v| v["offline"] == true)),
        "{out}"
    );
    assert!(ok(&w, "desk_status", json!({}))["banner"]["backlog"].as_u64() >= Some(1));
    // The backlog lists both, with their attempts; retrying during the
    // outage sends nothing and says so.
    let backlog = ok(&w, "outbox_list", json!({}));
    assert_eq!(backlog.as_array().map(Vec::len), Some(2), "{backlog}");
    assert!(
        backlog[0]["operation"] == "dispense"
            && backlog[0]["recorded_text"].as_str().is_some_and(|t| {
                // Local time with its zone named: "2026-12-05 10:14 CET".
                let parts: Vec<&str> = t.split(' ').collect();
                parts.len() == 3 && parts[0].len() == 10 && parts[1].len() == 5
            }),
        "{backlog}"
    );
    let r = ok(&w, "outbox_retry", json!({}));
    assert_eq!(r[0], 0, "nothing sent during the outage: {r}");
    ok(&w, "training_outage", json!({"on": false}));
    // That failed attempt put the backlog on a backoff: retry now.
    ok(&w, "outbox_retry", json!({}));
    let mut drained = false;
    for _ in 0..100 {
        std::thread::sleep(Duration::from_millis(200));
        let b = ok(&w, "desk_status", json!({}))["banner"].clone();
        if b["backlog"] == 0 && b["offline_since"].is_null() {
            drained = true;
            break;
        }
    }
    assert!(drained, "the outbox drained after the outage");
    let status = ok(&w, "desk_status", json!({}));
    let ex = status["exceptions"].as_array().expect("exceptions");
    assert_eq!(ex.len(), 1, "the stolen pack became an exception: {status}");
    let stolen_serial = stolen["text"]
        .as_str()
        .and_then(|t| t.rsplit("<GS>21").next())
        .expect("serial");
    let listed = status["dispensed"].as_array().expect("dispensed");
    assert!(
        listed.iter().all(|d| d["pack"]["serial"] != stolen_serial),
        "a dispense the replay could not send is not listed as dispensed: {status}"
    );
    assert!(listed.iter().all(|d| d["pending"] == false), "{status}");
    assert_eq!(ok(&w, "outbox_list", json!({})), json!([]));
    assert_eq!(
        ok(
            &w,
            "acknowledge",
            json!({"id": ex[0]["id"], "note": "set aside"})
        ),
        true
    );
    assert_eq!(ok(&w, "desk_status", json!({}))["exceptions"], json!([]));

    // People: the picker, a wrong PIN, a technician refused a destroy.
    let users = ok(&w, "users_list", json!({}));
    assert_eq!(users.as_array().map(Vec::len), Some(3), "{users}");
    assert!(call(&w, "sign_in", json!({"userId": "tom", "pin": "0000"})).is_err());
    ok(&w, "sign_in", json!({"userId": "tom", "pin": "2222"}));
    let status = ok(&w, "desk_status", json!({}));
    assert_eq!(status["role"], "technician", "{status}");
    let v = ok(&w, "scan_text", json!({"text": text(0)}));
    assert_eq!(v["tone"], "green", "{v}");
    let this = json!({"operation": "destroy", "productCode": v["pack"]["product_code"], "serial": v["pack"]["serial"]});
    let refused = ok(&w, "decommission", this.clone());
    assert_eq!(refused["code"], "refused", "{refused}");
    assert!(call(
        &w,
        "decommission",
        json!({"operation": "fly", "productCode": v["pack"]["product_code"], "serial": v["pack"]["serial"]})
    )
    .is_err());
    assert!(call(
        &w,
        "decommission",
        json!({"operation": "destroy", "productCode": v["pack"]["product_code"], "serial": "NOT-IT"})
    )
    .is_err());
    assert!(call(
        &w,
        "user_put",
        json!({"user": {"id": "x", "name": "X", "role": "technician", "pin": "1234", "active": true}})
    )
    .is_err());
    ok(&w, "sign_in", json!({"userId": "ada", "pin": "0000"}));
    ok(
        &w,
        "user_put",
        json!({"user": {"id": "x", "name": "X", "role": "technician", "pin": "1234", "active": true}}),
    );
    let mut lock = this;
    lock["operation"] = json!("lock");
    let v = ok(&w, "decommission", lock);
    assert_eq!(v["tone"], "green", "{v}");

    // Settings: site, preferences, the national system, certificates.
    let s = ok(&w, "settings_get", json!({}));
    assert_eq!(s["mode"], "training", "{s}");
    assert_eq!(s["national"]["password_set"], false);
    ok(
        &w,
        "settings_site",
        json!({"site": {"site_name": "Apotheke am Markt", "site_type": "community_pharmacy", "workstation_name": "HV 1"}}),
    );
    assert!(call(
        &w,
        "settings_site",
        json!({"site": {"site_name": "x", "site_type": "shop", "workstation_name": ""}})
    )
    .is_err());
    ok(
        &w,
        "settings_prefs",
        json!({"prefs": {"language": "en", "sounds": false, "offline_delay_ms": 2000}}),
    );
    assert_eq!(ok(&w, "desk_status", json!({}))["sounds"], false);
    ok(
        &w,
        "settings_national",
        json!({"national": {"country": "AT", "interface": "arvato-v5", "securpharm_url": "", "single_pack_url": "https://nmvs.example/ws/SinglePackServiceV50", "bulk_url": "", "support_url": "", "client_login_id": "PH1", "user_id": "u", "password": "pw", "ca_pem": null}}),
    );
    assert!(
        call(&w, "settings_mode", json!({"live": true})).is_err(),
        "no certificate yet"
    );
    assert!(call(
        &w,
        "cert_import_pem",
        json!({"cert": "nonsense", "key": ""})
    )
    .is_err());
    assert!(call(
        &w,
        "cert_import_p12",
        json!({"data": [1, 2, 3], "password": ""})
    )
    .is_err());
    let p = ok(&w, "connection_test", json!({}));
    assert_eq!(p["ok"], false, "{p}");
    let s = ok(&w, "settings_get", json!({}));
    assert_eq!(s["national"]["password_set"], true, "{s}");
    assert!(s["national"].get("password").is_none(), "never sent back");

    // Scanner setup: a scan is shown, not sent.
    ok(&w, "scanner_setup", json!({"on": true}));
    let mut t = 200_000.0;
    for c in text(2).replace("<GS>", "\u{1d}").chars() {
        if c == '\u{1d}' {
            key(&w, "]", t, true);
        } else {
            key(&w, &c.to_string(), t, false);
        }
        t += 8.0;
    }
    key(&w, "Enter", t, false);
    let probe = ok(&w, "scanner_probe", json!({}));
    assert!(
        probe["aim"].as_str().is_some_and(|a| a.starts_with("]d2")),
        "{probe}"
    );
    assert!(probe["hex"][0]
        .as_str()
        .is_some_and(|h| h.starts_with("5D 64 32")));
    ok(&w, "scanner_setup", json!({"on": false}));
    let cal = ok(&w, "calibration_code", json!({}));
    assert!(
        cal["svg"].as_str().is_some_and(|s| s.starts_with("<svg")),
        "{cal}"
    );
    let choices = ok(&w, "input_choices", json!({}));
    assert!(choices["serial_ports"].is_array(), "{choices}");
    desk.stop();
}
