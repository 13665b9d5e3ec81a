//! Who works at the desk: users with a PIN and a role, signing in and out,
//! and the role check before an operation that takes a pack out of the
//! supply chain. Sign-ins, refusals and changes to users go into the
//! journal, so who did what can be read back.

use crate::view::{UserInput, UserLine};
use crate::words::{Say, Sentence};
use crate::{lock, now, Desk, DeskError, DeskEvent};
use domain::text::{hex, unhex};
use domain::Role;
use ring::rand::SecureRandom;
use std::num::NonZeroU32;

const PIN_ROUNDS: u32 = 100_000;
/// Wrong PINs in a row before a user must wait.
const MAX_TRIES: u32 = 5;
const LOCKOUT_SECS: i64 = 60;

/// The signed-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub id: String,
    pub name: String,
    pub role: Role,
}

impl SignedIn {
    /// The person as the engine sees them (it checks the role).
    pub fn actor(&self) -> engine::Actor<'_> {
        engine::Actor::new(&self.id, self.role)
    }
}

/// The demo users of training mode (their PINs are shown on the sign-in
/// screen there, and nowhere else).
pub const TRAINING_USERS: [(&str, &str, Role, &str); 3] = [
    ("anna", "Anna Berg", Role::Pharmacist, "1111"),
    ("tom", "Tom Weber", Role::Technician, "2222"),
    ("ada", "Ada Klein", Role::Administrator, "0000"),
];

/// `pbkdf2-sha256$ROUNDS$SALT$HASH` for a PIN.
pub fn hash_pin(pin: &str) -> Result<String, DeskError> {
    let mut salt = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| DeskError::Input(Sentence::said("no random source")))?;
    Ok(hash_with(pin, &salt, PIN_ROUNDS))
}

fn hash_with(pin: &str, salt: &[u8], rounds: u32) -> String {
    let mut out = [0u8; 32];
    ring::pbkdf2::derive(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        NonZeroU32::new(rounds).unwrap_or(NonZeroU32::MIN),
        salt,
        pin.as_bytes(),
        &mut out,
    );
    format!("pbkdf2-sha256${rounds}${}${}", hex(salt), hex(&out))
}

/// Does `pin` match the stored hash? (Constant-time comparison.)
pub fn pin_matches(pin: &str, stored: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    let [scheme, rounds, salt, hash] = parts.as_slice() else {
        return false;
    };
    if *scheme != "pbkdf2-sha256" {
        return false;
    }
    let (Ok(rounds), Some(salt), Some(hash)) = (rounds.parse::<u32>(), unhex(salt), unhex(hash))
    else {
        return false;
    };
    ring::pbkdf2::verify(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        NonZeroU32::new(rounds).unwrap_or(NonZeroU32::MIN),
        &salt,
        pin.as_bytes(),
        &hash,
    )
    .is_ok()
}

/// A PIN is 4 to 8 digits.
pub fn check_pin_form(pin: &str) -> Result<(), DeskError> {
    if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(DeskError::Input(Sentence::of(Say::PinDigits)))
    }
}

impl Desk {
    /// The signed-in user, if any.
    pub fn signed_in(&self) -> Option<SignedIn> {
        lock(&self.session).clone()
    }

    /// The id that goes into the ledger and journal for what is done now
    /// (empty while nobody is signed in: only sign-in attempts are then
    /// journaled).
    pub(crate) fn user_id(&self) -> String {
        self.signed_in().map_or_else(String::new, |s| s.id)
    }

    /// `Err` (a sentence for the window) while nobody is signed in.
    pub(crate) fn must_be_signed_in(&self) -> Result<(), DeskError> {
        match self.signed_in() {
            Some(_) => Ok(()),
            None => Err(DeskError::Refused(crate::words::sign_in_first())),
        }
    }

    /// A journal entry about the desk itself (no pack), by the signed-in
    /// person at this workstation.
    fn note_entry(
        &self,
        kind: &str,
        operation: &str,
        outcome: &str,
        detail: &str,
    ) -> store::JournalEntry {
        store::JournalEntry {
            at: now(),
            kind: kind.to_owned(),
            product_code: String::new(),
            batch: String::new(),
            serial: String::new(),
            operation: operation.to_owned(),
            outcome: outcome.to_owned(),
            user_id: self.user_id(),
            workstation: self.counter.workstation.clone(),
            detail: detail.to_owned(),
        }
    }

