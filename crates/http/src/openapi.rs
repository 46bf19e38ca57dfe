//! The OpenAPI 3.1 document of the API, generated from the handlers'
//! annotations, with the bearer-token and session-cookie schemes.

use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::routes::ApiDoc;

/// The whole API's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    components.add_security_scheme(
        "session_cookie",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::SESSION_COOKIE))),
    );
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ROUTES;

    #[test]
    fn every_route_is_documented_and_every_documented_path_is_a_route() {
        let doc = openapi();
        let json = serde_json::to_value(&doc).unwrap();
        assert_eq!(json["openapi"].as_str().map(|v| &v[..3]), Some("3.1"));
        let paths = json["paths"].as_object().unwrap();
        for r in ROUTES {
            let item = paths
                .get(r.path)
                .unwrap_or_else(|| panic!("{} is not in the OpenAPI document", r.path));
            let m = r.method.as_str().to_lowercase();
            assert!(
                item.get(&m).is_some(),
                "{} {} is not documented",
                r.method,
                r.path
            );
        }
        let documented: usize = paths
            .values()
            .map(|item| item.as_object().map_or(0, |o| o.len()))
            .sum();
        assert_eq!(
            documented,
            ROUTES.len(),
            "a documented operation without a route"
        );
    }
}
