//! The `venue-keygen` binary, driven as a venue owner would, including every error path.
//!
//! Poster images are checked with decoders independent of the encoder: `rqrr` here, and
//! Debian's `zbarimg` (with `pdftoppm` for the PDF), which `.ci/run` installs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use predicates::prelude::*;
use protocol::vault::{open_inner, seal_record};
use protocol::{ContactRecord, Poster, SealingSecretKey, hour_of};
use rand::SeedableRng;
use tempfile::TempDir;

fn bin() -> Command {
    let mut c = Command::cargo_bin("venue-keygen").unwrap();
    c.env_remove("CHECKIN_BASE_URL");
    c
}

fn new_venue(dir: &Path, name: &str) -> assert_cmd::assert::Assert {
    bin()
        .args([
            "new",
            "--name",
            name,
            "--address",
            "1 High Street",
            "--category",
            "pub",
            "--stay",
            "90",
            "--out",
        ])
        .arg(dir)
        .assert()
}

fn url_of(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("poster.url"))
        .unwrap()
        .trim()
        .to_owned()
}

fn rqrr_decode(png: &Path) -> Vec<(String, u32)> {
    let img = image::open(png).unwrap().into_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    prepared
        .detect_grids()
        .into_iter()
        .map(|g| {
            let xs: Vec<i32> = g.bounds.iter().map(|p| p.x).collect();
            let width = (xs.iter().max().unwrap() - xs.iter().min().unwrap()) as u32;
            (g.decode().unwrap().1, width)
        })
        .collect()
}

fn tool(name: &str) -> Std {
    let probe = Std::new(name).arg("-h").output();
    assert!(
        probe.is_ok(),
        "{name} is not installed: install Debian's zbar-tools and poppler-utils (.ci/run does)"
    );
    Std::new(name)
}

fn zbar(png: &Path) -> String {
    let out = tool("zbarimg")
        .args(["-q", "--raw"])
        .arg(png)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zbarimg found no code in {}",
        png.display()
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn new_makes_a_key_and_a_poster_that_scans() {
    let t = TempDir::new().unwrap();
    let dir = t.path().join("crown");
    new_venue(&dir, "The Crown")
        .success()
        .stdout(predicate::str::contains(
            "URL:         https://checkin.example/v1/c#",
        ))
        .stdout(predicate::str::contains("Fingerprint: "));
    for f in [
        "venue.key",
        "poster.svg",
        "poster.png",
        "poster.pdf",
        "poster.url",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join("venue.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the key file must be private");
    }
    let url = url_of(&dir);
    let poster = Poster::from_url_or_payload(&url).unwrap();
    assert_eq!(poster.info().name, "The Crown");
    assert_eq!(poster.info().default_stay_minutes, 90);

    // Independent decoder 1: rqrr, with the code's printed width.
    let codes = rqrr_decode(&dir.join("poster.png"));
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].0, url);
    assert!(codes[0].1 >= 1000, "QR code is only {} px wide", codes[0].1);

    // Independent decoder 2: zbarimg on the PNG, and on the PDF rendered by pdftoppm.
    assert_eq!(zbar(&dir.join("poster.png")), url);
    let status = tool("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile"])
        .arg(dir.join("poster.pdf"))
        .arg(t.path().join("page"))
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(zbar(&t.path().join("page.png")), url);

    // The SVG carries the name and the fingerprint as text.
    let svg = std::fs::read_to_string(dir.join("poster.svg")).unwrap();
    assert!(svg.contains(">The Crown</text>"));
    assert!(svg.contains(&poster.fingerprint()));
}

#[test]
fn unicode_names_render_without_missing_glyphs() {
    let t = TempDir::new().unwrap();
    for (i, name) in ["Café Zürich", "東京ラーメン", "Ελληνικό Καφενείο"]
        .iter()
        .enumerate()
    {
        let dir = t.path().join(i.to_string());
        new_venue(&dir, name)
            .success()
            .stderr(predicate::str::contains("warning").not());
        assert_eq!(
            Poster::from_url_or_payload(&url_of(&dir))
                .unwrap()
                .info()
                .name,
            *name
        );
        assert_eq!(zbar(&dir.join("poster.png")), url_of(&dir));
        let svg = std::fs::read_to_string(dir.join("poster.svg")).unwrap();
        assert!(svg.contains(name), "{name} missing from the SVG");
    }
}

