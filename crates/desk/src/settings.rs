//! The site's settings: the national system (endpoints, client
//! certificate, credentials), the site and this workstation, and the
//! desk's preferences. Settings live in the settings database (not the
//! training ledger, so training never loses them); secrets live in the
//! keyring or its encrypted-file fallback ([`crate::secrets`]), never in
//! SQLite.

use crate::secrets::SecretBackend;
use crate::view::{
    CertView, NationalInput, NationalView, PingView, PrefsInput, SettingsView, SiteInput,
    WorkstationLine,
};
use crate::words::{Say, Sentence};
use crate::{local_text, lock, now, Desk, DeskError, DeskEvent, Lang};
use domain::Interface;
use engine::Port;
use nmvs::{ClientConfig, Credentials, NmvsClient, Secret, Version};
use securpharm::{SecurPharmClient, SpConfig};
use std::time::Duration;

pub(crate) const K_SITE_NAME: &str = "site.name";
pub(crate) const K_SITE_TYPE: &str = "site.type";
pub(crate) const K_WS_ID: &str = "workstation.id";
pub(crate) const K_WS_NAME: &str = "workstation.name";
pub(crate) const K_LANGUAGE: &str = "ui.language";
pub(crate) const K_SOUNDS: &str = "ui.sounds";
pub(crate) const K_OFFLINE_MS: &str = "desk.offline_delay_ms";
pub(crate) const K_OFFLINE_CONFIRM_H: &str = "site.offline_confirm_after_hours";
pub(crate) const K_MODE: &str = "mode";
/// Which secret store the site uses (`keyring` or `encrypted_file`).
pub(crate) const K_SECRETS: &str = "secrets.backend";
/// The site's national system: its country (ISO two letters) and the
/// interface (`domain::Interface` names: `arvato-v5`, `arvato-v4`,
/// `securpharm`).
const K_COUNTRY: &str = "national.country";
const K_INTERFACE: &str = "national.interface";
/// Which interface training simulates (next start of training).
pub(crate) const K_TRAINING_INTERFACE: &str = "training.interface";
/// securPharm: the pharmacy server's base address and this installation's
/// application id (`sid`, made once; not a secret).
const K_SP_URL: &str = "securpharm.base_url";
const K_SP_APP: &str = "securpharm.application_id";
const K_SINGLE: &str = "nmvs.single_pack_url";
const K_BULK: &str = "nmvs.bulk_url";
const K_SUPPORT: &str = "nmvs.support_url";
const K_LOGIN: &str = "nmvs.client_login_id";
const K_USER: &str = "nmvs.user_id";
const K_CA: &str = "nmvs.ca_pem";
const K_CERT: &str = "nmvs.client_cert_pem";
/// Secret names (keyring entries / sealed-file items).
// A counter of a site (docs/site.md): the site server is its national
// system; its workstation's key in the secret store.
const K_SITE_URL: &str = "site_server.url";
const K_SITE_CA: &str = "site_server.ca_pem";
const K_SITE_CERT: &str = "site_server.cert_pem";
const K_SITE_INTERFACE: &str = "site_server.interface";
const K_SITE_SERVER_SITE: &str = "site_server.site";
pub(crate) const S_SITE_KEY: &str = "site_server.key";
const SITE_KEYS: [&str; 5] = [
    K_SITE_URL,
    K_SITE_CA,
    K_SITE_CERT,
    K_SITE_INTERFACE,
    K_SITE_SERVER_SITE,
];

pub(crate) const S_KEY: &str = "nmvs.client_key";
pub(crate) const S_PASSWORD: &str = "nmvs.password";

pub const COMMUNITY_PHARMACY: &str = "community_pharmacy";

/// The settings a status shows, kept in memory ([`Desk::refresh_shown`]).
#[derive(Debug, Default)]
pub(crate) struct Shown {
    site_type: String,
    sounds: bool,
    cert_not_after: Option<i64>,
}
pub const HEALTHCARE_INSTITUTION: &str = "healthcare_institution";

