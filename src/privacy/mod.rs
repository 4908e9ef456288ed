//! Applicants own their data (issue 10): everything stored about one
//! address as one JSON document ([`export()`]), erasing it
//! ([`crate::store::Store::erase`]), and how long raw mail and answer
//! history are kept ([`Retention`], applied by
//! [`crate::store::Store::purge`]).

pub mod export;
pub mod mention;
pub mod retention;

pub use export::{Export, export};
pub use retention::Retention;
