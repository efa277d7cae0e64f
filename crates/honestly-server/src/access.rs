//! Who is calling: extractors for an authenticated user, for a required role, and for the
//! monitoring routes (open in development; in production an admin token or the bearer of
//! `MONITORING_TOKEN`, compared in constant time).

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use honestly_core::audit::Actor;
use honestly_core::auth::{Role, Session};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::extract::Ctx;
use crate::state::AppState;

/// The token of an `Authorization: Bearer …` header, if any.
pub fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// An authenticated caller (valid, unrevoked access token of an enabled account).
#[derive(Debug, Clone)]
pub struct AuthUser(pub Session);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts).ok_or_else(|| ApiError::unauthorized("Authentication required"))?;
        let session = state.auth.authenticate(token).await?;
        Ctx::of(parts)?.0.set_actor(Actor::User(session.user_id.clone()));
        Ok(AuthUser(session))
    }
}

/// A role requirement, named by a marker type.
pub trait RequiredRole: Send + Sync {
    /// Whether `role` satisfies the requirement.
    fn allows(role: Role) -> bool;
}

/// Only administrators.
pub struct Admin;

impl RequiredRole for Admin {
    fn allows(role: Role) -> bool {
        role == Role::Admin
    }
}

/// Members of an issuer (role `issuer`); which issuer they act for is the store's answer.
pub struct IssuerMember;

impl RequiredRole for IssuerMember {
    fn allows(role: Role) -> bool {
        role == Role::Issuer
    }
}

/// Verifiers and administrators.
pub struct Verifier;

impl RequiredRole for Verifier {
    fn allows(role: Role) -> bool {
        matches!(role, Role::Verifier | Role::Admin)
    }
}

/// An authenticated caller whose role satisfies `R` (403 otherwise).
pub struct RequireRole<R: RequiredRole>(pub Session, PhantomData<R>);

impl<R: RequiredRole> FromRequestParts<AppState> for RequireRole<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let AuthUser(session) = AuthUser::from_request_parts(parts, state).await?;
        if R::allows(session.role) {
            Ok(RequireRole(session, PhantomData))
        } else {
            Err(ApiError::forbidden())
        }
    }
}

/// Proof that the caller may read monitoring data.
pub struct MonitoringAccess;

impl FromRequestParts<AppState> for MonitoringAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if !state.config.is_production() {
            return Ok(MonitoringAccess);
        }
        let presented =
            bearer_token(parts).ok_or_else(|| ApiError::unauthorized("Authentication required"))?;
        if let Some(token) = &state.config.secrets.monitoring_token {
            if bool::from(token.expose_secret().as_bytes().ct_eq(presented.as_bytes())) {
                return Ok(MonitoringAccess);
            }
        }
        RequireRole::<Admin>::from_request_parts(parts, state).await.map(|_| MonitoringAccess)
    }
}