/// The reminder before the client certificate expires: from 60 days (order
/// the new one: a renewal can take four weeks), more firmly from 30, and
/// from 12 days "import it now"; an expired one says every call will be
/// refused.
pub fn cert_reminder(not_after: i64, now: i64) -> Option<Sentence> {
    let days = (not_after - now).div_euclid(86_400);
    let with_days = |key| Some(Sentence::of(key).with("days", days.to_string()));
    if not_after <= now {
        Some(Sentence::of(Say::CertExpired))
    } else if days == 0 {
        Some(Sentence::of(Say::CertExpiresToday))
    } else if days <= 12 {
        with_days(Say::CertImportNow)
    } else if days <= 30 {
        with_days(Say::CertOrderNow)
    } else if days <= 60 {
        with_days(Say::CertOrder)
    } else {
        None
    }
}

fn https_url(field: &str, url: &str) -> Result<(), DeskError> {
    if url.is_empty() {
        return Ok(());
    }
    if !url.starts_with("https://") || url.len() < 12 || url.contains(char::is_whitespace) {
        return Err(DeskError::Input(
            crate::words::Sentence::of(crate::words::Say::HttpsNeeded).with("field", field),
        ));
    }
    Ok(())
}

impl Desk {
    pub(crate) fn setting(&self, key: &str) -> Option<String> {
        lock(&self.config).setting(key).ok().flatten()
    }

    fn put(&self, key: &str, value: &str) -> Result<(), DeskError> {
        lock(&self.config).set_setting(key, value)?;
        Ok(())
    }

    /// Applies the stored preferences (language, offline delay) at start.
    pub(crate) fn apply_preferences(&self) {
        self.refresh_shown();
        if let Some(l) = self.setting(K_LANGUAGE).and_then(|c| Lang::from_code(&c)) {
            *lock(&self.lang) = l;
        }
        if let Some(ms) = self
            .setting(K_OFFLINE_MS)
            .and_then(|v| v.parse::<u64>().ok())
        {
            self.engine.set_offline_budget(Duration::from_millis(ms));
        }
        if let Some(h) = self
            .setting(K_OFFLINE_CONFIRM_H)
            .and_then(|v| v.parse::<u64>().ok())
        {
            self.engine
                .set_offline_confirm_after(Duration::from_secs(h * 3600));
        }
    }

    /// Reads again the settings every status shows (site type, sounds, the
    /// certificate's expiry): at start and after each change, so that a
    /// status refresh (after every scan) neither queries SQLite for them
    /// nor parses the certificate.
    pub(crate) fn refresh_shown(&self) {
        let shown = Shown {
            site_type: self
                .setting(K_SITE_TYPE)
                .unwrap_or_else(|| COMMUNITY_PHARMACY.to_owned()),
            sounds: self.setting(K_SOUNDS).is_none_or(|v| v != "off"),
            cert_not_after: self
                .setting(K_CERT)
                .and_then(|pem| nmvs::cert_info(&pem).ok())
                .map(|c| c.not_after),
        };
        *lock(&self.shown) = shown;
    }

    pub fn site_type(&self) -> String {
        lock(&self.shown).site_type.clone()
    }

    pub fn sounds_on(&self) -> bool {
        lock(&self.shown).sounds
    }

    fn cert_view(&self) -> Option<CertView> {
        let pem = self.setting(K_CERT)?;
        let info = nmvs::cert_info(&pem).ok()?;
        let t = now();
        Some(CertView {
            subject: info.subject,
            issuer: info.issuer,
            not_after: info.not_after,
            not_after_text: local_text(info.not_after),
            days_left: (info.not_after - t).div_euclid(86_400),
            reminder: cert_reminder(info.not_after, t),
        })
    }

    /// The reminder for the banner, if the certificate expires soon.
    pub fn cert_reminder_now(&self) -> Option<Sentence> {
        let not_after = lock(&self.shown).cert_not_after?;
        cert_reminder(not_after, now())
    }

