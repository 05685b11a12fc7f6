//! `notify-server`: Notify server: stores and serves notices and vault records it cannot read.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    eprintln!("{}", notify_server::UNAVAILABLE);
    std::process::ExitCode::from(2)
}
