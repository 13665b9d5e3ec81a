//! Where in a picture a symbol may be: our own search in front of rxing's
//! detector.
//!
//! rxing's Data Matrix detector starts from the middle of the picture it is
//! given and grows a white rectangle outwards until it has the symbol
//! inside; clutter on the way (print on coloured board, a bright stripe of
//! varnish, text beside the code) stops it early. So we look first: in a
//! binarised view (0 = dark), the dark print is grown by one pixel, which
//! joins a symbol's modules (and the dots of dot print) into one blob, and
//! every blob that is dense, textured and of a symbol's proportions is a
//! candidate. rxing is then handed each candidate cut out with a margin,
//! where its detector starts in the symbol's middle with nothing else in
//! the way.
//!
//! Pure: no rxing here, so the thresholds below can be tested on their own.

/// A box in the view, `x1` and `y1` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
}

impl Rect {
    pub fn width(&self) -> usize {
        self.x1 - self.x0
    }

    pub fn height(&self) -> usize {
        self.y1 - self.y0
    }

    /// The box grown by `m` on every side, within a `w`×`h` picture.
    pub fn grown(&self, m: usize, w: usize, h: usize) -> Rect {
        Rect {
            x0: self.x0.saturating_sub(m),
            y0: self.y0.saturating_sub(m),
            x1: (self.x1 + m).min(w),
            y1: (self.y1 + m).min(h),
        }
    }
}

/// The smallest blob looked at: 10 px a side, a 10×10 symbol (the
/// smallest) at one pixel per module.
pub const MIN_SIDE: usize = 10;

/// The longest to shortest side a blob may have: DMRE's 8×144 is 18, and
/// a little perspective on top.
pub const MAX_ASPECT: usize = 24;

/// A symbol's blob fills at least this share of its box: a square turned
/// by 45° fills half of it, and growing the print by a pixel fills most of
/// the gaps between modules. Text lines and frames fill far less.
pub const MIN_FILL: f32 = 0.3;

/// Of a blob's pixels, the share dark before growing: a symbol is about
/// half dark modules, so 0.45–0.7 once grown (more at large modules), and
/// dot print 0.25–0.4; a solid dark area (a box in the scene that the
/// threshold kept dark) is nearly all ink.
pub const INK: std::ops::RangeInclusive<f32> = 0.2..=0.8;

/// Candidates looked at per view, the largest and squarest first (their
/// ink times their short side over their long side): a label seldom has
/// more than one or two symbols near the code, and each costs a detector
/// run.
pub const MAX_CANDIDATES: usize = 4;

/// A blob that may be a symbol.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The box round the grown blob.
    pub rect: Rect,
    /// The convex hull of the blob's ink (before growing), pixel corners
    /// in picture coordinates, clockwise on screen.
    pub hull: Vec<(f32, f32)>,
}

