//! The command line of CONTRACT §1: exit codes, one line on stderr naming the error code, JSON on
//! stdout, several files into --out DIR.

use std::path::Path;
use std::process::{Command, Output};

fn yusuan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yusuan")).args(args).output().expect("run yusuan")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

/// A minimal valid DOCX with one 2x2 table, built with docx-rs's writer.
fn small_docx() -> Vec<u8> {
    use docx_rs::*;
    let cell = |t: &str| TableCell::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text(t)));
    let table = Table::new(vec![
        TableRow::new(vec![cell("项目"), cell("预算数")]),
        TableRow::new(vec![cell("一般公共预算拨款"), cell("1932.33")]),
    ]);
    let mut buf = std::io::Cursor::new(Vec::new());
    Docx::new()
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("单位：万元")))
        .add_table(table)
        .build()
        .pack(&mut buf)
        .unwrap();
    buf.into_inner()
}

#[test]
fn unreadable_file_exits_with_its_class_code_and_one_stderr_line() {
    let dir = tempfile::tempdir().unwrap();
    let junk = write(dir.path(), "junk.pdf", b"this is not a document at all");
    let out = yusuan(&["extract", &junk]);
    assert_eq!(out.status.code(), Some(10), "not_a_document exits 10");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line on stderr: {stderr}");
    assert!(stderr.contains("not_a_document"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn missing_file_is_a_usage_error() {
    let out = yusuan(&["extract", "/nonexistent/file.pdf"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn one_docx_prints_its_extraction_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    // Named .pdf on purpose: the format is sniffed from content.
    let f = write(dir.path(), "upload.pdf", &small_docx());
    let out = yusuan(&["extract", &f]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema_version"], "1");
    assert_eq!(doc["source"]["format"], "docx");
    assert_eq!(doc["source"]["file_name"], "upload.pdf");
    assert_eq!(doc["source"]["sha256"], yusuan::sha256_hex(&small_docx()));
    let table = &doc["tables"][0];
    assert_eq!((table["n_rows"].as_u64(), table["n_cols"].as_u64()), (Some(2), Some(2)));
    assert_eq!(table["cells"][3]["text"], "1932.33");
}

#[test]
fn several_files_need_out_and_write_one_json_each() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.docx", &small_docx());
    let b = write(dir.path(), "b.docx", b"garbage");
    let out = yusuan(&["extract", &a, &b]);
    assert_eq!(out.status.code(), Some(2), "several files without --out is a usage error");

    let out_dir = dir.path().join("out");
    let out = yusuan(&["extract", &a, &b, "--out", out_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(10), "the first failure's class code");
    assert!(out_dir.join("a.json").exists());
    assert!(!out_dir.join("b.json").exists());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 extracted, 1 failed"), "{stderr}");
}
