//! `llm-sim`: parse flags, start the simulator, print its port, wait until it stops by itself.
//! Everything else is in `newsdesk::sim`.

use std::process::ExitCode;

use clap::Parser;
use newsdesk::sim::{SimArgs, spawn};

#[tokio::main]
async fn main() -> ExitCode {
    let args = SimArgs::parse();
    let port_file = args.port_file.clone();
    let config = match args.into_config() {
        Ok(config) => config,
        Err(problems) => {
            eprintln!("llm-sim: invalid flags:\n{problems}");
            return ExitCode::from(2);
        }
    };
    let sim = match spawn(config).await {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("llm-sim: {e}");
            return ExitCode::from(1);
        }
    };
    // The port file first: whoever reads the printed port may look for the file next.
    if let Some(path) = port_file
        && let Err(e) = std::fs::write(&path, format!("{}\n", sim.port()))
    {
        eprintln!(
            "llm-sim: cannot write the port file {}: {e}",
            path.display()
        );
        return ExitCode::from(1);
    }
    println!("{}", sim.port());
    eprintln!("llm-sim: listening on {}", sim.base_url());
    tokio::select! {
        _ = sim.wait() => {}
        _ = tokio::signal::ctrl_c() => sim.shutdown(),
    }
    sim.wait().await;
    let stats = sim.stats();
    eprintln!(
        "llm-sim: stopped after {} requests ({} prompt + {} completion tokens); outcomes {:?}",
        stats.requests, stats.prompt_tokens, stats.completion_tokens, stats.outcomes
    );
    ExitCode::SUCCESS
}