    /// Everything the settings screen shows. Secrets are never sent back:
    /// only whether they are set.
    pub fn settings(&self) -> Result<SettingsView, DeskError> {
        let g = |k: &str| self.setting(k).unwrap_or_default();
        let key_set = self.secrets.get(S_KEY).ok().flatten().is_some();
        let password_set = self.secrets.get(S_PASSWORD).ok().flatten().is_some();
        let workstations = lock(&self.config)
            .workstations()?
            .into_iter()
            .map(|w| WorkstationLine {
                id: w.id,
                name: w.name,
                last_seen: local_text(w.last_seen),
            })
            .collect();
        // Read before the view is built: `g` locks the settings too.
        let (interface, training_interface) = {
            let config = lock(&self.config);
            (
                interface_of(&config, K_INTERFACE),
                interface_of(&config, K_TRAINING_INTERFACE),
            )
        };
        let national = NationalView {
            country: g(K_COUNTRY),
            interface: interface.name().to_owned(),
            training_interface: training_interface.name().to_owned(),
            securpharm_url: g(K_SP_URL),
            application_id: g(K_SP_APP),
            single_pack_url: g(K_SINGLE),
            bulk_url: g(K_BULK),
            support_url: g(K_SUPPORT),
            client_login_id: g(K_LOGIN),
            user_id: g(K_USER),
            password_set,
            key_set,
            ca_set: self.setting(K_CA).is_some(),
            cert: self.cert_view(),
            secrets_backend: match self.secrets.backend() {
                SecretBackend::Keyring => "keyring".into(),
                SecretBackend::EncryptedFile => "encrypted_file".into(),
            },
        };
        let live_ready = self.national_config().is_ok();
        let site_server = self
            .setting(K_SITE_URL)
            .map(|url| crate::view::SiteServerView {
                url,
                site: g(K_SITE_SERVER_SITE),
                interface: g(K_SITE_INTERFACE),
            });
        Ok(SettingsView {
            site_server,
            mode: if self.training.is_some() {
                "training".into()
            } else {
                "live".into()
            },
            live_next_start: self.setting(K_MODE).as_deref() == Some("live"),
            live_ready,
            site_name: g(K_SITE_NAME),
            site_type: self.site_type(),
            workstation_id: g(K_WS_ID),
            workstation_name: self
                .setting(K_WS_NAME)
                .unwrap_or_else(|| self.counter.workstation.clone()),
            language: self.lang().code().to_owned(),
            sounds: self.sounds_on(),
            offline_delay_ms: self.engine.offline_budget().as_millis() as u32,
            offline_confirm_after_hours: (self.engine.offline_confirm_after().as_secs() / 3600)
                as u32,
            national,
            workstations,
            users: self.users_list()?,
        })
    }

    /// Site name and type, and this workstation's name.
    pub fn settings_site(&self, s: &SiteInput) -> Result<(), DeskError> {
        self.must_configure()?;
        if s.site_type != COMMUNITY_PHARMACY && s.site_type != HEALTHCARE_INSTITUTION {
            return Err(DeskError::Input(
                crate::words::Sentence::of(crate::words::Say::UnknownSiteType)
                    .with("value", &s.site_type),
            ));
        }
        if let Some(h) = s.offline_confirm_after_hours {
            if !(1..=168).contains(&h) {
                return Err(DeskError::Input(crate::words::Sentence::of(
                    crate::words::Say::OfflineLimitRange,
                )));
            }
        }
        self.put(K_SITE_NAME, s.site_name.trim())?;
        self.put(K_SITE_TYPE, &s.site_type)?;
        if let Some(h) = s.offline_confirm_after_hours {
            self.put(K_OFFLINE_CONFIRM_H, &h.to_string())?;
            self.engine
                .set_offline_confirm_after(Duration::from_secs(u64::from(h) * 3600));
        }
        if !s.workstation_name.trim().is_empty() {
            self.put(K_WS_NAME, s.workstation_name.trim())?;
            let id = self.setting(K_WS_ID).unwrap_or_default();
            lock(&self.config).touch_workstation(&id, s.workstation_name.trim(), now())?;
        }
        self.refresh_shown();
        self.journal_note(
            "settings",
            "",
            "site",
            &format!(
                "{} ({}), offline limit {} h",
                s.site_name.trim(),
                s.site_type,
                self.engine.offline_confirm_after().as_secs() / 3600
            ),
        );
        self.emit(DeskEvent::Status);
        Ok(())
    }

