//! The desk's sentences in English and German. The national system's own
//! message (the detail line) stays as the code table words it.

/// The desk's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    De,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    pub fn from_code(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "de" => Some(Lang::De),
            _ => None,
        }
    }
}

pub(crate) struct Words {
    pub genuine: &'static str,
    pub not_active: &'static str,
    pub dispensed: &'static str,
    pub undone: &'static str,
    pub done: &'static str,
    pub warning: &'static str,
    pub technical: &'static str,
    pub alert: &'static str,
    pub bad_scan: &'static str,
    pub already_here: &'static str,
    pub nothing_to_undo: &'static str,
    pub expired: &'static str,
    pub batch_recalled: &'static str,
    pub recorded_offline: &'static str,
    pub offline_verify: &'static str,
    pub in_basket_already: &'static str,
    pub desk_error: &'static str,
    pub caps_lock: (&'static str, &'static str),
    pub next_dispense: &'static str,
    pub next_continue: &'static str,
    pub next_rescan: &'static str,
    pub next_undo: &'static str,
    pub next_set_aside: &'static str,
    pub next_alert: &'static str,
    pub next_offline_verify: &'static str,
    pub held: &'static str,
    pub in_progress: &'static str,
    pub next_held_repair: &'static str,
    pub next_held_as_scanned: &'static str,
    pub next_held_both: &'static str,
    pub misconfigured: &'static str,
    pub next_misconfigured: &'static str,
    pub confirm_offline: &'static str,
    pub next_confirm_offline: &'static str,
}

const EN: Words = Words {
    genuine: "Genuine and active.",
    not_active: "Not active at the national system: do not hand it out.",
    dispensed: "Dispensed.",
    undone: "Dispense undone: the pack is active again.",
    done: "Done.",
    warning: "Do not hand this pack out.",
    technical: "The national system could not answer properly.",
    alert: "Alert: this pack may be falsified.",
    bad_scan: "The scan is damaged: nothing was sent.",
    already_here: "Already dispensed here.",
    nothing_to_undo: "Nothing to undo for this pack.",
    expired: "Expired: do not hand it out.",
    batch_recalled: "Batch recalled or withdrawn: do not hand it out.",
    recorded_offline: "Recorded offline: it will be sent when the system is back.",
    offline_verify: "Offline: the pack could not be checked.",
    in_basket_already: "Already in the basket.",
    desk_error: "The desk could not record this scan.",
    caps_lock: (
        "Caps Lock was on while the scanner typed.",
        "Turn Caps Lock off and scan again.",
    ),
    next_dispense: "D: dispense the basket · Esc: clear",
    next_continue: "Scan the next pack",
    next_rescan: "Scan again (see the fix below)",
    next_undo: "U: undo the dispense, if it was a mistake",
    next_set_aside: "Set the pack aside for return",
    next_alert: "Quarantine the pack and report the alert",
    next_offline_verify: "D: dispense anyway; it is checked when the system is back",
    held: "Held: this scan looks damaged. Nothing was sent.",
    in_progress: "Already being sent: not sent twice.",
    next_held_repair: "Fix the scanner and scan again, or F: send the repaired reading",
    next_held_as_scanned: "Fix the scanner and scan again, or G: send as scanned",
    next_held_both:
        "Fix the scanner and scan again, or F: send the repaired reading, G: send as scanned",
    confirm_offline: "Offline too long: a pharmacist must confirm this pack.",
    next_confirm_offline:
        "P: confirm as pharmacist (recorded, sent when the system is back) · else keep the pack",
    misconfigured: "Cannot check: the connection to the national system is misconfigured.",
    next_misconfigured:
        "Do not hand the pack out. E: fix the settings, then run the connection test",
};

