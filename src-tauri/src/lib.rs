//! The Tauri shell. Commands are a few lines each over [`desk::Desk`];
//! this crate holds no rules of its own. Every command but the two key
//! commands (which must stay in order and are instant) is async, so no
//! database, device or network work runs on the window's thread. Events: `verdict` (a
//! `CounterVerdict`, for scans that came from the keyboard wedge) and
//! `status` (fetch `desk_status` again: banner, basket, lists changed) and
//! `preview` (a `CameraPreview` while a camera runs).

use desk::view::{
    AlertCase, CertView, CounterVerdict, DeliveryView, DemoCode, DeskStatus, InputChoices,
    JournalCheck, JournalLine, JournalQuery, KeyInput, KeyResult, NationalInput, OutboxLine,
    PingView, PrefsInput, RecallLine, ScanProbe, SettingsView, SiteInput, SiteStatusView,
    UserInput, UserLine,
};
use desk::words::{Say, Sentence};
use desk::{Desk, DeskEvent};
use std::sync::Arc;
use tauri::{Emitter, Manager, Runtime, State};

/// The desk, shared by every command.
#[derive(Debug)]
pub struct AppState(pub Arc<Desk>);

/// A command's error as the UI receives it: `{ kind, message, say }`
/// (`desk::view::CommandError`).
type Res<T> = Result<T, desk::view::CommandError>;

#[tauri::command]
async fn desk_status(state: State<'_, AppState>) -> Res<DeskStatus> {
    Ok(state.0.status()?)
}

/// One key from anywhere in the window (the keyboard wedge).
#[tauri::command]
fn key_event(state: State<'_, AppState>, input: KeyInput) -> KeyResult {
    state.0.key(&input)
}

#[tauri::command]
fn key_idle(state: State<'_, AppState>, t_ms: f64) -> KeyResult {
    state.0.key_idle(t_ms)
}

/// A scan typed in by hand or chosen on the demo sheet.
#[tauri::command]
async fn scan_text(state: State<'_, AppState>, text: String) -> Res<CounterVerdict> {
    Ok(state.0.scan(&text.replace("<GS>", "\u{1d}"), false).await)
}

#[tauri::command]
async fn dispense(state: State<'_, AppState>) -> Res<Vec<CounterVerdict>> {
    Ok(state.0.dispense().await)
}

#[tauri::command]
async fn confirm_offline(state: State<'_, AppState>) -> Res<Vec<CounterVerdict>> {
    Ok(state.0.confirm_offline().await)
}

/// The person confirmed closing although packs wait to be sent.
#[tauri::command]
async fn close_confirmed<R: Runtime>(
    state: State<'_, AppState>,
    window: tauri::Window<R>,
) -> Res<()> {
    state.0.confirm_close();
    window.close().map_err(|e| desk::view::CommandError {
        kind: desk::view::ErrorKind::Internal,
        message: format!("the window did not close: {e}"),
        say: None,
    })
}

#[tauri::command]
async fn undo(state: State<'_, AppState>, id: u64) -> Res<CounterVerdict> {
    Ok(state.0.undo(id).await?)
}

#[tauri::command]
async fn undo_last(state: State<'_, AppState>) -> Res<CounterVerdict> {
    Ok(state.0.undo_last().await?)
}

/// F (`repair`) or G (`as_scanned`): sends the scan the damage gate held.
#[tauri::command]
async fn send_held(state: State<'_, AppState>, choice: String) -> Res<CounterVerdict> {
    let choice = match choice.as_str() {
        "repair" => desk::Choice::SendRepair,
        "as_scanned" => desk::Choice::SendAsScanned,
        other => {
            return Err(
                desk::DeskError::Input(Sentence::said(format!("unknown choice {other}"))).into(),
            )
        }
    };
    Ok(state.0.send_held(choice).await?)
}

#[tauri::command]
async fn remove_from_basket(state: State<'_, AppState>, id: u64) -> Res<()> {
    Ok(state.0.remove(id)?)
}

#[tauri::command]
async fn acknowledge(state: State<'_, AppState>, id: i64, note: String) -> Res<bool> {
    Ok(state.0.acknowledge(id, &note)?)
}

