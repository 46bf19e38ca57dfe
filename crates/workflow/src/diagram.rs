//! State diagrams as data: the one table of allowed steps that
//! [`apply`](crate::objection::apply) consults, the tests check and the
//! documentation shows (as Mermaid).

use std::fmt::{Debug, Write as _};

use crate::{Role, WorkflowError};

/// The states of a workflow without their data: the nodes of its diagram.
pub trait Status: Copy + Eq + Debug + 'static {
    /// The workflow's name: `objection`, `repair` or `commitment`.
    const WORKFLOW: &'static str;
    /// Every state, the initial one first.
    const ALL: &'static [Self];
    /// The state's name (`snake_case`, as in the JSON tag of the state).
    fn name(self) -> &'static str;
    /// The state in Chinese, as the pages show it.
    fn label_zh(self) -> &'static str;
}

/// The kinds of events of a workflow: the edges' labels.
///
/// An event whose data decide where it leads (a repair application that is
/// admissible or not) has one kind per outcome, so that the diagram alone
/// determines the next state.
pub trait EventKind: Copy + Eq + Debug + 'static {
    /// Every kind.
    const ALL: &'static [Self];
    /// The kind's name (`snake_case`).
    fn name(self) -> &'static str;
    /// The kind in Chinese.
    fn label_zh(self) -> &'static str;
    /// Whether the kind decides the case: refused on a closed case with
    /// `already_decided` rather than `invalid_transition`.
    fn is_decision(self) -> bool;
}

/// One allowed step: in state `from`, an event of kind `event` carried out
/// in one of `roles` leads to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row<S: 'static, K: 'static> {
    /// The state before.
    pub from: S,
    /// The event kind.
    pub event: K,
    /// The roles that may take the step.
    pub roles: &'static [Role],
    /// The state after.
    pub to: S,
}

/// `Row { from, event, roles, to }`, short enough for a diagram's table.
pub(crate) const fn row<S, K>(from: S, event: K, roles: &'static [Role], to: S) -> Row<S, K> {
    Row {
        from,
        event,
        roles,
        to,
    }
}

/// The departments' steps (the admin may take them too).
pub(crate) const DEPARTMENT_ROLES: &[Role] = &[Role::Department, Role::Admin];
/// The platform's own steps (deadlines passing).
pub(crate) const SYSTEM_ROLES: &[Role] = &[Role::System];

/// A workflow's state diagram: at most one row per `(from, event)`.
#[derive(Debug, Clone, Copy)]
pub struct Diagram<S: 'static, K: 'static> {
    /// The state a case is in before its first event.
    pub initial: S,
    /// Every allowed step.
    pub rows: &'static [Row<S, K>],
}

