//! The `yusuan` command: turns arguments into one configuration, then dispatches. All real work
//! lives in the library; this file only parses, prints and maps errors to exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use yusuan::limits::LimitArgs;
use yusuan::output::{MergedCells, OutputFormat};

#[derive(Parser)]
#[command(name = "yusuan", version, about = "Chinese government budget documents (PDF, DOCX, XLSX) → validated, structured data")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Extract tables and records from PDF / DOCX / XLSX files (format recognised by content).
    Extract(ExtractArgs),
    /// Consume jobs from RabbitMQ and publish extractions to the downstream API.
    Worker(yusuan::worker::WorkerArgs),
    /// Publish one job per .pdf/.docx/.xlsx file to the queue (the backfill tool).
    Enqueue(yusuan::enqueue::EnqueueArgs),
    /// The reference receiver of the downstream API, storing into SQLite.
    Sink(yusuan::sink::SinkArgs),
    /// Score the extractor against a corpus with ground truth.
    Eval(yusuan::eval::EvalArgs),
    /// Draw a PDF page with the detected ruling lines, table regions and grid as SVG.
    Inspect(yusuan::eval::inspect::InspectArgs),
}

#[derive(clap::Args)]
struct ExtractArgs {
    /// Files to extract.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The directory that receives the output: one `<name>.json` per file (json; needed with
    /// several files), the CSV files (csv) or one `<name>.xlsx` per file (xlsx).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Output format: json (the extraction document), csv (records_*.csv, warnings.csv and one CSV
    /// per table, UTF-8 with BOM) or xlsx (one workbook per file with the same sheets).
    #[arg(long, value_enum, default_value = "json")]
    format: OutputFormat,
    /// CSV / XLSX table sheets: repeat a merged cell's text in every slot it covers (fill) or
    /// leave all but the top-left slot blank (blank).
    #[arg(long, value_enum, default_value = "fill")]
    merged: MergedCells,
    /// Pretty-print the JSON.
    #[arg(long)]
    pretty: bool,
    /// Also print every document's findings for a reviewer on stderr: each warning, and for the
    /// document-level ones the prose sentence (with its pages) and the table cell compared. The
    /// JSON / CSV / XLSX output is unchanged.
    #[arg(long)]
    review: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match cli.command {
        Command::Extract(args) => extract(args),
        Command::Worker(args) => report(yusuan::worker::run(args).map(|()| 0)),
        Command::Enqueue(args) => report(yusuan::enqueue::run(args)),
        Command::Sink(args) => report(yusuan::sink::run(args)),
        Command::Eval(args) => report(yusuan::eval::run(args)),
        Command::Inspect(args) => report(yusuan::eval::inspect::run(args)),
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

fn report(result: anyhow::Result<i32>) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Exit code when the command line itself is wrong or an output cannot be written.
const EXIT_USAGE: u8 = 2;

fn extract(args: ExtractArgs) -> ExitCode {
    // The libraries' panics are caught at the extraction boundary and reported as
    // `internal_error`; their default hook would print a backtrace banner to stderr first.
    std::panic::set_hook(Box::new(|info| tracing::debug!("panic inside extraction: {info}")));
    let limits = args.limits.to_limits();
    if args.files.len() > 1 && args.out.is_none() {
        eprintln!("error: several files need --out DIR (one JSON file is written per input)");
        return ExitCode::from(EXIT_USAGE);
    }
    if args.format != OutputFormat::Json && args.out.is_none() {
        eprintln!("error: --format csv and --format xlsx write files: give --out DIR");
        return ExitCode::from(EXIT_USAGE);
    }
    if let Some(dir) = &args.out {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: cannot create {}: {e}", dir.display());
            return ExitCode::from(EXIT_USAGE);
        }
        let output = Output { format: args.format, merged: args.merged, pretty: args.pretty, review: args.review };
        return extract_many(&args.files, dir, &limits, output);
    }
    let path = &args.files[0];
    match extract_file(path, &limits) {
        Ok(extraction) => {
            if args.review {
                eprint!("{}", yusuan::output::review::review(&extraction));
            }
            let json = to_json(&extraction, args.pretty);
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{json}").is_err() {
                return ExitCode::from(EXIT_USAGE);
            }
            ExitCode::SUCCESS
        }
        Err(FileError::Io(e)) => {
            eprintln!("error: io: cannot read {}: {e}", path.display());
            ExitCode::from(EXIT_USAGE)
        }
        Err(FileError::Extract(e)) => {
            eprintln!("error: {}: {}: {e}", e.code(), path.display());
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

enum FileError {
    Io(std::io::Error),
    Extract(yusuan::ExtractError),
}

fn extract_file(path: &Path, limits: &yusuan::Limits) -> Result<yusuan::Extraction, FileError> {
    let meta = std::fs::metadata(path).map_err(FileError::Io)?;
    if meta.len() > limits.max_input_bytes {
        // Refuse before reading a huge file into memory.
        return Err(FileError::Extract(yusuan::ExtractError::TooLarge(format!(
            "input is {} bytes, the limit is {}",
            meta.len(),
            limits.max_input_bytes
        ))));
    }
    let bytes = std::fs::read(path).map_err(FileError::Io)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    yusuan::extract(&name, &bytes, limits).map_err(FileError::Extract)
}

fn to_json(extraction: &yusuan::Extraction, pretty: bool) -> String {
    let result = if pretty { serde_json::to_string_pretty(extraction) } else { serde_json::to_string(extraction) };
    result.expect("the extraction document always serialises")
}

/// How `extract --out DIR` writes.
#[derive(Clone, Copy)]
struct Output {
    format: OutputFormat,
    merged: MergedCells,
    pretty: bool,
    review: bool,
}

/// Writes one document's own files: `<stem>.json`, its table CSVs, or `<stem>.xlsx`.
fn write_document(extraction: &yusuan::Extraction, stem: &str, dir: &Path, output: Output) -> Result<(), String> {
    match output.format {
        OutputFormat::Json => std::fs::write(dir.join(format!("{stem}.json")), to_json(extraction, output.pretty))
            .map_err(|e| format!("cannot write {stem}.json: {e}")),
        OutputFormat::Csv => yusuan::output::csv::write_tables(dir, extraction, output.merged)
            .map(|_| ())
            .map_err(|e| format!("cannot write the table CSVs of {stem}: {e}")),
        OutputFormat::Xlsx => {
            let bytes = yusuan::output::xlsx::workbook(extraction, output.merged)
                .map_err(|e| format!("cannot build {stem}.xlsx: {e}"))?;
            std::fs::write(dir.join(format!("{stem}.xlsx")), bytes).map_err(|e| format!("cannot write {stem}.xlsx: {e}"))
        }
    }
}

/// One or several files into `dir`: per file its JSON, table CSVs or workbook; for CSV, the record
/// files of all documents together at the end. A progress bar on stderr, a summary, and the exit
/// code of the first failure (0 when all succeeded).
fn extract_many(files: &[PathBuf], dir: &Path, limits: &yusuan::Limits, output: Output) -> ExitCode {
    let bar = indicatif::ProgressBar::new(files.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta} {msg}")
            .expect("static template"),
    );
    let mut first_failure: Option<u8> = None;
    let mut failed = 0usize;
    // For CSV: the extractions without their tables (already written), for the record files.
    let mut for_records: Vec<yusuan::Extraction> = Vec::new();
    for path in files {
        bar.set_message(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        let stem = path.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
        let code = match extract_file(path, limits) {
            Ok(mut extraction) => match write_document(&extraction, &stem, dir, output) {
                Ok(()) => {
                    if output.review {
                        bar.println(yusuan::output::review::review(&extraction).trim_end());
                    }
                    if output.format == OutputFormat::Csv {
                        extraction.tables.clear();
                        for_records.push(extraction);
                    }
                    None
                }
                Err(e) => {
                    bar.println(format!("error: io: {e}"));
                    Some(EXIT_USAGE)
                }
            },
            Err(FileError::Io(e)) => {
                bar.println(format!("error: io: cannot read {}: {e}", path.display()));
                Some(EXIT_USAGE)
            }
            Err(FileError::Extract(e)) => {
                bar.println(format!("error: {}: {}: {e}", e.code(), path.display()));
                Some(e.exit_code() as u8)
            }
        };
        if let Some(code) = code {
            failed += 1;
            first_failure.get_or_insert(code);
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if output.format == OutputFormat::Csv {
        let refs: Vec<&yusuan::Extraction> = for_records.iter().collect();
        if let Err(e) = yusuan::output::csv::write_records(dir, &refs) {
            eprintln!("error: io: cannot write the record CSVs: {e}");
            first_failure.get_or_insert(EXIT_USAGE);
        }
    }
    eprintln!("{} extracted, {} failed, into {}", files.len() - failed, failed, dir.display());
    ExitCode::from(first_failure.unwrap_or(0))
}
