//! `newsdex serve`: the search page and the JSON API over an index, until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use newsdex::serve::{self, ServeConfig};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Index directory.
    #[arg(long, default_value_os_t = super::default_index_dir())]
    index: PathBuf,
    /// Address to listen on. Loopback by default; give 0.0.0.0:PORT only to serve other
    /// machines. Port 0 picks a free port (printed on start).
    #[arg(long, default_value = "127.0.0.1:7700")]
    addr: SocketAddr,
    /// Do not log one line per request to stderr.
    #[arg(long)]
    quiet: bool,
    /// Do not keep whole `/api/search` answers between commits (every request searches).
    #[arg(long)]
    no_response_cache: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config =
        ServeConfig { index: args.index, addr: args.addr, quiet: args.quiet, response_cache: !args.no_response_cache };
    serve::run(&config, |bound| {
        eprintln!("newsdex: serving {} on http://{bound}/ (Ctrl-C stops)", config.index.display());
    })?;
    eprintln!("newsdex: stopped");
    Ok(ExitCode::SUCCESS)
}