impl<S: Status, K: EventKind> Diagram<S, K> {
    /// The row for `(from, event)`, if the step exists for some role.
    pub fn row(&self, from: S, event: K) -> Option<&'static Row<S, K>> {
        self.rows
            .iter()
            .find(|r| r.from == from && r.event == event)
    }

    /// Where the step leads, if `role` may take it.
    pub fn target(&self, from: S, event: K, role: Role) -> Option<S> {
        self.row(from, event)
            .filter(|r| r.roles.contains(&role))
            .map(|r| r.to)
    }

    /// Whether no event leaves `state` (a final state).
    pub fn is_terminal(&self, state: S) -> bool {
        !self.rows.iter().any(|r| r.from == state)
    }

    /// Every role that may take an event of this kind in some state.
    pub fn roles_for(&self, event: K) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|role| {
                self.rows
                    .iter()
                    .any(|r| r.event == event && r.roles.contains(role))
            })
            .collect()
    }

    /// The states reachable from the initial state (itself included), in
    /// breadth-first order.
    pub fn reachable(&self) -> Vec<S> {
        let mut seen = vec![self.initial];
        let mut i = 0;
        while i < seen.len() {
            let from = seen[i];
            for r in self.rows.iter().filter(|r| r.from == from) {
                if !seen.contains(&r.to) {
                    seen.push(r.to);
                }
            }
            i += 1;
        }
        seen
    }

    /// Checks a step against the diagram and returns the state it leads to.
    ///
    /// In this order: a role that may take an event of this kind in no state
    /// at all is refused with `forbidden_for_role` (whatever the state, so a
    /// refusal tells nothing about the case); a step the diagram does not
    /// have from this state is `already_decided` when the state is final and
    /// the kind a decision, `invalid_transition` otherwise; a step that
    /// exists for other roles only is `forbidden_for_role`.
    pub fn resolve(&self, from: S, event: K, role: Role) -> Result<S, WorkflowError> {
        let forbidden = || WorkflowError::ForbiddenForRole {
            workflow: S::WORKFLOW,
            state: from.name(),
            event: event.name(),
            role,
        };
        let may_ever = self
            .rows
            .iter()
            .any(|r| r.event == event && r.roles.contains(&role));
        if !may_ever {
            return Err(forbidden());
        }
        match self.row(from, event) {
            None if self.is_terminal(from) && event.is_decision() => {
                Err(WorkflowError::AlreadyDecided {
                    workflow: S::WORKFLOW,
                    state: from.name(),
                    event: event.name(),
                })
            }
            None => Err(WorkflowError::InvalidTransition {
                workflow: S::WORKFLOW,
                state: from.name(),
                event: event.name(),
            }),
            Some(r) if !r.roles.contains(&role) => Err(forbidden()),
            Some(r) => Ok(r.to),
        }
    }

    /// The diagram as a Mermaid `stateDiagram-v2`: one line per state with
    /// its Chinese label, one per step labelled with the event kind and its
    /// roles; the initial state is drawn as `[*]`, and every final state
    /// leads to `[*]`.
    pub fn to_mermaid(&self) -> String {
        let node = |s: S| {
            if s == self.initial { "[*]" } else { s.name() }
        };
        let mut out = String::from("stateDiagram-v2\n");
        for &s in S::ALL.iter().filter(|&&s| s != self.initial) {
            let _ = writeln!(
                out,
                "    state \"{} {}\" as {}",
                s.label_zh(),
                s.name(),
                s.name()
            );
        }
        for r in self.rows {
            let roles: Vec<&str> = r.roles.iter().map(|role| role.name()).collect();
            let _ = writeln!(
                out,
                "    {} --> {} : {} ({})",
                node(r.from),
                node(r.to),
                r.event.name(),
                roles.join(", ")
            );
        }
        for &s in S::ALL {
            if s != self.initial && self.is_terminal(s) {
                let _ = writeln!(out, "    {} --> [*]", s.name());
            }
        }
        out
    }

    /// The diagram as a Markdown table: from, event, roles, to.
    pub fn to_markdown_table(&self) -> String {
        let mut out = String::from("| from | event | roles | to |\n|---|---|---|---|\n");
        for r in self.rows {
            let roles: Vec<&str> = r.roles.iter().map(|role| role.name()).collect();
            let _ = writeln!(
                out,
                "| `{}` {} | `{}` {} | {} | `{}` {} |",
                r.from.name(),
                r.from.label_zh(),
                r.event.name(),
                r.event.label_zh(),
                roles.join(", "),
                r.to.name(),
                r.to.label_zh()
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::objection::{ObjectionEventKind as E, ObjectionStatus as S, diagram};
    use crate::{Role, WorkflowError};

    #[test]
    fn resolve_checks_the_role_first_then_the_state() {
        let d = diagram();
        assert_eq!(
            d.resolve(S::Open, E::Uphold, Role::Department),
            Ok(S::Upheld)
        );
        // never allowed for the role: forbidden in any state
        for state in [S::Initial, S::Open, S::Upheld] {
            let e = d.resolve(state, E::Uphold, Role::Enterprise).unwrap_err();
            assert_eq!(e.code(), "forbidden_for_role", "{state:?}");
        }
        // a decision on a final state
        let e = d
            .resolve(S::Corrected, E::Uphold, Role::Department)
            .unwrap_err();
        assert_eq!(
            e,
            WorkflowError::AlreadyDecided {
                workflow: "objection",
                state: "corrected",
                event: "uphold"
            }
        );
        // not a decision, or not a final state
        let e = d
            .resolve(S::Corrected, E::Withdraw, Role::Public)
            .unwrap_err();
        assert_eq!(e.code(), "invalid_transition");
        let e = d.resolve(S::Initial, E::Uphold, Role::Admin).unwrap_err();
        assert_eq!(e.code(), "invalid_transition");
        let e = d
            .resolve(S::Overdue, E::FlagOverdue, Role::System)
            .unwrap_err();
        assert_eq!(e.code(), "invalid_transition");
    }

    #[test]
    fn helpers() {
        let d = diagram();
        assert_eq!(
            d.roles_for(E::File),
            vec![Role::Enterprise, Role::Public, Role::Admin]
        );
        assert!(d.is_terminal(S::Upheld));
        assert!(!d.is_terminal(S::Overdue));
        assert_eq!(d.target(S::Open, E::Correct, Role::Public), None);
        assert_eq!(d.reachable()[0], S::Initial);
    }
}
