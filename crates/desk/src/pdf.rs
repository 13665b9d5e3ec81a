//! A small PDF writer for reports: A4 pages of monospaced text (the
//! standard Courier font, WinAnsi encoding), a title on every page, page
//! numbers. Enough for a journal extract or a delivery report to file; no
//! dependency.

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 40.0;
const SIZE: f32 = 8.5;
const LEADING: f32 = 10.5;
/// Courier is 0.6 em wide per character.
pub const COLUMNS: usize = ((WIDTH - 2.0 * MARGIN) / (SIZE * 0.6)) as usize;

fn latin1_escaped(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        let b = match c {
            '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '\u{2013}' | '\u{2014}' => b'-',
            '\u{2026}' => b'.',
            _ => b'?',
        };
        if matches!(b, b'\\' | b'(' | b')') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

/// The PDF bytes of `lines` under `title`; long lines are cut at the page
/// width (with `…` shown as `.`).
pub fn text_pdf(title: &str, lines: &[String]) -> Vec<u8> {
    let per_page = ((HEIGHT - 2.0 * MARGIN - 2.0 * LEADING) / LEADING) as usize;
    let pages: Vec<&[String]> = if lines.is_empty() {
        vec![&[]]
    } else {
        lines.chunks(per_page).collect()
    };
    let n = pages.len();
    // Objects: 1 catalog, 2 page tree, 3 font, then page and content pairs.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes());
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>".to_vec(),
    );
    for (i, page) in pages.iter().enumerate() {
        let mut content = Vec::new();
        content.extend_from_slice(
            format!(
                "BT /F1 {SIZE} Tf {LEADING} TL {MARGIN} {} Td\n",
                HEIGHT - MARGIN
            )
            .as_bytes(),
        );
        let head = format!("{title}    page {} of {n}", i + 1);
        for line in std::iter::once(&head)
            .chain(std::iter::once(&String::new()))
            .chain(page.iter())
        {
            let cut: String = if line.chars().count() > COLUMNS {
                line.chars()
                    .take(COLUMNS - 1)
                    .chain(std::iter::once('.'))
                    .collect()
            } else {
                line.clone()
            };
            content.push(b'(');
            content.extend(latin1_escaped(&cut));
            content.extend_from_slice(b") Tj T*\n");
        }
        content.extend_from_slice(b"ET");
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                5 + 2 * i
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend(content);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the xref table and checks that every entry points at its
    /// object, as a PDF reader would.
    fn check_structure(pdf: &[u8]) -> usize {
        // Offsets count bytes: work on the bytes (Latin-1 text is not UTF-8).
        let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).rposition(|w| w == needle);
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let at = find(pdf, b"startxref\n").expect("startxref") + b"startxref\n".len();
        let digits: Vec<u8> = pdf[at..]
            .iter()
            .copied()
            .take_while(u8::is_ascii_digit)
            .collect();
        let start: usize = String::from_utf8(digits)
            .expect("digits")
            .parse()
            .expect("offset");
        assert!(pdf[start..].starts_with(b"xref\n"));
        let table = String::from_utf8(pdf[start..].to_vec()).expect("the xref table is ASCII");
        let entries: Vec<&str> = table
            .lines()
            .skip(3)
            .take_while(|l| !l.starts_with("trailer"))
            .collect();
        for (i, e) in entries.iter().enumerate() {
            let off: usize = e[..10].parse().expect("offset");
            assert!(
                pdf[off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "object {} at {off}",
                i + 1
            );
        }
        pdf.windows(12).filter(|w| w == b"/Type /Page ").count()
    }

    #[test]
    fn pages_xref_and_escapes() {
        let lines: Vec<String> = (0..200)
            .map(|i| format!("line {i} (with parentheses) \\ and Ünïcode €"))
            .collect();
        let pdf = text_pdf("Journal extract", &lines);
        let pages = check_structure(&pdf);
        assert!(pages >= 3, "{pages} pages");
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("\\(with parentheses\\) \\\\ and"));
        assert!(text.contains("page 1 of"));
        assert_eq!(check_structure(&text_pdf("Empty", &[])), 1);
        let long = vec!["x".repeat(500)];
        let one = text_pdf("Long", &long);
        assert!(!String::from_utf8_lossy(&one).contains(&"x".repeat(COLUMNS)));
    }
}
