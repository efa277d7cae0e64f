//! Who may open a console: the admin console is for administrators, the issuer console for
//! issuers' members, the verifier console for verifiers and administrators. A page of a
//! console takes [`Admitted`] (a `GET`) or [`AdmittedForm`] (a `POST`, checked like
//! [`CheckedForm`] first); anyone else gets the console's 403 page in words, and nothing runs.

use std::marker::PhantomData;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::auth::Role;
use serde::de::DeserializeOwned;

use super::guard::{CheckedForm, CsrfForm};
use super::html::from_api;
use super::session::{Signed, SignedIn};
use crate::error::ApiError;
use crate::state::AppState;

/// A console: which roles it admits and what it tells the others.
pub trait Console: Send + Sync + 'static {
    /// Why the others are refused, in words.
    const REFUSAL: &'static str;

    /// Whether an account with `role` may use it.
    fn admits(role: Role) -> bool;

    /// The 403 page for `signed` when the console does not admit them.
    fn refuse(signed: &Signed) -> Option<Response> {
        (!Self::admits(signed.session.role)).then(|| {
            from_api(ApiError::new(StatusCode::FORBIDDEN, "FORBIDDEN", Self::REFUSAL), Some(&signed.nav()))
        })
    }
}

/// The admin console: administrators.
pub struct Admins;

impl Console for Admins {
    const REFUSAL: &'static str = "Only administrators manage issuers, accounts and circuits.";

    fn admits(role: Role) -> bool {
        role == Role::Admin
    }
}

/// The issuer console: issuers' members (administrators included: they create issuers and
/// add members, members decide).
pub struct Issuers;

impl Console for Issuers {
    const REFUSAL: &'static str = "Only an issuer's members review credential requests. \
         Administrators create issuers and add members in the admin console.";

    fn admits(role: Role) -> bool {
        role == Role::Issuer
    }
}

/// The verifier console: verifiers and administrators.
pub struct Verifiers;

impl Console for Verifiers {
    const REFUSAL: &'static str = "Only verifiers and administrators can ask holders for proofs.";

    fn admits(role: Role) -> bool {
        matches!(role, Role::Verifier | Role::Admin)
    }
}

/// A signed-in person the console `C` admits.
pub struct Admitted<C>(pub Signed, pub PhantomData<C>);

impl<C: Console> FromRequestParts<AppState> for Admitted<C> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let SignedIn(signed) = SignedIn::from_request_parts(parts, state).await?;
        match C::refuse(&signed) {
            Some(refused) => Err(refused),
            None => Ok(Self(signed, PhantomData)),
        }
    }
}

/// A form of a console `C`, checked as [`CheckedForm`] does, from a person `C` admits.
pub struct AdmittedForm<C, T>(pub Signed, pub T, pub PhantomData<C>);

impl<C, T> FromRequest<AppState> for AdmittedForm<C, T>
where
    C: Console,
    T: DeserializeOwned + CsrfForm + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let CheckedForm(signed, form) = CheckedForm::<T>::from_request(req, state).await?;
        match C::refuse(&signed) {
            Some(refused) => Err(refused),
            None => Ok(Self(signed, form, PhantomData)),
        }
    }
}
