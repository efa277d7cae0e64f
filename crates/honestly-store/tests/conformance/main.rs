//! One conformance suite for every `Store` backend: each test is written once against
//! `Arc<dyn Store>` and runs for SQLite (a fresh temporary database) and for Neo4j (the server
//! named by `HONESTLY_TEST_NEO4J_URL`, `HONESTLY_TEST_NEO4J_PASS` and optionally
//! `HONESTLY_TEST_NEO4J_USER`, default `neo4j`).
//!
//! Neo4j tests share one database: they never assume it is empty (fresh ids everywhere; the
//! global registry and audit chain are read before being extended) and run one at a time.
//! Without the variables the Neo4j half prints why it is skipped, except under `CI=true`
//! where a missing Neo4j fails loudly.

mod accounts;
mod agents;
mod audit;
mod audit_log;
mod credential_requests;
mod credentials;
mod documents;
mod explain;
mod hash_lookup;
mod holder_secrets;
mod issuers;
mod link_replicas;
mod links;
mod nullifiers;
mod pages;
mod proof_requests;
mod proofs;
mod replay;
mod sessions;
mod stored_forms;
mod support;
mod timeline;
mod unavailable;
mod users;
mod webhooks;

/// Generates, for each `area::test`, one `#[tokio::test]` per backend.
macro_rules! conformance {
    ($($area:ident :: $name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    crate::support::with_sqlite(crate::$area::$name).await;
                }
            )*
        }
        mod neo4j {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    crate::support::with_neo4j(crate::$area::$name).await;
                }
            )*
        }
    };
}

conformance!(
    support::backend_answers_ping,
    users::user_create_and_lookup,
    users::user_uniqueness_conflicts,
    users::users_list_in_creation_order,
    accounts::account_changes_apply_and_end_sessions,
    accounts::account_last_admin_is_kept,
    accounts::account_erasure_takes_everything_it_owns,
    sessions::session_rotation_then_reuse_revokes_family,
    sessions::session_expired_unknown_and_disabled_are_invalid,
    sessions::session_for_unknown_user_conflicts,
    sessions::session_revocations,
    sessions::session_concurrent_rotations_one_wins,
    sessions::login_failures_window,
    sessions::session_read_by_token_lists_and_ends_everywhere,
    sessions::session_password_change_keeps_only_the_current_session,
    documents::document_insert_read_list_delete,
    documents::document_registry_position_conflicts,
    documents::document_concurrent_inserts_one_position,
    documents::document_key_rotation_compare_and_swap,
    documents::document_deletion_takes_its_proofs_and_links,
    hash_lookup::document_by_sha256_within_one_owner,
    proofs::proof_insert_read_list,
    proofs::proof_refused_without_its_owners_document,
    links::link_lifecycle,
    links::link_refused_when_expired_exhausted_or_document_gone,
    links::link_refused_without_its_owners_document,
    pages::pages_cover_proofs_links_and_timeline_once_newest_first,
    links::link_concurrent_consumption_exact,
    links::link_burst_on_several_links_exact,
    timeline::timeline_newest_first,
    audit::audit_append_read_and_conflicts,
    audit::audit_concurrent_appends_do_not_fork,
    agents::agent_cap_listing_and_deletion,
    agents::agent_concurrent_inserts_respect_cap,
    agents::agent_for_unknown_user_conflicts,
    agents::agent_secret_rotation_compare_and_swap,
    nullifiers::nullifier_consumed_once,
    nullifiers::nullifier_concurrent_consumers_one_wins,
    nullifiers::nullifiers_looked_up_together_in_order,
    replay::replay_remembered_until_expiry,
    replay::replay_concurrent_first_uses_one_wins,
    replay::replay_expired_records_forgotten_in_bounded_batches,
    issuers::issuer_insert_get_list_and_name_conflict,
    issuers::issuer_membership_sets_role_and_ends_sessions,
    credential_requests::credential_request_insert_limits_and_lists,
    credential_requests::credential_request_decisions,
    credential_requests::credential_request_concurrent_decisions_one_done,
    credential_requests::credential_request_document_deleted,
    credential_requests::credential_request_withdraw,
    credentials::held_credential_lifecycle,
    credentials::credential_revocation,
    credentials::credential_concurrent_revocations_one_wins,
    holder_secrets::holder_secret_set_once,
    holder_secrets::holder_secret_concurrent_callers_get_the_same,
    holder_secrets::issuance_sealed_items_compare_and_swap,
    holder_secrets::issuance_erasure_removes_holder_data,
    proof_requests::proof_request_insert_read_list_and_token,
    proof_requests::proof_request_finish_rules,
    proof_requests::proof_request_concurrent_answers_one_wins,
    proof_requests::proof_request_one_answer_per_holder_and_scope,
    proof_requests::proof_request_expiry_sweeps_report_each_once,
    proof_requests::proof_request_erased_with_owner,
    proof_requests::proof_request_end_and_its_event_are_one_write,
    webhooks::webhook_secret_made_once_and_rotated,
    webhooks::webhook_enqueue_twice_stores_one_event,
    webhooks::webhook_racing_claimers_each_event_once,
    webhooks::webhook_expired_lease_is_claimed_again,
    webhooks::webhook_erasure_takes_secrets_events_and_attempts,
);
