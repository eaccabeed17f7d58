"""Reflex states: the per-user shared job state, the tab's session, and the bus-to-browser pusher."""
