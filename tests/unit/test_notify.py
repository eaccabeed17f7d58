"""Notices: which finished job is told and how (a batch once, when it is done), and the browser
notification script, run in a real JavaScript engine (node) with hostile text."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from genapp.models import JobSummary
from genapp.state.notify import notify_script
from genapp.state.pusher import _notice_for


class Jobs:
    """What _notice_for reads of the shared job state."""

    def __init__(self, active=(), recent=()):
        self.active, self.recent = list(active), list(recent)


def summary(job_id, status, *, batch="", size=0, label="", error="", progress=0, title=None):
    return JobSummary(id=job_id, type="npc", title=title or job_id, status=status, progress=progress, stage="", eta=-1,
                      error=error, batch_id=batch, batch_label=label, batch_size=size)


def test_a_single_job_is_told_by_its_label_and_title_with_its_page():
    jobs = Jobs(recent=[summary("j1", "complete", title="Mara the harbour master")])
    assert _notice_for(jobs, "success", "A generation is complete.", "j1") == (
        "success", "NPC ready: Mara the harbour master", "/dashboard/jobs/j1")
    jobs = Jobs(recent=[summary("j2", "error", error="The LLM server refused the key.")])
    assert _notice_for(jobs, "error", "A generation failed.", "j2") == (
        "error", "NPC failed: The LLM server refused the key.", "/dashboard/jobs/j2")


def test_a_job_not_listed_any_more_gets_the_plain_words():
    assert _notice_for(Jobs(), "success", "A generation is complete.", "gone") == ("success", "A generation is complete.", "/dashboard/jobs/gone")


def test_a_batch_is_told_once_when_its_last_job_finishes():
    batch = {"batch": "b1", "size": 3, "label": "3 × NPC: smugglers"}
    running = Jobs(active=[summary("c", "generating", progress=40, **batch)],
                   recent=[summary("a", "complete", **batch), summary("b", "complete", **batch)])
    assert _notice_for(running, "success", "A generation is complete.", "b") is None, "two of three done: nothing yet"
    done = Jobs(recent=[summary(i, "complete", **batch) for i in "abc"])
    assert _notice_for(done, "success", "x", "c") == ("success", "Batch finished: 3 × NPC: smugglers", "/dashboard/batches/b1")
    some_failed = Jobs(recent=[summary("a", "complete", **batch), summary("b", "error", **batch), summary("c", "complete", **batch)])
    assert _notice_for(some_failed, "success", "x", "c") == (
        "success", "Batch finished: 3 × NPC: smugglers (1 of 3 failed or cancelled)", "/dashboard/batches/b1")
    all_failed = Jobs(recent=[summary(i, "error", **batch) for i in "abc"])
    assert _notice_for(all_failed, "error", "x", "a")[0] == "error"


NODE = shutil.which("node")
HOSTILE = ['"); alert(1); ("', "</script><img src=x onerror=alert(1)>", "back\\slash `tick` ${x} \u2028 line", "ünïcödé ✨"]


def run_in_node(script: str, *, permission="granted", visibility="hidden") -> dict:
    """Evaluates the script as Reflex's page does (eval), with a recording Notification, in node."""
    harness = f"""
    const shown = [];
    globalThis.window = globalThis;
    globalThis.document = {{visibilityState: {json.dumps(visibility)}}};
    globalThis.Notification = class {{ constructor(title, options) {{ shown.push({{title, options}}); }} }};
    Notification.permission = {json.dumps(permission)};
    globalThis.alert = () => {{ throw new Error("alert ran"); }};
    const result = eval({json.dumps(script)});
    console.log(JSON.stringify({{result, shown}}));
    """
    out = subprocess.run([NODE, "-e", harness], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.skipif(NODE is None, reason="node is needed (make test installs bun through npm, so node is there)")
def test_the_notification_carries_hostile_text_as_text():
    for text in HOSTILE:
        got = run_in_node(notify_script(text, text, "genapp-7", "/dashboard/jobs/x"))
        assert got["result"] == "shown"
        assert got["shown"] == [{"title": text, "options": {"body": text, "tag": "genapp-7"}}]


@pytest.mark.skipif(NODE is None, reason="node is needed")
def test_no_notification_for_a_visible_tab_or_without_permission():
    script = notify_script("t", "b", "genapp-1", "")
    assert run_in_node(script, visibility="visible") == {"result": "skipped", "shown": []}
    assert run_in_node(script, permission="default") == {"result": "skipped", "shown": []}
    assert run_in_node(script, permission="denied") == {"result": "skipped", "shown": []}
