//! `venue-keygen`: Venue owner's tool: venue keys and printable keyed posters.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    eprintln!("{}", venue_keygen::UNAVAILABLE);
    std::process::ExitCode::from(2)
}
