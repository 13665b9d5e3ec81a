//! The program's log file: `logs/<name>.log` in Countercheck's data folder
//! (see `platform`), one line per event with its UTC time, rotated at
//! 1 MiB with five older files kept, and every panic written to it. With
//! the Windows GUI subsystem there is no console: a start-up error or a
//! panic would otherwise leave no trace. Lines also go to stderr.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Rotate when the file would grow past this.
const MAX_BYTES: u64 = 1 << 20;
/// Older files kept (`name.log.1` … `name.log.5`).
const KEEP: u32 = 5;

struct LogFile {
    path: PathBuf,
    lock: Mutex<()>,
}

static LOG: OnceLock<LogFile> = OnceLock::new();

/// Starts logging to `dir/name.log` (the folder is made owner-only) and
/// writes panics there too. Called once, first thing, by the app and the
/// CLI; later calls change nothing.
pub fn init(dir: &Path, name: &str) -> std::io::Result<PathBuf> {
    crate::private_dir(dir).map_err(|e| std::io::Error::other(e.to_string()))?;
    let path = dir.join(format!("{name}.log"));
    if LOG
        .set(LogFile {
            path: path.clone(),
            lock: Mutex::new(()),
        })
        .is_ok()
    {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let place = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let what = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_owned());
            line(&format!("PANIC{place}: {what}"));
            previous(info);
        }));
    }
    Ok(path)
}

/// The log file in use, if logging was started.
pub fn path() -> Option<&'static Path> {
    LOG.get().map(|l| l.path.as_path())
}

/// Writes one line (and the same to stderr). Never fails the caller: a
/// log that cannot be written is not a reason to stop serving a counter.
pub fn line(msg: &str) {
    eprintln!("countercheck: {msg}");
    let Some(log) = LOG.get() else { return };
    let _guard = log
        .lock
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let text = format!("{} {msg}\n", domain::Timestamp(now).iso());
    let size = std::fs::metadata(&log.path).map_or(0, |m| m.len());
    if size + text.len() as u64 > MAX_BYTES {
        rotate(&log.path);
    }
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log.path)
    {
        let _ = f.write_all(text.as_bytes());
    }
}

/// `name.log` → `name.log.1` → … → `name.log.5` (the oldest dropped).
fn rotate(path: &Path) {
    let numbered = |n: u32| PathBuf::from(format!("{}.{n}", path.display()));
    let _ = std::fs::remove_file(numbered(KEEP));
    for n in (1..KEEP).rev() {
        let _ = std::fs::rename(numbered(n), numbered(n + 1));
    }
    let _ = std::fs::rename(path, numbered(1));
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_and_panics_go_to_the_file_which_rotates() {
        let dir = std::env::temp_dir().join(format!("countercheck-log-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = super::init(&dir, "test").expect("init");
        super::line("started");
        let _ = std::panic::catch_unwind(|| panic!("boom in a test"));
        let text = std::fs::read_to_string(&path).expect("log");
        assert!(text.contains(" started\n"), "{text}");
        assert!(
            text.contains("PANIC at ") && text.contains("boom in a test"),
            "{text}"
        );
        // Past 1 MiB the file rotates: name.log.1 holds the older lines.
        let big = "x".repeat(64 * 1024);
        for _ in 0..20 {
            super::line(&big);
        }
        assert!(dir.join("test.log.1").exists());
        assert!(std::fs::metadata(&path).expect("log").len() <= super::MAX_BYTES);
        let _ = std::fs::remove_dir_all(dir);
    }
}
