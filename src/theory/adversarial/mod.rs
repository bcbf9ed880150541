//! Adversarially trained random features (in progress).