const DE: Words = Words {
    genuine: "Echt und aktiv.",
    not_active: "Im nationalen System nicht aktiv: nicht abgeben.",
    dispensed: "Abgegeben.",
    undone: "Abgabe zurückgenommen: die Packung ist wieder aktiv.",
    done: "Erledigt.",
    warning: "Diese Packung nicht abgeben.",
    technical: "Das nationale System konnte nicht richtig antworten.",
    alert: "Alarm: diese Packung ist möglicherweise gefälscht.",
    bad_scan: "Der Scan ist beschädigt: nichts wurde gesendet.",
    already_here: "Hier bereits abgegeben.",
    nothing_to_undo: "Für diese Packung gibt es nichts zurückzunehmen.",
    expired: "Verfallen: nicht abgeben.",
    batch_recalled: "Charge zurückgerufen oder zurückgezogen: nicht abgeben.",
    recorded_offline: "Offline erfasst: wird gesendet, sobald das System erreichbar ist.",
    offline_verify: "Offline: die Packung konnte nicht geprüft werden.",
    in_basket_already: "Bereits im Korb.",
    desk_error: "Der Scan konnte nicht erfasst werden.",
    caps_lock: (
        "Die Feststelltaste war beim Scannen aktiv.",
        "Feststelltaste ausschalten und erneut scannen.",
    ),
    next_dispense: "D: Korb abgeben · Esc: leeren",
    next_continue: "Nächste Packung scannen",
    next_rescan: "Erneut scannen (siehe Hinweis unten)",
    next_undo: "U: Abgabe zurücknehmen, falls irrtümlich",
    next_set_aside: "Packung zur Rückgabe beiseitelegen",
    next_alert: "Packung sperren und Alarm melden",
    next_offline_verify: "D: trotzdem abgeben; geprüft wird, sobald das System erreichbar ist",
    held: "Angehalten: dieser Scan sieht beschädigt aus. Nichts wurde gesendet.",
    in_progress: "Wird gerade gesendet: nicht doppelt gesendet.",
    next_held_repair: "Scanner korrigieren und neu scannen, oder F: reparierte Lesung senden",
    next_held_as_scanned: "Scanner korrigieren und neu scannen, oder G: wie gescannt senden",
    next_held_both: "Scanner korrigieren und neu scannen, oder F: reparierte Lesung senden, G: wie gescannt senden",
    confirm_offline: "Zu lange offline: ein Apotheker muss diese Packung bestätigen.",
    next_confirm_offline: "P: als Apotheker bestätigen (gespeichert, später gesendet) · sonst Packung zurückhalten",
    misconfigured: "Keine Prüfung möglich: die Verbindung zum nationalen System ist falsch eingerichtet.",
    next_misconfigured: "Packung nicht abgeben. E: Einstellungen korrigieren, dann Verbindungstest",
};

pub(crate) fn for_lang(l: Lang) -> &'static Words {
    match l {
        Lang::En => &EN,
        Lang::De => &DE,
    }
}

/// A role as people say it.
pub(crate) fn role_name(l: Lang, r: domain::Role) -> &'static str {
    use domain::Role;
    match (l, r) {
        (Lang::En, Role::Pharmacist) => "pharmacist",
        (Lang::En, Role::Technician) => "technician",
        (Lang::En, Role::Administrator) => "administrator",
        (Lang::De, Role::Pharmacist) => "Apotheker/in",
        (Lang::De, Role::Technician) => "PTA",
        (Lang::De, Role::Administrator) => "Administrator/in",
    }
}