#[test]
fn an_existing_key_is_never_overwritten_without_force() {
    let t = TempDir::new().unwrap();
    let dir = t.path().join("v");
    new_venue(&dir, "First").success();
    let key = std::fs::read(dir.join("venue.key")).unwrap();
    let url = url_of(&dir);
    new_venue(&dir, "Second")
        .failure()
        .code(1)
        .stderr(predicate::str::contains(
            "already holds a venue key; refusing to overwrite it",
        ));
    assert_eq!(std::fs::read(dir.join("venue.key")).unwrap(), key);
    assert_eq!(url_of(&dir), url, "the poster files must stay as they were");
    bin()
        .args([
            "new",
            "--name",
            "Second",
            "--address",
            "x",
            "--force",
            "--out",
        ])
        .arg(&dir)
        .assert()
        .success();
    assert_ne!(std::fs::read(dir.join("venue.key")).unwrap(), key);
}

fn assert_refused(args: &[&str], message: &str) {
    let t = TempDir::new().unwrap();
    let dir = t.path().join("out");
    let mut cmd = bin();
    cmd.args(args).arg("--out").arg(&dir);
    cmd.assert()
        .failure()
        .code(1)
        .stderr(predicate::str::starts_with("venue-keygen: error: "))
        .stderr(predicate::str::contains(message));
    assert!(
        !dir.exists(),
        "a refused command must leave no output ({args:?})"
    );
    let leftovers: Vec<PathBuf> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

#[test]
fn bad_input_is_refused_clearly_and_leaves_nothing() {
    assert_refused(
        &["new", "--name", "", "--address", "x"],
        "name must not be empty",
    );
    assert_refused(
        &["new", "--name", "   ", "--address", "x"],
        "name must not be empty",
    );
    let long = "x".repeat(81);
    assert_refused(
        &["new", "--name", &long, "--address", "x"],
        "name is longer than 80 bytes",
    );
    assert_refused(
        &[
            "new",
            "--name",
            "A",
            "--address",
            "x",
            "--valid-from",
            "next tuesday",
        ],
        "--valid-from: 'next tuesday' is not a time",
    );
    assert_refused(
        &[
            "new",
            "--name",
            "A",
            "--address",
            "x",
            "--valid-from",
            "2026-05-01 10:00",
            "--valid-until",
            "2026-04-01 10:00",
        ],
        "--valid-until must be after --valid-from",
    );
    assert_refused(
        &[
            "new",
            "--name",
            "A",
            "--address",
            "x",
            "--base-url",
            "http://insecure.example/c",
        ],
        "must start with https://",
    );
    assert_refused(
        &[
            "new",
            "--name",
            "A",
            "--address",
            "x",
            "--base-url",
            "https://x.example/c#frag",
        ],
        "must not contain '#'",
    );
    assert_refused(
        &["new", "--name", "A", "--address", "x", "--stay", "0"],
        "outside 1 to 720 minutes",
    );
    assert_refused(
        &["new", "--name", "A\u{7}", "--address", "x"],
        "control character",
    );
}

#[test]
fn an_unwritable_directory_is_refused_and_leaves_nothing() {
    let t = TempDir::new().unwrap();
    let file = t.path().join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    bin()
        .args(["new", "--name", "A", "--address", "x", "--out"])
        .arg(file.join("out"))
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("cannot create the directory"));
    assert_eq!(std::fs::read(&file).unwrap(), b"not a directory");
}

fn qr_png(text: &str, path: &Path) {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let w = code.width();
    let colors = code.to_colors();
    let side = ((w + 8) * 10) as u32;
    let img = image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x as usize / 10, y as usize / 10);
        let inside = mx >= 4 && my >= 4 && mx < w + 4 && my < w + 4;
        let dark = inside && colors[(my - 4) * w + mx - 4] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    img.save(path).unwrap();
}

