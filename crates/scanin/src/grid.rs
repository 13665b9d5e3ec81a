//! Our own Data Matrix detector and sampler, for the symbols rxing's
//! detector gives up on: given a candidate blob ([`crate::locate`]) in a
//! binarised view, find the finder L and the timing pattern, count the
//! modules, sample every module and hand the grid to rxing's Data Matrix
//! decoder (which reads the bits; it never looks at the picture).
//!
//! How:
//! 1. **The L**: a Data Matrix's outline has two solid sides (the finder
//!    L) and two that alternate (the timing pattern). Candidate outlines
//!    come from rectangles round the blob's convex hull (one per hull edge
//!    direction, trimmed of specks of noise) and from the hull's own
//!    corners (under perspective the L is not a right angle and no
//!    rectangle lies along both legs); each corner of each is a candidate
//!    L corner. The ones whose two legs are darkest win, provided both are
//!    solid ([`SOLID`]) and the two other sides are not ([`ALTERNATING`]).
//! 2. **The outline made exact**: the legs' outer edges fitted to the
//!    first dark pixels met from outside; their crossing is the L's corner;
//!    each leg ends where its grey turns to paper; the fourth corner
//!    completes a parallelogram, or, where the timing sides' outer edges
//!    can be fitted too, the four edges make a quadrilateral (a tilted
//!    pack).
//! 3. **Size**: for every even count from 8 to 144, how well samples at
//!    that many module centres half a module inside each timing side line
//!    up with the dark/light alternation, through the outline's
//!    perspective map; the best counts are paired into sizes the standard
//!    has (rxing's version table: squares, rectangles and DMRE).
//! 4. **Geometry**: module centres evenly spaced in the perspective map,
//!    and also where the timing runs put them (a label round a vial
//!    squeezes the columns towards its sides); both are sampled.
//! 5. **Sampling**: each module's grey is the mean of nine points over its
//!    middle half; it is dark when darker than the mean of the 5×5
//!    modules round it (which follows shading and a highlight).
//! 6. **Misreads**: the sampled L and timing pattern must agree with the
//!    standard's to [`AGREE`] before the grid goes to the decoder; the
//!    decoder's Reed–Solomon check does the rest, and the pack-code parser
//!    checks what comes out.

use crate::locate::Candidate;
use rxing::common::{BitMatrix, PerspectiveTransform, Quadrilateral};
use rxing::datamatrix::decoder::{Decoder, Version};
use rxing::Point;

type P = (f32, f32);

/// A leg of the L is solid when at least this share of the points along it
/// are dark (a few are lost to noise, glare and print defects).
pub const SOLID: f32 = 0.85;

/// A timing side is not solid: at most this share dark at its lightest
/// inset ([`dark_shares`]; it should be about half).
pub const ALTERNATING: f32 = 0.8;

/// The sampled finder L and timing pattern must match the standard's at
/// this share of their modules, or the grid is not a symbol (or is sampled
/// wrong) and is not decoded.
pub const AGREE: f32 = 0.75;

/// How far inside the outline the legs and timing sides are read (px): the
/// L and the timing pattern are one module thick, so from half a pixel (one
/// to two pixel modules) to four (large modules); the best line counts.
const INSETS: [f32; 6] = [0.5, 1.0, 1.5, 2.0, 3.0, 4.0];

/// A line along a side of the outline with less than this share dark is
/// specks of noise outside the symbol (a timing side is half dark, a leg
/// all dark), and the side moves in past it ...
const SPECKS: f32 = 0.3;

/// ... but by no more than this share of the outline's width or height.
const TRIM_MAX: f32 = 0.25;

/// Orientations tried per candidate, the first this many distinct ones
/// round its hull: a clean symbol's hull has about eight, noise adds a few
/// more, and the cap bounds the work a large ragged blob of clutter costs.
/// (Trying the longest edges first was measured worse: blocks of text
/// then pass for an L more often, and their failed decodes cost time.)
const MAX_ORIENTATIONS: usize = 32;

/// Orientations closer than this (radians, modulo a right angle) are one.
const SAME_ANGLE: f32 = 0.02;

/// Reads a Data Matrix from a candidate: the text with its symbology
/// identifier (`]d2` GS1, `]d1` otherwise), or `None`.
pub fn read(grey: &[u8], bin: &[u8], w: usize, h: usize, c: &Candidate) -> Option<String> {
    if w == 0 || h == 0 || grey.len() != w * h || bin.len() != w * h {
        return None;
    }
    let view = View { grey, bin, w, h };
    for rough in find_l(&view, &c.hull) {
        for outline in refine(&view, &rough) {
            for (rows, cols) in sizes(&view, &outline) {
                if let Some(text) = sample_and_decode(&view, &outline, rows, cols) {
                    return Some(text);
                }
            }
        }
    }
    None
}

struct View<'a> {
    grey: &'a [u8],
    bin: &'a [u8],
    w: usize,
    h: usize,
}

