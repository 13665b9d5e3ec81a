//! Check-digit algorithms: GS1 mod 10 (GTIN, NTIN, GLN, SSCC), the GS1
//! alphanumeric check pair (GMN), IFA PPN mod 97 and the German PZN mod 11.

use crate::charset::cset82_index;

/// GS1 mod-10 check digit over `digits` (the data digits, without the check).
/// Weights 3, 1, 3, … from the right. `None` if a character is not a digit.
pub fn gs1_check_digit(digits: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        let d = u32::from(b - b'0');
        sum += if i % 2 == 0 { d * 3 } else { d };
    }
    Some(((10 - sum % 10) % 10) as u8)
}

/// True when the last digit of `number` is its correct GS1 mod-10 check digit.
pub fn gs1_check_valid(number: &str) -> bool {
    let b = number.as_bytes();
    if b.len() < 2 {
        return false;
    }
    // Over the whole number, check digit included, with weights 1, 3, 1, …
    // from the right, the sum is a multiple of 10.
    let mut sum = 0u32;
    for (i, &c) in b.iter().rev().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return false;
        }
        sum += u32::from(d) * if i & 1 == 1 { 3 } else { 1 };
    }
    sum.is_multiple_of(10)
}

const CSET32: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const PRIMES: [u32; 23] = [
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83,
];

/// The GS1 alphanumeric check-character pair over `data` (used by AI 8013,
/// the Global Model Number). `None` if `data` is longer than 23 characters
/// or holds a character outside CSET 82.
pub fn gs1_check_pair(data: &str) -> Option<[u8; 2]> {
    if data.len() > PRIMES.len() {
        return None;
    }
    let mut sum = 0u32;
    for (i, b) in data.bytes().rev().enumerate() {
        sum += cset82_index(b)? * PRIMES[i];
    }
    let sum = sum % 1021;
    Some([CSET32[(sum >> 5) as usize], CSET32[(sum & 31) as usize]])
}

/// True when the last two characters of `value` are its GS1 check pair.
pub fn gs1_check_pair_valid(value: &str) -> bool {
    if value.len() < 3 || !value.is_ascii() {
        return false;
    }
    let (body, pair) = value.split_at(value.len() - 2);
    gs1_check_pair(body).is_some_and(|p| p == pair.as_bytes())
}

/// PZN check digit: digits 1–7 weighted 1..7, sum mod 11. `None` when the
/// input is not 7 digits or the remainder is 10 (such numbers are not issued).
pub fn pzn_check_digit(first7: &str) -> Option<u8> {
    if first7.len() != 7 || !first7.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first7
        .bytes()
        .enumerate()
        .map(|(i, b)| (i as u32 + 1) * u32::from(b - b'0'))
        .sum();
    match sum % 11 {
        10 => None,
        r => Some(r as u8),
    }
}

/// True when `pzn` is an 8-digit PZN with a valid check digit.
pub fn pzn_valid(pzn: &str) -> bool {
    pzn.len() == 8
        && pzn.is_ascii()
        && pzn_check_digit(&pzn[..7]).is_some_and(|c| pzn.as_bytes()[7] == b'0' + c)
}

/// PPN check digits (two digits): the ASCII codes of the characters weighted
/// 2, 3, 4, … from the left, sum mod 97.
pub fn ppn_check_digits(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| (i as u32 + 2) * u32::from(b))
        .sum();
    (sum % 97) as u8
}

/// True when the last two digits of `ppn` are its mod-97 check digits.
pub fn ppn_check_valid(ppn: &str) -> bool {
    if ppn.len() < 3 || !ppn.is_ascii() {
        return false;
    }
    let (body, check) = ppn.split_at(ppn.len() - 2);
    check.bytes().all(|b| b.is_ascii_digit())
        && check
            .parse::<u8>()
            .is_ok_and(|c| c == ppn_check_digits(body))
}

