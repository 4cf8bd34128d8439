//! Shared by the fuzz targets: run `yusuan::extract` the way the worker does and check what it
//! promises. A caught panic (internal_error) is not a crash here — the boundary in `extract` is
//! working — but its input is saved when YUSUAN_FUZZ_INTERNAL_DIR is set, to be triaged. Hangs,
//! aborts, stack overflows and out-of-memory are crashes, and so is a broken invariant on success.

use std::time::Duration;

use yusuan::{ExtractError, Limits};

/// libfuzzer-sys installs a panic hook that aborts even on panics caught by `catch_unwind`;
/// `extract` catches panics by design, so the hook is replaced with a silent one.
pub fn init() {
    std::panic::set_hook(Box::new(|_| {}));
}

pub fn limits() -> Limits {
    Limits { time_budget: Duration::from_secs(20), ..Limits::default() }
}

pub fn run(file_name: &str, bytes: &[u8]) {
    match yusuan::extract(file_name, bytes, &limits()) {
        Ok(extraction) => {
            for table in &extraction.tables {
                if let Err(e) = table.check_tiling() {
                    panic!("table {} does not tile its grid: {e}", table.index);
                }
                assert!(table.header_rows <= table.n_rows, "more header rows than rows");
            }
        }
        Err(ExtractError::Internal(message)) => save_internal(bytes, &message),
        Err(_) => {}
    }
}

fn save_internal(bytes: &[u8], message: &str) {
    let Some(dir) = std::env::var_os("YUSUAN_FUZZ_INTERNAL_DIR") else { return };
    let name = &yusuan::sha256_hex(bytes)[..16];
    let dir = std::path::PathBuf::from(dir);
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(name), bytes);
    let _ = std::fs::write(dir.join(format!("{name}.txt")), message);
}
