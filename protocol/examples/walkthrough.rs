//! The whole protocol in one run, on the library alone: a venue makes a poster, three
//! citizens check in, a tracer asks the venue to approve a notice and publishes it, phones
//! match locally (alerting only for the approved notice), and a consented
//! contact record is opened by tracer, venue and authority together.
//!
//! `cargo run --release -p protocol --example walkthrough`
#![allow(clippy::print_stdout, reason = "a demonstration prints")]

use std::error::Error;

use protocol::case::CaseDiary;
use protocol::notice::{seal_notices, sign_bundle};
use protocol::vault::{open_inner, seal_visit, strip_outer};
use protocol::*;
use rand_core::UnwrapErr;

const T0: u64 = 1_767_258_000; // 2026-01-01 09:00 UTC

fn hm(t: u64) -> String {
    format!("{:02}:{:02}", (t % 86_400) / 3600, (t % 3600) / 60)
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut rng = UnwrapErr(rand::rngs::SysRng);

    // The venue.
    let venue_secret = VenueSecret::generate(&mut rng);
    let venue = venue_secret.keys();
    let poster = Poster::sign(
        &venue,
        PosterInfo {
            name: "Café Zürich".into(),
            address: "Limmatquai 1, 8001 Zürich".into(),
            category: "cafe".into(),
            default_stay_minutes: 90,
            validity: None,
        },
    )?;
    let url = poster.to_url("https://checkin.example/v1/c")?;
    println!(
        "venue poster   {} ({} bytes, fingerprint {})",
        poster.info().name,
        poster.to_bytes().len(),
        poster.fingerprint()
    );
    println!("poster URL     {url}");

    let other = Poster::sign(
        &VenueSecret::generate(&mut rng).keys(),
        PosterInfo {
            name: "東京ラーメン".into(),
            address: String::new(),
            category: "restaurant".into(),
            default_stay_minutes: 45,
            validity: None,
        },
    )?;

    // Three citizens scan posters; nothing leaves their phones.
    let day = T0 - 9 * 3600;
    let a = Visit::new(
        &Poster::from_url_or_payload(&url)?,
        day + 12 * 3600 + 600,
        day + 13 * 3600 + 2400,
    )?;
    let b = Visit::new(&poster, day + 16 * 3600, day + 17 * 3600)?;
    let c = Visit::new(&other, day + 12 * 3600 + 1800, day + 13 * 3600)?;
    for (who, v) in [("A", a), ("B", b), ("C", c)] {
        println!(
            "citizen {who}      checked in {}–{}",
            hm(v.arrival()),
            hm(v.departure())
        );
    }

    // The authority certifies a tracer; the tracer notifies the café for 12:00–14:00.
    let root = Ed25519Secret::generate(&mut rng);
    let sealing = SealingSecretKey::generate(&mut rng);
    // Two of three emergency officers approve together for a venue that cannot be reached.
    let officers = (0..3)
        .map(|_| Ed25519Secret::generate(&mut rng).verifying_key())
        .collect();
    let emergency = protocol::EmergencyOfficers::new(officers, 2)?;
    let tracer = Ed25519Secret::generate(&mut rng);
    let cert = Certificate::issue(
        &root,
        &tracer.verifying_key(),
        "Example Health Board",
        day,
        day + 90 * 86_400,
    )?;
    // The venue approves the notice for this tracer's certificate: no single key alerts.
    let statement = ApprovalStatement {
        venue_id: poster.venue_id(),
        cert_digest: protocol::approval::cert_digest(&cert),
        start: day + 12 * 3600,
        end: day + 14 * 3600,
        severity: Severity::High,
        message: "You may have been exposed. Please book a test.".into(),
    };
    let approval = statement.approve_as_venue(&venue);
    println!("venue          approved the notice for {}", cert.name());
    let notice = VenueNotice {
        venue_id: poster.venue_id(),
        payload: statement.into_payload(approval),
    };
    let entries = seal_notices(&mut rng, &[notice])?;
    let bundle = sign_bundle(&tracer, &cert, day + 20 * 3600, &entries)?;
    println!(
        "tracer         published a bundle of {} bytes",
        bundle.len()
    );

    // Every phone verifies the bundle against the pinned root and matches locally.
    let verified = BundleVerifier::new(root.verifying_key()).verify(&bundle, day + 21 * 3600)?;
    for (who, v) in [("A", a), ("B", b), ("C", c)] {
        let matcher = Matcher::new(
            &[v],
            protocol::matching::DEFAULT_THRESHOLD_SECS,
            emergency.clone(),
        )?;
        let alerts = matcher.scan(&verified, &mut ScanStats::default());
        match alerts.first() {
            Some(al) => println!(
                "citizen {who}      ALERT: {} ({} min overlap, window {}–{}; issued by {}, approved by the {})",
                al.notice.message,
                al.overlap_secs / 60,
                hm(al.notice.start),
                hm(al.notice.end),
                al.issuer,
                al.approver.name()
            ),
            None => println!("citizen {who}      no alert"),
        }
    }

    // Citizen A consented to share contact details: one record per hour of the visit.
    let contact = ContactRecord {
        name: "Ada Lovelace".into(),
        phone: "+44 7700 900123".into(),
        email: "ada@example.org".into(),
        party_size: 2,
        arrival: a.arrival(),
        departure: a.departure(),
    };
    // The authority's trust file: one sealing key for this month; case diaries have their own.
    let case_key = SealingSecretKey::generate(&mut rng);
    let trust = TrustAnchor {
        authority: "Example Health Board".into(),
        serial: 1,
        root: root.verifying_key(),
        emergency,
        case: case_key.public_key(),
        release: None,
        sealing: vec![SealingPeriod {
            from: day - day % 86_400,
            until: day - day % 86_400 + 31 * 86_400,
            key: sealing.public_key(),
        }],
    };
    let records = seal_visit(&mut rng, &poster, &trust, &contact)?;
    let hours: Vec<Tag> = hours_covered(day + 12 * 3600, day + 14 * 3600)
        .map(|h| vault_tag(&poster.venue_id(), h))
        .collect();
    let inner = strip_outer(&venue, &hours, &records[0])?; // the venue's step, offline
    let opened = open_inner(&sealing, &inner)?; // the authority's step
    println!(
        "vault          {} records uploaded; opened by tracer+venue+authority: {} ({}), party of {}",
        records.len(),
        opened.name,
        opened.phone,
        opened.party_size
    );

    // A case diary shared with the authority.
    let case = CaseDiary {
        created_at: day + 86_400,
        visits: vec![CaseVisit {
            poster: poster.clone(),
            arrival: a.arrival(),
            departure: a.departure(),
        }],
    };
    let file = case.seal(&mut rng, &trust.case)?;
    let back = CaseDiary::open(&case_key, &file)?;
    println!(
        "case diary     {} bytes sealed; the authority reads {} visit(s), first at {}",
        file.len(),
        back.visits.len(),
        back.visits[0].poster.info().name
    );
    Ok(())
}
