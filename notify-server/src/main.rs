//! `notify-server`: `cargo run --release -p notify-server` serves on 127.0.0.1:8000 with its store in
//! `./notify-data/store.redb`. Configuration: `Rocket.toml` or `ROCKET_*` variables (see the
//! crate's README). `notify-server --check` checks the store's consistency and exits.
#![forbid(unsafe_code)]

use std::process::ExitCode;

const USAGE: &str = "usage: notify-server [--check | --version | --help]

  (no argument)  serve, configured by Rocket.toml and ROCKET_* variables
  --check        check the configured store (redb in data_dir, or PostgreSQL; stop the server
                 first) and exit: 0 if it is consistent, 1 if not";

fn check() -> ExitCode {
    let settings: notify_server::config::Settings = match notify_server::figment().extract() {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "notify-server: error: bad configuration: {}",
                notify_server::config::explain(&e)
            );
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = settings.check() {
        eprintln!("notify-server: error: bad configuration: {e}");
        return ExitCode::FAILURE;
    }
    let dir = match settings.store {
        notify_server::config::StoreKind::Redb => {
            let path = notify_server::store::store_path(&settings.data_dir);
            if !path.exists() {
                eprintln!(
                    "notify-server: error: no store at {}: check data_dir",
                    path.display()
                );
                return ExitCode::FAILURE;
            }
            path.display().to_string()
        }
        notify_server::config::StoreKind::Postgres => "the PostgreSQL store".to_string(),
    };
    let report = notify_server::open_configured(&settings)
        .map_err(|e| notify_server::store::StoreError(e.0))
        .and_then(|s| s.check_integrity());
    match report {
        Ok(r) if r.problems.is_empty() => {
            println!(
                "{}: consistent ({} bundles, {} vault records)",
                dir, r.bundles, r.vault_records
            );
            ExitCode::SUCCESS
        }
        Ok(r) => {
            for p in &r.problems {
                println!("problem: {p}");
            }
            println!("{dir}: {} problems", r.problems.len());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("notify-server: error: cannot check {dir}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => {}
        ["--check"] => return check(),
        ["--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        ["--version" | "-V"] => {
            println!("notify-server {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("notify-server: error: unexpected arguments {args:?}\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    // The runtime is built here, not by #[rocket::main]: Rocket's own start-up reads the
    // configuration again and panics on a mistake in it, where the server should say what is
    // wrong and exit.
    let figment = notify_server::figment();
    let config: rocket::Config = match figment.extract() {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "notify-server: error: bad configuration: {}",
                notify_server::config::explain(&e)
            );
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.workers.max(1))
        .max_blocking_threads(config.max_blocking.max(1))
        .thread_name("rocket-worker-thread")
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("notify-server: error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(figment))
}

async fn serve(figment: rocket::figment::Figment) -> ExitCode {
    let rocket = match notify_server::build_for_network(figment) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("notify-server: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rocket.launch().await {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("notify-server: error: {e}");
            ExitCode::FAILURE
        }
    }
}
