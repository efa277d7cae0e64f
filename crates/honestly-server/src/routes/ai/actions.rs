//! The action name each `/ai` route's interactions are recorded under, declared with the route
//! itself (see [`super::routes`]) and looked up by the envelope layer by method and route
//! template.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::Method;
use utoipa::openapi::path::PathItem;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::state::AppState;

/// The action each `/ai` route is recorded under, by method and route template.
#[derive(Debug, Default)]
pub struct Actions(HashMap<(Method, String), &'static str>);

impl Actions {
    /// The action of the route `template` answers `method` on.
    pub fn of(&self, method: &Method, template: &str) -> Option<&'static str> {
        self.0.get(&(method.clone(), template.to_string())).copied()
    }

    /// How many routes are named.
    #[cfg(test)]
    pub(crate) fn count(&self) -> usize {
        self.0.len()
    }
}

/// The methods a path item declares.
fn methods(item: &PathItem) -> impl Iterator<Item = Method> + '_ {
    [
        (Method::GET, item.get.is_some()),
        (Method::POST, item.post.is_some()),
        (Method::PUT, item.put.is_some()),
        (Method::DELETE, item.delete.is_some()),
        (Method::PATCH, item.patch.is_some()),
    ]
    .into_iter()
    .filter_map(|(method, declared)| declared.then_some(method))
}

/// The agent API's routes, with the action of each.
pub struct AiRoutes {
    router: OpenApiRouter<AppState>,
    actions: Actions,
}

impl AiRoutes {
    /// No routes yet.
    pub fn new() -> Self {
        Self { router: OpenApiRouter::default(), actions: Actions::default() }
    }

    /// Adds the routes of `handlers`, recording each under `action`.
    pub fn with(mut self, action: &'static str, handlers: UtoipaMethodRouter<AppState>) -> Self {
        for (path, item) in &handlers.1.paths {
            for method in methods(item) {
                self.actions.0.insert((method, path.clone()), action);
            }
        }
        self.router = self.router.routes(handlers);
        self
    }

    /// The routes and the action table the envelope layer reads.
    pub fn into_parts(self) -> (OpenApiRouter<AppState>, Arc<Actions>) {
        (self.router, Arc::new(self.actions))
    }
}
