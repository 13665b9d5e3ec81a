//! Where Countercheck keeps its files on each platform, and what this
//! computer is called: one home for both, used by the desk and the CLI.
//!
//! - Data (databases, exports, logs): the platform's local data folder
//!   (`%LOCALAPPDATA%` on Windows, `~/Library/Application Support` on
//!   macOS, `$XDG_DATA_HOME` or `~/.local/share` on Linux), then
//!   `countercheck`. Decision: *local*, not roaming, data on Windows: a
//!   pharmacy's ledger belongs to the PC it was recorded on, and a roaming
//!   profile copying a live SQLite file between PCs would corrupt it.
//! - The workstation's default name: the computer's host name.

use std::path::PathBuf;

/// Countercheck's own folder in the platform's local data folder (`None`
/// only when the platform names none, e.g. no home folder at all).
pub fn data_home() -> Option<PathBuf> {
    dirs::data_local_dir().map(|d| d.join("countercheck"))
}

/// The computer's name, as the platform gives it (`None` when it gives
/// none).
pub fn host_name() -> Option<String> {
    #[cfg(windows)]
    let name = std::env::var("COMPUTERNAME").ok();
    #[cfg(unix)]
    let name = Some(
        rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned(),
    );
    #[cfg(not(any(windows, unix)))]
    let name: Option<String> = None;
    name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_computer_has_a_name_and_a_data_folder() {
        let name = super::host_name().expect("a host name");
        assert!(!name.is_empty() && !name.contains('\0'));
        let home = super::data_home().expect("a data folder");
        assert!(home.ends_with("countercheck"), "{}", home.display());
        assert!(home.is_absolute(), "{}", home.display());
    }
}
