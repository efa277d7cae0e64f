//! Server-rendered HTML pages for people, as opposed to the JSON API: no script, no external
//! assets, a strict security policy of their own: the verifier's page of a share link and the
//! holder's page of a proof request.

pub mod format;
pub mod layout;
pub mod negotiate;
pub mod request_page;
pub mod share_claim;
pub mod share_gate;
pub mod share_page;
