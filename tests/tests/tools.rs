//! What the four tools share, checked on the real binaries: the same error prefix, the same
//! time format in every time flag's help, the same refusal of an unknown time zone, and
//! `--key` that takes a key file in every tool (issue 18, items 7 and 8).
#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

use std::process::{Command, Output};

use tests::bin_dir;

fn run(tool: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(bin_dir().join(tool))
        .args(args)
        .envs(env.iter().copied())
        .env("CHECKIN_HOME", "/nonexistent/checkin-tools-test")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn every_time_flag_shows_the_format_it_takes() {
    for (tool, command, flags) in [
        ("checkin", &["scan"][..], &["--at"][..]),
        ("checkin", &["out"], &["--at"]),
        ("tracer", &["notify", "request"], &["--from", "--to"]),
        ("tracer", &["vault", "fetch"], &["--from"]),
        ("venue-keygen", &["new"], &["--valid-from"]),
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let help = text(&run(tool, &args, &[]));
        for flag in flags {
            let at = help
                .find(&format!("      {flag} <TIME>"))
                .unwrap_or_else(|| panic!("{tool} {command:?}: no {flag} <TIME> in\n{help}"));
            let doc: String = help[at..].chars().take(400).collect();
            assert!(
                doc.contains("YYYY-MM-DD HH:MM") || doc.contains("in the same form"),
                "{tool} {command:?} {flag}: {doc}"
            );
        }
        if command == ["notify", "request"] || command == ["scan"] || command == ["new"] {
            let at = help.find("Options:").unwrap();
            assert!(help[at..].contains("RFC 3339"), "{tool}: {help}");
        }
    }
}

#[test]
fn an_unknown_time_zone_is_refused_the_same_way_everywhere() {
    for (tool, args) in [
        ("checkin", &["diary"][..]),
        (
            "venue-keygen",
            &["inspect", "https://checkin.example/v1/c#AA"],
        ),
    ] {
        let o = run(tool, args, &[("TZ", "Mars/Olympus")]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(1), "{tool}: {t}");
        assert!(
            t.starts_with(&format!(
                "{tool}: error: the TZ environment variable ('Mars/Olympus') is not a time zone"
            )),
            "{tool}: {t}"
        );
        let mut with_flag = vec!["--tz", "Europe/Londn"];
        with_flag.extend_from_slice(args);
        let t = text(&run(tool, &with_flag, &[]));
        assert!(
            t.starts_with(&format!(
                "{tool}: error: unknown time zone 'Europe/Londn' (--tz)"
            )),
            "{tool}: {t}"
        );
    }
    let t = text(&run(
        "tracer",
        &[
            "case",
            "open",
            "--tz",
            "Europe/Londn",
            "--authority",
            "/nonexistent",
            "x",
        ],
        &[],
    ));
    assert!(t.starts_with("tracer: error: "), "{t}");
}

#[test]
fn errors_begin_with_the_tool_and_error() {
    for (tool, args) in [
        ("checkin", &["--diary", "/nonexistent/diary", "diary"][..]),
        ("tracer", &["keygen", "--out", "/proc/no-such-place/t"]),
        (
            "venue-keygen",
            &[
                "render",
                "--key",
                "/nonexistent/venue.key",
                "--out",
                "/tmp/x",
            ],
        ),
    ] {
        let o = run(tool, args, &[]);
        let t = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(1), "{tool}: {t}");
        assert!(t.starts_with(&format!("{tool}: error: ")), "{tool}: {t}");
    }
    for tool in ["checkin", "tracer", "venue-keygen", "notify-server"] {
        let o = run(tool, &["--version"], &[]);
        assert!(o.status.success(), "{tool} --version: {}", text(&o));
        assert!(text(&o).starts_with(tool), "{tool}: {}", text(&o));
    }
}
