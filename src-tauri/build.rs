fn main() {
    // Every app command gets an allow/deny permission; the window's
    // capability (capabilities/main.json) grants exactly the ones the UI calls.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "desk_status",
        "key_event",
        "key_idle",
        "scan_text",
        "dispense",
        "undo",
        "undo_last",
        "remove_from_basket",
        "acknowledge",
        "demo_sheet",
        "training_outage",
        "set_language",
        "serial_open",
        "serial_close",
        "camera_open",
        "camera_demo",
        "camera_close",
        "calibration_start",
        "journal_search",
        "journal_check",
        "journal_export",
        "recall_search",
        "outbox_list",
        "outbox_retry",
        "delivery_start",
        "delivery_stop",
        "delivery_view",
        "delivery_scan",
        "delivery_note",
        "delivery_verify",
        "delivery_report",
        "training_pack_codes",
        "cases_list",
        "case_decide",
        "cases_export",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build script");
}
