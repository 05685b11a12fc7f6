//! `notify-server`: `cargo run --release -p notify-server` serves on 127.0.0.1:8000 with a sled
//! store in `./notify-data`. Configuration: `Rocket.toml` or `ROCKET_*` variables (see the
//! crate's README).
#![forbid(unsafe_code)]

use std::process::ExitCode;

#[rocket::main]
async fn main() -> ExitCode {
    let rocket = match notify_server::build(notify_server::figment()) {
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
