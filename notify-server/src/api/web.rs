//! The phone client (`web/`), served at the poster path (`app_path`, `/v1/c` by default): the
//! page a phone camera opens from a poster, and the files beside it. The files are built by
//! esbuild into `web/dist`, committed, and compiled into this binary, so the README's one
//! command serves them with no build step; a test rebuilds them and fails on any difference.
//!
//! Every answer carries a strict Content-Security-Policy: scripts, styles and connections
//! only from this origin, no inline script, nothing framed. The poster itself travels in the
//! URL's fragment, which browsers never send: no request here carries it.

#[allow(
    clippy::wildcard_imports,
    reason = "the area shares the API module's state, errors and extractors"
)]
use super::*;

/// The Content-Security-Policy of every file of the app.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                       connect-src 'self'; manifest-src 'self'; worker-src 'self'; \
                       base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The built files, as committed in `web/dist`.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../web/dist/app.js"),
    ),
    (
        "sw.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../web/dist/sw.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../web/dist/app.css"),
    ),
    (
        "manifest.webmanifest",
        "application/manifest+json",
        include_bytes!("../../../web/dist/manifest.webmanifest"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_bytes!("../../../web/dist/icon.svg"),
    ),
    (
        "icon-192.png",
        "image/png",
        include_bytes!("../../../web/dist/icon-192.png"),
    ),
    (
        "icon-512.png",
        "image/png",
        include_bytes!("../../../web/dist/icon-512.png"),
    ),
    (
        "icon-maskable.png",
        "image/png",
        include_bytes!("../../../web/dist/icon-maskable.png"),
    ),
    (
        "LICENSES.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../../../web/dist/LICENSES.txt"),
    ),
    // The release's hashes and the authority's signature over them (spec section 16d), so
    // that phones and `checkin verify-app` can compare what is served with a signed release.
    (
        "SHA256SUMS",
        "text/plain; charset=utf-8",
        include_bytes!("../../../web/dist/SHA256SUMS"),
    ),
    (
        "SHA256SUMS.sig",
        "text/plain; charset=utf-8",
        include_bytes!("../../../web/dist/SHA256SUMS.sig"),
    ),
];

const INDEX: &[u8] = include_bytes!("../../../web/dist/index.html");

/// The path the built files name for themselves; replaced by `app_path` once, at start.
const BUILT_PATH: &str = "/v1/c";

/// One file, ready to serve: its bytes, gzip-coded bytes where smaller, type and tag.
pub struct WebFile {
    body: Arc<[u8]>,
    gzipped: Option<Arc<[u8]>>,
    content_type: &'static str,
    etag: String,
}

/// The app's files, by name (`""` is the page).
pub struct WebApp {
    files: HashMap<&'static str, WebFile>,
    path: String,
}

impl WebApp {
    /// The files for a server whose poster path is `path` and which pins `trust` (served as
    /// `trust.txt`: the app pins it at its first run, from the origin that serves its code).
    pub fn new(path: &str, trust_text: &str) -> Result<WebApp, String> {
        let rebase = |bytes: &[u8]| -> Vec<u8> {
            let text = String::from_utf8_lossy(bytes);
            text.replace(&format!("\"{BUILT_PATH}/"), &format!("\"{path}/"))
                .replace(&format!("\"{BUILT_PATH}\""), &format!("\"{path}\""))
                .into_bytes()
        };
        let mut files = HashMap::new();
        let mut add = |name: &'static str, content_type: &'static str, body: Vec<u8>| {
            let gz = bundles::gzip(&body).map_err(|e| e.0)?;
            let etag = format!("\"{}\"", &blake3::hash(&body).to_hex()[..32]);
            files.insert(
                name,
                WebFile {
                    gzipped: (gz.len() < body.len()).then_some(gz),
                    body: body.into(),
                    content_type,
                    etag,
                },
            );
            Ok::<(), String>(())
        };
        add("", "text/html; charset=utf-8", rebase(INDEX))?;
        for (name, content_type, bytes) in FILES {
            let body = if *name == "manifest.webmanifest" {
                rebase(bytes)
            } else {
                bytes.to_vec()
            };
            add(name, content_type, body)?;
        }
        add(
            "trust.txt",
            "text/plain; charset=utf-8",
            trust_text.as_bytes().to_vec(),
        )?;
        Ok(WebApp {
            files,
            path: path.to_owned(),
        })
    }
}

/// A file of the app, with its headers.
pub struct Served<'a> {
    file: &'a WebFile,
    gzip: bool,
    not_modified: bool,
    worker_scope: Option<String>,
}

impl<'r, 'a: 'r> Responder<'r, 'static> for Served<'a> {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        let mut res = response::Response::build();
        res.raw_header("Content-Security-Policy", CSP)
            .raw_header("X-Content-Type-Options", "nosniff")
            .raw_header("Referrer-Policy", "no-referrer")
            .raw_header("Cross-Origin-Opener-Policy", "same-origin")
            .raw_header("Cache-Control", "no-cache")
            .raw_header("Vary", "Accept-Encoding")
            .raw_header("ETag", self.file.etag.clone());
        if let Some(scope) = self.worker_scope {
            res.raw_header("Service-Worker-Allowed", scope);
        }
        if self.not_modified {
            res.status(Status::NotModified);
            return Ok(res.finalize());
        }
        let body = match (&self.file.gzipped, self.gzip) {
            (Some(gz), true) => {
                res.raw_header("Content-Encoding", "gzip");
                Arc::clone(gz)
            }
            _ => Arc::clone(&self.file.body),
        };
        res.raw_header("Content-Type", self.file.content_type);
        let len = body.len();
        res.sized_body(len, std::io::Cursor::new(body));
        Ok(res.finalize())
    }
}

fn serve<'a>(
    web: &'a WebApp,
    name: &str,
    inm: &IfNoneMatch,
    accepts: &AcceptsGzip,
) -> Option<Served<'a>> {
    let file = web.files.get(name)?;
    Some(Served {
        file,
        gzip: accepts.0,
        not_modified: inm.0.as_deref() == Some(file.etag.as_str()),
        worker_scope: (name == "sw.js").then(|| web.path.clone()),
    })
}

/// The page a poster's URL opens.
#[get("/")]
pub fn web_index<'a>(
    web: &'a State<WebApp>,
    inm: IfNoneMatch,
    accepts: AcceptsGzip,
) -> Option<Served<'a>> {
    serve(web, "", &inm, &accepts)
}

/// A file beside the page; any other name is the API's JSON 404.
#[get("/<name>")]
pub fn web_file<'a>(
    web: &'a State<WebApp>,
    name: &str,
    inm: IfNoneMatch,
    accepts: AcceptsGzip,
) -> Option<Served<'a>> {
    serve(web, name, &inm, &accepts)
}
