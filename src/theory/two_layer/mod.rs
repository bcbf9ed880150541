//! Two-layer ReLU teacher-student networks (in progress).