/// The PZN inside a PPN of the PZN scheme (`11` + PZN8 + 2 check digits).
pub fn pzn_from_ppn(ppn: &str) -> Option<&str> {
    (ppn.len() == 12 && ppn.is_ascii() && ppn.starts_with("11")).then(|| &ppn[2..10])
}

/// The PZN inside a German NTIN (`04150` + PZN8 + check digit, as GTIN-14).
pub fn pzn_from_ntin(gtin14: &str) -> Option<&str> {
    (gtin14.len() == 14 && gtin14.is_ascii() && gtin14.starts_with("04150")).then(|| &gtin14[5..13])
}

/// The NTIN (as a 14-digit GTIN) for an 8-digit PZN.
pub fn ntin_from_pzn(pzn: &str) -> Option<String> {
    if pzn.len() != 8 || !pzn.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let body = format!("04150{pzn}");
    let check = gs1_check_digit(&body)?;
    Some(format!("{body}{check}"))
}

/// The PPN (PZN scheme) for an 8-digit PZN.
pub fn ppn_from_pzn(pzn: &str) -> Option<String> {
    if pzn.len() != 8 || !pzn.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let body = format!("11{pzn}");
    Some(format!("{body}{:02}", ppn_check_digits(&body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gtin_check_digits() {
        // (data, expected check)
        for (data, check) in [
            ("0950110153000", 3),
            ("0415003752864", 3),
            ("400638133393", 1),
            ("0000000000000", 0),
            ("1234567890123", 1),
        ] {
            assert_eq!(gs1_check_digit(data), Some(check), "{data}");
        }
        assert!(gs1_check_valid("09501101530003"));
        assert!(!gs1_check_valid("09501101530008"));
        assert!(gs1_check_valid("04150037528643"));
        assert!(!gs1_check_valid("0415003752864A"));
        assert!(!gs1_check_valid(""));
        assert_eq!(gs1_check_digit("12a"), None);
    }

    #[test]
    fn pzn_examples() {
        assert_eq!(pzn_check_digit("0375286"), Some(4));
        assert!(pzn_valid("03752864"));
        assert!(!pzn_valid("03752865"));
        assert!(!pzn_valid("0375286"));
        // Remainder 10 is never issued: 0000010 -> 1*0..+7*... find one
        let ten = (0..10_000_000u32)
            .map(|n| format!("{n:07}"))
            .find(|s| {
                let sum: u32 = s
                    .bytes()
                    .enumerate()
                    .map(|(i, b)| (i as u32 + 1) * u32::from(b - b'0'))
                    .sum();
                sum % 11 == 10
            })
            .expect("some 7-digit body has remainder 10");
        assert_eq!(pzn_check_digit(&ten), None);
    }

    #[test]
    fn ppn_examples() {
        // IFA's published example: 9N 110375286414
        assert_eq!(ppn_check_digits("1103752864"), 14);
        assert!(ppn_check_valid("110375286414"));
        assert!(!ppn_check_valid("110375286415"));
        assert_eq!(ppn_from_pzn("03752864").as_deref(), Some("110375286414"));
        assert_eq!(pzn_from_ppn("110375286414"), Some("03752864"));
    }

    #[test]
    fn ntin_derivation() {
        assert_eq!(ntin_from_pzn("03752864").as_deref(), Some("04150037528643"));
        assert_eq!(pzn_from_ntin("04150037528643"), Some("03752864"));
        assert_eq!(pzn_from_ntin("09501101530003"), None);
        assert_eq!(ntin_from_pzn("0375286"), None);
    }

    #[test]
    fn gmn_check_pair() {
        // The GS1 General Specifications' worked example of a GMN.
        assert!(gs1_check_pair_valid("1987654Ad4X4bL5ttr2310c2K"));
        assert!(!gs1_check_pair_valid("1987654Ad4X4bL5ttr2310c2L"));
        assert!(!gs1_check_pair_valid("12"));
    }
}
