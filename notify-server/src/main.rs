//! `notify-server`: `cargo run --release -p notify-server` serves on 127.0.0.1:8000 with its store in
//! `./notify-data/store.redb`. Configuration: `Rocket.toml` or `ROCKET_*` variables (see the
//! crate's README). `notify-server --check` checks the store's consistency and exits.
#![forbid(unsafe_code)]

use std::process::ExitCode;

const USAGE: &str = "usage: notify-server [--check | --print-config | --version | --help]

  (no argument)   serve, configured by Rocket.toml and ROCKET_* variables
  --check         check the configured store (redb in data_dir, or PostgreSQL; stop the server
                  first) and exit: 0 if it is consistent, 1 if not
  --print-config  print the effective configuration, each value with where it came from (the
                  file, a ROCKET_* variable, or the default; database_url masked), and exit";

fn help() -> String {
    format!(
        "{USAGE}\n\nSettings: a key under [default] in Rocket.toml (another file: ROCKET_CONFIG; \
         another table:\nROCKET_PROFILE), or its environment variable, which wins. Each is \
         described in notify-server/README.md.\n\n  {:<30} {:<38} default\n{}",
        "key",
        "environment variable",
        notify_server::config::settings_help()
    )
}

fn print_config() -> ExitCode {
    match notify_server::config::print_config(&notify_server::figment()) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("notify-server: error: bad configuration: {e}");
            ExitCode::FAILURE
        }
    }
}

fn check() -> ExitCode {
    let figment = notify_server::figment();
    if let Err(e) = notify_server::config::check_keys(&figment) {
        eprintln!("notify-server: error: bad configuration: {e}");
        return ExitCode::FAILURE;
    }
    let settings: notify_server::config::Settings = match figment.extract() {
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
        ["--print-config"] => return print_config(),
        ["--help" | "-h"] => {
            println!("{}", help());
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
        Ok(_) if notify_server::ADMIN_FAILED.load(std::sync::atomic::Ordering::SeqCst) => {
            ExitCode::FAILURE
        }
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("notify-server: error: {e}");
            ExitCode::FAILURE
        }
    }
}