#[tauri::command]
async fn demo_sheet(state: State<'_, AppState>) -> Res<Vec<DemoCode>> {
    Ok(state.0.demo_sheet()?)
}

/// Training only: stop the bundled simulator (an outage) or start it again.
#[tauri::command]
async fn training_outage(state: State<'_, AppState>, on: bool) -> Res<()> {
    Ok(state.0.training_outage(on).await?)
}

#[tauri::command]
async fn set_language(state: State<'_, AppState>, lang: String) -> Res<()> {
    let l = desk::Lang::from_code(&lang).ok_or_else(|| {
        desk::DeskError::Input(Sentence::of(Say::UnknownLanguage).with("value", &lang))
    })?;
    state.0.set_language(l);
    Ok(())
}

/// Reads a scanner on a serial/USB-CDC port (e.g. /dev/ttyACM0).
#[tauri::command]
async fn serial_open(state: State<'_, AppState>, path: String) -> Res<()> {
    Ok(state.0.serial_start(&path)?)
}

#[tauri::command]
async fn serial_close(state: State<'_, AppState>) -> Res<()> {
    state.0.serial_stop();
    Ok(())
}

/// Starts webcam `index`; previews arrive as `preview` events.
#[tauri::command]
async fn camera_open(state: State<'_, AppState>, index: u32) -> Res<()> {
    // Opening a webcam can take seconds: on a blocking thread, never the
    // window's thread or an async worker.
    let desk = state.0.clone();
    tauri::async_runtime::spawn_blocking(move || {
        desk.camera_start(desk::CameraSource::Device(index))
    })
    .await
    .map_err(|e| desk::view::CommandError {
        kind: desk::view::ErrorKind::Internal,
        message: format!("the camera could not be opened: {e}"),
        say: None,
    })??;
    Ok(())
}

/// Training: the demo codes played as camera frames.
#[tauri::command]
async fn camera_demo(state: State<'_, AppState>) -> Res<()> {
    Ok(state.0.camera_demo()?)
}

#[tauri::command]
async fn camera_close(state: State<'_, AppState>) -> Res<()> {
    state.0.camera_stop();
    Ok(())
}

/// The next scan from the keyboard wedge is the calibration code.
#[tauri::command]
async fn calibration_start(state: State<'_, AppState>) -> Res<()> {
    Ok(state.0.calibration_start()?)
}

#[tauri::command]
async fn journal_search(state: State<'_, AppState>, query: JournalQuery) -> Res<Vec<JournalLine>> {
    Ok(state.0.journal_search(&query).await?)
}

/// Checks the journal's hash chain.
#[tauri::command]
async fn journal_check(state: State<'_, AppState>) -> Res<JournalCheck> {
    Ok(state.0.journal_check()?)
}

/// Opens the exports folder in the system's file manager; returns its path.
#[tauri::command]
async fn exports_open(state: State<'_, AppState>) -> Res<String> {
    Ok(state.0.exports_open()?.display().to_string())
}

/// Writes the matching entries as CSV (or PDF with `format: "pdf"`) into the
/// app's exports folder; returns the path.
#[tauri::command]
async fn journal_export(
    state: State<'_, AppState>,
    query: JournalQuery,
    format: Option<String>,
) -> Res<String> {
    Ok(state
        .0
        .journal_export(&query, format.as_deref() == Some("pdf"))?)
}

/// What happened here to every pack of a product's batch.
#[tauri::command]
async fn recall_search(
    state: State<'_, AppState>,
    product_code: String,
    batch: String,
) -> Res<Vec<RecallLine>> {
    Ok(state.0.recall_search(&product_code, &batch).await?)
}

/// The backlog waiting to be sent.
#[tauri::command]
async fn outbox_list(state: State<'_, AppState>) -> Res<Vec<OutboxLine>> {
    Ok(state.0.outbox_list().await?)
}

/// The site server's state, for a counter of a site (null otherwise).
#[tauri::command]
async fn site_status(state: State<'_, AppState>) -> Res<Option<SiteStatusView>> {
    Ok(state.0.site_status().await)
}

/// Retry now: one replay round at once; returns [sent, exceptions, waiting].
#[tauri::command]
async fn outbox_retry(state: State<'_, AppState>) -> Res<(usize, usize, usize)> {
    Ok(state.0.outbox_retry().await?)
}

