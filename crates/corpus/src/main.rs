//! `corpus DIR [PER_CELL]`: writes the generated pictures and their
//! manifest into DIR (for the peer decoder and for looking at them).

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: corpus DIR [PER_CELL]");
        std::process::exit(2);
    };
    let per_cell = match args.next().map(|n| n.parse::<u32>()) {
        None => 4,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("PER_CELL: {e}");
            std::process::exit(2);
        }
    };
    match corpus::write_all(std::path::Path::new(&dir), per_cell) {
        Ok(entries) => println!("{} pictures in {dir}", entries.len()),
        Err(e) => {
            eprintln!("corpus: {e}");
            std::process::exit(1);
        }
    }
}
