//! Membership inference against ridge / min-norm linear regression (in progress).
