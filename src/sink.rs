//! `yusuan sink`: the reference receiver of CONTRACT §4, storing extractions and failures in SQLite.

/// `yusuan sink` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct SinkArgs {
    /// Address to listen on.
    #[arg(long, env = "YUSUAN_SINK_LISTEN", default_value = "127.0.0.1:8088")]
    pub listen: String,
    /// SQLite database file.
    #[arg(long, env = "YUSUAN_SINK_DB", default_value = "yusuan-sink.db")]
    pub db: std::path::PathBuf,
}

pub fn run(args: SinkArgs) -> anyhow::Result<i32> {
    let _ = args;
    anyhow::bail!("the sink is not built yet")
}
