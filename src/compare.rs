//! Theory versus simulation (in progress).
