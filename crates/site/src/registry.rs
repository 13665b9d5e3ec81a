//! The site's enrolled workstations (`workstations`, migration 2): who was
//! approved, by whom, the open one-time code's key, the enrolled
//! certificate's fingerprint, revocation. Every change is journaled in the
//! site's journal (kind `access`). See `engine::site::enrol` for the
//! protocol.

use crate::pg::{db, journal_append_in, PgLedger};
use engine::site::enrol;
use serde::Serialize;
use store::{JournalEntry, StoreError};

/// A workstation of the site, as `countercheck site workstations` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workstation {
    pub name: String,
    pub approved_by: String,
    pub approved_at: i64,
    /// The one-time code is open until then (not yet used).
    pub code_expires_at: Option<i64>,
    pub enrolled_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<String>,
}

/// Why a registry change was refused.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("the workstation name may hold letters, digits, '.', '_' and '-' only (at most 64)")]
    Name,
    #[error("no random code could be made")]
    Random,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The SHA-256 of a certificate (DER), hex: how the registry knows it.
pub fn fingerprint(der: &[u8]) -> String {
    domain::text::hex(ring::digest::digest(&ring::digest::SHA256, der).as_ref())
}

fn access(now: i64, what: &str, name: &str, by: &str, detail: serde_json::Value) -> JournalEntry {
    JournalEntry {
        at: now,
        kind: "access".into(),
        product_code: String::new(),
        batch: String::new(),
        serial: String::new(),
        operation: what.into(),
        outcome: name.into(),
        user_id: by.into(),
        workstation: crate::server::SERVER_WORKSTATION.into(),
        detail: detail.to_string(),
    }
}

impl PgLedger {
    /// Approves `name` (a new workstation, or a new PC for one: its
    /// certificate stays valid until the new one is enrolled): the one-time
    /// code to read out, valid for `valid_secs`.
    pub async fn approve_workstation(
        &self,
        name: &str,
        by: &str,
        valid_secs: i64,
        now: i64,
    ) -> Result<String, RegistryError> {
        if !enrol::valid_workstation_name(name) {
            return Err(RegistryError::Name);
        }
        let code = enrol::new_code().map_err(|_| RegistryError::Random)?;
        let key = enrol::code_key(&enrol::normalise(&code).ok_or(RegistryError::Random)?);
        let expires = now + valid_secs;
        let mut c = self.conn().await?;
        let tx = c.transaction().await.map_err(db)?;
        tx.execute(
            "INSERT INTO workstations (name, code_key, code_expires_at, approved_by, approved_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (name) DO UPDATE SET code_key = $2, code_expires_at = $3, approved_by = $4, approved_at = $5",
            &[&name, &key, &expires, &by, &now],
        )
        .await
        .map_err(db)?;
        journal_append_in(
            &tx,
            &access(
                now,
                "approved",
                name,
                by,
                serde_json::json!({ "code_expires_at": expires }),
            ),
        )
        .await?;
        tx.commit().await.map_err(db)?;
        Ok(code)
    }

    /// The open code's key for `name` (approved, not yet used, not expired).
    pub async fn open_code_key(&self, name: &str, now: i64) -> Result<Option<String>, StoreError> {
        let c = self.conn().await?;
        c.query_opt(
            "SELECT code_key FROM workstations WHERE name = $1 AND code_key IS NOT NULL AND code_expires_at >= $2",
            &[&name, &now],
        )
        .await
        .map_err(db)?
        .map(|r| r.try_get(0).map_err(db))
        .transpose()
    }

    /// Records `name`'s new certificate and closes its code, if the code
    /// with `key` is still open (one use: of two enrolments at once, one
    /// wins). The previous certificate of the name is no longer served.
    pub async fn enrolled(
        &self,
        name: &str,
        key: &str,
        cert_sha256: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut c = self.conn().await?;
        let tx = c.transaction().await.map_err(db)?;
        let n = tx
            .execute(
                "UPDATE workstations SET cert_sha256 = $3, code_key = NULL, code_expires_at = NULL,
                        enrolled_at = $4, revoked_at = NULL, revoked_by = NULL
                 WHERE name = $1 AND code_key = $2 AND code_expires_at >= $4",
                &[&name, &key, &cert_sha256, &now],
            )
            .await
            .map_err(db)?;
        if n == 1 {
            journal_append_in(
                &tx,
                &access(
                    now,
                    "enrolled",
                    name,
                    name,
                    serde_json::json!({ "cert_sha256": cert_sha256 }),
                ),
            )
            .await?;
        }
        tx.commit().await.map_err(db)?;
        Ok(n == 1)
    }

    /// The workstation a certificate belongs to, if it is enrolled and
    /// not revoked.
    pub async fn workstation_of(&self, cert_sha256: &str) -> Result<Option<String>, StoreError> {
        let c = self.conn().await?;
        c.query_opt(
            "SELECT name FROM workstations WHERE cert_sha256 = $1 AND revoked_at IS NULL",
            &[&cert_sha256],
        )
        .await
        .map_err(db)?
        .map(|r| r.try_get(0).map_err(db))
        .transpose()
    }

    /// Revokes `name`: its certificate is refused from the next request on,
    /// and its open code closed. False when there is no such workstation.
    pub async fn revoke_workstation(
        &self,
        name: &str,
        by: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut c = self.conn().await?;
        let tx = c.transaction().await.map_err(db)?;
        let n = tx
            .execute(
                "UPDATE workstations SET revoked_at = $2, revoked_by = $3, code_key = NULL, code_expires_at = NULL
                 WHERE name = $1",
                &[&name, &now, &by],
            )
            .await
            .map_err(db)?;
        if n == 1 {
            journal_append_in(
                &tx,
                &access(now, "revoked", name, by, serde_json::json!({})),
            )
            .await?;
        }
        tx.commit().await.map_err(db)?;
        Ok(n == 1)
    }

    /// Every workstation of the site, by name.
    pub async fn workstations(&self) -> Result<Vec<Workstation>, StoreError> {
        let c = self.conn().await?;
        let rows = c
            .query(
                "SELECT name, approved_by, approved_at, code_expires_at, enrolled_at, revoked_at, revoked_by
                 FROM workstations ORDER BY name",
                &[],
            )
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(Workstation {
                    name: r.try_get(0).map_err(db)?,
                    approved_by: r.try_get(1).map_err(db)?,
                    approved_at: r.try_get(2).map_err(db)?,
                    code_expires_at: r.try_get(3).map_err(db)?,
                    enrolled_at: r.try_get(4).map_err(db)?,
                    revoked_at: r.try_get(5).map_err(db)?,
                    revoked_by: r.try_get(6).map_err(db)?,
                })
            })
            .collect()
    }
}
