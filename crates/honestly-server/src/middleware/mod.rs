//! Middleware applied to every route (and to the fallbacks), outermost first:
//! request context (id, client address) → security headers → CORS → metrics/slow log → audit →
//! AI envelope (`/ai/*` only) → error detail (development) → timeout → panic catcher →
//! body-size check → rate limit.

pub mod audit;
pub mod body_limit;
pub mod context;
pub mod cors;
pub mod error_detail;
pub mod metrics;
pub mod panic;
pub mod rate_limit;
pub mod security_headers;
pub mod timeout;
