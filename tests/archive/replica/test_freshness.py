"""When the replica may answer: down, lagging, pinned behind a write, measured lag (a real
streaming replica, ``conftest.streaming_replica``)."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connections

from archive.replica import freshness
from archive.replica.config import REPLICA
from tests.archive.replica.conftest import replica_alias
from tests.pg_replica import StreamingReplica, free_port


def _write(name: str) -> str:
    """A committed write on the primary; its WAL position."""
    User.objects.create_user(name)
    return freshness.primary_lsn()


@pytest.mark.django_db(transaction=True)
def test_a_session_reads_from_the_primary_until_the_replica_replayed_its_write(
    replica: StreamingReplica,
) -> None:
    replica.wait_replayed(replica.primary_lsn())
    assert freshness.choose(None).alias == REPLICA
    replica.pause_replay()
    pin = _write("writer")
    choice = freshness.choose(pin)
    assert (choice.alias, choice.reason) == ("default", "pinned")
    # A session that wrote nothing still reads from the (paused, slightly behind) replica.
    assert freshness.choose(None).alias == REPLICA
    replica.resume_replay()
    replica.wait_replayed(pin)
    assert freshness.choose(pin).alias == REPLICA


@pytest.mark.django_db(transaction=True)
def test_a_replica_lagging_beyond_the_setting_is_skipped_with_a_log_line(
    replica: StreamingReplica, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    replica.wait_replayed(replica.primary_lsn())
    assert freshness.choose(None).alias == REPLICA  # within the fixture's 30 s
    replica.pause_replay()
    lsn = _write("lagging")
    with replica.connect() as standby:  # received, not replayed
        deadline = time.monotonic() + 30
        while not standby.execute(
            "SELECT pg_last_wal_receive_lsn() >= %s::pg_lsn", [lsn]
        ).fetchone()[0]:  # type: ignore[index]
            assert time.monotonic() < deadline, "the replica did not receive the write"
            time.sleep(0.01)
    # Received and not replayed: behind by the time since the last transaction it replayed,
    # more than 0 s.
    settings.REPLICA_MAX_LAG_SECONDS = 0.0
    with caplog.at_level(logging.WARNING, logger="archive.replica"):
        choice = freshness.choose(None)
        freshness.choose(None)
    assert (choice.alias, choice.reason) == ("default", "lagging")
    assert choice.lag_seconds is not None
    assert choice.lag_seconds > 0
    lines = [r.getMessage() for r in caplog.records]
    [line] = lines
    assert "REPLICA_MAX_LAG_SECONDS=0" in line
    settings.REPLICA_MAX_LAG_SECONDS = 30.0
    replica.resume_replay()
    replica.wait_replayed(lsn)
    assert freshness.choose(None).alias == REPLICA


@pytest.mark.django_db(transaction=True)
def test_a_replica_that_is_down_sends_reads_to_the_primary_and_is_not_retried_at_once(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.REPLICA_RETRY_SECONDS = 30.0
    with (
        replica_alias(free_port(), settings, connect_timeout=1),  # nothing listens there
        caplog.at_level(logging.WARNING, logger="archive.replica"),
    ):
        choice = freshness.choose(None)
        assert (choice.alias, choice.reason) == ("default", "down")
        [line] = [r.getMessage() for r in caplog.records]
        assert "the replica failed" in line
        assert "reading from the primary" in line
        # Kept out for REPLICA_RETRY_SECONDS: no second connection attempt, no second line.
        assert freshness.choose(None).reason == "down"
        assert len(caplog.records) == 1


@pytest.mark.django_db(transaction=True)
def test_replication_lag_measured(replica: StreamingReplica) -> None:
    """The time from a commit on the primary to its replay on the replica (printed; no
    timing assertion: the machine is shared)."""
    waits = []
    for number in range(20):
        lsn = _write(f"lag{number}")
        waits.append(replica.wait_replayed(lsn))
    waits.sort()
    with replica.connect(connections["default"].settings_dict["NAME"]) as standby:
        [(count,)] = standby.execute(
            "SELECT count(*) FROM auth_user WHERE username LIKE 'lag%'"
        ).fetchall()
    assert count == 20
    print(
        f"\nreplication lag, commit to replay, 20 writes: median {waits[10] * 1000:.1f} ms, "
        f"max {waits[-1] * 1000:.1f} ms"
    )