#[test]
fn inspect_reads_urls_payloads_and_images() {
    let t = TempDir::new().unwrap();
    let dir = t.path().join("v");
    new_venue(&dir, "Café Zürich").success();
    let url = url_of(&dir);
    let payload = url.split_once('#').unwrap().1.to_owned();
    for input in [
        url.clone(),
        payload.clone(),
        dir.join("poster.png").display().to_string(),
    ] {
        bin()
            .args(["inspect", &input])
            .assert()
            .success()
            .stdout(predicate::str::contains("Name:          Café Zürich"))
            .stdout(predicate::str::contains("Default stay:  90 minutes"))
            .stdout(predicate::str::contains("Signature:     valid"));
    }
    // A byte of the signature changed: the fields still show, the signature does not verify.
    let mut bytes = URL_SAFE_NO_PAD.decode(&payload).unwrap();
    let n = bytes.len();
    bytes[n - 1] ^= 1;
    bin()
        .args(["inspect", &URL_SAFE_NO_PAD.encode(&bytes)])
        .assert()
        .failure()
        .stdout(predicate::str::contains("Name:          Café Zürich"))
        .stdout(predicate::str::contains("Signature:     INVALID"));
    // Not a poster at all.
    bin()
        .args(["inspect", "https://example.org/menu"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a poster URL"));
    bin()
        .args(["inspect", "hello world"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not base64url"));
    // A QR code that is not a poster, and an image without a QR code.
    let menu = t.path().join("menu.png");
    qr_png("https://example.org/menu", &menu);
    bin()
        .args(["inspect"])
        .arg(&menu)
        .assert()
        .failure()
        .stderr(predicate::str::contains("no '#' fragment"));
    let blank = t.path().join("blank.png");
    image::GrayImage::from_pixel(200, 200, image::Luma([255]))
        .save(&blank)
        .unwrap();
    bin()
        .args(["inspect"])
        .arg(&blank)
        .assert()
        .failure()
        .stderr(predicate::str::contains("no readable QR code"));
}

#[test]
fn bulk_reports_bad_rows_by_line_and_never_overwrites_keys() {
    let t = TempDir::new().unwrap();
    let csv = t.path().join("venues.csv");
    std::fs::write(
        &csv,
        "name,address,category,stay,valid_from,valid_until\n\
         The Crown,1 High Street,pub,120,,\n\
         ,2 High Street,pub,60,,\n\
         Café Zürich,Limmatquai 1,cafe,90,2026-01-01T00:00:00Z,2027-01-01T00:00:00Z\n\
         Bad Time,3 High Street,pub,60,someday,\n\
         東京ラーメン,,restaurant,,,\n",
    )
    .unwrap();
    let out = t.path().join("out");
    bin()
        .args(["bulk", "--csv"])
        .arg(&csv)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains(
            "line 3: the venue name must not be empty",
        ))
        .stderr(predicate::str::contains("line 5: 'someday' is not a time"))
        .stdout(predicate::str::contains(
            "Made 3 venue(s), kept 0 existing, 2 row(s) failed",
        ));
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 3, "{dirs:?}");
    let keys: Vec<Vec<u8>> = dirs
        .iter()
        .map(|d| std::fs::read(d.join("venue.key")).unwrap())
        .collect();
    for d in &dirs {
        assert!(Poster::from_url_or_payload(&url_of(d)).is_ok());
    }
    // Again: every key is kept as it was.
    bin()
        .args(["bulk", "--csv"])
        .arg(&csv)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stdout(predicate::str::contains(
            "Made 0 venue(s), kept 3 existing, 2 row(s) failed",
        ));
    let again: Vec<Vec<u8>> = dirs
        .iter()
        .map(|d| std::fs::read(d.join("venue.key")).unwrap())
        .collect();
    assert_eq!(keys, again);
}

fn unwrap_cmd(trust: &Path, key: &Path, input: &Path, out: &Path) -> assert_cmd::assert::Assert {
    bin()
        .args(["unwrap", "--yes", "--key"])
        .arg(key)
        .arg("--trust")
        .arg(trust)
        .arg("--in")
        .arg(input)
        .arg("--out")
        .arg(out)
        .assert()
}

/// An authority (its trust file written as `dir/trust.txt`) and a tracer it certified with
/// `roles`, to sign unwrap requests as `tracer vault fetch` does.
fn authority_and_tracer(
    dir: &Path,
    roles: protocol::Roles,
) -> (protocol::Ed25519Secret, protocol::Certificate) {
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(7);
    let root = protocol::Ed25519Secret::generate(&mut rng);
    let tracer = protocol::Ed25519Secret::generate(&mut rng);
    let now = common::time::now();
    let trust = protocol::TrustAnchor {
        authority: "Test Health Board".into(),
        serial: 1,
        root: root.verifying_key(),
        emergency: protocol::EmergencyOfficers::new(
            vec![
                protocol::Ed25519Secret::generate(&mut rng).verifying_key(),
                protocol::Ed25519Secret::generate(&mut rng).verifying_key(),
            ],
            2,
        )
        .unwrap(),
        case: protocol::SealingSecretKey::from_bytes([0xca; 32]).public_key(),
        release: None,
        // One sealing period from 1970 to 2100.
        sealing: vec![protocol::SealingPeriod {
            from: 0,
            until: 4_102_444_800,
            key: SealingSecretKey::generate(&mut rng).public_key(),
        }],
    };
    std::fs::write(dir.join("trust.txt"), trust.sign(&root)).unwrap();
    let cert = protocol::Certificate::issue_with_roles(
        &root,
        &tracer.verifying_key(),
        "Tracer One",
        now - 60,
        now + 86_400,
        roles,
    )
    .unwrap();
    (tracer, cert)
}

/// A vault request file as `tracer vault fetch` writes it, signed by `tracer`.
fn signed_request(
    poster: &Poster,
    hours: Vec<u64>,
    window: (u64, u64),
    records: Vec<String>,
    tracer: &protocol::Ed25519Secret,
    cert: &protocol::Certificate,
) -> serde_json::Value {
    let now = common::time::now();
    let statement = protocol::unwrap_request::UnwrapStatement {
        venue_id: poster.venue_id(),
        from: window.0,
        to: window.1,
        signed_at: now,
        hours: hours.clone(),
    };
    serde_json::json!({
        "format": "checkin-vault-request/v1",
        "poster": poster.payload(),
        "hours": hours,
        "records": records,
        "from": window.0,
        "to": window.1,
        "certificate": URL_SAFE_NO_PAD.encode(cert.to_bytes()),
        "signed_at": now,
        "signature": URL_SAFE_NO_PAD.encode(statement.sign(tracer)),
    })
}

#[test]
fn unwrap_strips_this_venues_records_and_refuses_the_rest() {
    let t = TempDir::new().unwrap();
    let a = t.path().join("a");
    let b = t.path().join("b");
    new_venue(&a, "Venue A").success();
    new_venue(&b, "Venue B").success();
    let pa = Poster::from_url_or_payload(&url_of(&a)).unwrap();
    let pb = Poster::from_url_or_payload(&url_of(&b)).unwrap();
    let authority = SealingSecretKey::from_bytes([42; 32]);
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(1);
    let t0 = 1_767_225_600 + 12 * 3600;
    let contact = |name: &str| ContactRecord {
        name: name.into(),
        phone: "+44 7700 900000".into(),
        email: String::new(),
        party_size: 1,
        arrival: t0,
        departure: t0 + 1800,
    };
    let h = hour_of(t0);
    let apk = authority.public_key();
    let good = seal_record(&mut rng, &pa, &apk, h, &contact("Ada")).unwrap();
    let other_venue = seal_record(&mut rng, &pb, &apk, h, &contact("Bob")).unwrap();
    let other_hour = seal_record(&mut rng, &pa, &apk, h + 5, &contact("Cy")).unwrap();
    // A truncated record is damaged; an altered one just does not open, like another
    // venue's (nobody can tell them apart).
    let damaged = seal_record(&mut rng, &pa, &apk, h, &contact("Di")).unwrap();
    let records: Vec<String> = [
        &good[..],
        &other_venue[..],
        &other_hour[..],
        &damaged[..300],
    ]
    .iter()
    .map(|r| URL_SAFE_NO_PAD.encode(r))
    .collect();
    let (tracer, cert) = authority_and_tracer(t.path(), protocol::Roles::BOTH);
    let window = (h * 3600, (h + 2) * 3600);
    let request = signed_request(&pa, vec![h, h + 1], window, records.clone(), &tracer, &cert);
    let req_path = t.path().join("request.json");
    std::fs::write(&req_path, serde_json::to_vec(&request).unwrap()).unwrap();
    let trust_txt = t.path().join("trust.txt");
    let resp_path = t.path().join("response.json");
    // The owner sees who asks and for what, and says no: nothing is written.
    bin()
        .args(["unwrap", "--key"])
        .arg(a.join("venue.key"))
        .arg("--trust")
        .arg(t.path().join("trust.txt"))
        .arg("--in")
        .arg(&req_path)
        .arg("--out")
        .arg(&resp_path)
        .write_stdin("n\n")
        .assert()
        .failure()
        .stdout(predicate::str::contains(
            "Tracer \"Tracer One\", certified by Test Health Board",
        ))
        .stdout(predicate::str::contains("Venue      Venue A"))
        .stdout(predicate::str::contains("Records    4"))
        .stdout(predicate::str::contains(
            "Not unwrapped: nothing was written.",
        ));
    assert!(!resp_path.exists());
    // A request altered after signing (one more hour), and one signed under a publish-only
    // certificate, are refused before anything is shown or unwrapped.
    let mut altered = request.clone();
    altered["hours"] = serde_json::json!([h, h + 1, h + 2]);
    altered["to"] = serde_json::json!((h + 3) * 3600);
    let bad = t.path().join("altered.json");
    std::fs::write(&bad, serde_json::to_vec(&altered).unwrap()).unwrap();
    unwrap_cmd(
        &t.path().join("trust.txt"),
        &a.join("venue.key"),
        &bad,
        &t.path().join("r0.json"),
    )
    .failure()
    .stderr(predicate::str::contains("unwrap_request_bad_signature"));
    let pub_dir = t.path().join("publish-only");
    std::fs::create_dir(&pub_dir).unwrap();
    let (tr2, publish_only) = authority_and_tracer(
        &pub_dir,
        protocol::Roles {
            publish: true,
            query: false,
        },
    );
    let req2 = pub_dir.join("request.json");
    let r = signed_request(&pa, vec![h], window, records.clone(), &tr2, &publish_only);
    std::fs::write(&req2, serde_json::to_vec(&r).unwrap()).unwrap();
    unwrap_cmd(
        &pub_dir.join("trust.txt"),
        &a.join("venue.key"),
        &req2,
        &pub_dir.join("r.json"),
    )
    .failure()
    .stderr(predicate::str::contains("unwrap_request_cannot_query"));
    unwrap_cmd(&trust_txt, &a.join("venue.key"), &req_path, &resp_path)
        .success()
        .stdout(predicate::str::contains(
            "Stripped 1 record(s) of yours; left 2 of other venues in your bucket or other \
             hours, and 1 damaged",
        ));
    let resp: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&resp_path).unwrap()).unwrap();
    let request_hash = blake3::hash(&std::fs::read(&req_path).unwrap());
    assert_eq!(
        resp["request"].as_str().unwrap(),
        request_hash.to_hex().as_str()
    );
    let inner = URL_SAFE_NO_PAD
        .decode(resp["records"][0]["inner"].as_str().unwrap())
        .unwrap();
    assert_eq!(open_inner(&authority, &inner).unwrap().name, "Ada");
    assert_eq!(resp["refused"].as_array().unwrap().len(), 3);

    // The response is not overwritten without --force.
    unwrap_cmd(&trust_txt, &a.join("venue.key"), &req_path, &resp_path)
        .failure()
        .stderr(predicate::str::contains("already exists"));
    // The other venue's key refuses the whole request, and writes nothing.
    let r2 = t.path().join("r2.json");
    unwrap_cmd(&trust_txt, &b.join("venue.key"), &req_path, &r2)
        .failure()
        .stderr(predicate::str::contains("is for \"Venue A\""));
    assert!(!r2.exists());
    // A file that is not a key, and a request that is not a request.
    unwrap_cmd(&trust_txt, &req_path, &req_path, &t.path().join("r3.json"))
        .failure()
        .stderr(predicate::str::contains("not a usable venue key file"));
    unwrap_cmd(
        &trust_txt,
        &a.join("venue.key"),
        &a.join("poster.url"),
        &t.path().join("r4.json"),
    )
    .failure()
    .stderr(predicate::str::contains(
        "file_wrong_kind): it is a venue poster's URL or code, not a vault request",
    ));
}

