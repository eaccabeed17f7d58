"""What the job service refuses, in words a page can show."""


class JobNotFound(LookupError):
    """No job with that id belongs to that user (whether it exists for another user is not said)."""


class JobStateError(ValueError):
    """The action does not fit the job's status (retrying a running job, say)."""
