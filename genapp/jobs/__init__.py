"""Jobs: the service (the one door), the store, the runner, the channel and the dispatchers."""