#[test]
fn approve_and_unwrap_given_a_file_of_the_other_kind_say_which_kind_they_expected() {
    let t = TempDir::new().unwrap();
    let a = t.path().join("a");
    new_venue(&a, "Venue A").success();
    let pa = Poster::from_url_or_payload(&url_of(&a)).unwrap();
    let (tracer, cert) = authority_and_tracer(t.path(), protocol::Roles::BOTH);
    let now = common::time::now();
    let h = hour_of(now) - 3;
    let vault_request = t.path().join("vault-request.json");
    let request = signed_request(
        &pa,
        vec![h],
        (h * 3600, (h + 1) * 3600),
        vec![],
        &tracer,
        &cert,
    );
    std::fs::write(&vault_request, serde_json::to_vec_pretty(&request).unwrap()).unwrap();
    let approval_request = t.path().join("approval-request.json");
    let asked = common::approval::request(
        &pa,
        &cert,
        h * 3600,
        (h + 1) * 3600,
        protocol::Severity::High,
        "Take a test.",
    );
    std::fs::write(
        &approval_request,
        serde_json::to_vec_pretty(&asked).unwrap(),
    )
    .unwrap();
    let trust = t.path().join("trust.txt");
    let key = a.join("venue.key");
    let approve = |input: &Path, out: &Path| {
        bin()
            .args(["approve", "--yes", "--key"])
            .arg(&key)
            .arg("--trust")
            .arg(&trust)
            .arg("--in")
            .arg(input)
            .arg("--out")
            .arg(out)
            .assert()
    };
    // Each command names the kind it expected and the kind it was given, and writes nothing.
    let out = t.path().join("approval.json");
    approve(&vault_request, &out)
        .failure()
        .stderr(predicate::str::contains(
            "is refused (file_wrong_kind): it is a vault request, not an approval request",
        ))
        .stderr(predicate::str::contains("unknown field").not());
    assert!(!out.exists());
    let response = t.path().join("response.json");
    unwrap_cmd(&trust, &key, &approval_request, &response)
        .failure()
        .stderr(predicate::str::contains(
            "is refused (file_wrong_kind): it is an approval request, not a vault request",
        ))
        .stderr(predicate::str::contains("unknown field").not());
    assert!(!response.exists());
    // The files themselves are good: each is accepted by the command it is for.
    approve(&approval_request, &out).success();
    unwrap_cmd(&trust, &key, &vault_request, &response).success();
}

