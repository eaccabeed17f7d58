"""Throughput of the procedural generators: build() items/s per type and illustrations/s.

Run from the repository root:  python bench/bench_generators.py [seconds-per-measure]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genapp.generators import GENERATORS, ContentType, render_illustration  # noqa: E402

BUILD_TARGET = 1000.0
ILLUSTRATION_TARGET = 500.0
PROMPTS = {
    ContentType.CHARACTER: ("", "a grumpy dwarven blacksmith", "cunning elf rogue", "whimsical gnome wizard"),
    ContentType.NPC: ("", "a sinister tiefling innkeeper", "friendly halfling merchant"),
    ContentType.ITEM: ("", "cursed flaming sword", "legendary frost shield", "potion of healing"),
    ContentType.QUEST: ("", "rescue the kidnapped heir from the swamp", "dragon hunt in the mountains"),
    ContentType.ENCOUNTER: ("", "haunted swamp ambush", "goblin camp in the forest"),
    ContentType.WORLD: ("", "a frozen empire haunted by undead", "tropical islands full of pirates"),
    ContentType.CAMPAIGN: ("", "a haunted swamp campaign", "war in the desert"),
}


def measure(fn, seconds: float) -> float:
    """Calls per second of fn(i) over about `seconds`."""
    n, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(50):
            fn(n)
            n += 1
        now = time.perf_counter()
        if now >= deadline:
            return n / (now - start)


def main(seconds: float = 2.0) -> int:
    print(f"{'type':<10} {'build/s':>10} {'illustrations/s':>16}")
    ok = True
    for t, gen in GENERATORS.items():
        form = gen.make_form()
        prompts = PROMPTS[t]
        samples = [gen.build(prompts[i % len(prompts)], form, i) for i in range(64)]
        build_rate = measure(lambda i: gen.build(prompts[i % len(prompts)], form, i), seconds)
        ill_rate = measure(lambda i: render_illustration(samples[i % 64], i), seconds / 2)
        met = build_rate >= BUILD_TARGET and ill_rate >= ILLUSTRATION_TARGET
        ok &= met
        print(f"{t.value:<10} {build_rate:>10,.0f} {ill_rate:>16,.0f}  {'ok' if met else 'BELOW TARGET'}")
    verdict = "met" if ok else "did NOT meet"
    print(f"Every type {verdict} the targets: build >= {BUILD_TARGET:,.0f}/s and illustrations >= {ILLUSTRATION_TARGET:,.0f}/s.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]) if len(sys.argv) > 1 else 2.0))