    /// Language, sounds and the delay before a scan is recorded offline
    /// (anyone signed in may change these for the desk).
    pub fn settings_prefs(&self, p: &PrefsInput) -> Result<(), DeskError> {
        self.must_be_signed_in()?;
        let lang = Lang::from_code(&p.language).ok_or_else(|| {
            DeskError::Input(
                crate::words::Sentence::of(crate::words::Say::UnknownLanguage)
                    .with("value", &p.language),
            )
        })?;
        if !(500..=15_000).contains(&p.offline_delay_ms) {
            return Err(DeskError::Input(crate::words::Sentence::of(
                crate::words::Say::OfflineDelayRange,
            )));
        }
        self.put(K_LANGUAGE, lang.code())?;
        self.put(K_SOUNDS, if p.sounds { "on" } else { "off" })?;
        self.put(K_OFFLINE_MS, &p.offline_delay_ms.to_string())?;
        *lock(&self.lang) = lang;
        self.engine
            .set_offline_budget(Duration::from_millis(u64::from(p.offline_delay_ms)));
        self.refresh_shown();
        self.journal_note(
            "settings",
            "",
            "preferences",
            &format!(
                "language {}, sounds {}, offline delay {} ms",
                lang.code(),
                if p.sounds { "on" } else { "off" },
                p.offline_delay_ms
            ),
        );
        self.emit(DeskEvent::Status);
        Ok(())
    }

