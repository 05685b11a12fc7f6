//! `checkin`: Citizen's encrypted visit diary: check-in, sync and local matching.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    eprintln!("{}", client::UNAVAILABLE);
    std::process::ExitCode::from(2)
}
