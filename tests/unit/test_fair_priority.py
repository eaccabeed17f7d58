"""The scaled mode's turns: `fair_priority`, and what it gives under Procrastinate's order.

`Line` models the waiting runs as Procrastinate holds them (priority, id) and takes them as
`procrastinate_fetch_job_v2` does (ORDER BY priority DESC, id ASC); a cancel moves the owner's later
runs up one turn as `_CLOSE_GAP` does. The SQL itself runs in tests/contract/test_fair_turns.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from genapp.jobs.dispatch.procrastinate import fair_priority


def test_a_user_with_nothing_waiting_joins_the_turn_being_served():
    assert fair_priority(head=None, own_last=None) == 0  # an empty queue starts again at 0
    assert fair_priority(head=-7, own_last=None) == -7


def test_a_further_run_goes_one_turn_after_the_users_last():
    assert fair_priority(head=-2, own_last=-2) == -3
    assert fair_priority(head=-2, own_last=-9) == -10  # wherever the head is


@dataclass
class Line:
    waiting: dict[int, tuple[int, str]] = field(default_factory=dict)  # id -> (priority, owner)
    next_id: int = 1

    def defer(self, owner: str) -> int:
        mine = [p for p, o in self.waiting.values() if o == owner]
        head = max((p for p, _ in self.waiting.values()), default=None)
        return self._add(owner, fair_priority(head=head, own_last=min(mine, default=None)))

    def resume(self, owner: str) -> int:
        head = max((p for p, _ in self.waiting.values()), default=None)
        return self._add(owner, fair_priority(head=head, own_last=None))

    def _add(self, owner: str, priority: int) -> int:
        run, self.next_id = self.next_id, self.next_id + 1
        self.waiting[run] = (priority, owner)
        return run

    def fetch(self) -> int:
        run = min(self.waiting, key=lambda r: (-self.waiting[r][0], r))
        del self.waiting[run]
        return run

    def cancel(self, run: int) -> None:
        gone, owner = self.waiting.pop(run)
        for other, (p, o) in self.waiting.items():
            if o == owner and p < gone:
                self.waiting[other] = (p + 1, o)

    def owner(self, run: int) -> str:
        return self.waiting[run][1]


def test_a_newcomer_behind_fifty_waits_for_one_and_the_fifty_keep_their_order():
    line = Line()
    alice = [line.defer("alice") for _ in range(50)]
    started = [line.fetch()]  # alice's first is running
    bob = line.defer("bob")
    while line.waiting:
        started.append(line.fetch())
    assert started.index(bob) == 2  # after alice's running one and her next
    assert [r for r in started if r != bob] == alice


def test_three_users_take_turns():
    line = Line()
    a = [line.defer("a") for _ in range(4)]
    b = [line.defer("b") for _ in range(2)]
    c = [line.defer("c")]
    assert [line.fetch() for _ in range(7)] == [a[0], b[0], c[0], a[1], b[1], a[2], a[3]]


def test_a_cancelled_waiting_run_costs_its_owner_no_turn():
    line = Line()
    a = [line.defer("alice") for _ in range(5)]
    line.cancel(a[1])
    line.cancel(a[2])
    b = [line.defer("bob") for _ in range(3)]
    assert [line.fetch() for _ in range(6)] == [a[0], b[0], a[3], b[1], a[4], b[2]]


def test_random_lines_keep_each_users_order_and_a_newcomer_waits_at_most_one_run_per_other_user():
    rng = random.Random(9)
    for _ in range(300):
        line = Line()
        deferred: dict[str, list[int]] = {}
        newcomers: dict[int, set[str]] = {}  # a run deferred with nothing of its owner waiting -> owners then waiting
        ahead: dict[int, list[str]] = {}  # -> owners of the runs started after it was deferred, before it
        started: list[int] = []
        cancelled: set[int] = set()
        owners: dict[int, str] = {}
        for _ in range(rng.randint(5, 60)):
            roll = rng.random()
            if roll < 0.55:
                owner = rng.choice("abcd")
                alone = all(o != owner for _, o in line.waiting.values())
                others = {o for _, o in line.waiting.values()}
                run = line.defer(owner)
                owners[run] = owner
                deferred.setdefault(owner, []).append(run)
                if alone:
                    newcomers[run], ahead[run] = others, []
            elif roll < 0.9 and line.waiting:
                run = line.fetch()
                started.append(run)
                for waiting in ahead:
                    if waiting in line.waiting:
                        ahead[waiting].append(owners[run])
            elif line.waiting:
                run = rng.choice(list(line.waiting))
                line.cancel(run)
                cancelled.add(run)
        while line.waiting:
            run = line.fetch()
            started.append(run)
            for waiting in ahead:
                if waiting in line.waiting:
                    ahead[waiting].append(owners[run])
        for owner, runs in deferred.items():
            assert [r for r in started if owners[r] == owner] == [r for r in runs if r not in cancelled]
        for run, others in newcomers.items():
            if run in cancelled:
                continue
            assert len(ahead[run]) == len(set(ahead[run])), "two runs of one user went ahead of a newcomer"
            assert set(ahead[run]) <= others, "a user who had nothing waiting went ahead of a newcomer"


def test_a_resumed_run_starts_within_the_turn_being_served():
    line = Line()
    for owner in "abc":
        for _ in range(5):
            line.defer(owner)
    line.fetch()
    resumed = line.resume("b")
    order = [line.fetch() for _ in range(len(line.waiting))]
    assert order.index(resumed) <= 2  # behind at most one waiting run of each other user
