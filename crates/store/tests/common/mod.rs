//! The harness of the store's test files: every test is an async fn taking
//! a [`Ctx`], run by `store_tests!` against both backends (SQLite in a fresh
//! directory; PostgreSQL in a fresh schema from `xinyong-testkit`).

use std::future::Future;

use xinyong_store::{Store, StoreConfig};

/// What a test gets: an open store and the configuration that opened it.
pub struct Ctx {
    pub store: Store,
    // Read by the test files that open the store again; not all do.
    #[allow(dead_code)]
    pub cfg: StoreConfig,
}

macro_rules! store_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::common::run_sqlite(super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::common::run_postgres(stringify!($name), super::$name).await;
                }
            )*
        }
    };
}

pub async fn run_sqlite<F, Fut>(test: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = StoreConfig {
        data_dir: dir.path().join("data"),
        database_url: None,
    };
    let store = Store::open(&cfg).await.expect("open SQLite store");
    assert_eq!(store.backend_name(), "sqlite");
    test(Ctx { store, cfg }).await;
}

pub async fn run_postgres<F, Fut>(name: &str, test: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()>,
{
    xinyong_testkit::with_pg_schema(name, |url| async move {
        let cfg = StoreConfig {
            data_dir: std::env::temp_dir().join("xinyong-store-tests"),
            database_url: Some(url),
        };
        let store = Store::open(&cfg).await.expect("open PostgreSQL store");
        assert_eq!(store.backend_name(), "postgres");
        test(Ctx { store, cfg }).await;
    })
    .await;
}
