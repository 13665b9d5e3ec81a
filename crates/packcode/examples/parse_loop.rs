//! Parses one code N times; for instruction counts (`perf stat`, callgrind)
//! that do not depend on how busy the machine is.
//! Usage: parse_loop [gs1|ifa|dl|damaged] [N]

use packcode::{parse, Date};
use std::hint::black_box;

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "gs1".to_owned());
    let n: u64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let code = match which.as_str() {
        "ifa" => "[)>\u{1e}06\u{1d}9N110375286414\u{1d}1T1234AB\u{1d}D270100\u{1d}SX7K2P9Q4M3N8\u{1e}\u{04}",
        "dl" => "https://id.gs1.org/01/04150037528643/10/1234AB/21/X7K2P9Q4M3N8?17=270131",
        "damaged" => "]d2010415003752864317270131101234AB21X7K2P9Q4M3N8",
        _ => "]d2010415003752864317270131101234AB\u{1d}21X7K2P9Q4M3N8",
    };
    let today = Date {
        year: 2026,
        month: 11,
        day: 23,
    };
    let mut ok = 0u64;
    for _ in 0..n {
        ok += u64::from(parse(black_box(code), today).ok());
    }
    println!("{which}: {ok} of {n} valid");
}
