//! The circuits in the admin console: what `GET /zkp/circuits` lists — each proof type, its
//! public signals, whether it is built in or registered by an operator, and its verification
//! key (with the key's SHA-256).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::admin::console_links;
use super::console::{Admins, Admitted};
use super::html::{app_document, page};
use crate::state::AppState;

/// `GET /app/admin/circuits`.
pub async fn list(State(state): State<AppState>, Admitted(signed, _): Admitted<Admins>) -> Response {
    let circuits = state.zk.circuits();
    let markup = app_document(
        "Circuits",
        Some(&signed.nav()),
        html! {
            h1 { "Circuits" }
            (console_links())
            @if circuits.is_empty() { p id="no-circuits" { "No circuit is loaded." } }
            ul id="admin-circuits" {
                @for c in &circuits {
                    li class="card circuit" data-circuit=(c.name) {
                        strong { (c.name) }
                        p class="hint" {
                            @if c.external { "Registered by an operator" } @else { "Built in" }
                            " · " (c.n_public) " public signal(s): " (c.public_signals.join(", "))
                        }
                        p {
                            a href={ "/zkp/artifacts/" (c.name) "/verification_key.json" } { "Verification key" }
                            " · SHA-256 " code { (c.vk_sha256) }
                        }
                    }
                }
            }
        },
    );
    page(StatusCode::OK, markup)
}
