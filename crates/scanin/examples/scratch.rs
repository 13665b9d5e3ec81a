use scanin::decode::{run_own, view, GuideBox, CAMERA_PASSES};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let f = scanin::frames::load_luma(std::path::Path::new(&a[1])).expect("picture");
    let p = CAMERA_PASSES[2];
    let v = view(&f, p, &GuideBox::default());
    println!("{:?}", run_own(&v));
}
