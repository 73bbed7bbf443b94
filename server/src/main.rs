use clap::Parser;

fn main() {
    let cli = moment_sync::cli::Cli::parse();
    std::process::exit(moment_sync::cli::run(cli));
}
