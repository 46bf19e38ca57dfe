//! Who acts on a workflow.

use serde::{Deserialize, Serialize};

/// The role an event is carried out in.
///
/// This is the workflows' own small set: the application maps its roles
/// (PRODUCT.md §1) to it. Which *particular* enterprise, clerk or filer may
/// act (the subject's own account, the producing department, the filer of
/// this objection) depends on the case and is checked by the application
/// before it calls [`apply`](crate::objection::apply); the workflows check
/// the role only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An enterprise account, acting for the subject it is bound to.
    Enterprise,
    /// Anyone, without logging in (objections on public data).
    Public,
    /// A clerk of a data-providing or approving department.
    Department,
    /// The credit office (信用办).
    Admin,
    /// The platform itself: scheduled jobs (overdue flags, missed due dates).
    System,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Role; 5] = [
        Role::Enterprise,
        Role::Public,
        Role::Department,
        Role::Admin,
        Role::System,
    ];

    /// The role as written on the wire (`snake_case`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Enterprise => "enterprise",
            Role::Public => "public",
            Role::Department => "department",
            Role::Admin => "admin",
            Role::System => "system",
        }
    }

    /// The role in Chinese, for pages and messages.
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Enterprise => "企业",
            Role::Public => "社会公众",
            Role::Department => "部门",
            Role::Admin => "信用办",
            Role::System => "系统",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serde_names() {
        for role in Role::ALL {
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.name()));
            assert!(!role.label_zh().is_empty());
        }
    }
}
