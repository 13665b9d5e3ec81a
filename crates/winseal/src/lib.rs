//! The Windows user's data protection (DPAPI) for a few bytes.
//!
//! Countercheck keeps the key of its fallback secrets file sealed with
//! `CryptProtectData` under the signed-in Windows user: the sealed bytes
//! open only for that user on that computer (Windows derives the key from
//! the user's logon secret, which no file on the disk gives away). A copy of
//! the key file taken to another computer, or read by another local user,
//! does not open.
//!
//! On other platforms this crate is empty; the caller keeps its key file
//! readable by its owner only.

/// Why the bytes could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealError {
    /// What was being done ("seal" or "open").
    pub doing: &'static str,
    /// The Windows error code (`GetLastError`).
    pub code: u32,
}

impl std::fmt::Display for SealError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Windows data protection could not {} (error {:#x}): the file was sealed by another user or on another computer, or is damaged",
            self.doing, self.code
        )
    }
}

impl std::error::Error for SealError {}

#[cfg(windows)]
mod dpapi {
    use super::SealError;
    use windows_sys::Win32::Foundation::{GetLastError, LocalFree};
    use windows_sys::Win32::Security::Cryptography::{
        CryptProtectData, CryptUnprotectData, CRYPTPROTECT_UI_FORBIDDEN, CRYPT_INTEGER_BLOB,
    };

    /// Mixed into every seal, so that a blob another program sealed for the
    /// same user does not open as ours (and ours not as theirs).
    const ENTROPY: &[u8] = b"countercheck secrets key v1";

    fn blob(bytes: &[u8]) -> Result<CRYPT_INTEGER_BLOB, SealError> {
        let len = u32::try_from(bytes.len()).map_err(|_| SealError {
            doing: "take that many bytes",
            code: 0,
        })?;
        Ok(CRYPT_INTEGER_BLOB {
            cbData: len,
            // The API takes `*mut` but only reads the input blobs.
            pbData: bytes.as_ptr().cast_mut(),
        })
    }

    /// Copies what Windows allocated into a Vec and frees it.
    fn take(out: CRYPT_INTEGER_BLOB) -> Vec<u8> {
        if out.pbData.is_null() {
            return Vec::new();
        }
        // SAFETY: on success the API sets pbData to a LocalAlloc'ed buffer of
        // cbData bytes that we own; it is read once here and freed below,
        // never touched again.
        let bytes = unsafe { std::slice::from_raw_parts(out.pbData, out.cbData as usize) }.to_vec();
        // SAFETY: pbData came from LocalAlloc (the API's contract) and is
        // freed exactly once.
        unsafe { LocalFree(out.pbData.cast()) };
        bytes
    }

    fn last_error(doing: &'static str) -> SealError {
        // SAFETY: reads the calling thread's last-error value; no pointers.
        let code = unsafe { GetLastError() };
        SealError { doing, code }
    }

    pub fn seal(plain: &[u8]) -> Result<Vec<u8>, SealError> {
        let input = blob(plain)?;
        let entropy = blob(ENTROPY)?;
        let mut out = CRYPT_INTEGER_BLOB {
            cbData: 0,
            pbData: std::ptr::null_mut(),
        };
        // SAFETY: every pointer is valid for the call: the two input blobs
        // point into live slices, the description, reserved and prompt
        // pointers are null (allowed), and `out` is a local the API fills.
        let ok = unsafe {
            CryptProtectData(
                &input,
                std::ptr::null(),
                &entropy,
                std::ptr::null(),
                std::ptr::null(),
                CRYPTPROTECT_UI_FORBIDDEN,
                &mut out,
            )
        };
        if ok == 0 {
            return Err(last_error("seal"));
        }
        Ok(take(out))
    }

    pub fn open(sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let input = blob(sealed)?;
        let entropy = blob(ENTROPY)?;
        let mut out = CRYPT_INTEGER_BLOB {
            cbData: 0,
            pbData: std::ptr::null_mut(),
        };
        // SAFETY: as in `seal`; the description out-pointer is null (we do
        // not ask for it).
        let ok = unsafe {
            CryptUnprotectData(
                &input,
                std::ptr::null_mut(),
                &entropy,
                std::ptr::null(),
                std::ptr::null(),
                CRYPTPROTECT_UI_FORBIDDEN,
                &mut out,
            )
        };
        if ok == 0 {
            return Err(last_error("open"));
        }
        Ok(take(out))
    }
}

/// Seals `plain` for the signed-in Windows user on this computer.
#[cfg(windows)]
pub fn seal(plain: &[u8]) -> Result<Vec<u8>, SealError> {
    dpapi::seal(plain)
}

/// Opens what [`seal`] sealed, as the same user on the same computer.
#[cfg(windows)]
pub fn open(sealed: &[u8]) -> Result<Vec<u8>, SealError> {
    dpapi::open(sealed)
}

#[cfg(all(test, windows))]
mod tests {
    use super::*;

    /// Sealed bytes are not the plain bytes, open back to them, differ from
    /// one seal to the next, and a damaged blob is refused, not opened to
    /// something else.
    #[test]
    fn seals_and_opens_and_refuses_a_damaged_blob() {
        let key: Vec<u8> = (0u8..32).collect();
        let a = seal(&key).expect("seal");
        assert!(a.len() > key.len());
        assert!(
            !a.windows(key.len()).any(|w| w == key.as_slice()),
            "the key is not in the blob"
        );
        assert_eq!(open(&a).expect("open"), key);
        let mut damaged = a.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 0x55;
        assert!(open(&damaged).is_err(), "a damaged blob does not open");
        assert!(open(b"not a blob").is_err());
    }
}
