//! Links the regauth binary as a position-dependent executable on Linux: every npm call starts
//! it, and a PIE pays the dynamic loader's ~15,000 relative relocations and the copy-on-write
//! faults on the pages they write (about 0.35 ms of CPU per call, bench/README.md).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
