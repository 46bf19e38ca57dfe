//! Properties of the trigger language and of the credit check, over random
//! triggers and random subjects.

mod common;

use common::{catalogue, d, matters, vocab};
use proptest::prelude::*;
use xinyong_core::catalog::LISTS;
use xinyong_core::time::Date;
use xinyong_measures::{Route, Scenario, SubjectFacts, Trigger, Unavailable};

/// The models a random trigger reads, with their values.
const MODELS: &[(&str, &str, &[&str])] = &[
    (
        "class",
        "anhui-class",
        &[
            "severely_dishonest",
            "dishonest",
            "warning",
            "trustworthy",
            "unclassified",
        ],
    ),
    (
        "class",
        "tianjin-risk",
        &[
            "severely_dishonest",
            "dishonest",
            "warning",
            "good",
            "unclassified",
        ],
    ),
    ("grade", "yingkou-composite", &["A", "B", "C", "D"]),
];
const CATEGORIES: &[&str] = &["blacklist", "redlist", "abnormal", "watch"];

/// A trigger as a tree, with its own meaning (not the crate's).
#[derive(Debug, Clone)]
enum E {
    Bool(bool),
    Value {
        model: usize,
        values: Vec<usize>,
        negated: bool,
        list_form: bool,
    },
    OnList(usize),
    OnAny(usize),
    Eligible,
    Barred,
    Not(Box<E>),
    And(Box<E>, Box<E>),
    Or(Box<E>, Box<E>),
}

fn leaf() -> impl Strategy<Value = E> {
    prop_oneof![
        any::<bool>().prop_map(E::Bool),
        (
            0..MODELS.len(),
            proptest::collection::vec(0..4usize, 1..3),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(model, values, negated, list_form)| {
                let mut values = values;
                values.sort();
                values.dedup();
                let list_form = list_form || values.len() > 1;
                E::Value {
                    model,
                    values,
                    negated,
                    list_form,
                }
            }),
        (0..LISTS.len()).prop_map(E::OnList),
        (0..CATEGORIES.len()).prop_map(E::OnAny),
        Just(E::Eligible),
        Just(E::Barred),
    ]
}

fn expr() -> impl Strategy<Value = E> {
    leaf().prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| E::Not(Box::new(e))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| E::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| E::Or(Box::new(a), Box::new(b))),
        ]
    })
}

fn prec(e: &E) -> u8 {
    match e {
        E::Or(..) => 1,
        E::And(..) => 2,
        E::Not(_) => 3,
        _ => 4,
    }
}

/// Written with as few parentheses as the precedence needs (`not` binds
/// tighter than `and`, `and` tighter than `or`).
fn render(e: &E, min: u8) -> String {
    let s = match e {
        E::Bool(b) => b.to_string(),
        E::Value {
            model,
            values,
            negated,
            list_form,
        } => {
            let (func, id, names) = MODELS[*model];
            let names: Vec<String> = values
                .iter()
                .map(|&v| format!("\"{}\"", names[v % names.len()]))
                .collect();
            let op = match (*list_form, *negated) {
                (false, false) => format!("== {}", names[0]),
                (false, true) => format!("!= {}", names[0]),
                (true, false) => format!("in [{}]", names.join(", ")),
                (true, true) => format!("not in [{}]", names.join(", ")),
            };
            format!("{func}(\"{id}\") {op}")
        }
        E::OnList(i) => format!("on_list('{}')", LISTS[*i].id),
        E::OnAny(i) => format!("on_any_list(\"{}\")", CATEGORIES[*i]),
        E::Eligible => "eligible(\"xinyidai-eligibility\")".into(),
        E::Barred => "commitment_barred()".into(),
        E::Not(a) => format!("not {}", render(a, 3)),
        E::And(a, b) => format!("{} and {}", render(a, 2), render(b, 3)),
        E::Or(a, b) => format!("{} or\n  {}", render(a, 1), render(b, 2)),
    };
    if prec(e) < min { format!("({s})") } else { s }
}

/// The meaning of a tree, from the documentation of the language.
fn eval(e: &E, f: &SubjectFacts, on: Date) -> bool {
    let current = |list: &str| {
        f.lists
            .iter()
            .any(|m| m.list == list && m.listed_on <= on && m.removed_on.is_none_or(|r| r > on))
    };
    match e {
        E::Bool(b) => *b,
        E::Value {
            model,
            values,
            negated,
            ..
        } => {
            let (_, id, names) = MODELS[*model];
            let is = match f.classes.get(id) {
                None => false,
                Some(v) => values.iter().any(|&i| names[i % names.len()] == v),
            };
            is != *negated
        }
        E::OnList(i) => current(LISTS[*i].id),
        E::OnAny(i) => LISTS
            .iter()
            .filter(|l| l.category.as_str() == CATEGORIES[*i])
            .any(|l| current(l.id)),
        E::Eligible => {
            f.classes.get("xinyidai-eligibility").map(String::as_str) == Some("eligible")
        }
        E::Barred => f.barred_from_commitment_until.is_some_and(|u| on <= u),
        E::Not(a) => !eval(a, f, on),
        E::And(a, b) => eval(a, f, on) && eval(b, f, on),
        E::Or(a, b) => eval(a, f, on) || eval(b, f, on),
    }
}

