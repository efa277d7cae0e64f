//! The HTTP layer of Honestly: the axum router, middleware, handlers and OpenAPI document.
//! Handlers are thin: parse the request, call a service in `honestly-core`, shape the reply.
//!
//! [`startup::Application`] builds a server on a bound address (port 0 in tests);
//! [`app::router`] builds the router alone, for `tower::ServiceExt::oneshot` tests.

pub mod access;
pub mod app;
pub mod client_ip;
pub mod error;
mod error_map;
pub mod extract;
pub mod interactions;
pub mod json;
pub mod metrics;
mod middleware;
pub mod no_store;
mod openapi;
mod pages;
mod qr;
mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod verify_metrics;
pub(crate) mod webapp;
pub mod webhook_transport;

pub use error::ApiError;
pub use startup::{shutdown_signal, Application};
pub use state::AppState;
/// The paths of the web app's pages (`{…}`: an id or a token), where a form sent after its
/// session ended leads back after signing in; public for the tests that walk them.
pub use webapp::PAGES as WEBAPP_PAGES;
