//! `files.json`: the JSON and text files parties hand each other (spec sections 11a.1, 14.4
//! and 16c), one valid file of each kind and one negative file per refusal. `protocol` has no
//! JSON reader of its own, so these are generated here and run by `common/tests/files.rs`,
//! through the functions the programs read these files with.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use protocol::approval::{Approval, Statement};
use protocol::unwrap_request::{UnwrapStatement, request_file_hash};

use super::*;

fn b64(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

fn text(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap() + "\n"
}

/// `v` with `field` set to `value` (or removed when `value` is null).
fn with(v: &Value, field: &str, value: Value) -> Value {
    let mut v = v.clone();
    let o = v.as_object_mut().unwrap();
    if value.is_null() {
        o.remove(field);
    } else {
        o.insert(field.into(), value);
    }
    v
}

pub(super) fn gen_files(f: &Fixture) -> Value {
    let now = T0 + 9 * 86_400;
    let (start, end) = (T0 + 12 * 3600, T0 + 14 * 3600);
    let message = "You may have been exposed. Take a test.";

    // Approval request and approval.
    let request_for = |poster: &Poster, cert: &Certificate, start: u64, end: u64| {
        json!({
            "format": "checkin-approval-request/v1",
            "poster": poster.payload(),
            "certificate": b64(cert.to_bytes()),
            "start": start,
            "end": end,
            "severity": "high",
            "message": message,
        })
    };
    let request = request_for(&f.poster, &f.cert, start, end);
    let statement_for = |poster: &Poster, cert: &Certificate, message: &str| Statement {
        venue_id: poster.venue_id(),
        cert_digest: cert_digest(cert),
        start,
        end,
        severity: Severity::High,
        message: message.into(),
    };
    let approval_of = |request: &Value, approver: &str, signature: &[u8]| {
        json!({
            "format": "checkin-approval/v1",
            "request": request,
            "approver": approver,
            "signature": b64(signature),
        })
    };
    let venue_sig = |st: Statement| match st.approve_as_venue(&f.venue.keys()) {
        Approval::Venue(sig) => sig,
        Approval::Authority(_) => unreachable!(),
    };
    let venue_signature = venue_sig(statement_for(&f.poster, &f.cert, message));
    let approval = approval_of(&request, "venue", &venue_signature);
    // The authority's approval: officers 0 and 2 of trust.json's three sign (threshold 2).
    let officer_key = |i: usize| b64(f.officers[i].verifying_key().as_bytes());
    let officer_sig = |i: usize| {
        statement_for(&f.poster, &f.cert, message)
            .sign_as_officer(i as u8, &f.officers[i])
            .signature
    };
    let by_officers = |request: &Value, officers: &[(String, [u8; 64])]| {
        json!({
            "format": "checkin-approval/v1",
            "request": request,
            "approver": "authority",
            "officers": officers.iter().map(|(k, s)| json!({"key": k, "signature": b64(s)})).collect::<Vec<_>>(),
        })
    };
    let authority_approval = by_officers(
        &request,
        &[
            (officer_key(0), officer_sig(0)),
            (officer_key(2), officer_sig(2)),
        ],
    );

    // Vault request and response.
    let hours = vec![hour_of(start), hour_of(start) + 1];
    let vault_request_for = |poster: &Poster, signed_at: u64| {
        let statement = UnwrapStatement {
            venue_id: poster.venue_id(),
            from: start,
            to: end,
            signed_at,
            hours: hours.clone(),
        };
        json!({
            "format": "checkin-vault-request/v1",
            "poster": poster.payload(),
            "hours": hours,
            "records": [b64(&[0u8; 384]), b64(&[1u8; 384])],
            "from": start,
            "to": end,
            "certificate": b64(f.cert.to_bytes()),
            "signed_at": signed_at,
            "signature": b64(&statement.sign(&f.tracer)),
        })
    };
    let vault_request = vault_request_for(&f.poster, now - 3600);
    let vault_request_text = text(&vault_request);
    let response_for = |request_text: &str, venue: &Poster, indexes: (usize, usize)| {
        json!({
            "format": "checkin-vault-response/v1",
            "request": request_file_hash(request_text.as_bytes()),
            "venue_id": h(venue.venue_id().as_bytes()),
            "records": [{"index": indexes.0, "inner": b64(&[0u8; 320])}],
            "refused": [{"index": indexes.1, "reason": "the vault record does not decrypt"}],
        })
    };
    let vault_response = response_for(&vault_request_text, &f.poster, (0, 1));

    // Key files.
    let key_file = |header: &str, field: &str, value: &str| format!("{header}\n{field}: {value}\n");
    let tracer_pub = key_file(
        "checkin-tracer-pub v1",
        "public",
        &b64(f.tracer.verifying_key().as_bytes()),
    );
    let tracer_cert = key_file("checkin-tracer-cert v1", "cert", &b64(f.cert.to_bytes()));

    let mut negative: Vec<Value> = Vec::new();
    let mut neg = |kind: &str, name: &str, error: &str, file: String| {
        negative.push(json!({"kind": kind, "name": name, "error": error, "text": file}));
    };

    // Approval requests, as the authority checks them (and a venue, before its own check).
    let altered_poster = {
        let mut b = f.poster.to_bytes().to_vec();
        let last = b.len() - 1;
        b[last] ^= 1;
        b64(&b)
    };
    let other_root = Ed25519Secret::from_bytes(seed(9));
    let foreign_cert = Certificate::issue(
        &other_root,
        &f.tracer.verifying_key(),
        "Impostor",
        T0,
        T0 + 90 * 86_400,
    )
    .unwrap();
    let expired_cert = Certificate::issue(
        &f.root,
        &f.tracer.verifying_key(),
        "Example Health Board",
        T0,
        now - 1,
    )
    .unwrap();
    let ar = "approval_request";
    for (name, error, file) in [
        (
            "approval_request_is_a_vault_request",
            "file_wrong_kind",
            vault_request_text.clone(),
        ),
        (
            "approval_request_is_a_trust_file",
            "file_wrong_kind",
            "checkin-trust v1\nauthority: Example Health Board\n".to_string(),
        ),
        (
            "approval_request_not_json",
            "file_malformed",
            "{\"format\": \"checkin-approval-request/v1\",".to_string(),
        ),
        (
            "approval_request_without_format",
            "file_malformed",
            text(&with(&request, "format", Value::Null)),
        ),
        (
            "approval_request_unknown_field",
            "file_malformed",
            text(&with(&request, "hours", json!([1]))),
        ),
        (
            "approval_request_without_message",
            "file_malformed",
            text(&with(&request, "message", Value::Null)),
        ),
        (
            "approval_request_start_not_a_number",
            "file_malformed",
            text(&with(&request, "start", json!("noon"))),
        ),
        (
            "approval_request_poster_altered",
            "poster_bad_signature",
            text(&with(&request, "poster", json!(altered_poster))),
        ),
        (
            "approval_request_certificate_not_base64",
            "file_bad_value",
            text(&with(&request, "certificate", json!("not base64!"))),
        ),
        (
            "approval_request_certificate_truncated",
            "cert_truncated",
            text(&with(
                &request,
                "certificate",
                json!(b64(&f.cert.to_bytes()[..40])),
            )),
        ),
        (
            "approval_request_certificate_of_another_root",
            "cert_bad_signature",
            text(&request_for(&f.poster, &foreign_cert, start, end)),
        ),
        (
            "approval_request_certificate_expired",
            "cert_not_valid_at",
            text(&request_for(&f.poster, &expired_cert, start, end)),
        ),
        (
            "approval_request_severity_medium",
            "approval_invalid_severity",
            text(&with(&request, "severity", json!("medium"))),
        ),
        (
            "approval_request_window_reversed",
            "notice_invalid_window",
            text(&with(&request, "end", json!(start - 1))),
        ),
        (
            "approval_request_message_with_direction_override",
            "notice_invalid_message",
            text(&with(&request, "message", json!("\u{202E}Take a test"))),
        ),
        (
            "approval_request_window_ends_in_the_future",
            "approval_window_in_future",
            text(&request_for(&f.poster, &f.cert, now - 3600, now + 301)),
        ),
        (
            "approval_request_window_starts_over_14_days_ago",
            "approval_window_too_old",
            text(&request_for(
                &f.poster,
                &f.cert,
                now - 14 * 86_400 - 1,
                now - 14 * 86_400 + 3600,
            )),
        ),
    ] {
        neg(ar, name, error, file);
    }
    neg(
        "approval_request_revoked",
        "approval_request_by_a_revoked_tracer",
        "approval_certificate_revoked",
        text(&request),
    );
    neg(
        "approval_request_for_venue",
        "approval_request_for_another_venue",
        "approval_not_own_venue",
        text(&request_for(&f.poster2, &f.cert, start, end)),
    );

    // Approvals, as the tracer checks them before publishing.
    let emergency_signature = officer_sig(0);
    let publish_only_request = request_for(&f.poster, &f.publish_only, start, end);
    let publish_only_signature = venue_sig(statement_for(&f.poster, &f.publish_only, message));
    for (name, error, file) in [
        (
            "approval_is_an_approval_request",
            "file_wrong_kind",
            text(&request),
        ),
        (
            "approval_unknown_field",
            "file_malformed",
            text(&with(&approval, "comment", json!("ok"))),
        ),
        (
            "approval_approver_tracer",
            "approval_invalid_approver",
            text(&with(&approval, "approver", json!("tracer"))),
        ),
        (
            "approval_signature_63_bytes",
            "file_bad_value",
            text(&with(
                &approval,
                "signature",
                json!(b64(&venue_signature[..63])),
            )),
        ),
        (
            "approval_emergency_signature_claimed_as_venue",
            "approval_bad_signature",
            text(&approval_of(&request, "venue", &emergency_signature)),
        ),
        (
            "approval_venue_signature_claimed_as_authority",
            "approval_bad_signature",
            text(&by_officers(
                &request,
                &[
                    (officer_key(0), venue_signature),
                    (officer_key(2), officer_sig(2)),
                ],
            )),
        ),
        (
            "approval_authority_with_a_single_signature_field",
            "file_malformed",
            text(&approval_of(&request, "authority", &emergency_signature)),
        ),
        (
            "approval_venue_with_officers",
            "file_malformed",
            text(&with(&authority_approval, "approver", json!("venue"))),
        ),
        (
            "approval_by_one_officer_alone",
            "approval_too_few_officers",
            text(&by_officers(&request, &[(officer_key(2), officer_sig(2))])),
        ),
        (
            "approval_by_no_officer",
            "approval_too_few_officers",
            text(&by_officers(&request, &[])),
        ),
        (
            "approval_by_an_unknown_officer",
            "approval_unknown_officer",
            text(&by_officers(
                &request,
                &[
                    (officer_key(0), officer_sig(0)),
                    (
                        b64(f.tracer.verifying_key().as_bytes()),
                        statement_for(&f.poster, &f.cert, message)
                            .sign_as_officer(1, &f.tracer)
                            .signature,
                    ),
                ],
            )),
        ),
        (
            "approval_by_one_officer_twice",
            "approval_duplicate_officer",
            text(&by_officers(
                &request,
                &[
                    (officer_key(2), officer_sig(2)),
                    (officer_key(2), officer_sig(2)),
                ],
            )),
        ),
        (
            "approval_officer_signature_under_another_officers_key",
            "approval_bad_signature",
            text(&by_officers(
                &request,
                &[
                    (officer_key(0), officer_sig(0)),
                    (officer_key(1), officer_sig(2)),
                ],
            )),
        ),
        (
            "approval_officer_key_31_bytes",
            "file_bad_value",
            text(&by_officers(
                &request,
                &[
                    (officer_key(0), officer_sig(0)),
                    (
                        b64(&f.officers[2].verifying_key().as_bytes()[..31]),
                        officer_sig(2),
                    ),
                ],
            )),
        ),
        (
            "approval_message_changed_after_signing",
            "approval_bad_signature",
            text(&approval_of(
                &with(&request, "message", json!("All clear.")),
                "venue",
                &venue_signature,
            )),
        ),
        (
            "approval_request_inside_is_invalid",
            "approval_invalid_severity",
            text(&approval_of(
                &with(&request, "severity", json!("urgent")),
                "venue",
                &venue_signature,
            )),
        ),
    ] {
        neg("approval", name, error, file);
    }
    neg(
        "approval_for_tracer",
        "approval_of_another_certificate",
        "approval_not_own_certificate",
        text(&approval_of(
            &publish_only_request,
            "venue",
            &publish_only_signature,
        )),
    );

    // Vault requests, as the venue checks them (its own poster is poster.json valid[0]).
    let mut many = vault_request.clone();
    many["records"] = json!(vec![""; protocol::unwrap_request::MAX_REQUEST_RECORDS + 1]);
    let many = serde_json::to_string(&many).unwrap();
    for (name, error, file) in [
        (
            "vault_request_is_an_approval",
            "file_wrong_kind",
            text(&approval),
        ),
        (
            "vault_request_is_a_tracer_public_key_file",
            "file_wrong_kind",
            tracer_pub.clone(),
        ),
        (
            "vault_request_unknown_field",
            "file_malformed",
            text(&with(&vault_request, "venue", json!("Café Zürich"))),
        ),
        (
            "vault_request_without_signature",
            "file_malformed",
            text(&with(&vault_request, "signature", Value::Null)),
        ),
        (
            "vault_request_poster_altered",
            "poster_bad_signature",
            text(&with(&vault_request, "poster", json!(altered_poster))),
        ),
        (
            "vault_request_for_another_venue",
            "unwrap_request_not_own_venue",
            text(&vault_request_for(&f.poster2, now - 3600)),
        ),
        (
            "vault_request_100001_records",
            "unwrap_request_too_many_records",
            many,
        ),
        (
            "vault_request_certificate_not_base64",
            "file_bad_value",
            text(&with(&vault_request, "certificate", json!("***"))),
        ),
        (
            "vault_request_signature_not_base64",
            "file_bad_value",
            text(&with(&vault_request, "signature", json!("***"))),
        ),
        (
            "vault_request_window_widened_after_signing",
            "unwrap_request_bad_signature",
            text(&with(&vault_request, "from", json!(start - 3600))),
        ),
        (
            "vault_request_signed_over_a_week_ago",
            "unwrap_request_stale",
            text(&vault_request_for(&f.poster, now - 7 * 86_400 - 1)),
        ),
    ] {
        neg("vault_request", name, error, file);
    }
    neg(
        "vault_request_revoked",
        "vault_request_by_a_revoked_tracer",
        "unwrap_request_certificate_revoked",
        vault_request_text.clone(),
    );

    // Vault responses, as the tracer checks them against `vault_request`.
    let other_request = text(&vault_request_for(&f.poster, now - 7200));
    for (name, error, file) in [
        (
            "vault_response_is_a_vault_request",
            "file_wrong_kind",
            vault_request_text.clone(),
        ),
        (
            "vault_response_unknown_field",
            "file_malformed",
            text(&with(&vault_response, "note", json!(""))),
        ),
        (
            "vault_response_answers_another_request",
            "vault_response_wrong_request",
            text(&response_for(&other_request, &f.poster, (0, 1))),
        ),
        (
            "vault_response_names_another_venue",
            "vault_response_wrong_venue",
            text(&response_for(&vault_request_text, &f.poster2, (0, 1))),
        ),
        (
            "vault_response_index_past_the_records",
            "vault_response_invalid_index",
            text(&response_for(&vault_request_text, &f.poster, (0, 2))),
        ),
        (
            "vault_response_index_twice",
            "vault_response_invalid_index",
            text(&response_for(&vault_request_text, &f.poster, (1, 1))),
        ),
    ] {
        neg("vault_response", name, error, file);
    }

    // Key files (section 16c).
    let public = b64(f.tracer.verifying_key().as_bytes());
    for (name, error, file) in [
        (
            "tracer_pub_is_a_certificate_file",
            "file_wrong_kind",
            tracer_cert.clone(),
        ),
        (
            "tracer_pub_is_a_secret_key_file",
            "file_wrong_kind",
            key_file("checkin-tracer-key v1", "secret", &b64(&[7u8; 32])),
        ),
        (
            "tracer_pub_without_field",
            "file_malformed",
            "checkin-tracer-pub v1\n".to_string(),
        ),
        (
            "tracer_pub_field_renamed",
            "file_malformed",
            key_file("checkin-tracer-pub v1", "key", &public),
        ),
        (
            "tracer_pub_line_after_the_field",
            "file_malformed",
            format!("{tracer_pub}public: {public}\n"),
        ),
        (
            "tracer_pub_not_base64",
            "file_bad_value",
            key_file("checkin-tracer-pub v1", "public", "not base64!"),
        ),
        (
            "tracer_pub_31_bytes",
            "file_bad_value",
            key_file(
                "checkin-tracer-pub v1",
                "public",
                &b64(&f.tracer.verifying_key().as_bytes()[..31]),
            ),
        ),
        (
            "tracer_pub_identity_point",
            "file_bad_value",
            key_file("checkin-tracer-pub v1", "public", &b64(&small_order_u(1))),
        ),
        (
            "tracer_pub_non_canonical",
            "file_bad_value",
            key_file(
                "checkin-tracer-pub v1",
                "public",
                &b64(&non_canonical_ed25519()),
            ),
        ),
    ] {
        neg("tracer_pub", name, error, file);
    }
    for (name, error, file) in [
        (
            "tracer_cert_is_a_public_key_file",
            "file_wrong_kind",
            tracer_pub.clone(),
        ),
        (
            "tracer_cert_truncated",
            "cert_truncated",
            key_file(
                "checkin-tracer-cert v1",
                "cert",
                &b64(&f.cert.to_bytes()[..40]),
            ),
        ),
    ] {
        neg("tracer_cert", name, error, file);
    }

    json!({
        "description": "Files parties hand each other (spec sections 11a.1, 14.4, 16c), checked at `now` against trust.json's file. Each valid file is accepted; each negative `text`, read as a file of its `kind`, must be refused with `error`. Kinds: `approval_request` (checked as section 11a.1 says, by the authority), `approval_request_for_venue` (and then as poster.json valid[0]'s venue, its own), `approval_request_revoked` (and against revocation.json's `list`), `approval` (as the tracer of certificate.json's first certificate checks it; `approval_by_authority` is such a file, signed by trust.json's emergency officers 0 and 2), `approval_for_tracer` (and that the certificate is that tracer's own), `vault_request` (by the venue of poster.json valid[0]), `vault_request_revoked` (and against revocation.json's `list`), `vault_response` (against `vault_request`, byte for byte), `tracer_pub` and `tracer_cert` (section 16c). The vault request's records are placeholders: these checks never open them.",
        "now": now,
        "approval_request": text(&request),
        "approval": text(&approval),
        "approval_by_authority": text(&authority_approval),
        "vault_request": vault_request_text,
        "vault_response": text(&vault_response),
        "tracer_pub": tracer_pub,
        "tracer_cert": tracer_cert,
        "negative": negative,
    })
}