#[test]
fn help_names_every_command() {
    bin()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("new"))
        .stdout(predicate::str::contains("bulk"))
        .stdout(predicate::str::contains("inspect"))
        .stdout(predicate::str::contains("unwrap"))
        .stdout(predicate::str::contains("render"));
    bin().arg("frobnicate").assert().failure().code(2);
}

/// `inspect` says whether a phone would accept the poster now, with dates, and fails for an
/// expired one (issue 18, item 5).
#[test]
fn inspect_tells_an_expired_poster() {
    let t = TempDir::new().unwrap();
    let out = t.path().join("old");
    Command::cargo_bin("venue-keygen")
        .unwrap()
        .env("TZ", "UTC")
        .args(["new", "--name", "Old Inn", "--address", "x"])
        .args([
            "--valid-from",
            "2020-01-01 10:00",
            "--valid-until",
            "2020-02-01 10:00",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    Command::cargo_bin("venue-keygen")
        .unwrap()
        .env("TZ", "UTC")
        .arg("inspect")
        .arg(out.join("poster.url"))
        .assert()
        .failure()
        .stdout(predicate::str::contains("Signature:     valid"))
        .stdout(predicate::str::contains(
            "EXPIRED at 2020-02-01 10:00 UTC: phones refuse it",
        ));
}

/// A poster made without --base-url points at the placeholder server, and the owner is told
/// (issue 18, item 6).
#[test]
fn the_placeholder_base_url_is_warned_about() {
    let t = TempDir::new().unwrap();
    Command::cargo_bin("venue-keygen")
        .unwrap()
        .env_remove("CHECKIN_BASE_URL")
        .args(["new", "--name", "Inn", "--address", "x", "--out"])
        .arg(t.path().join("v"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Note: the poster points at the placeholder https://checkin.example/v1/c",
        ));
    Command::cargo_bin("venue-keygen")
        .unwrap()
        .args(["new", "--name", "Inn", "--address", "x"])
        .args(["--base-url", "https://notify.example.org/v1/c", "--out"])
        .arg(t.path().join("w"))
        .assert()
        .success()
        .stdout(predicate::str::contains("placeholder").not());
}

/// `render` draws the poster of an existing key again: the same code, new files, existing
/// files replaced only with --force, and all or nothing (issue 18, item 2).
#[test]
fn render_draws_the_same_code_again_from_a_key() {
    let t = TempDir::new().unwrap();
    let venue = t.path().join("crown");
    new_venue(&venue, "The Crown").success();
    let key = std::fs::read(venue.join("venue.key")).unwrap();
    let url = url_of(&venue);

    // Into a new directory: the same URL, read back from the new image by another decoder.
    let again = t.path().join("again");
    bin()
        .args(["render", "--key"])
        .arg(venue.join("venue.key"))
        .arg("--out")
        .arg(&again)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Drew the poster of The Crown again",
        ));
    assert_eq!(url_of(&again), url);
    let codes = rqrr_decode(&again.join("poster.png"));
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].0, url);
    for f in ["poster.pdf", "poster.svg"] {
        assert!(again.join(f).metadata().unwrap().len() > 0, "{f}");
    }
    assert!(
        !again.join("venue.key").exists(),
        "render never copies the key"
    );

    // Over the venue's own files: refused without --force, and nothing touched.
    std::fs::remove_file(venue.join("poster.svg")).unwrap();
    let png = std::fs::read(venue.join("poster.png")).unwrap();
    bin()
        .args(["render", "--key"])
        .arg(venue.join("venue.key"))
        .arg("--out")
        .arg(&venue)
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"))
        .stderr(predicate::str::contains("--force"));
    assert!(
        !venue.join("poster.svg").exists(),
        "nothing written when refused"
    );
    assert_eq!(std::fs::read(venue.join("poster.png")).unwrap(), png);
    // With --force: all four files, the key untouched.
    bin()
        .args(["render", "--force", "--key"])
        .arg(venue.join("venue.key"))
        .arg("--out")
        .arg(&venue)
        .assert()
        .success();
    assert!(venue.join("poster.svg").exists());
    assert_eq!(std::fs::read(venue.join("venue.key")).unwrap(), key);
    assert_eq!(url_of(&venue), url);

    // Another base URL: the same signed code behind it.
    let moved = t.path().join("moved");
    bin()
        .args([
            "render",
            "--base-url",
            "https://checkin.example.org/v1/c",
            "--key",
        ])
        .arg(venue.join("venue.key"))
        .arg("--out")
        .arg(&moved)
        .assert()
        .success();
    let moved_url = url_of(&moved);
    assert!(moved_url.starts_with("https://checkin.example.org/v1/c#"));
    assert_eq!(moved_url.split('#').nth(1), url.split('#').nth(1));

    // Not a key file: a clear refusal, nothing written.
    let nowhere = t.path().join("nowhere");
    bin()
        .args(["render", "--key"])
        .arg(venue.join("poster.url"))
        .arg("--out")
        .arg(&nowhere)
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a usable venue key file"));
    assert!(!nowhere.exists());
}

