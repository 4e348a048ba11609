//! The kmslab web app: a thin Leptos shell over `kmslab_engine`.
//!
//! Components render engine values and call engine functions; they decide nothing themselves.
//! Browser storage is touched only in [`storage`], other browser I/O only in [`browser`].

pub mod app;
pub mod browser;
pub mod cache;
pub mod components;
pub mod examples;
pub mod highlight;
pub mod history;
pub mod labs;
pub mod markdown;
pub mod splice;
pub mod storage;

pub use app::App;