    pub(crate) fn journal_note(&self, kind: &str, operation: &str, outcome: &str, detail: &str) {
        let entry = self.note_entry(kind, operation, outcome, detail);
        let _ = self.engine.journal_note(&entry);
        // Changes of settings, people, calibration and access are kept in
        // the settings database's own journal too: a change made in
        // training before going live is not lost with the training ledger.
        if matches!(kind, "settings" | "users" | "calibration") {
            let _ = lock(&self.config).journal_append(&entry);
        }
    }

    /// An entry in the settings database's journal only.
    pub(crate) fn journal_config_copy(&self, kind: &str, outcome: &str, detail: &str) {
        let entry = self.note_entry(kind, "", outcome, detail);
        let _ = lock(&self.config).journal_append(&entry);
    }

    /// The settings database's journal (changes of settings, people,
    /// calibration, acknowledged exceptions), newest first.
    pub fn settings_journal(&self) -> Result<Vec<store::JournalRow>, DeskError> {
        let rows = lock(&self.config).journal_query(&store::JournalFilter::default())?;
        Ok(rows)
    }

    /// Signs a user in with their PIN. Five wrong PINs in a row make that
    /// user wait a minute.
    pub fn sign_in(&self, user_id: &str, pin: &str) -> Result<SignedIn, DeskError> {
        let t = now();
        let user = self
            .people()?
            .user(user_id)?
            .filter(|u| u.active)
            .ok_or_else(|| crate::words::refused(Say::NoSuchUser))?;
        // Checked and counted in one transaction before the (slow) PIN
        // check, in the database: parallel attempts cannot pass together
        // and a restart gives no fresh guesses.
        let attempt = self
            .people()?
            .pin_attempt(user_id, t, MAX_TRIES, LOCKOUT_SECS)?;
        if let Err(wait) = attempt {
            self.journal_note("signin", "", "locked", user_id);
            return Err(DeskError::Refused(
                Sentence::of(Say::TooManyPins).with("wait", wait.to_string()),
            ));
        }
        let ok = user
            .pin_hash
            .as_deref()
            .is_some_and(|h| pin_matches(pin, h));
        if !ok {
            self.journal_note("signin", "", "wrong_pin", user_id);
            return Err(crate::words::refused(Say::WrongPin));
        }
        self.people()?.pin_accepted(user_id)?;
        let role = Role::parse(&user.role).ok_or_else(|| {
            DeskError::Refused(Sentence::of(Say::UnknownRole).with("role", &user.role))
        })?;
        let s = SignedIn {
            id: user.id.clone(),
            name: user.name.clone(),
            role,
        };
        *lock(&self.session) = Some(s.clone());
        self.journal_note("signin", "", "signed_in", role.as_str());
        self.emit(DeskEvent::Status);
        Ok(s)
    }

    /// Signs the user out; nothing can be sent until someone signs in.
    pub fn sign_out(&self) {
        if self.signed_in().is_some() {
            self.journal_note("signin", "", "signed_out", "");
        }
        *lock(&self.session) = None;
        lock(&self.counter_state).last_scan = None;
        self.emit(DeskEvent::Status);
    }

    /// The signed-in person, who acts at the counter; else the sentence
    /// asking to sign in. Whether their role may send an operation is the
    /// engine's check ([`engine::Actor`]), for the desk and the CLI alike.
    pub(crate) fn acting(&self) -> Result<SignedIn, crate::words::Sentence> {
        self.signed_in().ok_or_else(crate::words::sign_in_first)
    }

    /// The signed-in user must be an administrator; only a first start with
    /// no users at all may skip signing in (and its first user must be an
    /// administrator, see `user_put`). A site whose administrators were all
    /// deactivated does not open its settings to anyone.
    pub(crate) fn must_configure(&self) -> Result<(), DeskError> {
        // The settings are the site's, shared by training and live. Once
        // the site has an administrator of its own, training's demo
        // administrator (whose PIN is on screen) may not change them.
        if self.training.is_some() {
            let site_admin = lock(&self.config)
                .users()?
                .iter()
                .any(|u| u.active && u.role == Role::Administrator.as_str());
            if site_admin {
                return Err(crate::words::refused(Say::SiteHasAdministrator));
            }
        }
        if self.signed_in().is_some_and(|s| s.role.may_configure()) {
            return Ok(());
        }
        if self.people()?.users()?.is_empty() {
            return Ok(());
        }
        Err(crate::words::refused(Say::AdministratorOnly))
    }