/// Starts a delivery check: scans from the wedge go to it.
#[tauri::command]
async fn delivery_start(state: State<'_, AppState>) -> Res<DeliveryView> {
    state.0.delivery_start();
    Ok(state.0.delivery_view())
}

#[tauri::command]
async fn delivery_stop(state: State<'_, AppState>) -> Res<()> {
    state.0.delivery_stop();
    Ok(())
}

#[tauri::command]
async fn delivery_view(state: State<'_, AppState>) -> Res<DeliveryView> {
    Ok(state.0.delivery_view())
}

/// A pack typed by hand into the delivery.
#[tauri::command]
async fn delivery_scan(state: State<'_, AppState>, text: String) -> Res<DeliveryView> {
    state.0.delivery_scan(&text.replace("<GS>", "\u{1d}"));
    Ok(state.0.delivery_view())
}

/// The delivery note as CSV (product code, batch, quantity).
#[tauri::command]
async fn delivery_note(state: State<'_, AppState>, csv: String) -> Res<DeliveryView> {
    Ok(state.0.delivery_note(&csv)?)
}

/// Verifies the delivery in bulk (single-pack fallback).
#[tauri::command]
async fn delivery_verify(state: State<'_, AppState>) -> Res<DeliveryView> {
    Ok(state.0.delivery_verify().await?)
}

/// Writes the delivery report (CSV, or PDF with `format: "pdf"`) into the
/// exports folder; returns the path.
#[tauri::command]
async fn delivery_report(state: State<'_, AppState>, format: Option<String>) -> Res<String> {
    Ok(state.0.delivery_report(format.as_deref() == Some("pdf"))?)
}

/// Training: pack codes of the bundled simulator (GS written as `<GS>`).
#[tauri::command]
async fn training_pack_codes(state: State<'_, AppState>, count: usize) -> Res<Vec<String>> {
    Ok(state.0.training_pack_codes(count)?)
}

/// Alert cases, newest first (`openOnly`: the undecided ones).
#[tauri::command]
async fn cases_list(state: State<'_, AppState>, open_only: bool) -> Res<Vec<AlertCase>> {
    Ok(state.0.cases_list(open_only).await?)
}

/// A note and a decision on an open alert case.
#[tauri::command]
async fn case_decide(
    state: State<'_, AppState>,
    id: i64,
    note: String,
    decision: String,
) -> Res<bool> {
    Ok(state.0.case_decide(id, &note, &decision).await?)
}

/// Every alert case as CSV (for the national organisation); returns the path.
#[tauri::command]
async fn cases_export(state: State<'_, AppState>) -> Res<String> {
    Ok(state.0.cases_export().await?)
}

/// Who may sign in (for the picker). These commands are async so that
/// their work (PIN hashing, the keyring over D-Bus, SQLite) runs off the
/// window's thread.
#[tauri::command]
async fn users_list(state: State<'_, AppState>) -> Res<Vec<UserLine>> {
    Ok(state.0.users_list()?)
}

#[tauri::command]
async fn sign_in(state: State<'_, AppState>, user_id: String, pin: String) -> Res<()> {
    state.0.sign_in(&user_id, &pin)?;
    Ok(())
}

#[tauri::command]
async fn sign_out(state: State<'_, AppState>) -> Res<()> {
    state.0.sign_out();
    Ok(())
}

/// Adds or changes a user (administrators).
#[tauri::command]
async fn user_put(state: State<'_, AppState>, user: UserInput) -> Res<()> {
    Ok(state.0.user_put(&user)?)
}

#[tauri::command]
async fn settings_get(state: State<'_, AppState>) -> Res<SettingsView> {
    Ok(state.0.settings()?)
}

#[tauri::command]
async fn settings_site(state: State<'_, AppState>, site: SiteInput) -> Res<()> {
    Ok(state.0.settings_site(&site)?)
}

#[tauri::command]
async fn settings_prefs(state: State<'_, AppState>, prefs: PrefsInput) -> Res<()> {
    Ok(state.0.settings_prefs(&prefs)?)
}

#[tauri::command]
async fn settings_national(state: State<'_, AppState>, national: NationalInput) -> Res<()> {
    Ok(state.0.settings_national(&national)?)
}