    /// The national system's addresses and login; the password only when
    /// given (empty keeps the one stored).
    pub fn settings_national(&self, n: &NationalInput) -> Result<(), DeskError> {
        self.must_configure()?;
        let interface = Interface::from_name(n.interface.trim()).ok_or_else(|| {
            DeskError::Input(Sentence::of(Say::UnknownInterface).with("value", &n.interface))
        })?;
        let country = n.country.trim().to_ascii_uppercase();
        if !country.is_empty() {
            if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(DeskError::Input(
                    Sentence::of(Say::UnknownCountry).with("value", &n.country),
                ));
            }
            if !interface.serves(&country) {
                return Err(DeskError::Input(
                    Sentence::of(Say::InterfaceNotForCountry)
                        .with("country", &country)
                        .with("interface", interface.name()),
                ));
            }
        }
        https_url("securPharm server", n.securpharm_url.trim())?;
        https_url("Single-pack service", n.single_pack_url.trim())?;
        https_url("Bulk service", n.bulk_url.trim())?;
        https_url("Support service", n.support_url.trim())?;
        if let Some(pem) = n.ca_pem.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            nmvs::cert_info(pem).map_err(|e| {
                DeskError::Input(
                    crate::words::Sentence::of(crate::words::Say::CaInvalid)
                        .with("reason", e.to_string()),
                )
            })?;
        }
        // The stored password belongs to the host it was given for: a new
        // host (of any of the three services) needs it given again, so it is
        // never sent to an address it was not meant for.
        let new_password = n.password.as_deref().is_some_and(|p| !p.is_empty());
        if !new_password {
            let cfg = lock(&self.config);
            let moved = [
                (K_SINGLE, n.single_pack_url.trim()),
                (K_BULK, n.bulk_url.trim()),
                (K_SUPPORT, n.support_url.trim()),
            ]
            .into_iter()
            .any(|(k, new)| {
                let old = cfg.setting(k).ok().flatten().unwrap_or_default();
                !old.is_empty() && !new.is_empty() && host_of(&old) != host_of(new)
            });
            if moved {
                return Err(DeskError::Input(crate::words::Sentence::of(
                    crate::words::Say::AddressChangedPassword,
                )));
            }
        }
        self.put(K_COUNTRY, &country)?;
        self.put(K_INTERFACE, interface.name())?;
        self.put(K_SP_URL, n.securpharm_url.trim())?;
        if interface == Interface::SecurPharm && self.setting(K_SP_APP).is_none() {
            // The application id securPharm knows this installation by: made
            // once, kept across changes of address.
            self.put(K_SP_APP, &uuid_text())?;
        }
        self.put(K_SINGLE, n.single_pack_url.trim())?;
        self.put(K_BULK, n.bulk_url.trim())?;
        self.put(K_SUPPORT, n.support_url.trim())?;
        self.put(K_LOGIN, n.client_login_id.trim())?;
        self.put(K_USER, n.user_id.trim())?;
        if let Some(pw) = n.password.as_deref().filter(|p| !p.is_empty()) {
            self.secrets.set(S_PASSWORD, pw).map_err(|e| {
                DeskError::Input(
                    crate::words::Sentence::of(crate::words::Say::CertificateInvalid)
                        .with("reason", e.to_string()),
                )
            })?;
        }
        match n.ca_pem.as_deref().map(str::trim) {
            Some("") => lock(&self.config).delete_setting(K_CA)?,
            Some(pem) => self.put(K_CA, pem)?,
            None => {}
        }
        let address = if interface == Interface::SecurPharm {
            n.securpharm_url.trim()
        } else {
            n.single_pack_url.trim()
        };
        self.journal_note(
            "settings",
            "",
            "national_system",
            &format!("{} {} {address}", country, interface.name()),
        );
        self.emit(DeskEvent::Status);
        Ok(())
    }

    fn store_identity(&self, cert_pem: &str, key: &Secret) -> Result<CertView, DeskError> {
        nmvs::check_identity(cert_pem, key).map_err(|e| {
            DeskError::Input(
                crate::words::Sentence::of(crate::words::Say::CertificateInvalid)
                    .with("reason", e.to_string()),
            )
        })?;
        let info = nmvs::cert_info(cert_pem).map_err(|e| {
            DeskError::Input(
                crate::words::Sentence::of(crate::words::Say::CertificateInvalid)
                    .with("reason", e.to_string()),
            )
        })?;
        if info.not_after <= now() {
            return Err(DeskError::Input(
                crate::words::Sentence::of(crate::words::Say::CertificateExpired)
                    .with("when", local_text(info.not_after)),
            ));
        }
        // Only the certificates go to the settings database: a PEM text
        // that carries the key too is never stored whole.
        let certs = nmvs::certificates_pem(cert_pem).map_err(|e| {
            DeskError::Input(
                crate::words::Sentence::of(crate::words::Say::CertificateInvalid)
                    .with("reason", e.to_string()),
            )
        })?;
        self.secrets.set(S_KEY, &key.0).map_err(|e| {
            DeskError::Input(
                crate::words::Sentence::of(crate::words::Say::CertificateInvalid)
                    .with("reason", e.to_string()),
            )
        })?;
        self.put(K_CERT, &certs)?;
        self.refresh_shown();
        self.journal_note("settings", "", "certificate", &info.subject);
        self.emit(DeskEvent::Status);
        self.cert_view().ok_or_else(|| {
            DeskError::Input(crate::words::Sentence::of(
                crate::words::Say::CertificateUnreadable,
            ))
        })
    }

    /// Imports the client certificate and key as PEM (the key may follow
    /// the certificate in the same text).
    pub fn cert_import_pem(&self, cert_pem: &str, key_pem: &str) -> Result<CertView, DeskError> {
        self.must_configure()?;
        let key = if key_pem.trim().is_empty() {
            cert_pem
        } else {
            key_pem
        };
        self.store_identity(cert_pem, &Secret(key.to_owned()))
    }

    /// Imports the client certificate and key from a PKCS#12 file.
    pub fn cert_import_p12(&self, data: &[u8], password: &str) -> Result<CertView, DeskError> {
        self.must_configure()?;
        let (cert, key) = nmvs::pem_from_pkcs12(data, password).map_err(|e| {
            DeskError::Input(
                crate::words::Sentence::of(crate::words::Say::CertificateInvalid)
                    .with("reason", e.to_string()),
            )
        })?;
        self.store_identity(&cert, &key)
    }

    /// The client for the configured national system; `Err` says what is
    /// missing.
    pub(crate) fn national_config(&self) -> Result<NationalConfig, DeskError> {
        national_config_from(&lock(&self.config), self.secrets.as_ref())
    }

    /// The connection test: the configured national system's support
    /// service, with the certificate and the login.
    pub async fn connection_test(&self) -> PingView {
        let failed = |message: Sentence| PingView {
            ok: false,
            code: None,
            message,
            latency_ms: None,
        };
        // The test sends the stored password to the configured host: an
        // administrator's act.
        if let Err(e) = self.must_configure() {
            return failed(e.sentence());
        }
        let cfg = match self.national_config() {
            Ok(NationalConfig::Nmvs(c)) => c,
            Ok(NationalConfig::SecurPharm { cfg, .. }) => return self.token_test(cfg).await,
            Ok(NationalConfig::Site { link, .. }) => return self.site_test(&link).await,
            Err(e) => return failed(e.sentence()),
        };
        let client = match NmvsClient::new(cfg) {
            Ok(c) => c,
            Err(e) => return failed(Sentence::said(e.to_string())),
        };
        let text = format!("countercheck {}", now());
        match client.ping(&text).await {
            Ok((r, latency)) => {
                let ok = domain::is_success(&r.return_code) && r.output == text;
                if ok && self.training.is_none() {
                    // The system the engine talks to works: the
                    // misconfiguration banner goes.
                    self.engine.connection_tested_ok();
                }
                PingView {
                    ok,
                    message: if ok {
                        Sentence::of(Say::PingOk)
                    } else if domain::is_success(&r.return_code) {
                        Sentence::of(Say::PingNoEcho)
                    } else {
                        Sentence::of(Say::PingLoginRefused).with("code", &r.return_code)
                    },
                    code: Some(r.return_code),
                    latency_ms: Some(latency.as_millis() as u32),
                }
            }
            Err(e) => failed(Sentence::said(e.to_string())),
        }
    }

    /// A site counter's connection test: the site server's health, asked
    /// with the workstation's certificate (refused when it was revoked).
    async fn site_test(&self, link: &engine::site::SiteLink) -> PingView {
        let started = std::time::Instant::now();
        let result = match engine::site::SiteClient::new(link) {
            Ok(client) => client.health().await,
            Err(e) => Err(e),
        };
        match result {
            Ok(_) => {
                if self.training.is_none() {
                    self.engine.connection_tested_ok();
                }
                PingView {
                    ok: true,
                    code: None,
                    message: Sentence::of(Say::PingOk),
                    latency_ms: Some(started.elapsed().as_millis() as u32),
                }
            }
            Err(e) => PingView {
                ok: false,
                code: None,
                message: Sentence::said(e.to_string()),
                latency_ms: None,
            },
        }
    }

    /// Joins this counter to its site server (docs/site.md) with the
    /// one-time code the site's administrator read out: this workstation's
    /// name is the one enrolled; the key is made here and kept in the
    /// secret store. From the next live start the site server is this
    /// counter's national system.
    pub async fn settings_site_enrol(&self, url: &str, code: &str) -> Result<(), DeskError> {
        self.must_configure()?;
        let workstation = self
            .setting(K_WS_NAME)
            .unwrap_or_else(|| self.counter.workstation.clone());
        let got = engine::site::enrol::enrol(url.trim(), &workstation, code)
            .await
            .map_err(|e| DeskError::Input(Sentence::said(e.to_string())))?;
        self.secrets.set(S_SITE_KEY, &got.key_pem.0)?;
        self.put(K_WS_NAME, &workstation)?;
        self.put(K_SITE_URL, url.trim().trim_end_matches('/'))?;
        self.put(K_SITE_CA, &got.ca_pem)?;
        self.put(K_SITE_CERT, &got.cert_pem)?;
        self.put(K_SITE_INTERFACE, got.interface.name())?;
        self.put(K_SITE_SERVER_SITE, &got.site)?;
        self.journal_note(
            "settings",
            "",
            "site_server_enrolled",
            &format!("{} as {workstation} (site {})", url.trim(), got.site),
        );
        self.emit(DeskEvent::Status);
        Ok(())
    }

    /// Leaves the site: this counter's own national-system settings apply
    /// again from the next live start (the site's administrator revokes
    /// the workstation on the site server).
    pub fn settings_site_leave(&self) -> Result<(), DeskError> {
        self.must_configure()?;
        let url = self.setting(K_SITE_URL).unwrap_or_default();
        {
            let config = lock(&self.config);
            for k in SITE_KEYS {
                config.delete_setting(k)?;
            }
        }
        self.secrets.delete(S_SITE_KEY)?;
        self.journal_note("settings", "", "site_server_left", &url);
        self.emit(DeskEvent::Status);
        Ok(())
    }

    /// securPharm's connection test: a token, got with the site's
    /// certificate alone (the server's answer says whether it knows the
    /// certificate; no pack is asked about).
    async fn token_test(&self, cfg: SpConfig) -> PingView {
        let result = match SecurPharmClient::new(cfg) {
            Ok(client) => client.token_test().await,
            Err(e) => Err(e),
        };
        match result {
            Ok(latency) => {
                if self.training.is_none() {
                    self.engine.connection_tested_ok();
                }
                PingView {
                    ok: true,
                    code: None,
                    message: Sentence::of(Say::TokenOk),
                    latency_ms: Some(latency.as_millis() as u32),
                }
            }
            Err(e) => PingView {
                ok: false,
                code: None,
                message: Sentence::said(e.to_string()),
                latency_ms: None,
            },
        }
    }

    /// Which interface training simulates, from its next start (training
    /// starts fresh each time: nothing of one interface's training is
    /// carried into the other's).
    pub fn settings_training(&self, interface: &str) -> Result<(), DeskError> {
        self.must_configure()?;
        let i = Interface::from_name(interface).ok_or_else(|| {
            DeskError::Input(Sentence::of(Say::UnknownInterface).with("value", interface))
        })?;
        self.put(K_TRAINING_INTERFACE, i.name())?;
        self.journal_note("settings", "", "training_interface", i.name());
        self.emit(DeskEvent::Status);
        Ok(())
    }

    /// Asks for the national system at the next start (or training when
    /// `live` is false). Live needs a complete configuration.
    pub fn settings_mode(&self, live: bool) -> Result<(), DeskError> {
        self.must_configure()?;
        if live {
            self.national_config()?;
        }
        self.put(K_MODE, if live { "live" } else { "training" })?;
        self.journal_note(
            "settings",
            "",
            "mode",
            if live { "live" } else { "training" },
        );
        self.emit(DeskEvent::Status);
        Ok(())
    }
}

