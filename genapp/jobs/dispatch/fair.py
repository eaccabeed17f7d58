"""The waiting line of the embedded dispatcher: one line per user, users served in turn.

A user with 50 jobs waiting and another who submits one: the second user's job starts after at most
one more of the first user's (first come, first served would make it wait for all 50). Each user's own
jobs keep their order.
"""

from __future__ import annotations

from collections import deque


class FairQueue:
    def __init__(self) -> None:
        self._lines: dict[str, deque[str]] = {}  # owner -> their waiting job ids, oldest first
        self._turns: deque[str] = deque()  # owners with jobs waiting, whose turn is next first
        self._owner: dict[str, str] = {}  # job id -> owner

    def __len__(self) -> int:
        return len(self._owner)

    def __contains__(self, job_id: str) -> bool:
        return job_id in self._owner

    def push(self, job_id: str, owner: str) -> None:
        if job_id in self._owner:
            return
        if owner not in self._lines:
            self._lines[owner] = deque()
            self._turns.append(owner)
        self._lines[owner].append(job_id)
        self._owner[job_id] = owner

    def pop(self) -> tuple[str, str]:
        """The next job and its owner; the owner goes to the back of the turns."""
        owner = self._turns.popleft()
        line = self._lines[owner]
        job_id = line.popleft()
        del self._owner[job_id]
        if line:
            self._turns.append(owner)
        else:
            del self._lines[owner]
        return job_id, owner

    def remove(self, job_id: str) -> bool:
        owner = self._owner.pop(job_id, None)
        if owner is None:
            return False
        line = self._lines[owner]
        line.remove(job_id)
        if not line:
            del self._lines[owner]
            self._turns.remove(owner)
        return True

    def position(self, job_id: str) -> int | None:
        """1 for the job that starts next, as things stand; None when it is not waiting."""
        owner = self._owner.get(job_id)
        if owner is None:
            return None
        rounds = self._lines[owner].index(job_id)  # the user's own jobs ahead of it: that many turns of everyone's
        ahead = sum(min(len(self._lines[other]), rounds) for other in self._turns)
        for other in self._turns:  # and, in its own round, the users whose turn comes first
            if other == owner:
                break
            ahead += len(self._lines[other]) > rounds
        return ahead + 1

    def clear(self) -> None:
        self._lines.clear()
        self._turns.clear()
        self._owner.clear()