/// The national system (`live`) or training at the next start.
#[tauri::command]
async fn settings_mode(state: State<'_, AppState>, live: bool) -> Res<()> {
    Ok(state.0.settings_mode(live)?)
}

/// The interface training simulates from its next start.
#[tauri::command]
async fn settings_training(state: State<'_, AppState>, interface: String) -> Res<()> {
    Ok(state.0.settings_training(&interface)?)
}

/// Joins this counter to its site server with a one-time code.
#[tauri::command]
async fn settings_site_enrol(state: State<'_, AppState>, url: String, code: String) -> Res<()> {
    Ok(state.0.settings_site_enrol(&url, &code).await?)
}

/// Leaves the site server (this counter's own national system again).
#[tauri::command]
async fn settings_site_leave(state: State<'_, AppState>) -> Res<()> {
    Ok(state.0.settings_site_leave()?)
}

/// One day's dispensed packs with their batches, as CSV and JSON files.
#[tauri::command]
async fn batches_export(state: State<'_, AppState>, day: String) -> Res<Vec<String>> {
    Ok(state.0.batches_export(&day)?)
}

/// The client certificate and key as PEM text (key may be empty when the
/// certificate text holds it).
#[tauri::command]
async fn cert_import_pem(state: State<'_, AppState>, cert: String, key: String) -> Res<CertView> {
    Ok(state.0.cert_import_pem(&cert, &key)?)
}

/// A PKCS#12 file's bytes and its password.
#[tauri::command]
async fn cert_import_p12(
    state: State<'_, AppState>,
    data: Vec<u8>,
    password: String,
) -> Res<CertView> {
    Ok(state.0.cert_import_p12(&data, &password)?)
}

#[tauri::command]
async fn connection_test(state: State<'_, AppState>) -> Res<PingView> {
    Ok(state.0.connection_test().await)
}

/// Destroy, stolen, lock… (by name) for the last pack scanned, which must
/// be the pack the window shows (`productCode`, `serial`).
#[tauri::command]
async fn decommission(
    state: State<'_, AppState>,
    operation: String,
    product_code: String,
    serial: String,
) -> Res<CounterVerdict> {
    let op = domain::Operation::from_cli_name(&operation).ok_or_else(|| {
        desk::DeskError::Input(Sentence::said(format!("unknown operation {operation:?}")))
    })?;
    Ok(state.0.decommission(op, (&product_code, &serial)).await?)
}

/// Healthcare institutions: verify the delivery and decommission it.
#[tauri::command]
async fn delivery_decommission(state: State<'_, AppState>) -> Res<DeliveryView> {
    Ok(state.0.delivery_decommission().await?)
}

/// The scanner-setup screen opens (scans are shown, not sent) or closes.
#[tauri::command]
async fn scanner_setup(state: State<'_, AppState>, on: bool) -> Res<()> {
    state.0.scanner_setup(on);
    Ok(())
}

#[tauri::command]
async fn scanner_probe(state: State<'_, AppState>) -> Res<Option<ScanProbe>> {
    Ok(state.0.scanner_probe())
}

/// The calibration code to show or print (every mode).
#[tauri::command]
async fn calibration_code(state: State<'_, AppState>) -> Res<DemoCode> {
    Ok(state.0.calibration_code()?)
}

#[tauri::command]
async fn input_choices(state: State<'_, AppState>) -> Res<InputChoices> {
    Ok(state.0.input_choices())
}

// The commands the window may call, one list for the build script (which
// declares their permissions) and the app: `src/command_names.rs`.
include!("command_names.rs");

