//! scrubs: checks health-care workers' social-media drafts against their
//! employer's social-media policy.
//!
//! See ARCHITECTURE.md for the flow and the module map.

#[doc(hidden)]
pub mod bench_support;
pub mod cli;
pub mod config;
pub mod engine;
#[doc(hidden)]
pub mod fuzz_support;
pub mod images;
pub mod lsp;
pub mod markup;
pub mod model;
pub mod packs;
pub(crate) mod par;
pub mod position;
pub mod project;
pub mod rules;
