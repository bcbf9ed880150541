//! Membership-inference simulation (in progress).
