//! The site's people (users with a role and a PIN hash) and the
//! workstations that use this database.

use crate::{Store, StoreError};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// A user as stored. `pin_hash` is the salted hash, never the PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: String,
    pub name: String,
    /// `pharmacist`, `technician` or `administrator` (checked by the schema).
    pub role: String,
    #[serde(skip)]
    pub pin_hash: Option<String>,
    pub active: bool,
    pub created_at: i64,
}

/// A workstation that has used this database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workstation {
    pub id: String,
    pub name: String,
    pub first_seen: i64,
    pub last_seen: i64,
}

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        role: r.get(2)?,
        pin_hash: r.get(3)?,
        active: r.get::<_, i64>(4)? != 0,
        created_at: r.get(5)?,
    })
}

impl Store {
    /// Adds a user, or changes the name, role, PIN hash and active flag of
    /// the one with this id.
    pub fn put_user(&self, u: &User) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO users (id, name, role, pin_hash, active, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
               pin_hash = excluded.pin_hash, active = excluded.active",
            params![
                u.id,
                u.name,
                u.role,
                u.pin_hash,
                u.active as i64,
                u.created_at
            ],
        )?;
        Ok(())
    }

    /// Every user, active ones first, by name.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT id, name, role, pin_hash, active, created_at FROM users
             ORDER BY active DESC, name, id",
        )?;
        let rows = st.query_map([], user_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn user(&self, id: &str) -> Result<Option<User>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, role, pin_hash, active, created_at FROM users WHERE id = ?1",
                [id],
                user_row,
            )
            .optional()?)
    }

    /// Notes that workstation `id` (named `name`) uses this database now.
    pub fn touch_workstation(&self, id: &str, name: &str, now: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO workstations (id, name, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen",
            params![id, name, now],
        )?;
        Ok(())
    }

    /// Every workstation, the most recently seen first.
    pub fn workstations(&self) -> Result<Vec<Workstation>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT id, name, first_seen, last_seen FROM workstations ORDER BY last_seen DESC, id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Workstation {
                id: r.get(0)?,
                name: r.get(1)?,
                first_seen: r.get(2)?,
                last_seen: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Checks the PIN lock and counts this attempt, in one transaction,
    /// before the PIN is checked: `Err(wait_secs)` while `max` wrong PINs in
    /// a row are younger than `lockout_secs` (nothing counted then). Call
    /// [`Store::pin_accepted`] when the PIN was right.
    pub fn pin_attempt(
        &mut self,
        user_id: &str,
        now: i64,
        max: u32,
        lockout_secs: i64,
    ) -> Result<Result<(), i64>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let row: Option<(i64, i64)> = tx
            .query_row(
                "SELECT wrong, last_at FROM sign_in_attempts WHERE user_id = ?1",
                [user_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let wrong = match row {
            Some((wrong, at)) if wrong >= i64::from(max) && now - at < lockout_secs => {
                return Ok(Err(lockout_secs - (now - at)));
            }
            // The lock has run out: a fresh series.
            Some((wrong, _)) if wrong >= i64::from(max) => 1,
            Some((wrong, _)) => wrong + 1,
            None => 1,
        };
        tx.execute(
            "INSERT INTO sign_in_attempts (user_id, wrong, last_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (user_id) DO UPDATE SET wrong = excluded.wrong, last_at = excluded.last_at",
            params![user_id, wrong, now],
        )?;
        tx.commit()?;
        Ok(Ok(()))
    }

    /// The PIN was right: the count of wrong ones starts again.
    pub fn pin_accepted(&self, user_id: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM sign_in_attempts WHERE user_id = ?1", [user_id])?;
        Ok(())
    }

    /// Wrong (or not yet checked) PINs in a row for a user.
    pub fn pin_attempts(&self, user_id: &str) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT wrong FROM sign_in_attempts WHERE user_id = ?1",
                [user_id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store(name: &str) -> (Store, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "countercheck-store-people-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let s = Store::open(&dir.join("db.sqlite")).expect("open");
        (s, dir)
    }

    fn user(id: &str, role: &str) -> User {
        User {
            id: id.into(),
            name: format!("{id} name"),
            role: role.into(),
            pin_hash: Some("pbkdf2$x".into()),
            active: true,
            created_at: 5,
        }
    }

    #[test]
    fn users_are_added_changed_and_listed() {
        let (s, dir) = temp_store("users");
        s.put_user(&user("anna", "pharmacist")).expect("ok");
        s.put_user(&user("tom", "technician")).expect("ok");
        let mut tom = user("tom", "technician");
        tom.active = false;
        tom.created_at = 99; // not changed by an update
        s.put_user(&tom).expect("ok");
        let all = s.users().expect("ok");
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].id, "anna");
        assert!(!all[1].active);
        assert_eq!(s.user("tom").expect("ok").expect("ok").created_at, 5);
        assert_eq!(s.user("nobody").expect("ok"), None);
        drop(s);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_role_outside_the_three_is_refused_by_the_schema() {
        let (s, dir) = temp_store("role");
        assert!(s.put_user(&user("eve", "owner")).is_err());
        drop(s);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn workstations_are_seen() {
        let (s, dir) = temp_store("ws");
        s.touch_workstation("ws-a", "Counter 1", 10).expect("ok");
        s.touch_workstation("ws-b", "Store room", 20).expect("ok");
        s.touch_workstation("ws-a", "Counter 1 (left)", 30)
            .expect("ok");
        let w = s.workstations().expect("ok");
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].id, "ws-a");
        assert_eq!(w[0].name, "Counter 1 (left)");
        assert_eq!((w[0].first_seen, w[0].last_seen), (10, 30));
        drop(s);
        let _ = std::fs::remove_dir_all(dir);
    }
}
