//! Writes what one pass sees, as a PNG: a tuning aid.
//! `cargo run --release -p scanin --example view -- IN.png OUT.png [search|join|enhance] [half]`
//! (`search`: writes our local threshold of the view and says what our
//! own search reads in it.)
use scanin::decode::{binarised, run_crops, view, GuideBox, Pass, Region};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let f = scanin::frames::load_luma(std::path::Path::new(&a[1])).expect("picture");
    let has = |s: &str| a.iter().skip(3).any(|x| x == s);
    let p = Pass {
        region: Region::Guide,
        inverted: false,
        thorough: true,
        shrink: if has("half") { 2 } else { 1 },
        enhance: has("enhance"),
        join: u8::from(has("join")),
        search: has("search"),
    };
    let v = view(&f, p, &GuideBox::default());
    let out = if p.search {
        eprintln!("search: {:?}", run_crops(&v, true));
        binarised(&v)
    } else {
        v.luma
    };
    image::GrayImage::from_raw(v.width, v.height, out)
        .expect("size")
        .save(&a[2])
        .expect("write");
}