    /// The store that holds the users: training's own people database in
    /// training mode (demo users, gone with it), else the settings database.
    pub(crate) fn people(&self) -> Result<std::sync::MutexGuard<'_, store::Store>, DeskError> {
        Ok(match &self.training {
            Some(t) => lock(&t.people),
            None => lock(&self.config),
        })
    }

    /// Every user (for the settings screen and the sign-in picker).
    pub fn users_list(&self) -> Result<Vec<UserLine>, DeskError> {
        Ok(self
            .people()?
            .users()?
            .into_iter()
            .map(|u| UserLine {
                id: u.id,
                name: u.name,
                role: u.role,
                active: u.active,
                has_pin: u.pin_hash.is_some(),
            })
            .collect())
    }

    /// Adds or changes a user (administrators only, or the first one).
    pub fn user_put(&self, u: &UserInput) -> Result<(), DeskError> {
        self.must_configure()?;
        let id = u.id.trim();
        if id.is_empty()
            || id.len() > 32
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        {
            return Err(DeskError::Input(Sentence::of(Say::UserIdForm)));
        }
        if u.name.trim().is_empty() {
            return Err(DeskError::Input(Sentence::of(Say::UserNeedsName)));
        }
        let role = Role::parse(&u.role).ok_or_else(|| {
            DeskError::Input(Sentence::of(Say::UnknownRole).with("role", &u.role))
        })?;
        if role != Role::Administrator && self.people()?.users()?.is_empty() {
            return Err(DeskError::Input(Sentence::of(Say::FirstUserAdministrator)));
        }
        let existing = self.people()?.user(id)?;
        let pin_hash = match u.pin.as_deref().filter(|p| !p.is_empty()) {
            Some(pin) => {
                check_pin_form(pin)?;
                Some(hash_pin(pin)?)
            }
            None => match existing.as_ref().and_then(|e| e.pin_hash.clone()) {
                Some(h) => Some(h),
                None => return Err(DeskError::Input(Sentence::of(Say::NewUserNeedsPin))),
            },
        };
        // The last active administrator stays one.
        if existing
            .as_ref()
            .is_some_and(|e| e.role == Role::Administrator.as_str() && e.active)
            && (role != Role::Administrator || !u.active)
        {
            let admins = self
                .people()?
                .users()?
                .iter()
                .filter(|x| x.active && x.role == Role::Administrator.as_str())
                .count();
            if admins <= 1 {
                return Err(crate::words::refused(Say::LastAdministrator));
            }
        }
        self.people()?.put_user(&store::User {
            id: id.to_owned(),
            name: u.name.trim().to_owned(),
            role: role.as_str().to_owned(),
            pin_hash,
            active: u.active,
            created_at: existing.map_or_else(now, |e| e.created_at),
        })?;
        self.journal_note(
            "users",
            "",
            if u.active {
                "user_saved"
            } else {
                "user_disabled"
            },
            &format!("{id} ({})", role.as_str()),
        );
        self.emit(DeskEvent::Status);
        Ok(())
    }

    /// Training: the demo users, with the pharmacist signed in so that a
    /// newcomer can scan at once.
    pub(crate) fn seed_training_users(&self) -> Result<(), DeskError> {
        {
            let people = self.people()?;
            for (id, name, role, pin) in TRAINING_USERS {
                // These PINs are printed on the sign-in dialog: a slow hash
                // would only slow every training start.
                people.put_user(&store::User {
                    id: id.into(),
                    name: name.into(),
                    role: role.as_str().into(),
                    pin_hash: Some(hash_with(pin, id.as_bytes(), 1_000)),
                    active: true,
                    created_at: now(),
                })?;
            }
        }
        let (id, name, role, _) = TRAINING_USERS[0];
        *lock(&self.session) = Some(SignedIn {
            id: id.into(),
            name: name.into(),
            role,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_hashed_salted_and_checked() {
        let a = hash_pin("1234").expect("ok");
        let b = hash_pin("1234").expect("ok");
        assert_ne!(a, b, "salted");
        assert!(!a.contains("1234"));
        assert!(pin_matches("1234", &a));
        assert!(!pin_matches("1235", &a));
        assert!(!pin_matches("1234", "plain"));
        assert!(!pin_matches("1234", "pbkdf2-sha256$x$00$00"));
        // A known value, so that a change of the scheme is noticed.
        let fixed = hash_with("0000", &[0u8; 16], 1);
        assert!(pin_matches("0000", &fixed));
        assert_eq!(fixed.split('$').count(), 4);
    }

    #[test]
    fn pin_form() {
        assert!(check_pin_form("1234").is_ok());
        assert!(check_pin_form("12345678").is_ok());
        assert!(check_pin_form("123").is_err());
        assert!(check_pin_form("123456789").is_err());
        assert!(check_pin_form("12a4").is_err());
    }
}
