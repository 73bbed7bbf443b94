use clap::Parser;

/// See `docs/PERFORMANCE.md`: allocation was ~16 % of a large check's CPU with the system
/// allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    moment_sync::syntax::use_mimalloc_for_trees();
    let cli = moment_sync::cli::Cli::parse();
    std::process::exit(moment_sync::cli::run(cli));
}
