//! Tests of proofs from a credential: the query's validation, the scope and nonce mapping,
//! each refusal before proving, and the date edges with one real proof.

mod binding;
mod dates;
mod query;
mod refusals;
mod support;
