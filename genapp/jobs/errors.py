"""What the job service refuses, in words a page can show."""


class JobNotFound(LookupError):
    """No job with that id belongs to that user (whether it exists for another user is not said)."""


class JobStateError(ValueError):
    """The action does not fit the job's status (retrying a running job, say)."""


class LimitReached(RuntimeError):
    """A fair-use limit refuses the submission; the message says which, and when to try again."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after  # seconds; None: when one of your jobs finishes
