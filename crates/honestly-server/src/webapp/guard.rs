//! The check every `POST` of the web app passes before it changes anything: the request
//! comes from this site (see [`super::csrf`]) and, when signed in, carries its session's
//! CSRF token. A refusal is a 403 page in words.

use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::csrf;
use super::html::{from_api, Nav};
use super::session::Signed;
use crate::error::ApiError;
use crate::state::AppState;

fn refused(nav: Option<&Nav<'_>>) -> Response {
    from_api(
        ApiError::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "This form could not be accepted: it is out of date (you signed out or in again since it \
             was shown) or it was not sent from this site. Nothing was changed. Reload the page and try again.",
        ),
        nav,
    )
}

/// A signed-out form (sign in, register) must come from this site: the refusal when not.
pub fn from_another_site(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    (!csrf::same_origin(&state.config, headers)).then(|| refused(None))
}

/// A signed-in form must come from this site with the session's token: the refusal when not.
pub fn forged_form(
    state: &AppState,
    headers: &HeaderMap,
    signed: &Signed,
    presented: Option<&str>,
) -> Option<Response> {
    let genuine = csrf::same_origin(&state.config, headers)
        && presented.is_some_and(|token| signed.csrf_ok(state, token));
    (!genuine).then(|| refused(Some(&signed.nav())))
}

/// A form body that cannot be read: a 400 page.
pub fn bad_form(rejection: FormRejection, nav: Option<&Nav<'_>>) -> Response {
    let e = ApiError::validation("The form could not be read.").with_cause(rejection.body_text());
    from_api(e, nav)
}