/// "Not set yet: `what`" (`what` names the setting: `single_pack_url`,
/// `client_certificate`, `client_login_id`, `user_id`, `private_key`,
/// `password`; the window words it).
fn not_set_yet(what: &str) -> DeskError {
    DeskError::Input(crate::words::Sentence::of(crate::words::Say::NotSetYet).with("what", what))
}

/// The configured national system's client, ready to be made.
pub(crate) enum NationalConfig {
    Nmvs(ClientConfig),
    SecurPharm {
        cfg: SpConfig,
        /// The site as the certificate names it (securPharm knows a site
        /// by its certificate, not by a login).
        site: String,
    },
    /// A counter of a site: the site server.
    Site {
        link: engine::site::SiteLink,
        site: String,
    },
}

impl NationalConfig {
    /// The site name the engine records with every operation.
    pub(crate) fn site(&self) -> String {
        match self {
            NationalConfig::Nmvs(c) => c.credentials.client_login_id.clone(),
            NationalConfig::SecurPharm { site, .. } | NationalConfig::Site { site, .. } => {
                site.clone()
            }
        }
    }

    /// The engine's port to the system.
    pub(crate) fn port(self) -> Result<Port, DeskError> {
        let client_error = |e: nmvs::CallError| DeskError::Client(e.to_string());
        Ok(match self {
            NationalConfig::Nmvs(c) => Port::Nmvs(NmvsClient::new(c).map_err(client_error)?),
            NationalConfig::SecurPharm { cfg, .. } => {
                Port::SecurPharm(SecurPharmClient::new(cfg).map_err(client_error)?)
            }
            NationalConfig::Site { link, .. } => {
                Port::Site(engine::site::SiteClient::new(&link).map_err(client_error)?)
            }
        })
    }
}