const ON: &str = "2024-06-15";

fn day(offset: i32) -> Date {
    d(ON).checked_add(jiff::Span::new().days(offset)).unwrap()
}

fn facts() -> impl Strategy<Value = SubjectFacts> {
    let value = |i: usize| {
        proptest::option::of(0..MODELS[i].2.len()).prop_map(move |v| v.map(|v| MODELS[i].2[v]))
    };
    (
        value(0),
        value(1),
        value(2),
        proptest::option::of(any::<bool>()),
        proptest::collection::vec(
            (0..LISTS.len(), -5..5i32, proptest::option::of(-5..8i32)),
            0..4,
        ),
        proptest::option::of(-3..3i32),
    )
        .prop_map(|(a, t, y, elig, lists, bar)| {
            let mut f = SubjectFacts::new();
            for (i, v) in [a, t, y].into_iter().enumerate() {
                if let Some(v) = v {
                    f = f.with(MODELS[i].1, v);
                }
            }
            if let Some(e) = elig {
                f = f.with(
                    "xinyidai-eligibility",
                    if e { "eligible" } else { "ineligible" },
                );
            }
            for (l, from, len) in lists {
                let removed = len.map(|n| day(from + n.max(1)));
                f = f.listed(LISTS[l].id, day(from), removed);
            }
            if let Some(b) = bar {
                f = f.barred_until(day(b));
            }
            f
        })
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (0..Scenario::ALL.len()).prop_map(|i| Scenario::ALL[i])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// A trigger written with the fewest parentheses means what its tree
    /// means, for any subject.
    #[test]
    fn triggers_mean_what_they_say(e in expr(), f in facts()) {
        let text = render(&e, 0);
        let t = Trigger::compile(&text, vocab());
        prop_assert!(t.is_ok(), "{text}: {:?}", t.err());
        let t = t.unwrap();
        prop_assert_eq!(t.holds(&f, d(ON)), eval(&e, &f, d(ON)), "{}", text);
        // Redundant parentheses change nothing.
        let wrapped = Trigger::compile(&format!("(({text}))"), vocab()).unwrap();
        prop_assert_eq!(wrapped.holds(&f, d(ON)), t.holds(&f, d(ON)));
    }

    /// Every measure the check gives is in force, made for the scenario, and
    /// given once; the answer is in catalogue order.
    #[test]
    fn the_check_gives_measures_in_force_for_the_scenario(f in facts(), s in scenario(), off in -4000..1000i32) {
        let on = day(off);
        let got = catalogue().applicable(&f, s, on);
        let positions: Vec<usize> = got
            .iter()
            .map(|m| catalogue().measures().iter().position(|x| x.id == m.id).unwrap())
            .collect();
        prop_assert!(positions.windows(2).all(|w| w[0] < w[1]), "{:?}", positions);
        for m in got {
            prop_assert!(m.valid_on(on) && m.scenarios.contains(&s), "{}", m.id);
        }
    }

    /// List memberships that are not current on the day change nothing.
    #[test]
    fn past_and_future_memberships_do_not_count(f in facts(), s in scenario(), l in 0..LISTS.len(), past in any::<bool>()) {
        let on = d(ON);
        let extra = if past {
            f.clone().listed(LISTS[l].id, day(-400), Some(on))
        } else {
            f.clone().listed(LISTS[l].id, day(1), None)
        };
        let ids = |x: &SubjectFacts| -> Vec<String> {
            catalogue().applicable(x, s, on).into_iter().map(|m| m.id.clone()).collect()
        };
        prop_assert_eq!(ids(&f), ids(&extra));
    }

    /// A bar closes both routes exactly through its last day.
    #[test]
    fn a_bar_holds_through_its_last_day(bar in -5..5i32, f in facts()) {
        let until = day(bar);
        let f = SubjectFacts { barred_from_commitment_until: Some(until), ..f };
        let m = matters().matter("network-freight-license").unwrap();
        let r = matters().routes(m, &f, d(ON));
        for route in Route::ALL {
            let c = r.route(route).unwrap();
            let barred = c.reasons.iter().any(|x| x.code == Unavailable::Barred);
            prop_assert_eq!(barred, d(ON) <= until);
            if barred {
                prop_assert!(!c.available);
            }
        }
    }
}
