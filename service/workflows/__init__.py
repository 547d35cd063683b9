"""What each user action does: one transaction that checks the phase, applies the pure domain
step, stores it and records it (history and audit log). Routes, the CLI and the demo call
these; none of them sees SQL."""
