//! Scheduling data structures.

pub mod runqueue;
