//! The contract suite every store adapter must pass: one `async fn` per rule
//! of the port's doc comments, each taking a fresh store, and
//! [`store_contract_tests!`](crate::store_contract_tests) to turn them all
//! into `#[tokio::test]`s of the adapter's crate.
//!
//! One file per port trait. A rule is registered where it is defined: each
//! file writes its rules inside `contract_rules! { .. }`, which defines the
//! functions and, from the same tokens, the file's list of tests; the files
//! are declared once, in `contract_suite!`, which also writes
//! `store_contract_tests!` from them. There is no second list of rule names
//! to forget one in, and a test below checks that every rule-shaped function
//! in these files (an `async fn` taking the store by value) is registered.
//!
//! Conventions, so that one suite holds for memory and SQL alike:
//! - every instant is a whole second (an adapter may drop sub-second
//!   precision) in 2030, after any clock-stamped row a migration may insert;
//! - every email, id and hash is unique (uuid), so no rule depends on what
//!   else the store holds — the built-in `web` client may or may not exist;
//! - sessions are opened on clients the test adds itself;
//! - the outbox of a fresh store is empty (no migration queues mail), so
//!   outbox rules may claim "every due mail"; backlog checks count changes;
//! - rules take any [`ContractStore`]: every store trait of the port.

/// Defines a file's rules and registers them: `contract_rules! { module,
/// list_macro; pub async fn rule<S: Store>(store: S) { .. } .. }` expands to
/// the rules as written and to `list_macro!(make)` (exported, hidden), which
/// expands to one `#[tokio::test]` per rule. Only rules go inside; helpers
/// stay outside (they take `&S`). `module` is the file's name, `list_macro`
/// the name `contract_suite!` gives it: a mismatch does not compile.
macro_rules! contract_rules {
    (
        $module:ident, $list:ident;
        $(
            $(#[$attr:meta])*
            pub async fn $rule:ident<S: $bound:ident>($store:ident: S $(,)?) $body:block
        )+
    ) => {
        $(
            $(#[$attr])*
            pub async fn $rule<S: $bound>($store: S) $body
        )+

        /// The rules of this file, by name, in the order they are defined.
        #[cfg(test)]
        pub(super) const RULES: &[&str] = &[$(stringify!($rule)),+];

        #[doc(hidden)]
        #[macro_export]
        macro_rules! $list {
            ($make:expr) => {
                $(
                    #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $rule() {
                        let (store, _guard) = $make.await;
                        $crate::testkit::$module::$rule(store).await;
                    }
                )+
            };
        }
    };
}

/// Declares the rule files (`module => list_macro`, where the file says
/// `contract_rules! { module, list_macro; .. }`) and writes
/// `store_contract_tests!` to expand every file's list: a file is part of
/// the suite exactly when it is a module of it.
macro_rules! contract_suite {
    ($($module:ident => $list:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// Every file's rules, by name.
        #[cfg(test)]
        const RULES: &[&[&str]] = &[$($module::RULES),+];

        /// Expands to one `#[tokio::test]` (multi-thread runtime, 4 workers) per
        /// contract rule, each named like its rule and given a fresh store.
        ///
        /// The argument is an expression evaluated once per test to a future
        /// resolving to `(store, guard)`; the guard (a temp dir, a test database
        /// that drops itself, or `()`) lives until the test ends. The calling crate
        /// needs `tokio` (with `macros` and `rt-multi-thread`) as a dev-dependency.
        ///
        /// ```ignore
        /// registrar_store::store_contract_tests!(async { (MemoryStore::new(), ()) });
        /// ```
        #[macro_export]
        macro_rules! store_contract_tests {
            ($make:expr) => {
                $($crate::$list!($make);)+
            };
        }
    };
}

mod support;

pub use support::ContractStore;

contract_suite! {
    users => __store_contract_users,
    invites => __store_contract_invites,
    sessions => __store_contract_sessions,
    refresh => __store_contract_refresh,
    policies => __store_contract_policies,
    clients => __store_contract_clients,
    confirmations => __store_contract_confirmations,
    sign_in_codes => __store_contract_sign_in_codes,
    signups => __store_contract_signups,
    email_change => __store_contract_email_change,
    outbox => __store_contract_outbox,
    throttle => __store_contract_throttle,
    factors => __store_contract_factors,
    passkeys => __store_contract_passkeys,
    signing_keys => __store_contract_signing_keys,
    authorization => __store_contract_authorization,
    audit => __store_contract_audit,
    webhooks => __store_contract_webhooks,
    admin_keys => __store_contract_admin_keys,
    admin_users => __store_contract_admin_users,
    admin_search => __store_contract_admin_search,
    export => __store_contract_export,
    breached => __store_contract_breached,
    health => __store_contract_health,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// The rule-shaped functions written in `source`: every `async fn`
    /// whose only parameter is `store: S` (the store by value), outside
    /// comments and this test module.
    fn rules_written_in(source: &str) -> Vec<String> {
        let code = source.split("\nmod tests {").next().unwrap_or_default();
        let code: Vec<&str> = code.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
        let source = code.join(" ").split_whitespace().collect::<Vec<_>>().join(" ");
        let mut found = Vec::new();
        for (at, marker) in source.match_indices("async fn ") {
            let rest = &source[at + marker.len()..];
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let Some(open) = rest.find('(') else { continue };
            let Some(close) = rest[open..].find(')') else { continue };
            let params = rest[open + 1..open + close].trim().trim_end_matches(',').trim();
            if params == "store: S" {
                found.push(name);
            }
        }
        found
    }

    #[test]
    fn every_rule_written_in_the_suites_files_is_registered_once() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/testkit");
        let mut written = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("the testkit folder") {
            let path = entry.expect("a folder entry").path();
            if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).expect("a readable rule file");
                written.extend(rules_written_in(&source));
            }
        }
        let registered: Vec<String> = super::RULES
            .iter()
            .flat_map(|f| f.iter().map(|r| (*r).to_owned()))
            .collect();
        let unique: BTreeSet<&String> = registered.iter().collect();
        assert_eq!(unique.len(), registered.len(), "a rule name is registered twice");
        let unregistered: Vec<&String> = written.iter().filter(|w| !unique.contains(w)).collect();
        assert!(
            unregistered.is_empty(),
            "every `async fn ..(store: S)` in src/testkit is a rule and must be written inside `contract_rules!` \
             of a file declared in `contract_suite!`; these are not: {unregistered:?}"
        );
        assert_eq!(written.len(), registered.len(), "each registered rule is written once");
        // Lower this only when a rule is removed on purpose.
        assert!(
            registered.len() >= 121,
            "the suite had 121 rules when it was split: {}",
            registered.len()
        );
    }

    #[test]
    fn the_scan_finds_rules_however_they_are_wrapped() {
        let source = "/// pub async fn in_a_comment<S: Store>(store: S) {}\n\
                      pub async fn a<S: Store>(store: S) {}\nasync fn helper<S: Store>(store: &S) {}\n\
                      pub async fn b<S: ContractStore>(\n    store: S,\n) {}\nmod tests {\n\
                      async fn in_the_tests<S: Store>(store: S) {}\n}";
        assert_eq!(rules_written_in(source), ["a", "b"]);
    }
}