/// The interface the settings name (an NMVS, v5, when none is set).
pub(crate) fn interface_of(config: &store::Store, key: &str) -> Interface {
    config
        .setting(key)
        .ok()
        .flatten()
        .and_then(|v| Interface::from_name(&v))
        .unwrap_or(Interface::ArvatoV5)
}

/// The client configuration from the settings database and the secrets;
/// `Err` says what is missing.
pub(crate) fn national_config_from(
    config: &store::Store,
    secrets: &dyn crate::secrets::SecretStore,
) -> Result<NationalConfig, DeskError> {
    let setting = |k: &str| config.setting(k).ok().flatten().filter(|v| !v.is_empty());
    let need = |k: &str, what: &str| setting(k).ok_or_else(|| not_set_yet(what));
    if let Some(url) = setting(K_SITE_URL) {
        let key = secrets
            .get(S_SITE_KEY)?
            .ok_or_else(|| not_set_yet("private_key"))?;
        return Ok(NationalConfig::Site {
            link: engine::site::SiteLink {
                url,
                site_ca_pem: need(K_SITE_CA, "site_ca")?,
                cert_pem: need(K_SITE_CERT, "client_certificate")?,
                key_pem: Secret(key),
                connect_timeout: Duration::from_secs(3),
                response_timeout: Duration::from_secs(10),
                interface: interface_of(config, K_SITE_INTERFACE),
            },
            site: setting(K_SITE_SERVER_SITE).unwrap_or_else(|| "site".to_owned()),
        });
    }
    let interface = interface_of(config, K_INTERFACE);
    if interface == Interface::SecurPharm {
        let base_url = need(K_SP_URL, "securpharm_url")?;
        let cert = need(K_CERT, "client_certificate")?;
        let application_id = need(K_SP_APP, "application_id")?;
        let key = secrets
            .get(S_KEY)?
            .ok_or_else(|| not_set_yet("private_key"))?;
        let site = nmvs::cert_info(&cert)
            .map(|c| c.subject)
            .map_err(|e| DeskError::Client(e.to_string()))?;
        return Ok(NationalConfig::SecurPharm {
            cfg: SpConfig {
                base_url: base_url.trim_end_matches('/').to_owned(),
                ca_pem: setting(K_CA),
                client_cert_pem: cert,
                client_key_pem: Secret(key),
                application_id,
                connect_timeout: Duration::from_secs(3),
                response_timeout: Duration::from_secs(10),
            },
            site,
        });
    }
    let single = need(K_SINGLE, "single_pack_url")?;
    let cert = need(K_CERT, "client_certificate")?;
    let login = need(K_LOGIN, "client_login_id")?;
    let user = need(K_USER, "user_id")?;
    let key = secrets
        .get(S_KEY)?
        .ok_or_else(|| not_set_yet("private_key"))?;
    let password = secrets
        .get(S_PASSWORD)?
        .ok_or_else(|| not_set_yet("password"))?;
    Ok(NationalConfig::Nmvs(ClientConfig {
        single_pack_url: single,
        bulk_url: setting(K_BULK),
        support_url: setting(K_SUPPORT),
        ca_pem: setting(K_CA),
        client_cert_pem: cert,
        client_key_pem: Secret(key),
        credentials: Credentials {
            client_login_id: login,
            user_id: user,
            password,
        },
        software: crate::software(),
        version: Version::of(interface),
        connect_timeout: Duration::from_secs(3),
        response_timeout: Duration::from_secs(10),
    }))
}

