//! Who is asking: the principal of a request, as the application layer sees
//! it. Front ends obtain one from the application (a login, a session, a
//! bearer token) or use [`Principal::public`] for anyone not logged in; every
//! use case that reads non-public data or changes anything takes one.

use serde::Serialize;
use xinyong_core::disclosure::Role;

/// The account behind a request, or the public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Principal {
    /// The account's id in the store; `None` for the public.
    pub account_id: Option<i64>,
    /// The account's user name; `"public"` for the public.
    pub username: String,
    #[schema(value_type = String)]
    pub role: Role,
    /// The USCC an `enterprise` account is bound to.
    pub uscc: Option<String>,
    /// The department code (a record `source`) a `department` account belongs to;
    /// for a `bank` account, the bank's code.
    pub department: Option<String>,
}

impl Principal {
    /// Anyone, not logged in.
    pub fn public() -> Principal {
        Principal {
            account_id: None,
            username: "public".to_owned(),
            role: Role::Public,
            uscc: None,
            department: None,
        }
    }

    /// The name written into the audit log as the actor.
    pub fn actor(&self) -> &str {
        &self.username
    }
}
