"""The audit log: every view and change of health data — who, when, what, from where."""
