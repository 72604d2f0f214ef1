//! What every family shares and no family owns: reading bodies, the
//! language of an answer, the client's address, the request id, the limits
//! on heads, the route table, the one failure classification, bearer tokens,
//! the data export document both the core and the admin family answer.
//! Nothing here names a family.

pub mod bearer;
pub mod body;
pub mod call;
pub mod client_ip;
pub mod export;
pub mod failure;
pub mod language;
pub mod lenient;
pub mod limits;
pub mod metrics;
pub mod request_id;
pub mod routes;
pub mod schema;
