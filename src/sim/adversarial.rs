//! Adversarial-training simulation (in progress).
