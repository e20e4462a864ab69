//! The `newsdex` command: parses arguments, calls the library, prints.
//!
//! Exit status: 0 on success; 1 when the command ran but some input files could not be
//! read (they are named on stderr); 2 on an error that stopped the command (bad
//! arguments, no index, a locked index). A closed pipe (`newsdex search ... | head`) ends
//! quietly with 0.

use std::process::ExitCode;

use clap::Parser;

mod cli;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("newsdex: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
}
