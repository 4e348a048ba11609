//! The IAM policy language and AWS's evaluation logic.
//!
//! - [`policy`]: documents and their parser (located errors, AWS's accepted shapes);
//! - [`wildcard`] and [`arn`]: `*`/`?` matching and ARN segment rules;
//! - [`vars`]: policy variables;
//! - [`condition`]: every condition operator, `IfExists`, set qualifiers;
//! - [`context`]: the request and its principal;
//! - [`evaluate`]: the combining rule across SCPs, RCPs, resource, identity, boundary and
//!   session policies, producing a [`crate::trace::Trace`].

pub mod arn;
pub mod condition;
pub mod context;
pub mod evaluate;
pub mod policy;
pub mod vars;
pub mod wildcard;
