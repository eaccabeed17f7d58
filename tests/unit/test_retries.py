"""Automatic retries: the policy's waits, the classification of failures, the attempt bookkeeping."""

from __future__ import annotations

import random

import httpx
import pytest

from genapp.config import Settings
from genapp.jobs.retries import FORM_KEY, JobRetryPolicy, auto_attempt, classify, previous_wait, retry_stage
from genapp.jobs.simulation import InjectedFailure
from genapp.providers.errors import ProviderError, Redactor, status_error, transport_error
from genapp.providers.retry import RetryPolicy, with_retries


def test_waits_stay_between_the_base_and_the_cap_and_grow():
    policy = JobRetryPolicy(attempts=10, base_seconds=2.0, max_seconds=60.0)
    rng = random.Random(7)
    waits, previous = [], None
    for _ in range(8):
        previous = policy.delay(previous, rng)
        waits.append(previous)
    assert all(2.0 <= w <= 60.0 for w in waits)
    assert waits[0] <= 6.0  # the first: between the base and three times it
    assert max(waits) > 6.0  # later ones may go further (decorrelated: up to 3x the last)


def test_waits_are_jittered_and_reproducible_with_a_seed():
    policy = JobRetryPolicy()
    first = [policy.delay(None, random.Random(seed)) for seed in range(20)]
    assert len({round(w, 6) for w in first}) == 20  # one outage's jobs do not all come back at once
    assert first == [policy.delay(None, random.Random(seed)) for seed in range(20)]


def test_each_wait_is_bounded_by_three_times_the_last():
    policy = JobRetryPolicy(attempts=5, base_seconds=1.0, max_seconds=1000.0)
    rng = random.Random(3)
    for previous in (1.0, 4.0, 10.0, 50.0):
        for _ in range(50):
            assert 1.0 <= policy.delay(previous, rng) <= previous * 3


def test_retry_after_is_honoured_up_to_the_cap_and_a_tiny_cap_wins():
    policy = JobRetryPolicy(attempts=3, base_seconds=1.0, max_seconds=20.0)
    assert policy.delay(None, random.Random(1), retry_after=15.0) >= 15.0
    assert policy.delay(None, random.Random(1), retry_after=500.0) == 20.0
    assert JobRetryPolicy(attempts=3, base_seconds=5.0, max_seconds=0.5).delay(None, random.Random(1)) == 0.5


def test_policy_from_settings_and_kept_in_the_form_data():
    policy = JobRetryPolicy.from_settings(Settings(_env_file=None, retry_attempts=5, retry_base_seconds=0.5, retry_max_seconds=9))
    assert policy == JobRetryPolicy(5, 0.5, 9.0)
    assert JobRetryPolicy.of({FORM_KEY: policy.to_form()}) == policy
    assert JobRetryPolicy.of({}, JobRetryPolicy(2)) == JobRetryPolicy(2)  # a row from before retries: the default
    assert JobRetryPolicy.of({FORM_KEY: {"attempts": "many"}}).attempts == 1  # damaged: no retries rather than guesses
    defaults = Settings(_env_file=None)
    assert (defaults.retry_attempts, defaults.retry_base_seconds, defaults.retry_max_seconds) == (3, 2.0, 60.0)
    with pytest.raises(ValueError):
        Settings(_env_file=None, retry_attempts=0)


def _response(code: int, headers: dict | None = None) -> httpx.Response:
    return httpx.Response(code, headers=headers or {}, request=httpx.Request("POST", "http://llm.test/v1/chat/completions"))


@pytest.mark.parametrize("code", [429, 500, 502, 503, 504])
def test_rate_limits_and_server_errors_are_transient(code):
    error = status_error(_response(code, {"retry-after": "7"}), b'{"error": {"message": "busy"}}', "The LLM", Redactor())
    assert error.retryable and error.transient and classify(error).transient
    assert classify(error).retry_after == 7.0


@pytest.mark.parametrize("code", [400, 401, 403, 404, 422])
def test_client_errors_and_refused_keys_are_permanent(code):
    error = status_error(_response(code), b'{"error": {"message": "no"}}', "The LLM", Redactor())
    assert not error.transient and not classify(error).transient


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.ReadTimeout("silent"), httpx.RemoteProtocolError("cut"), httpx.ReadError("reset")],
)
def test_network_faults_are_transient(exc):
    assert classify(transport_error(exc, "The LLM", Redactor())).transient


def test_other_failures_are_classified_by_type_not_text():
    assert classify(InjectedFailure("Injected failure at 40%")).transient  # the QA stand-in for a provider fault
    assert classify(ConnectionResetError("reset by peer")).transient
    assert not classify(ValueError("HTTP 503 timeout connection refused")).transient  # a bug, whatever it says
    assert not classify(ProviderError("The model's answer was not a valid Character after one repair attempt")).transient
    assert not classify(ProviderError("This job asks for the LLM, but none is configured now")).transient


async def test_a_transient_fault_stays_transient_once_the_requests_own_tries_are_used_up():
    async def attempt(n):
        raise ProviderError("The LLM went silent (read timeout)", retryable=True)

    with pytest.raises(ProviderError) as caught:
        await with_retries(attempt, RetryPolicy(max_attempts=2, backoff=0.0))
    assert "gave up after 2 attempts" in caught.value.message
    assert not caught.value.retryable and caught.value.transient  # not again within this run; the job may try later

    async def refused(n):
        raise ProviderError("The LLM refused the API key (HTTP 401)", status=401)

    with pytest.raises(ProviderError) as caught:
        await with_retries(refused, RetryPolicy(max_attempts=3, backoff=0.0))
    assert not caught.value.transient


async def test_a_retry_after_beyond_the_requests_patience_is_left_to_the_job():
    async def attempt(n):
        raise ProviderError("rate limited", retryable=True, retry_after=300.0, status=429)

    with pytest.raises(ProviderError) as caught:
        await with_retries(attempt, RetryPolicy(max_attempts=3, backoff=0.0, max_retry_after=10.0))
    assert caught.value.transient and caught.value.retry_after == 300.0


def test_the_series_counts_automatic_retries_since_the_last_manual_one():
    manual = {"attempt": 1, "status": "error", "error": "x"}
    auto = {"attempt": 2, "status": "error", "error": "y", "automatic": True, "wait_seconds": 2.5}
    assert auto_attempt([]) == 1
    assert auto_attempt([{**auto, "attempt": 1}]) == 2
    assert auto_attempt([manual, auto]) == 2  # a manual retry starts a new series
    assert auto_attempt([{**auto, "attempt": 1}, auto]) == 3
    assert previous_wait([manual, auto]) == 2.5 and previous_wait([manual]) is None


def test_the_stage_says_when_and_which_attempt():
    assert retry_stage(7.2, 2, 3, "The LLM had a server error (HTTP 503)") == "Retrying in 8 s (attempt 2 of 3): The LLM had a server error (HTTP 503)"
    assert retry_stage(0.01, 3, 3, "x").startswith("Retrying in 1 s (attempt 3 of 3)")
