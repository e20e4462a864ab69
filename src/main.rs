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
    if !args.runs_until_stopped() {
        keep_freed_memory();
    }
    match cli::run(args) {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("newsdex: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (`mimalloc.h`, the same position in
/// its v2 and v3); `libmimalloc-sys` has no constant for it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc hands freed pages back to the kernel after 10 ms by default, and an index run
/// frees and reallocates large buffers all the time (the tagger's per-article arrays,
/// tantivy's per-segment arenas), so it kept taking page faults on fresh zeroed pages:
/// about 5 % of its CPU (4,000 AllSides files: 0.35 s less system time of 7.8 s, for
/// 75 MB more peak memory). A batch command keeps its freed memory instead; the server
/// keeps the default so its memory stays flat.
fn keep_freed_memory() {
    // SAFETY: setting an option is allowed at any time; -1 means "never purge".
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
}