/// `bulk --force` draws existing venues' posters again from their keys and never replaces a
/// key; without it, the advice to use it is printed (issue 18, item 2).
#[test]
fn bulk_force_redraws_posters_and_keeps_keys() {
    let t = TempDir::new().unwrap();
    let csv = t.path().join("venues.csv");
    std::fs::write(
        &csv,
        "name,address,category,stay,valid_from,valid_until\n\
         The Crown,1 High Street,pub,120,,\n\
         Café Zürich,Limmatquai 1,cafe,90,,\n",
    )
    .unwrap();
    let out = t.path().join("out");
    let run = |force: bool| {
        let mut c = bin();
        c.args(["bulk", "--csv"]).arg(&csv).arg("--out").arg(&out);
        if force {
            c.arg("--force");
        }
        c.assert()
    };
    run(false).success();
    let dirs: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let before: Vec<(Vec<u8>, String)> = dirs
        .iter()
        .map(|d| (std::fs::read(d.join("venue.key")).unwrap(), url_of(d)))
        .collect();
    for d in &dirs {
        std::fs::remove_file(d.join("poster.pdf")).unwrap();
    }
    run(false)
        .success()
        .stderr(predicate::str::contains("--force draws its poster again"))
        .stdout(predicate::str::contains("kept 2 existing"));
    assert!(!dirs[0].join("poster.pdf").exists());
    run(true)
        .success()
        .stdout(predicate::str::contains("drew 2 existing poster(s) again"));
    let after: Vec<(Vec<u8>, String)> = dirs
        .iter()
        .map(|d| (std::fs::read(d.join("venue.key")).unwrap(), url_of(d)))
        .collect();
    assert_eq!(before, after, "keys and codes unchanged");
    for d in &dirs {
        assert!(d.join("poster.pdf").exists());
    }
}
