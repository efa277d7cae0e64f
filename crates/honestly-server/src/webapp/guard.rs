//! The check every `POST` of the web app passes before it changes anything: the request
//! comes from this site (see [`super::csrf`]) and, when signed in, carries its session's
//! CSRF token. A refusal is a 403 page in words.

use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use serde::de::DeserializeOwned;

use super::csrf;
use super::html::{from_api, Nav};
use super::session::{Signed, SignedIn};
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

/// A form that carries its session's CSRF token (the field `csrf_token`) and, when it makes
/// something, a one-time value (the field `once`, see [`super::once`]).
pub trait CsrfForm {
    /// The token as the form sent it.
    fn csrf_token(&self) -> Option<&str>;
    /// The one-time value as the form sent it (`None`: a form that may be sent again).
    fn once(&self) -> Option<&str> {
        None
    }
}

/// Implements [`CsrfForm`] for form bodies whose token is `csrf_token: Option<String>`.
macro_rules! csrf_form {
    ($($form:ty),+ $(,)?) => {
        $(impl $crate::webapp::guard::CsrfForm for $form {
            fn csrf_token(&self) -> Option<&str> {
                self.csrf_token.as_deref()
            }
        })+
    };
}
pub(crate) use csrf_form;

/// Implements [`CsrfForm`] for form bodies that make something: `csrf_token` and `once`, both
/// `Option<String>`.
macro_rules! once_form {
    ($($form:ty),+ $(,)?) => {
        $(impl $crate::webapp::guard::CsrfForm for $form {
            fn csrf_token(&self) -> Option<&str> {
                self.csrf_token.as_deref()
            }
            fn once(&self) -> Option<&str> {
                self.once.as_deref()
            }
        })+
    };
}
pub(crate) use once_form;

/// A signed-in form, read and checked before its handler runs: the session and the body,
/// which came from this site with the session's CSRF token and, for a form that makes
/// something, was not sent before. Without a session: the way to sign in; a body that cannot
/// be read: a 400 page; a forged or stale form: a 403 page; a form sent twice: a 409 page.
/// Nothing has changed in any of these cases.
pub struct CheckedForm<T>(pub Signed, pub T);

impl<T> FromRequest<AppState> for CheckedForm<T>
where
    T: DeserializeOwned + CsrfForm + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let SignedIn(signed) = SignedIn::from_request_parts(&mut parts, state).await?;
        let headers = parts.headers.clone();
        let read = Form::<T>::from_request(Request::from_parts(parts, body), state).await;
        let Form(form) = read.map_err(|rejection| bad_form(rejection, Some(&signed.nav())))?;
        if let Some(refused) = forged_form(state, &headers, &signed, form.csrf_token()) {
            return Err(refused);
        }
        super::once::first_send(state, &signed, form.once()).await?;
        Ok(Self(signed, form))
    }
}
