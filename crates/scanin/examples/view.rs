//! Writes what one pass sees, as a PNG: a tuning aid.
//! `cargo run --release -p scanin --example view -- IN.png OUT.png [local|join|enhance] [half]`
use scanin::decode::{view, GuideBox, Pass, Region};
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
        local: has("local") || has("crops"),
        crops: has("crops"),
    };
    let v = view(&f, p, &GuideBox::default());
    if p.crops {
        eprintln!("crops: {:?}", scanin::decode::run_crops(&v, true));
    }
    image::GrayImage::from_raw(v.width, v.height, v.luma)
        .expect("size")
        .save(&a[2])
        .expect("write");
}