/// The blobs in `bin` (0 = dark, anything else light, `w` by `h`) that may
/// be symbols, likeliest first (see [`MAX_CANDIDATES`]).
pub fn candidates(bin: &[u8], w: usize, h: usize) -> Vec<Candidate> {
    if w == 0 || h == 0 || bin.len() != w * h {
        return Vec::new();
    }
    // Dark grown by one pixel (8 neighbours).
    let mut grown = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            if bin[y * w + x] != 0 {
                continue;
            }
            for yy in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                for xx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                    grown[yy * w + xx] = true;
                }
            }
        }
    }
    // Blobs: 8-connected, by a flood fill with an explicit stack.
    let mut seen = vec![false; w * h];
    let mut stack = Vec::new();
    let mut found: Vec<(usize, Candidate)> = Vec::new();
    let mut members = Vec::new();
    for start in 0..w * h {
        if !grown[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut count, mut ink) = (0usize, 0usize);
        let mut r = Rect {
            x0: usize::MAX,
            y0: usize::MAX,
            x1: 0,
            y1: 0,
        };
        members.clear();
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            count += 1;
            if bin[i] == 0 {
                ink += 1;
                members.push(i);
            }
            r.x0 = r.x0.min(x);
            r.y0 = r.y0.min(y);
            r.x1 = r.x1.max(x + 1);
            r.y1 = r.y1.max(y + 1);
            for yy in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                for xx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                    let j = yy * w + xx;
                    if grown[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        if looks_like_a_symbol(&r, count, ink) {
            let hull = hull_of(&members, w, r.y0, r.height());
            // Squarish blobs first: most symbols are square, and lines of
            // text, the commonest clutter, are long and thin.
            let (bw, bh) = (r.width(), r.height());
            let rank = count * bw.min(bh) / bw.max(bh);
            found.push((rank, Candidate { rect: r, hull }));
        }
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found
        .into_iter()
        .take(MAX_CANDIDATES)
        .map(|(_, c)| c)
        .collect()
}

/// The convex hull of pixels (indices into a picture `w` wide, in rows
/// `y0..y0 + rows`): each row's outermost pixels' outer corners, then
/// Andrew's monotone chain.
fn hull_of(pixels: &[usize], w: usize, y0: usize, rows: usize) -> Vec<(f32, f32)> {
    let mut ends = vec![(usize::MAX, 0usize); rows];
    for &i in pixels {
        let (x, y) = (i % w, i / w - y0);
        ends[y].0 = ends[y].0.min(x);
        ends[y].1 = ends[y].1.max(x + 1);
    }
    let mut pts: Vec<(i64, i64)> = Vec::with_capacity(rows * 4);
    for (dy, &(a, b)) in ends.iter().enumerate() {
        if a == usize::MAX {
            continue;
        }
        let y = (y0 + dy) as i64;
        for x in [a as i64, b as i64] {
            pts.push((x, y));
            pts.push((x, y + 1));
        }
    }
    pts.sort_unstable();
    pts.dedup();
    if pts.len() < 3 {
        return pts.iter().map(|&(x, y)| (x as f32, y as f32)).collect();
    }
    let cross = |o: (i64, i64), a: (i64, i64), b: (i64, i64)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut hull: Vec<(i64, i64)> = Vec::with_capacity(pts.len() + 1);
    for pass in 0..2 {
        let start = hull.len();
        let seq: Box<dyn Iterator<Item = &(i64, i64)>> = if pass == 0 {
            Box::new(pts.iter())
        } else {
            Box::new(pts.iter().rev())
        };
        for &p in seq {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0
            {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    hull.iter().map(|&(x, y)| (x as f32, y as f32)).collect()
}

fn looks_like_a_symbol(r: &Rect, count: usize, ink: usize) -> bool {
    let (bw, bh) = (r.width(), r.height());
    let (short, long) = (bw.min(bh), bw.max(bh));
    // No upper bound on size: a close-up may be all symbol.
    if short < MIN_SIDE || long > MAX_ASPECT * short {
        return false;
    }
    let fill = count as f32 / (bw * bh) as f32;
    let share = ink as f32 / count as f32;
    fill >= MIN_FILL && INK.contains(&share)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A checkerboard-like patch of `n`×`n` px (half dark) at (x, y).
    fn patch(px: &mut [u8], w: usize, x: usize, y: usize, n: usize) {
        for yy in 0..n {
            for xx in 0..n {
                // 2×2 px modules, a diagonal pattern, solid left and bottom.
                let (mx, my) = (xx / 2, yy / 2);
                let dark = mx == 0 || yy + 2 >= n || (mx * 7 + my * 3) % 5 < 2;
                px[(y + yy) * w + x + xx] = if dark { 0 } else { 255 };
            }
        }
    }

    #[test]
    fn a_symbol_among_clutter_is_found_and_the_clutter_is_not() {
        let (w, h) = (120, 80);
        let mut px = vec![255u8; w * h];
        patch(&mut px, w, 60, 30, 24);
        // A solid dark box (too much ink), a thin line (too little fill),
        // and a speck (too small).
        for y in 5..25 {
            for x in 5..30 {
                px[y * w + x] = 0;
            }
        }
        for x in 5..110 {
            px[70 * w + x] = 0;
        }
        px[10 * w + 100] = 0;
        let found = candidates(&px, w, h);
        assert_eq!(found.len(), 1, "{found:?}");
        let r = found[0].rect;
        // The hull is the patch's outline (pixel corners); its top right
        // module is paper, as a Data Matrix's is.
        for corner in [(60.0, 30.0), (84.0, 54.0), (60.0, 54.0)] {
            assert!(found[0].hull.contains(&corner), "{:?}", found[0].hull);
        }
        // The box holds the patch, grown by at most the one pixel.
        assert!(
            r.x0 <= 60 && r.x0 >= 59 && r.x1 >= 84 && r.x1 <= 85,
            "{r:?}"
        );
        assert!(
            r.y0 <= 30 && r.y0 >= 29 && r.y1 >= 54 && r.y1 <= 55,
            "{r:?}"
        );
    }

    #[test]
    fn dots_one_pixel_apart_make_one_blob() {
        // Dot print: a dot every other pixel over 12×12 px, in a 40×40
        // picture; grown by a pixel, the dots touch.
        let (w, h) = (40, 40);
        let mut px = vec![255u8; w * h];
        for y in (11..23).step_by(2) {
            for x in (11..23).step_by(2) {
                px[y * w + x] = 0;
            }
        }
        let found: Vec<Rect> = candidates(&px, w, h).iter().map(|c| c.rect).collect();
        assert_eq!(
            found,
            vec![Rect {
                x0: 10,
                y0: 10,
                x1: 23,
                y1: 23
            }]
        );
        // Three pixels apart, they stay apart: no blob big enough.
        let mut sparse = vec![255u8; w * h];
        for y in (5..35).step_by(4) {
            for x in (5..35).step_by(4) {
                sparse[y * w + x] = 0;
            }
        }
        assert!(candidates(&sparse, w, h).is_empty());
    }

    #[test]
    fn bad_sizes_give_nothing() {
        assert!(candidates(&[], 0, 0).is_empty());
        assert!(candidates(&[0; 10], 5, 3).is_empty());
    }
}