/// What an operation does to a pack, as a verb ("destroy").
pub(crate) fn op_verb(l: Lang, op: domain::Operation) -> &'static str {
    use domain::Operation as O;
    match (l, op) {
        (Lang::En, O::Verify) => "verify",
        (Lang::En, O::Dispense) => "dispense",
        (Lang::En, O::UndoDispense) => "undo the dispense of",
        (Lang::En, O::Destroy) => "destroy",
        (Lang::En, O::Export) => "export",
        (Lang::En, O::UndoExport) => "undo the export of",
        (Lang::En, O::Sample) => "supply as a sample",
        (Lang::En, O::UndoSample) => "undo the sample supply of",
        (Lang::En, O::FreeSample) => "supply as a free sample",
        (Lang::En, O::UndoFreeSample) => "undo the free sample supply of",
        (Lang::En, O::Lock) => "lock",
        (Lang::En, O::Unlock) => "unlock",
        (Lang::En, O::Stolen) => "report stolen",
        (Lang::De, O::Verify) => "prüfen",
        (Lang::De, O::Dispense) => "abgeben",
        (Lang::De, O::UndoDispense) => "die Abgabe zurücknehmen für",
        (Lang::De, O::Destroy) => "vernichten",
        (Lang::De, O::Export) => "exportieren",
        (Lang::De, O::UndoExport) => "den Export zurücknehmen für",
        (Lang::De, O::Sample) => "als Muster abgeben",
        (Lang::De, O::UndoSample) => "die Musterabgabe zurücknehmen für",
        (Lang::De, O::FreeSample) => "als Gratismuster abgeben",
        (Lang::De, O::UndoFreeSample) => "die Gratismusterabgabe zurücknehmen für",
        (Lang::De, O::Lock) => "sperren",
        (Lang::De, O::Unlock) => "entsperren",
        (Lang::De, O::Stolen) => "als gestohlen melden",
    }
}

/// Why someone may not send an operation.
pub(crate) fn not_permitted(
    l: Lang,
    name: &str,
    role: domain::Role,
    op: domain::Operation,
) -> String {
    let allowed: Vec<&str> = domain::Role::allowed_for(op)
        .into_iter()
        .map(|r| role_name(l, r))
        .collect();
    match l {
        Lang::En => format!(
            "{name} is a {}: only a {} may {} a pack.",
            role_name(l, role),
            allowed.join(" or "),
            op_verb(l, op)
        ),
        Lang::De => format!(
            "{name} ist {}: nur {} dürfen eine Packung {}.",
            role_name(l, role),
            allowed.join(" oder "),
            op_verb(l, op)
        ),
    }
}

/// Nobody is signed in.
pub(crate) fn sign_in_first(l: Lang) -> &'static str {
    match l {
        Lang::En => "Nobody is signed in: sign in first (W).",
        Lang::De => "Niemand ist angemeldet: bitte zuerst anmelden (W).",
    }
}

/// "Dispensed here by Anna Berger on 2026-12-04 10:14 UTC." for a pack the
/// ledger says was decommissioned here (`earlier`), by `name`, at `when`.
pub(crate) fn already_here(
    l: Lang,
    earlier: Option<domain::Operation>,
    name: &str,
    when: &str,
    pending: bool,
) -> String {
    use domain::Operation as O;
    let done = match (l, earlier) {
        (Lang::En, Some(O::Dispense)) => "Dispensed",
        (Lang::En, Some(O::Destroy)) => "Destroyed",
        (Lang::En, Some(O::Export)) => "Exported",
        (Lang::En, Some(O::Sample)) => "Supplied as a sample",
        (Lang::En, Some(O::FreeSample)) => "Supplied as a free sample",
        (Lang::En, Some(O::Lock)) => "Locked",
        (Lang::En, Some(O::Stolen)) => "Reported stolen",
        (Lang::En, _) => "Decommissioned",
        (Lang::De, Some(O::Dispense)) => "Abgegeben",
        (Lang::De, Some(O::Destroy)) => "Vernichtet",
        (Lang::De, Some(O::Export)) => "Exportiert",
        (Lang::De, Some(O::Sample)) => "Als Muster abgegeben",
        (Lang::De, Some(O::FreeSample)) => "Als Gratismuster abgegeben",
        (Lang::De, Some(O::Lock)) => "Gesperrt",
        (Lang::De, Some(O::Stolen)) => "Als gestohlen gemeldet",
        (Lang::De, _) => "Ausgebucht",
    };
    match (l, pending) {
        (Lang::En, false) => format!("{done} here by {name} on {when}; not sent again."),
        (Lang::En, true) => {
            format!("{done} here by {name} on {when} (recorded, to be sent); not sent again.")
        }
        (Lang::De, false) => format!("{done} hier von {name} am {when}; nicht erneut gesendet."),
        (Lang::De, true) => format!(
            "{done} hier von {name} am {when} (gespeichert, wird gesendet); nicht erneut gesendet."
        ),
    }
}