impl View<'_> {
    /// Whether the pixel under `p` is dark (outside the picture: light).
    fn dark(&self, p: P) -> bool {
        if p.0 < 0.0 || p.1 < 0.0 {
            return false;
        }
        let (x, y) = (p.0 as usize, p.1 as usize);
        x < self.w && y < self.h && self.bin[y * self.w + x] == 0
    }

    /// The grey level at `p`, bilinear (outside the picture: the nearest
    /// edge pixel).
    fn grey(&self, p: P) -> f32 {
        let x = (p.0 - 0.5).clamp(0.0, (self.w - 1) as f32);
        let y = (p.1 - 0.5).clamp(0.0, (self.h - 1) as f32);
        let (x0, y0) = (x as usize, y as usize);
        let (x1, y1) = ((x0 + 1).min(self.w - 1), (y0 + 1).min(self.h - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let g = |x: usize, y: usize| f32::from(self.grey[y * self.w + x]);
        let top = g(x0, y0) + (g(x1, y0) - g(x0, y0)) * fx;
        let bottom = g(x0, y1) + (g(x1, y1) - g(x0, y1)) * fx;
        top + (bottom - top) * fy
    }
}

/// The symbol's outline, named by where the corners are on the symbol:
/// the L runs from `tl` down to `bl` and on to `br`.
#[derive(Debug, Clone, Copy)]
struct Outline {
    tl: P,
    tr: P,
    br: P,
    bl: P,
}

impl Outline {
    fn centre(&self) -> P {
        (
            (self.tl.0 + self.tr.0 + self.br.0 + self.bl.0) / 4.0,
            (self.tl.1 + self.tr.1 + self.br.1 + self.bl.1) / 4.0,
        )
    }

    /// The point at (u, v) of the outline: u along the top, v down the
    /// side, both 0–1 (bilinear; [`Outline::mapping`] for perspective).
    fn at(&self, u: f32, v: f32) -> P {
        let top = lerp(self.tl, self.tr, u);
        let bottom = lerp(self.bl, self.br, u);
        lerp(top, bottom, v)
    }

    /// The perspective map from the unit square (u along the top, v down
    /// the side) onto the outline.
    fn mapping(&self) -> PerspectiveTransform {
        PerspectiveTransform::squareToQuadrilateral(self.quad())
    }

    fn quad(&self) -> Quadrilateral {
        let pt = |p: P| Point::new(p.0, p.1);
        Quadrilateral::new(pt(self.tl), pt(self.tr), pt(self.br), pt(self.bl))
    }
}

fn lerp(a: P, b: P, t: f32) -> P {
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
}

fn dist(a: P, b: P) -> f32 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

/// The unit normal of the side from `a` to `b` that points to `centre`.
fn inward(a: P, b: P, centre: P) -> P {
    let len = dist(a, b).max(f32::EPSILON);
    let (dx, dy) = ((b.0 - a.0) / len, (b.1 - a.1) / len);
    let mid = lerp(a, b, 0.5);
    if -dy * (centre.0 - mid.0) + dx * (centre.1 - mid.1) < 0.0 {
        (dy, -dx)
    } else {
        (-dy, dx)
    }
}

/// The points along the side from `a` to `b`, `inset` px towards `centre`,
/// one every half pixel, between fractions `from` and `to` of its length:
/// each point's fraction and whether it is dark.
fn along(view: &View, a: P, b: P, centre: P, inset: f32, from: f32, to: f32) -> Vec<(f32, bool)> {
    let len = dist(a, b);
    if len < 1.0 {
        return Vec::new();
    }
    let n = inward(a, b, centre);
    let steps = (len * 2.0 * (to - from)).ceil().max(1.0) as usize;
    (0..=steps)
        .map(|i| {
            let t = from + (to - from) * i as f32 / steps as f32;
            let p = lerp(a, b, t);
            (t, view.dark((p.0 + n.0 * inset, p.1 + n.1 * inset)))
        })
        .collect()
}

/// The share of dark points along a side (its middle 90 %), at each of
/// [`INSETS`]: the least and the most. A leg is judged by the most (its
/// solidity: the line along its middle is all ink); a timing side by the
/// least (its openness: half its points are light at any inset inside the
/// symbol, a solid blob's side has none; the most would call a timing side
/// of small modules solid where the threshold swells its dark modules
/// into each other).
fn dark_shares(view: &View, a: P, b: P, centre: P) -> (f32, f32) {
    INSETS
        .iter()
        .map(|&inset| {
            let pts = along(view, a, b, centre, inset, 0.05, 0.95);
            pts.iter().filter(|p| p.1).count() as f32 / pts.len().max(1) as f32
        })
        .fold((1.0, 0.0), |(lo, hi), s| (f32::min(lo, s), f32::max(hi, s)))
}

/// Step 1: the outline and the L corner: the best from rectangles round
/// the hull and the best from the hull's own corners, likelier first.
fn find_l(view: &View, hull: &[P]) -> Vec<Outline> {
    if hull.len() < 3 {
        return Vec::new();
    }
    let mut angles: Vec<f32> = Vec::new();
    let mut best: Option<(f32, Outline)> = None;
    for i in 0..hull.len() {
        let (a, b) = (hull[i], hull[(i + 1) % hull.len()]);
        if dist(a, b) < 1.0 {
            continue;
        }
        if angles.len() == MAX_ORIENTATIONS {
            break;
        }
        let angle = (b.1 - a.1)
            .atan2(b.0 - a.0)
            .rem_euclid(std::f32::consts::FRAC_PI_2);
        let near = |x: &f32| {
            let d = (x - angle).abs();
            d.min(std::f32::consts::FRAC_PI_2 - d) < SAME_ANGLE
        };
        if angles.iter().any(near) {
            continue;
        }
        angles.push(angle);
        let d = angle.sin_cos();
        let (d, n) = ((d.1, d.0), (-d.0, d.1));
        let (mut a0, mut a1, mut b0, mut b1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for q in hull {
            let (pa, pb) = (q.0 * d.0 + q.1 * d.1, q.0 * n.0 + q.1 * n.1);
            a0 = a0.min(pa);
            a1 = a1.max(pa);
            b0 = b0.min(pb);
            b1 = b1.max(pb);
        }
        let xy = |pa: f32, pb: f32| (pa * d.0 + pb * n.0, pa * d.1 + pb * n.1);
        // Stray specks of the threshold's noise stuck to the blob push the
        // hull out; each side moves in while the line just inside it is
        // mostly paper.
        let share = |line: &dyn Fn(f32) -> P| {
            let n = 64;
            (0..n)
                .filter(|i| view.dark(line((*i as f32 + 0.5) / n as f32)))
                .count() as f32
                / n as f32
        };
        let (lim_a, lim_b) = (TRIM_MAX * (a1 - a0), TRIM_MAX * (b1 - b0));
        let (sa0, sb0) = (a0, b0);
        while a0 < sa0 + lim_a && share(&|t| xy(a0 + 0.5, b0 + t * (b1 - b0))) < SPECKS {
            a0 += 0.5;
        }
        let sa1 = a1;
        while a1 > sa1 - lim_a && share(&|t| xy(a1 - 0.5, b0 + t * (b1 - b0))) < SPECKS {
            a1 -= 0.5;
        }
        while b0 < sb0 + lim_b && share(&|t| xy(a0 + t * (a1 - a0), b0 + 0.5)) < SPECKS {
            b0 += 0.5;
        }
        let sb1 = b1;
        while b1 > sb1 - lim_b && share(&|t| xy(a0 + t * (a1 - a0), b1 - 0.5)) < SPECKS {
            b1 -= 0.5;
        }
        // Clockwise on screen (d, then n = d turned a right angle).
        let corners = [xy(a0, b0), xy(a1, b0), xy(a1, b1), xy(a0, b1)];
        for k in 0..4 {
            let o = Outline {
                bl: corners[k],
                tl: corners[(k + 1) % 4],
                tr: corners[(k + 2) % 4],
                br: corners[(k + 3) % 4],
            };
            consider(view, o, &mut best);
        }
    }
    // The same on the hull's own corners: under perspective the L's legs
    // are not at a right angle, and no rectangle lies along both.
    let mut tilted: Option<(f32, Outline)> = None;
    let corners = corners_of(hull);
    let n = corners.len();
    for k in 0..n {
        let (bl, tl, br) = (corners[k], corners[(k + 1) % n], corners[(k + n - 1) % n]);
        let tr = (tl.0 + br.0 - bl.0, tl.1 + br.1 - bl.1);
        consider(view, Outline { tl, tr, br, bl }, &mut tilted);
    }
    let mut out: Vec<(f32, Outline)> = best.into_iter().chain(tilted).collect();
    out.sort_by(|a, b| b.0.total_cmp(&a.0));
    out.into_iter().map(|(_, o)| o).collect()
}

/// Keeps `o` in `best` if its legs are solid, its timing sides are not,
/// and its legs are more solid than the best so far.
fn consider(view: &View, o: Outline, best: &mut Option<(f32, Outline)>) {
    let c = o.centre();
    let solidity = |a, b| dark_shares(view, a, b, c).1;
    let openness = |a, b| dark_shares(view, a, b, c).0;
    let legs = solidity(o.bl, o.tl).min(solidity(o.bl, o.br));
    if legs < SOLID || best.as_ref().is_some_and(|(s, _)| *s >= legs) {
        return;
    }
    let timing = openness(o.tl, o.tr).max(openness(o.tr, o.br));
    if timing <= ALTERNATING {
        *best = Some((legs, o));
    }
}

/// The hull's corners: its vertices, dropping the one where it turns least
/// while that turn is under [`CORNER_TURN`] (a pixelated straight edge is a
/// run of vertices that barely turn), and vertices of sides under
/// [`MIN_SIDE_SHARE`] of the longest.
fn corners_of(hull: &[P]) -> Vec<P> {
    let mut v: Vec<P> = hull.to_vec();
    let turn = |v: &[P], i: usize| {
        let n = v.len();
        let (a, b, c) = (v[(i + n - 1) % n], v[i], v[(i + 1) % n]);
        let (d1, d2) = ((b.0 - a.0, b.1 - a.1), (c.0 - b.0, c.1 - b.1));
        let cross = d1.0 * d2.1 - d1.1 * d2.0;
        let dot = d1.0 * d2.0 + d1.1 * d2.1;
        cross.atan2(dot).abs()
    };
    while v.len() > 4 {
        let Some((i, t)) = (0..v.len())
            .map(|i| (i, turn(&v, i)))
            .min_by(|x, y| x.1.total_cmp(&y.1))
        else {
            break;
        };
        if t >= CORNER_TURN {
            break;
        }
        v.remove(i);
    }
    // Short sides (a notch, the light top right module): merge their ends.
    let longest = (0..v.len())
        .map(|i| dist(v[i], v[(i + 1) % v.len()]))
        .fold(0.0, f32::max);
    let mut i = 0;
    while v.len() > 4 && i < v.len() {
        let j = (i + 1) % v.len();
        if dist(v[i], v[j]) < MIN_SIDE_SHARE * longest {
            v[i] = lerp(v[i], v[j], 0.5);
            v.remove(j);
        } else {
            i += 1;
        }
    }
    v
}

/// A hull vertex turning less than this (radians, about 14°) is on a side,
/// not a corner.
const CORNER_TURN: f32 = 0.25;

/// Sides shorter than this share of the longest are merged into a corner.
const MIN_SIDE_SHARE: f32 = 0.15;

/// A straight edge fitted to points: a point on it and its direction.
fn fit_line(pts: &[P]) -> Option<(P, P)> {
    if pts.len() < 4 {
        return None;
    }
    let n = pts.len() as f32;
    let (mx, my) = (
        pts.iter().map(|p| p.0).sum::<f32>() / n,
        pts.iter().map(|p| p.1).sum::<f32>() / n,
    );
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for p in pts {
        let (dx, dy) = (p.0 - mx, p.1 - my);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    // The principal axis of the scatter.
    let angle = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    Some(((mx, my), (angle.cos(), angle.sin())))
}

/// A line fitted to `pts`, then refitted without the points more than
/// [`EDGE_SLACK`] px off it (a notch of noise, a speck outside); `None`
/// when fewer than `keep` (numerator, denominator) of the points are left
/// (no straight edge there).
fn fit_twice(pts: &[P], keep: (usize, usize)) -> Option<(P, P)> {
    let (q, d) = fit_line(pts)?;
    let off = |p: &P| ((p.0 - q.0) * d.1 - (p.1 - q.1) * d.0).abs();
    let kept: Vec<P> = pts
        .iter()
        .copied()
        .filter(|p| off(p) <= EDGE_SLACK)
        .collect();
    if kept.len() * keep.1 < pts.len() * keep.0 {
        return None;
    }
    fit_line(&kept)
}

/// Where two lines cross.
fn cross(l1: (P, P), l2: (P, P)) -> Option<P> {
    let ((p, d), (q, e)) = (l1, l2);
    let den = d.0 * e.1 - d.1 * e.0;
    if den.abs() < 1e-3 {
        return None;
    }
    let t = ((q.0 - p.0) * e.1 - (q.1 - p.1) * e.0) / den;
    Some((p.0 + d.0 * t, p.1 + d.1 * t))
}

/// From 3 px outside `start`, inwards along `n` in half pixels up to
/// `depth`: how far in the first dark pixel lies, and where.
fn first_dark(view: &View, start: P, n: P, depth: f32) -> Option<(f32, P)> {
    let mut s = -3.0;
    while s < depth {
        let p = (start.0 + n.0 * s, start.1 + n.1 * s);
        if view.dark(p) {
            return Some((s, p));
        }
        s += 0.5;
    }
    None
}

/// The outer edge of a leg of the L, fitted: from just outside the side
/// from `a` to `b`, inwards until the first dark pixel, at points along
/// it; a line through those, refitted without the ones more than
/// [`EDGE_SLACK`] px off it (a notch of noise, a module of the quiet zone
/// misread as ink).
fn leg_edge(view: &View, a: P, b: P, centre: P) -> Option<(P, P)> {
    let n = inward(a, b, centre);
    let depth = 0.25 * dist(a, centre);
    let pts: Vec<P> = (0..LEG_POINTS)
        .filter_map(|i| {
            let t = 0.1 + 0.8 * i as f32 / (LEG_POINTS - 1) as f32;
            first_dark(view, lerp(a, b, t), n, depth).map(|h| h.1)
        })
        .collect();
    fit_twice(&pts, (2, 3))
}

/// How far past its rough length a leg's end is sought from outside: the
/// rough outline comes from the blob's hull, which the leg spans, so its
/// end is near; a little more covers a trimmed side, and no more keeps
/// clutter beyond the quiet zone out.
const LEG_REACH: f32 = 1.12;

/// Points per leg for its edge fit.
const LEG_POINTS: usize = 24;

/// Points further than this from an edge's first fit (px) are left out of
/// the second ([`fit_twice`]).
const EDGE_SLACK: f32 = 1.5;

/// A leg of the L: from the corner `from` along `d` (roughly `len` px),
/// its inside towards `n`.
struct Leg {
    from: P,
    d: P,
    n: P,
    len: f32,
}

impl Leg {
    /// The grey `s` px along the leg, `inset` px inside it.
    fn grey(&self, view: &View, s: f32, inset: f32) -> f32 {
        view.grey((
            self.from.0 + self.d.0 * s + self.n.0 * inset,
            self.from.1 + self.d.1 * s + self.n.1 * inset,
        ))
    }

    /// How far inside the leg its middle lies: the inset, from those of
    /// [`INSETS`], whose line over the leg's middle stretch is darkest.
    fn middle(&self, view: &View) -> f32 {
        let mean = |inset: f32| {
            (0..16)
                .map(|i| self.grey(view, self.len * (0.2 + 0.5 * i as f32 / 15.0), inset))
                .sum::<f32>()
        };
        INSETS
            .iter()
            .copied()
            .min_by(|a, b| mean(*a).total_cmp(&mean(*b)))
            .unwrap_or(1.0)
    }

    /// Where the leg may end, along its middle, by the grey (a 3 px
    /// running mean, against noise; grey, not the threshold: the board's
    /// mottle leaves specks of "ink" in the quiet zone): walking out from
    /// half its rough length, where the grey first rises above `cut`; and,
    /// when that stops short of the rough length (a highlight across the
    /// leg: a varnished vial), also the rough length itself and, coming in
    /// from outside (from [`LEG_REACH`] times the rough length), where the
    /// grey first falls below `cut` (which clutter past the quiet zone can
    /// fool, hence last).
    fn ends(&self, view: &View, cut: f32) -> Vec<f32> {
        let inset = self.middle(view);
        let at = |s: f32| {
            let g = (self.grey(view, s - 1.0, inset)
                + self.grey(view, s, inset)
                + self.grey(view, s + 1.0, inset))
                / 3.0;
            g < cut
        };
        let mut out = Vec::with_capacity(2);
        let mut s = 0.5 * self.len;
        while s < 1.3 * self.len && at(s) {
            s += 0.5;
        }
        out.push(s);
        if s < 0.9 * self.len {
            // Stopped short: the rough length too (the hull spans the leg),
            // and the first ink met coming in from outside.
            out.push(self.len);
            let mut t = LEG_REACH * self.len;
            while t > s && !at(t) {
                t -= 0.5;
            }
            if (t + 0.5 - self.len).abs() > 2.0 && t > s + 2.0 {
                out.push(t + 0.5);
            }
        }
        out
    }
}

/// The grey levels of ink and paper in the outline: its darkest and
/// lightest fifth (a symbol is about half ink).
fn levels(view: &View, o: &Outline) -> (f32, f32) {
    let mut g: Vec<f32> = (0..20)
        .flat_map(|i| (0..20).map(move |j| ((i as f32 + 0.5) / 20.0, (j as f32 + 0.5) / 20.0)))
        .map(|(u, v)| view.grey(o.at(u, v)))
        .collect();
    g.sort_by(f32::total_cmp);
    (g[g.len() / 5], g[g.len() * 4 / 5])
}

/// The outline made exact: both legs' outer edges fitted, their crossing
/// the L's corner, each leg as long as its grey stays dark, the fourth
/// corner completing a parallelogram; and, when the timing sides' outer
/// edges can be fitted too, the quadrilateral the four edges make (a
/// tilted pack), tried first.
fn refine(view: &View, o: &Outline) -> Vec<Outline> {
    let c = o.centre();
    let (Some(left), Some(bottom)) = (leg_edge(view, o.bl, o.tl, c), leg_edge(view, o.bl, o.br, c))
    else {
        return Vec::new();
    };
    // The fitted corner stays near the rough one (nearly parallel fits
    // cross far away, and everything after would work out there).
    let Some(bl) = cross(left, bottom)
        .filter(|&p| dist(p, o.bl) <= TILT_MAX * dist(o.bl, o.tl).min(dist(o.bl, o.br)))
    else {
        return Vec::new();
    };
    // The legs' directions, pointing away from the corner.
    let towards = |d: P, to: P| {
        if d.0 * (to.0 - bl.0) + d.1 * (to.1 - bl.1) < 0.0 {
            (-d.0, -d.1)
        } else {
            d
        }
    };
    let (up, right) = (towards(left.1, o.tl), towards(bottom.1, o.br));
    let (ink, paper) = levels(view, o);
    let cut = 0.5 * (ink + paper);
    let ups = Leg {
        from: bl,
        d: up,
        n: right,
        len: dist(o.bl, o.tl),
    }
    .ends(view, cut);
    let rights = Leg {
        from: bl,
        d: right,
        n: up,
        len: dist(o.bl, o.br),
    }
    .ends(view, cut);
    let mut out = Vec::with_capacity(2 * ups.len() * rights.len());
    for &up_len in &ups {
        for &right_len in &rights {
            outlines(
                view,
                (left, bottom),
                bl,
                (up, right),
                (up_len, right_len),
                &mut out,
            );
        }
    }
    out
}

/// The outlines of an L with its corner at `bl`, legs along `dirs` for
/// `lens` px (their fitted edges `edges`): the parallelogram they make,
/// after the quadrilateral the timing sides' fitted edges make with them
/// when those fit.
fn outlines(
    view: &View,
    edges: ((P, P), (P, P)),
    bl: P,
    dirs: (P, P),
    lens: (f32, f32),
    out: &mut Vec<Outline>,
) {
    let ((left, bottom), (up, right), (up_len, right_len)) = (edges, dirs, lens);
    let tl = (bl.0 + up.0 * up_len, bl.1 + up.1 * up_len);
    let br = (bl.0 + right.0 * right_len, bl.1 + right.1 * right_len);
    let tr = (tl.0 + br.0 - bl.0, tl.1 + br.1 - bl.1);
    let flat = Outline { tl, tr, br, bl };
    let cf = flat.centre();
    if let (Some(top), Some(side)) = (timing_edge(view, tl, tr, cf), timing_edge(view, br, tr, cf))
    {
        if let (Some(tl), Some(tr), Some(br)) =
            (cross(left, top), cross(top, side), cross(bottom, side))
        {
            let tilted = Outline { tl, tr, br, bl };
            // Only a correction: each corner near the parallelogram's.
            let slack = TILT_MAX * up_len.min(right_len);
            if dist(tl, flat.tl) <= slack
                && dist(tr, flat.tr) <= slack
                && dist(br, flat.br) <= slack
            {
                out.push(tilted);
            }
        }
    }
    out.push(flat);
}

/// A tilted outline's corners may lie this share of the shorter leg from
/// the parallelogram's, no further (a fit further off went wrong).
const TILT_MAX: f32 = 0.2;

/// The outer edge of a timing side (from `a` to `b`), fitted: scans from
/// just outside inwards to the first dark pixel at points along it. The
/// timing pattern's dark modules stop a scan at the edge; its light ones
/// let it run on a module or more; so each point is replaced by the
/// shallowest of it and its two neighbours before the line is fitted (and
/// refitted without points more than [`EDGE_SLACK`] off it).
fn timing_edge(view: &View, a: P, b: P, centre: P) -> Option<(P, P)> {
    let n = inward(a, b, centre);
    let depth = 0.25 * dist(a, b);
    let hits: Vec<Option<(f32, P)>> = (0..TIMING_POINTS)
        .map(|i| {
            let t = 0.05 + 0.9 * i as f32 / (TIMING_POINTS - 1) as f32;
            first_dark(view, lerp(a, b, t), n, depth)
        })
        .collect();
    let pts: Vec<P> = (0..hits.len())
        .filter_map(|i| {
            hits[i.saturating_sub(1)..=(i + 1).min(hits.len() - 1)]
                .iter()
                .flatten()
                .min_by(|x, y| x.0.total_cmp(&y.0))
                .map(|h| h.1)
        })
        .collect();
    fit_twice(&pts, (1, 2))
}

/// Points per timing side for its edge fit: three or more per dark module
/// of the usual sizes (up to 26 modules a side).
const TIMING_POINTS: usize = 40;

/// The dark runs along a side, each as (start, end) fractions, after
/// dropping single dark or light points (noise).
fn runs(pts: &[(f32, bool)]) -> Vec<(bool, f32, f32)> {
    let mut clean: Vec<(f32, bool)> = pts.to_vec();
    for i in 1..pts.len().saturating_sub(1) {
        if pts[i - 1].1 == pts[i + 1].1 {
            clean[i].1 = pts[i - 1].1;
        }
    }
    let mut out: Vec<(bool, f32, f32)> = Vec::new();
    for (t, d) in clean {
        match out.last_mut() {
            Some(last) if last.0 == d => last.2 = t,
            _ => out.push((d, t, t)),
        }
    }
    out
}

/// How well a timing side (the top, or the right side) of `n` modules fits
/// the grey picture: the mean grey of its light modules less that of its
/// dark ones, sampled at the module centres half a module inside the
/// outline, through the outline's perspective map (a tilted pack's modules
/// shrink towards its far side).
fn timing_fit(view: &View, o: &Outline, map: &PerspectiveTransform, top: bool, n: u32) -> f32 {
    // Half a module inside, as a share of the other side.
    let (along, across) = if top {
        (dist(o.tl, o.tr), dist(o.tl, o.bl))
    } else {
        (dist(o.tr, o.br), dist(o.tl, o.tr))
    };
    let depth = 0.5 * along / n as f32 / across.max(1.0);
    let (mut dark, mut light) = (0.0, 0.0);
    for i in 0..n {
        let f = (i as f32 + 0.5) / n as f32;
        // The top from its dark end (top left), the right side from its
        // dark end (bottom right) up.
        let (u, v) = if top {
            (f, depth)
        } else {
            (1.0 - depth, 1.0 - f)
        };
        let q = map.transform_point(Point::new(u, v));
        let g = view.grey((q.x, q.y));
        if i % 2 == 0 {
            dark += g;
        } else {
            light += g;
        }
    }
    (light - dark) / (n / 2) as f32
}

/// Step 2: (rows, columns) the timing sides fit best, likeliest first,
/// each a size the standard has. Every even count from 8 to 144 with
/// modules of at least a pixel is tried on each side: the right count
/// lines its samples up with the alternation, any other mixes them.
fn sizes(view: &View, o: &Outline) -> Vec<(u32, u32)> {
    let map = o.mapping();
    let best = |top: bool| {
        let len = if top {
            dist(o.tl, o.tr)
        } else {
            dist(o.tr, o.br)
        };
        let mut fits: Vec<(f32, u32)> = (4..=72u32)
            .map(|k| 2 * k)
            .filter(|&n| n as f32 <= len)
            .map(|n| (timing_fit(view, o, &map, top, n), n))
            .collect();
        fits.sort_by(|x, y| y.0.total_cmp(&x.0));
        fits.truncate(3);
        fits
    };
    // Each side's best counts, and pairs of them either way round: a
    // square symbol whose one timing side reads poorly (glare, a tilt the
    // fit missed) still gets its size from the other.
    let mut counts: Vec<u32> = best(true)
        .into_iter()
        .chain(best(false))
        .map(|f| f.1)
        .collect();
    counts.sort_unstable();
    counts.dedup();
    let mut pairs: Vec<(f32, (u32, u32))> = Vec::new();
    for &r in &counts {
        for &k in &counts {
            if Version::getVersionForDimensions(r, k).is_ok() {
                let fit = timing_fit(view, o, &map, false, r) + timing_fit(view, o, &map, true, k);
                pairs.push((fit, (r, k)));
            }
        }
    }
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0));
    pairs.into_iter().take(3).map(|p| p.1).collect()
}

/// Module centres along a timing side (fractions): evenly spaced, and
/// also from its runs when they number `n` (a curved pack squeezes the
/// modules towards its sides; the timing pattern shows where they went,
/// unless noise broke a run, which the agreement check then shows).
fn centres(view: &View, o: &Outline, top: bool, n: u32) -> Vec<Vec<f32>> {
    let mut out = vec![(0..n).map(|i| (i as f32 + 0.5) / n as f32).collect()];
    let (a, b) = if top { (o.tl, o.tr) } else { (o.tr, o.br) };
    // A run's middle, back through the perspective map to a share of the
    // side.
    let inverse = PerspectiveTransform::quadrilateralToSquare(o.quad());
    let share = |t: f32| {
        let p = lerp(a, b, t);
        let q = inverse.transform_point(Point::new(p.0, p.1));
        if top {
            q.x
        } else {
            q.y
        }
    };
    for &inset in &INSETS {
        let r = runs(&along(view, a, b, o.centre(), inset, 0.0, 1.0));
        if r.len() == n as usize {
            out.push(r.iter().map(|x| share((x.1 + x.2) / 2.0)).collect());
            break;
        }
    }
    out
}

/// Steps 3–5 for one size: every choice of module centres sampled, the
/// grids whose L and timing agree enough decoded, best agreement first.
fn sample_and_decode(view: &View, o: &Outline, rows: u32, cols: u32) -> Option<String> {
    let across = centres(view, o, true, cols);
    // Down the right side the timing runs start at the top.
    let down = centres(view, o, false, rows);
    let mut grids: Vec<(f32, BitMatrix)> = Vec::new();
    for us in &across {
        for vs in &down {
            if let Some(g) = sample(view, o, us, vs) {
                grids.push(g);
            }
        }
    }
    grids.sort_by(|a, b| b.0.total_cmp(&a.0));
    grids.iter().filter(|g| g.0 >= AGREE).find_map(|(_, grid)| {
        let r = Decoder::new().decode(grid).ok()?;
        Some(format!("]d{}{}", r.getSymbologyModifier(), r.getText()))
    })
}

/// Samples the grid at the module centres `us` (across) and `vs` (down):
/// the share of the L and timing modules that match the standard, and the
/// grid (true = dark).
fn sample(view: &View, o: &Outline, us: &[f32], vs: &[f32]) -> Option<(f32, BitMatrix)> {
    let (nc, nr) = (us.len(), vs.len());
    let (cols, rows) = (u32::try_from(nc).ok()?, u32::try_from(nr).ok()?);
    let module = dist(o.tl, o.tr) / cols as f32;
    // Each module's grey: the mean of nine points over its middle half.
    let r = 0.25 * module;
    let map = o.mapping();
    let mut g = vec![0f32; nr * nc];
    for (y, &v) in vs.iter().enumerate() {
        for (x, &u) in us.iter().enumerate() {
            let q = map.transform_point(Point::new(u, v));
            let p = (q.x, q.y);
            let mut sum = 0.0;
            for dy in [-r, 0.0, r] {
                for dx in [-r, 0.0, r] {
                    sum += view.grey((p.0 + dx, p.1 + dy));
                }
            }
            g[y * nc + x] = sum / 9.0;
        }
    }
    // Dark against the modules round it (5×5 modules, about half dark in
    // any symbol): follows shading, a highlight, a fading print.
    let mut grid = BitMatrix::new(cols, rows).ok()?;
    let (mut agree, mut fixed) = (0u32, 0u32);
    for y in 0..nr {
        for x in 0..nc {
            let (mut sum, mut n) = (0.0, 0.0);
            for yy in y.saturating_sub(2)..=(y + 2).min(nr - 1) {
                for xx in x.saturating_sub(2)..=(x + 2).min(nc - 1) {
                    sum += g[yy * nc + xx];
                    n += 1.0;
                }
            }
            let dark = g[y * nc + x] * n < sum;
            if dark {
                grid.set(x as u32, y as u32);
            }
            // The finder L (left column, bottom row) and the timing pattern
            // (top row, right column) as the standard draws them.
            let expected = if x == 0 || y == nr - 1 {
                Some(true)
            } else if y == 0 {
                Some(x % 2 == 0)
            } else if x == nc - 1 {
                Some(y % 2 == 1)
            } else {
                None
            };
            if let Some(e) = expected {
                fixed += 1;
                if e == dark {
                    agree += 1;
                }
            }
        }
    }
    Some((agree as f32 / fixed.max(1) as f32, grid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locate::candidates;
    use rxing::Writer;

    /// Draws `symbol` (rows of `#` dark) at `m` px per module, turned by
    /// `angle`, into a white picture; returns the binarised picture.
    fn draw(symbol: &[Vec<bool>], m: f32, angle: f32, w: usize, h: usize) -> Vec<u8> {
        let (rows, cols) = (symbol.len() as f32, symbol[0].len() as f32);
        let (s, c) = angle.sin_cos();
        let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
        let mut px = vec![255u8; w * h];
        for y in 0..h {
            for x in 0..w {
                // Into the symbol's frame, then module coordinates.
                let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
                let (u, v) = (dx * c + dy * s, -dx * s + dy * c);
                let (mx, my) = (u / m + cols / 2.0, v / m + rows / 2.0);
                if mx >= 0.0
                    && my >= 0.0
                    && mx < cols
                    && my < rows
                    && symbol[my as usize][mx as usize]
                {
                    px[y * w + x] = 0;
                }
            }
        }
        px
    }

    fn symbol_of(text: &str) -> Vec<Vec<bool>> {
        let m = rxing::datamatrix::DataMatrixWriter
            .encode_with_hints(
                text,
                &rxing::BarcodeFormat::DATA_MATRIX,
                0,
                0,
                &rxing::EncodeHints {
                    Margin: Some("0".into()),
                    ..rxing::EncodeHints::default()
                },
            )
            .expect("encodes");
        (0..m.getHeight())
            .map(|y| (0..m.getWidth()).map(|x| m.get(x, y)).collect())
            .collect()
    }

    #[test]
    fn reads_a_symbol_at_any_angle_and_module_size() {
        let text = "0104150999999994172812311012345A\u{1d}21SERIAL123456";
        let symbol = symbol_of(text);
        for (m, angle) in [(4.0, 0.0), (3.0, 0.5), (5.0, 2.0), (2.0, 4.0), (6.0, 5.5)] {
            let (w, h) = (200, 200);
            let bin = draw(&symbol, m, angle, w, h);
            let found = candidates(&bin, w, h);
            let got = found.iter().find_map(|c| read(&bin, &bin, w, h, c));
            assert_eq!(
                got.as_deref().map(|t| &t[3..]),
                Some(text),
                "module {m} px, angle {angle}"
            );
        }
    }

    #[test]
    fn a_pattern_without_an_l_is_not_read() {
        // The same symbol with its L broken off: rows and columns 0 and
        // last cleared, so no solid legs: nothing, never a wrong text.
        let mut symbol = symbol_of("0104150999999994172812311012345A");
        let (rows, cols) = (symbol.len(), symbol[0].len());
        for (y, row) in symbol.iter_mut().enumerate() {
            for (x, v) in row.iter_mut().enumerate() {
                if x == 0 || y == rows - 1 || (x + y) % 3 == 0 && x + 1 == cols {
                    *v = false;
                }
            }
        }
        let (w, h) = (160, 160);
        let bin = draw(&symbol, 4.0, 0.3, w, h);
        for c in candidates(&bin, w, h) {
            assert_eq!(read(&bin, &bin, w, h, &c), None);
        }
    }
}