/// Passes the desk's events to the window (`verdict`, `status`). The app
/// does this when it starts; tests of a built app call it themselves.
pub fn forward_events<R: Runtime>(handle: &tauri::AppHandle<R>, desk: Arc<Desk>) {
    let handle = handle.clone();
    tauri::async_runtime::spawn(async move {
        let mut rx = desk.subscribe();
        loop {
            let ev = match rx.recv().await {
                Ok(ev) => ev,
                // Missed some: the window refreshes its status anyway.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => DeskEvent::Status,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            };
            // A window that is gone does not stop the desk.
            let _ = match ev {
                DeskEvent::Verdict(v) => handle.emit("verdict", *v),
                DeskEvent::Status => handle.emit("status", ()),
                DeskEvent::Preview(p) => handle.emit("preview", *p),
            };
        }
    });
}

/// The app over `desk`, for any runtime (the mock runtime in tests).
pub fn build<R: Runtime>(builder: tauri::Builder<R>, desk: Arc<Desk>) -> tauri::Builder<R> {
    builder
        .manage(AppState(desk))
        .setup(|app| {
            let desk = app.state::<AppState>().0.clone();
            forward_events(app.handle(), desk);
            Ok(())
        })
        // Closing with packs waiting to be sent asks first (`close_requested`
        // event; the window answers with `close_confirmed`).
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                if let Some(backlog) = window.state::<AppState>().0.close_requested() {
                    api.prevent_close();
                    let _ = window.emit("close_requested", backlog);
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            desk_status,
            key_event,
            key_idle,
            scan_text,
            dispense,
            undo,
            undo_last,
            send_held,
            confirm_offline,
            close_confirmed,
            remove_from_basket,
            acknowledge,
            demo_sheet,
            training_outage,
            set_language,
            serial_open,
            serial_close,
            camera_open,
            camera_demo,
            camera_close,
            calibration_start,
            journal_search,
            journal_check,
            journal_export,
            recall_search,
            outbox_list,
            site_status,
            outbox_retry,
            delivery_start,
            delivery_stop,
            delivery_view,
            delivery_scan,
            delivery_note,
            delivery_verify,
            delivery_report,
            training_pack_codes,
            cases_list,
            case_decide,
            cases_export,
            users_list,
            sign_in,
            sign_out,
            user_put,
            settings_get,
            settings_site,
            settings_prefs,
            settings_national,
            settings_mode,
            settings_training,
            settings_site_enrol,
            settings_site_leave,
            batches_export,
            cert_import_pem,
            cert_import_p12,
            connection_test,
            decommission,
            delivery_decommission,
            scanner_setup,
            scanner_probe,
            input_choices,
            calibration_code,
            exports_open
        ])
}

/// Shows the main window in front (a second start asked for it).
fn bring_forward<R: Runtime>(handle: &tauri::AppHandle<R>) {
    if let Some(w) = handle.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
    desk::log("a second start: the window was brought forward");
}

/// Starts the desktop app: in training mode (the bundled simulator with
/// demo packs) on first run, on the national system once the settings ask
/// for it.
pub fn run() -> Result<(), String> {
    let base = desk::data_dir("");
    // First: a log file in the data folder's `logs`, panics included (with
    // the Windows GUI subsystem there is no console to see them in).
    if let Err(e) = desk::start_log("desk") {
        eprintln!("countercheck-app: no log file ({e})");
    }
    desk::log(&format!(
        "countercheck-app {} starting",
        env!("CARGO_PKG_VERSION")
    ));
    // One desk app per data folder: a second start brings the first one's
    // window forward and ends.
    let instance = match desk::single_instance(&base) {
        Ok(lock) => lock,
        Err(desk::DeskError::AlreadyRunning) => {
            desk::log("already running: the running desk was asked to bring its window forward");
            return desk::wake_first(&base).map_err(|e| {
                format!("already running, and it could not be asked to come forward: {e}")
            });
        }
        Err(e) => return Err(e.to_string()),
    };
    let desk = tauri::async_runtime::block_on(async {
        let (desk, why) = Desk::open(&base).await.map_err(|e| e.to_string())?;
        if let Some(why) = why {
            desk::log(&why);
        }
        let desk = Arc::new(desk);
        desk.load_layout();
        desk.start_background();
        Ok::<_, String>(desk)
    })?;
    let app = build(tauri::Builder::default(), desk.clone())
        .build(tauri::generate_context!())
        .map_err(|e| e.to_string())?;
    let handle = app.handle().clone();
    if let Err(e) = instance.on_wake(&base, move || bring_forward(&handle)) {
        desk::log(&format!(
            "a second start cannot bring this window forward: {e}"
        ));
    }
    app.run(|_, _| {});
    desk.stop();
    drop(instance);
    Ok(())
}
