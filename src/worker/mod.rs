//! The queue worker (CONTRACT §3, §4): RabbitMQ in, HTTP API out. No extraction logic here.

/// `yusuan worker` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct WorkerArgs {
    /// AMQP broker URL.
    #[arg(long, env = "AMQP_URL", default_value = "amqp://127.0.0.1:5672/%2f")]
    pub amqp_url: String,
    /// Queue the jobs arrive on.
    #[arg(long, env = "YUSUAN_QUEUE", default_value = "yusuan.jobs")]
    pub queue: String,
    /// Base URL of the downstream API.
    #[arg(long, env = "SINK_URL")]
    pub sink_url: String,
    #[command(flatten)]
    pub limits: crate::limits::LimitArgs,
}

pub fn run(args: WorkerArgs) -> anyhow::Result<()> {
    let _ = args;
    anyhow::bail!("the worker is not built yet")
}
