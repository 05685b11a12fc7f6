//! Case files held for a tracer (spec section 16b): a citizen's phone posts its sealed case
//! diary and shows the code it gets; the tracer fetches the file once with that code. The
//! server cannot open the file (it is sealed to the authority's case key); it checks its shape,
//! holds it for a day, and deletes it when fetched.

#[allow(
    clippy::wildcard_imports,
    reason = "the area shares the API module's state, errors and extractors"
)]
use super::*;

/// Largest `POST /v1/cases` body: the longest case file (spec section 17) in base64url, with
/// room for the JSON around it.
pub const CASE_BODY_LIMIT: u64 = 1_100_000;

/// How long an unfetched case file is held, seconds.
pub const CASE_HOLD_SECS: u64 = 86_400;

/// The code alphabet: RFC 4648 base32 (no 0, 1, 8 or 9, so nothing reads as O, I or B).
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// What a case code is derived from, besides the file (BLAKE3's key derivation context).
const CODE_CONTEXT: &str = protocol::domain::CASE_CODE;

/// The code for `file`: 12 characters (60 bits of a digest of the file) in groups of four,
/// `ABCD-EFGH-JKLM`. Derived from the file rather than drawn at random, so that the same file
/// posted again (its answer lost, or a 503) is held once under the same code (spec 16b). A
/// case file is a fresh ciphertext, so its code is as unpredictable as 60 random bits to
/// anyone without the file. `attempt` moves to another code in the rare case (one in 2^60 a
/// file) that one is taken by another file.
fn code_for(file: &[u8], attempt: u32) -> String {
    let mut hasher = blake3::Hasher::new_derive_key(CODE_CONTEXT);
    hasher.update(&attempt.to_be_bytes());
    hasher.update(file);
    let chars: Vec<char> = hasher.finalize().as_bytes()[..12]
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as a person may type it (any case, with or without hyphens or spaces, 0 for O and
/// 1 for I) in its canonical form, or `None`.
pub fn canonical_code(typed: &str) -> Option<String> {
    let chars: Vec<char> = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            '0' => 'O',
            '1' => 'I',
            c => c,
        })
        .collect();
    if chars.len() != 12
        || !chars
            .iter()
            .all(|c| c.is_ascii() && ALPHABET.contains(&(*c as u8)))
    {
        return None;
    }
    Some(
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-"),
    )
}

/// An answer no cache may keep (`Cache-Control: no-store`): a case file and the code that
/// fetches it are for one tracer and one citizen, never for a shared or browser cache.
pub struct NoStore<R>(pub R);

impl<'r, R: Responder<'r, 'static>> Responder<'r, 'static> for NoStore<R> {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let mut res = self.0.respond_to(req)?;
        res.set_raw_header("Cache-Control", "no-store");
        Ok(res)
    }
}

fn case_error(e: &protocol::CaseError) -> ApiError {
    ApiError::new(Status::BadRequest, e.code(), e.to_string())
}

/// Holds a sealed case file for a tracer, durably, and answers the code that fetches it.
#[post("/v1/cases", format = "json", data = "<data>")]
pub async fn post_case(
    app: &State<App>,
    addr: ClientAddr,
    data: Data<'_>,
) -> Result<NoStore<(Status, Json<CaseHeld>)>, ApiError> {
    limit(app, &addr, Purpose::Cases)?;
    let body: PostCase = large_json(app, data, CASE_BODY_LIMIT.bytes()).await?;
    let file = b64("case", &body.case)?;
    protocol::CaseDiary::check_shape(&file).map_err(|e| case_error(&e))?;
    let hold_until = now() + CASE_HOLD_SECS;
    let file = Arc::new(file);
    // The same file held already keeps its code (its hold renewed); a code taken by another
    // file moves to the next attempt's.
    let mut attempt = 0;
    let (code, expires_at) = loop {
        let code = code_for(&file, attempt);
        let (c, f) = (code.clone(), Arc::clone(&file));
        if let Some(until) = blocking(app, move |store| store.put_case(&c, hold_until, &f)).await? {
            break (code, until);
        }
        attempt += 1;
    };
    app.durable.wait().await?;
    Ok(NoStore((
        Status::Created,
        Json(CaseHeld { code, expires_at }),
    )))
}

/// The case file held under `code`, once: it is deleted as it is answered.
#[get("/v1/cases/<code>")]
pub async fn get_case(
    app: &State<App>,
    addr: ClientAddr,
    code: &str,
) -> Result<NoStore<Json<CaseFile>>, ApiError> {
    // Counted before the code is even read, so that guessing codes is slow.
    limit(app, &addr, Purpose::Cases)?;
    let code = canonical_code(code).ok_or_else(|| {
        ApiError::new(
            Status::BadRequest,
            "bad_parameter",
            "a case code is 12 letters and digits 2 to 7, such as ABCD-EFGH-JKLM",
        )
    })?;
    let now = now();
    let file = blocking(app, move |store| store.take_case(&code, now)).await?;
    app.durable.wait().await?;
    match file {
        Some(file) => Ok(NoStore(Json(CaseFile {
            case: URL_SAFE_NO_PAD.encode(file),
        }))),
        None => Err(ApiError::new(
            Status::NotFound,
            "case_not_found",
            "no case file is held under this code: it was fetched already, it expired (files are held for a day), or the code is mistyped",
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn codes_are_read_as_people_type_them() {
        let code = code_for(b"a case file", 0);
        assert_eq!(code.len(), 14);
        assert_eq!(code, code_for(b"a case file", 0));
        assert_ne!(code, code_for(b"a case file", 1));
        assert_eq!(canonical_code(&code).as_deref(), Some(code.as_str()));
        assert_eq!(
            canonical_code("abcd efgh jk1m").as_deref(),
            Some("ABCD-EFGH-JKIM")
        );
        assert_eq!(
            canonical_code("0BCDEFGHJKLM").as_deref(),
            Some("OBCD-EFGH-JKLM")
        );
        assert_eq!(canonical_code("ABCD-EFGH-JKL"), None);
        assert_eq!(canonical_code("ABCD-EFGH-JKL8"), None);
        assert_eq!(canonical_code("ÄBCD-EFGH-JKLM"), None);
    }
}
