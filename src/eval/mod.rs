//! Accuracy against ground truth (`yusuan eval`) and visual inspection (`yusuan inspect`).

/// `yusuan eval` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct EvalArgs {
    /// Corpus directory holding documents with ground truth.
    #[arg(default_value = "corpus")]
    pub corpus: std::path::PathBuf,
}

pub fn run(args: EvalArgs) -> anyhow::Result<i32> {
    let _ = args;
    anyhow::bail!("eval is not built yet")
}

pub mod inspect {
    //! `yusuan inspect`: a page drawn with the detected ruling lines, regions and grid (SVG).

    /// `yusuan inspect` flags.
    #[derive(Debug, Clone, clap::Args)]
    pub struct InspectArgs {
        /// The PDF to draw.
        pub file: std::path::PathBuf,
        /// 1-based page.
        #[arg(long, default_value_t = 1)]
        pub page: u32,
        /// Where the SVG is written.
        #[arg(long)]
        pub svg: std::path::PathBuf,
    }

    pub fn run(args: InspectArgs) -> anyhow::Result<i32> {
        let _ = args;
        anyhow::bail!("inspect is not built yet")
    }
}
