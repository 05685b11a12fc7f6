//! Push subscriptions (spec section 16b): a phone that opts in gives the server its push
//! subscription, and is woken when an hour closes holding new bundles (`crate::push`). The
//! subscription is deletable by the phone alone (with its auth secret), expires unless
//! renewed, and is purged at expiry. The server keeps no address with it.

#[allow(
    clippy::wildcard_imports,
    reason = "the area shares the API module's state, errors and extractors"
)]
use super::*;

pub use api::http::{PushKey, PushKeys, PushSubscribe, PushSubscribed, PushUnsubscribe};

use crate::store::{PushSubscription, Subscribed};

/// Largest push subscription body: an endpoint of at most 1,024 bytes and two keys.
pub const PUSH_BODY_LIMIT: u64 = 2 * 1024;

/// The pusher, or `404 push_disabled` when the operator turned push off.
fn pusher(app: &App) -> Result<&crate::push::Pusher, ApiError> {
    app.push.as_deref().ok_or_else(|| {
        ApiError::new(
            Status::NotFound,
            "push_disabled",
            "this server sends no push wake-ups: the app must check for notices by itself",
        )
    })
}

fn auth_secret(field: &'static str, value: &str) -> Result<[u8; 16], ApiError> {
    b64(field, value)?.try_into().map_err(|_| {
        ApiError::new(
            Status::BadRequest,
            "push_bad_auth",
            format!("'{field}' must be the subscription's 16-byte authentication secret"),
        )
    })
}

/// The server's VAPID public key, for `pushManager.subscribe` (`applicationServerKey`).
#[get("/v1/push/key")]
pub fn get_push_key(app: &State<App>) -> Result<Json<PushKey>, ApiError> {
    Ok(Json(PushKey {
        key: URL_SAFE_NO_PAD.encode(pusher(app)?.public_key()),
    }))
}

/// Stores a push subscription (201), or renews it (200), durably.
#[post("/v1/push/subscriptions", format = "json", data = "<data>")]
pub async fn post_push_subscription(
    app: &State<App>,
    addr: ClientAddr,
    data: Data<'_>,
) -> Result<(Status, Json<PushSubscribed>), ApiError> {
    let pusher = pusher(app)?;
    limit(app, &addr, Purpose::Push)?;
    let body: PushSubscribe = small_json(data, PUSH_BODY_LIMIT.bytes()).await?;
    crate::push::check_endpoint(&body.endpoint, pusher.services()).map_err(|why| {
        ApiError::new(
            Status::BadRequest,
            "push_bad_endpoint",
            format!("{why}: subscribe through the browser's own push service"),
        )
    })?;
    let p256dh: [u8; 65] = b64("keys.p256dh", &body.keys.p256dh)?
        .try_into()
        .ok()
        .filter(|k: &[u8; 65]| p256::PublicKey::from_sec1_bytes(k).is_ok())
        .ok_or_else(|| {
            ApiError::new(
                Status::BadRequest,
                "push_bad_key",
                "keys.p256dh must be the subscription's P-256 public key, uncompressed (65 bytes)",
            )
        })?;
    let auth = auth_secret("keys.auth", &body.keys.auth)?;
    let now = now();
    let mut expires_at = now + app.settings.push_subscription_days * 86_400;
    if let Some(ms) = body.expiration_time {
        let ends = (ms / 1000.0).floor();
        if !ends.is_finite() || ends <= now as f64 {
            return Err(ApiError::new(
                Status::BadRequest,
                "push_subscription_expired",
                "the subscription's expirationTime has passed: subscribe again",
            ));
        }
        if ends < expires_at as f64 {
            expires_at = ends as u64;
        }
    }
    let sub = PushSubscription {
        endpoint: body.endpoint,
        p256dh,
        auth,
        expires_at,
    };
    let max = app.settings.push_max_subscriptions;
    let outcome = blocking(app, move |store| store.push_subscribe(&sub, max)).await?;
    let status = match outcome {
        Subscribed::New => Status::Created,
        Subscribed::Renewed => Status::Ok,
        Subscribed::Taken => {
            return Err(ApiError::new(
                Status::Conflict,
                "push_endpoint_taken",
                "this endpoint is subscribed with another auth secret: delete that subscription \
                 first, or subscribe anew in the browser",
            ));
        }
        Subscribed::Full => {
            let mut e = ApiError::new(
                Status::ServiceUnavailable,
                "push_full",
                "the server holds as many push subscriptions as it may: the app must check for \
                 notices by itself; try again another day",
            );
            e.retry_after = Some(86_400);
            return Err(e);
        }
    };
    app.durable.wait().await?;
    Ok((status, Json(PushSubscribed { expires_at })))
}

/// Deletes a push subscription, given its endpoint and auth secret (204).
#[rocket::delete("/v1/push/subscriptions", format = "json", data = "<data>")]
pub async fn delete_push_subscription(
    app: &State<App>,
    addr: ClientAddr,
    data: Data<'_>,
) -> Result<Status, ApiError> {
    pusher(app)?;
    limit(app, &addr, Purpose::Push)?;
    let body: PushUnsubscribe = small_json(data, PUSH_BODY_LIMIT.bytes()).await?;
    let auth = auth_secret("auth", &body.auth)?;
    let endpoint = body.endpoint;
    let deleted = blocking(app, move |store| store.push_unsubscribe(&endpoint, &auth)).await?;
    if !deleted {
        return Err(ApiError::new(
            Status::NotFound,
            "push_subscription_not_found",
            "no subscription with this endpoint and auth secret is held: it was deleted, it \
             expired, or its push service said it is gone",
        ));
    }
    app.durable.wait().await?;
    Ok(Status::NoContent)
}
