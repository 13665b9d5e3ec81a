//! A deterministic generator of master data and packs, and the export of
//! their pack codes (GS1 and IFA forms) for tests and demos to scan.

use crate::SimError;
use packcode::check::{ntin_from_pzn, ppn_from_pzn, pzn_check_digit};
use packcode::Date;
use rusqlite::{params, Connection};
use std::fmt::Write as _;

/// SplitMix64: small, fast, and the same sequence on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    fn alnum(&mut self, len: usize) -> String {
        const A: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        (0..len)
            .map(|_| char::from(A[self.below(A.len() as u64) as usize]))
            .collect()
    }
}

const NAMES: [(&str, &str, &str); 8] = [
    ("Ibuprofen", "400 mg", "film-coated tablets"),
    ("Metformin", "850 mg", "tablets"),
    ("Amoxicillin", "500 mg", "capsules"),
    ("Ramipril", "5 mg", "tablets"),
    ("Omeprazole", "20 mg", "gastro-resistant capsules"),
    ("Atorvastatin", "20 mg", "film-coated tablets"),
    ("Salbutamol", "100 µg/dose", "inhalation aerosol"),
    ("Levothyroxine", "50 µg", "tablets"),
];

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct SeedSize {
    pub products: usize,
    pub batches_per_product: usize,
    pub packs_per_batch: usize,
}

impl Default for SeedSize {
    fn default() -> SeedSize {
        SeedSize {
            products: 12,
            batches_per_product: 2,
            packs_per_batch: 10,
        }
    }
}

/// Fills an empty database; `today` sets the expiry dates (1–3 years ahead).
/// Returns the number of packs.
pub fn seed(c: &mut Connection, seed: u64, size: SeedSize, today: Date) -> Result<usize, SimError> {
    let mut rng = Rng::new(seed);
    let tx = c.transaction()?;
    let mut packs = 0;
    for p in 0..size.products {
        // A PZN with a valid check digit.
        let pzn = loop {
            let body = format!("{:07}", rng.below(10_000_000));
            if let Some(c) = pzn_check_digit(&body) {
                break format!("{body}{c}");
            }
        };
        let (gtin, ppn) = (
            ntin_from_pzn(&pzn).unwrap_or_default(),
            ppn_from_pzn(&pzn).unwrap_or_default(),
        );
        let (name, strength, form) = NAMES[p % NAMES.len()];
        let pack_size = [10, 20, 30, 50, 100][rng.below(5) as usize];
        tx.execute(
            "INSERT INTO products (name, strength, form, pack_size, gtin, ppn) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![name, strength, form, pack_size, gtin, ppn],
        )?;
        let product = tx.last_insert_rowid();
        for b in 0..size.batches_per_product {
            let id = format!("{}{}", rng.alnum(2), 1000 + rng.below(9000));
            let year = (today.year % 100) as u64 + 1 + rng.below(3);
            let month = 1 + rng.below(12);
            // Every other batch states the month only (DD = 00).
            let day = if b % 2 == 1 { 0 } else { 1 + rng.below(28) };
            let expiry = format!("{year:02}{month:02}{day:02}");
            tx.execute(
                "INSERT INTO batches (product_id, id, expiry) VALUES (?1, ?2, ?3)",
                params![product, id, expiry],
            )?;
            for _ in 0..size.packs_per_batch {
                let serial = rng.alnum(12);
                tx.execute(
                    "INSERT OR IGNORE INTO packs (product_id, serial, batch, state) VALUES (?1, ?2, ?3, 'ACTIVE')",
                    params![product, serial, id],
                )?;
                packs += 1;
            }
        }
    }
    tx.commit()?;
    Ok(packs)
}

/// One scan line per pack and form: the GS1 Data Matrix text (`]d2…`, GS
/// as 0x1D) and the IFA Format 06 text (`[)>` RS 06 GS … RS EOT).
pub fn export_codes(c: &Connection) -> Result<String, SimError> {
    let mut stmt = c.prepare(
        "SELECT p.gtin, p.ppn, k.batch, b.expiry, k.serial FROM packs k
         JOIN products p ON p.id = k.product_id
         JOIN batches b ON b.product_id = k.product_id AND b.id = k.batch
         ORDER BY p.id, k.batch, k.serial",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = String::new();
    for row in rows {
        let (gtin, ppn, batch, exp, serial) = row?;
        let _ = writeln!(out, "]d201{gtin}17{exp}10{batch}\u{1d}21{serial}");
        let _ = writeln!(
            out,
            "[)>\u{1e}06\u{1d}9N{ppn}\u{1d}1T{batch}\u{1d}D{exp}\u{1d}S{serial}\u{1e}\u{04}"
        );
    }
    Ok(out)
}
