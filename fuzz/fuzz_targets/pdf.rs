#![no_main]
//! Whole files through `yusuan::extract`, seeded with PDFs.

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(init: common::init(), |data: &[u8]| {
    common::run("fuzz.pdf", data);
});
