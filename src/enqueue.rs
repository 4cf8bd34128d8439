//! `yusuan enqueue`: the backfill publisher — one job per .pdf/.docx file, publisher confirms.

/// `yusuan enqueue` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct EnqueueArgs {
    /// Files and directories (recursive) to enqueue.
    #[arg(required = true)]
    pub paths: Vec<std::path::PathBuf>,
    /// AMQP broker URL.
    #[arg(long, env = "AMQP_URL", default_value = "amqp://127.0.0.1:5672/%2f")]
    pub amqp_url: String,
    /// Queue to publish to.
    #[arg(long, env = "YUSUAN_QUEUE", default_value = "yusuan.jobs")]
    pub queue: String,
}

pub fn run(args: EnqueueArgs) -> anyhow::Result<i32> {
    let _ = args;
    anyhow::bail!("enqueue is not built yet")
}