/// A random UUID (version 4) as text.
fn uuid_text() -> String {
    let hex = nmvs::new_client_trx_id().replace('-', "");
    let mut b: Vec<char> = hex.chars().take(32).collect();
    b.resize(32, '0');
    // Version 4, variant 10xx.
    b[12] = '4';
    b[16] = ['8', '9', 'a', 'b'][b[16].to_digit(16).unwrap_or(0) as usize % 4];
    let s: String = b.into_iter().collect();
    format!(
        "{}-{}-{}-{}-{}",
        &s[0..8],
        &s[8..12],
        &s[12..16],
        &s[16..20],
        &s[20..32]
    )
}

/// The host and port of an https address, lower case (`HOST[:PORT]`).
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    authority.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_start_60_days_before_firmer_from_30_and_urge_from_12() {
        let day = 86_400;
        let now = 1_000 * day;
        let key = |days: i64| cert_reminder(now + days * day, now).map(|s| s.key);
        assert_eq!(key(61), None);
        assert_eq!(key(60), Some(Say::CertOrder));
        assert_eq!(key(31), Some(Say::CertOrder));
        assert_eq!(key(30), Some(Say::CertOrderNow));
        assert_eq!(key(13), Some(Say::CertOrderNow));
        assert_eq!(key(12), Some(Say::CertImportNow));
        assert_eq!(key(1), Some(Say::CertImportNow));
        let r = cert_reminder(now + 12 * day, now).expect("ok");
        assert_eq!(r.param("days"), "12");
        assert_eq!(
            cert_reminder(now, now).map(|s| s.key),
            Some(Say::CertExpired)
        );
        assert_eq!(
            cert_reminder(now + 3600, now).map(|s| s.key),
            Some(Say::CertExpiresToday)
        );
    }

    #[test]
    fn addresses_must_be_https() {
        assert!(https_url("x", "https://nmvs.example/ws").is_ok());
        assert!(https_url("x", "").is_ok());
        assert!(https_url("x", "http://nmvs.example/ws").is_err());
        assert!(https_url("x", "https://a b").is_err());
    }

    #[test]
    fn the_host_of_an_address() {
        assert_eq!(
            super::host_of("https://NMVS.example:8443/ws/SinglePackServiceV50"),
            "nmvs.example:8443"
        );
        assert_eq!(super::host_of("https://u@evil.example/ws"), "evil.example");
        assert_ne!(
            super::host_of("https://a.example/x"),
            super::host_of("https://b.example/x")
        );
    }
}
