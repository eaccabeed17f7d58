"""Job lifecycle: statuses, persistence, the event bus and the engine that runs jobs."""
