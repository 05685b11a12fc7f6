//! `tracer`: Health authority's tool: authority set-up, notices, opening vault records.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    eprintln!("{}", tracer::UNAVAILABLE);
    std::process::ExitCode::from(2)
}
