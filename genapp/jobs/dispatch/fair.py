"""The waiting line of the embedded dispatcher: one line per user, users served in turn.

A user with 50 jobs waiting and another who submits one: the second user's job starts after at most
one more of the first user's (first come, first served would make it wait for all 50). Each user's own
jobs keep the order the user gave them (their `queue_order`: submission time unless moved). A paused
user's line is passed over, keeping its place in the turns; with the whole service paused nothing starts.
"""

from __future__ import annotations

import bisect
from collections import deque


class FairQueue:
    def __init__(self) -> None:
        self._lines: dict[str, list[tuple[float, int, str]]] = {}  # owner -> (order, arrival, job id), first first
        self._turns: deque[str] = deque()  # owners with jobs waiting, whose turn is next first
        self._owner: dict[str, str] = {}  # job id -> owner
        self._arrivals = 0  # ties in order keep arrival order
        self.held: set[str] = set()  # owners whose lines are paused
        self.all_held = False  # the whole service is paused

    def __len__(self) -> int:
        return len(self._owner)

    def __contains__(self, job_id: str) -> bool:
        return job_id in self._owner

    def runnable(self) -> bool:
        """Whether `pop` has a job to give."""
        return not self.all_held and any(owner not in self.held for owner in self._turns)

    def push(self, job_id: str, owner: str, order: float | None = None) -> None:
        if job_id in self._owner:
            return
        if owner not in self._lines:
            self._lines[owner] = []
            self._turns.append(owner)
        self._arrivals += 1
        bisect.insort(self._lines[owner], (float("-inf") if order is None else order, self._arrivals, job_id))
        self._owner[job_id] = owner

    def pop(self) -> tuple[str, str]:
        """The next job and its owner; the owner goes to the back of the turns. Only when `runnable()`."""
        for _ in range(len(self._turns)):
            owner = self._turns.popleft()
            if owner in self.held:
                self._turns.append(owner)  # passed over, keeping its line
                continue
            line = self._lines[owner]
            _, _, job_id = line.pop(0)
            del self._owner[job_id]
            if line:
                self._turns.append(owner)
            else:
                del self._lines[owner]
            return job_id, owner
        raise IndexError("no runnable job")

    def remove(self, job_id: str) -> bool:
        owner = self._owner.pop(job_id, None)
        if owner is None:
            return False
        line = self._lines[owner]
        line[:] = [entry for entry in line if entry[2] != job_id]
        if not line:
            del self._lines[owner]
            self._turns.remove(owner)
        return True

    def reorder(self, owner: str, job_ids: list[str]) -> None:
        """The owner's waiting jobs in this order (those it leaves out keep theirs, after it)."""
        line = self._lines.get(owner)
        if not line:
            return
        rank = {job_id: i for i, job_id in enumerate(job_ids)}
        ordered = sorted(line, key=lambda entry: (0, rank[entry[2]]) if entry[2] in rank else (1, entry[0], entry[1]))
        self._arrivals += len(ordered)
        line[:] = [(float(i), self._arrivals + i, job_id) for i, (_, _, job_id) in enumerate(ordered)]

    def order(self) -> list[str]:
        """Every waiting job that would start, in the order they would (paused lines left out)."""
        if self.all_held:
            return []
        lines = {owner: [entry[2] for entry in line] for owner, line in self._lines.items() if owner not in self.held}
        turns = [owner for owner in self._turns if owner in lines]
        started: list[str] = []
        depth = 0
        while turns:  # round k: every user still waiting starts their k-th job, in turn order
            turns = [owner for owner in turns if len(lines[owner]) > depth]
            started += [lines[owner][depth] for owner in turns]
            depth += 1
        return started

    def position(self, job_id: str) -> int | None:
        """1 for the job that starts next, as things stand; None when it is not waiting (or its line is paused)."""
        owner = self._owner.get(job_id)
        if owner is None or owner in self.held or self.all_held:
            return None
        return self.order().index(job_id) + 1

    def clear(self) -> None:
        self._lines.clear()
        self._turns.clear()
        self._owner.clear()
