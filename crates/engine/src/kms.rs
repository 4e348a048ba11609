//! AWS KMS: keys, key policies, grants, key states and the operations, over the crypto core.
//!
//! - [`model`]: keys, aliases, grants;
//! - [`state`]: the key-state gate with AWS's exceptions;
//! - [`grant`]: grant matching, constraints, eventual consistency;
//! - [`authz`]: key policy + IAM (through [`authz::IamSide`]) + grants;
//! - [`ops`]: the API operations, AWS request and response shapes;
//! - [`catalog`]: the IAM actions, the operations and their parameters, known before anything runs;
//! - [`spec`]: key specs and usages, the operations and grant operations each supports;
//! - [`byok`]: imported key material (import state, expiry, the wrapping helper);
//! - [`console_policy`]: the console's default key policy per key type.

pub mod authz;
pub mod byok;
pub mod catalog;
pub mod console_policy;
pub mod error;
pub mod grant;
pub mod model;
pub mod ops;
pub mod spec;
pub mod state;
pub mod view;
