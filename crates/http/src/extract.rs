//! Extractors: who is calling (a bearer token, a session cookie, or the
//! public), from where, and JSON bodies and queries whose rejections speak
//! the error body of §4.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use xinyong_app::Principal;

use crate::AppState;
use crate::error::ApiError;

/// The name of the browser session cookie.
pub const SESSION_COOKIE: &str = "xinyong_session";

/// The credential a request carries: `Authorization: Bearer …` first, else
/// the session cookie.
pub fn credential(parts: &Parts) -> Option<String> {
    if let Some(v) = parts.headers.get(AUTHORIZATION) {
        let v = v.to_str().ok()?;
        let (scheme, token) = v.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_owned());
    }
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// Who is calling. A request without a credential is the public; a request
/// with a credential that is wrong, expired or revoked is answered 401 even
/// on a public route (a client should know its token no longer works).
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match credential(parts) {
            None => Ok(Caller(Principal::public())),
            Some(token) => Ok(Caller(state.app.authenticate(&token).await?)),
        }
    }
}

/// The client's address (for login throttling); `unknown` when the server
/// was not given connection information (in-process tests).
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string()),
        ))
    }
}

/// A JSON body; its rejections answer 400/413/415/422 with the error body.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(v) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Body(v))
    }
}

/// A query string; a value of the wrong type answers 422.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Query(v) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Query(v))
    }
}

/// A path parameter; one that does not parse is a 404 (no such thing).
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(v) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Path(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut b = axum::http::Request::builder().uri("/");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn bearer_first_then_the_session_cookie() {
        assert_eq!(
            credential(&parts(&[("authorization", "Bearer abc")])).as_deref(),
            Some("abc")
        );
        assert_eq!(
            credential(&parts(&[("cookie", "a=1; xinyong_session=xyz; b=2")])).as_deref(),
            Some("xyz")
        );
        assert_eq!(
            credential(&parts(&[
                ("authorization", "bearer t1"),
                ("cookie", "xinyong_session=t2")
            ]))
            .as_deref(),
            Some("t1")
        );
        // A Basic header is not a bearer token: no credential rather than a wrong one.
        assert_eq!(credential(&parts(&[("authorization", "Basic dTpw")])), None);
        assert_eq!(credential(&parts(&[("cookie", "other=1")])), None);
    }
}
