"""Sending the outbox's scores to the LMS (AGS score publish), by `flask lti send-scores`.

A pass claims the due rows (unsent, `next_try_at` passed) in a short transaction that moves
their `next_try_at` a lease ahead: on PostgreSQL with `SELECT ... FOR UPDATE SKIP LOCKED`, on
SQLite under the write lock (`db.begin_write`), so two workers or servers never claim the
same row. No transaction stays open while a platform is called: a learner's answer never
waits for an LMS. Each row is then posted to its link's line item, and `sent_at` is written
only once the platform answered 2xx. A failure counts a try, keeps what the platform said
(status and the start of its body, Canvas's 422 message say) for the gradebook, and waits
1 minute * 2^(tries - 1) before the next, at most a day; a refusal (a 4xx other than 401, 408
or 429) is no better a minute later, so it waits an hour * 2^(tries - 1), at most a day, and
is shown until a teacher has it sent again (`outbox.resend`). While one platform is down, its
other scores in the pass are put off to the same time instead of knocking again.

Crash safety: a process that dies after the platform accepted a score and before `sent_at`
was written sends it again once the lease ends. That is harmless: AGS keeps one score per
user and line item, and the same score with the same timestamp replaces itself. Within one
run a row is posted once, and there is one row per submission, so a submission is never
posted twice otherwise.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, joinedload

from ..db import as_utc, begin_write
from ..models import utcnow
from . import tool
from .models import AccessToken, Link, Platform, Score

BATCH = 50  # rows claimed per pass
LEASE = timedelta(minutes=10)  # a claimed row is due again after this, should its worker die
FIRST_WAIT = timedelta(minutes=1)
REFUSED_WAIT = timedelta(hours=1)
LONGEST_WAIT = timedelta(days=1)
TRY_SOON = {401, 408, 429}  # 4xx statuses that say "later", not "no"
SCORE_MEDIA = "application/vnd.ims.lis.v1.score+json"


@dataclass
class Summary:
    """What one pass did."""

    sent: int = 0
    failed: int = 0
    put_off: int = 0  # not tried: their platform failed earlier in the pass, or time ran out
    waiting: int = 0  # unsent after the pass, due later

    def __str__(self) -> str:
        return (
            f"scores: {self.sent} sent, {self.failed} failed, {self.put_off} put off, "
            f"{self.waiting} waiting"
        )


class Failure(Exception):
    """A score the platform did not take: what it said, and whether to try again soon."""

    def __init__(self, message: str, soon: bool, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.soon = soon
        self.retry_after = retry_after


def send_due(db: Session, now: datetime | None = None, limit: int = BATCH) -> Summary:
    """Post the scores that are due; returns what happened."""
    now = now or utcnow()
    summary = Summary()
    rows = _claim(db, now, limit)
    connectors: dict[int, tuple[Platform, tool.Connector]] = {}
    down: dict[int, tuple[str, datetime]] = {}  # platform id: its error, when to try again
    deadline = time.monotonic() + LEASE.total_seconds() / 2
    for score in rows:
        platform_id = score.link.context.platform_id
        if platform_id in down or time.monotonic() > deadline:
            error, next_try = down.get(platform_id, (score.last_error, now))
            _put_off(db, score, error, next_try)
            summary.put_off += 1
            continue
        if platform_id not in connectors:
            platform = db.get(Platform, platform_id)
            connectors[platform_id] = (platform, tool.connector(db, platform))
        try:
            _post(db, *connectors[platform_id], score)
        except Failure as failure:
            next_try = _failed(db, score, failure, now)
            summary.failed += 1
            if failure.soon:
                down[platform_id] = (failure.message, next_try)
            continue
        _sent(db, score, now)
        summary.sent += 1
    summary.waiting = db.scalar(select(func.count(Score.id)).where(Score.sent_at.is_(None)))
    db.commit()
    return summary


def _claim(db: Session, now: datetime, limit: int) -> list[Score]:
    """Take the due rows for this worker: they are due again only after the lease."""
    begin_write(db)
    due = (
        select(Score.id)
        .where(Score.sent_at.is_(None), Score.next_try_at <= now)
        .order_by(Score.next_try_at, Score.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.scalars(due))
    if ids:
        db.execute(
            update(Score)
            .where(Score.id.in_(ids))
            .values(next_try_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )
    db.commit()
    if not ids:
        return []
    query = (
        select(Score)
        .where(Score.id.in_(ids))
        .options(joinedload(Score.link).joinedload(Link.context), joinedload(Score.user))
        .order_by(Score.finished_at, Score.id)
        .execution_options(populate_existing=True)
    )
    found = list(db.scalars(query))
    db.commit()
    return found


def grade(score: Score) -> Grade:
    """The AGS score for an outbox row."""
    finished = as_utc(score.finished_at)
    return (
        Grade()
        .set_user_id(score.user.sub)
        .set_score_given(score.score_given)
        .set_score_maximum(score.score_maximum)
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        # as a string: the library writes a datetime's offset as +0000, not ISO 8601's +00:00
        .set_timestamp(finished.isoformat(timespec="milliseconds"))
    )


def _post(db: Session, platform: Platform, connector: tool.Connector, score: Score) -> None:
    service = AssignmentsGradesService(
        connector, {"scope": score.link.ags_scopes or [], "lineitem": score.link.lineitem_url}
    )
    try:
        try:
            service.put_grade(grade(score))
        except LtiServiceException as e:
            if e.response.status_code != 401 or _is_token_request(e, platform):
                raise
            # the platform ended the access token before its time: get a new one, once
            _forget_tokens(db, platform.id)
            service.put_grade(grade(score))
    except LtiServiceException as e:
        raise _refusal(e, platform) from e
    except requests.RequestException as e:
        raise Failure(tool.unreachable(e), soon=True) from e
    except LtiException as e:  # the launch offered no score scope for this link
        raise Failure(f"The LMS did not let this tool send scores here: {e}", soon=False) from e


def _is_token_request(error: LtiServiceException, platform: Platform) -> bool:
    return error.response.url == platform.auth_token_url


def _refusal(error: LtiServiceException, platform: Platform) -> Failure:
    """What the platform answered, in words a teacher can pass on to the LMS's admin."""
    response = error.response
    status = response.status_code
    asked = "the access token request" if _is_token_request(error, platform) else "the score"
    retry_after = response.headers.get("Retry-After", "")
    return Failure(
        tool.answered(response, asked),
        soon=status >= 500 or status in TRY_SOON,
        retry_after=float(retry_after) if retry_after.isdigit() else None,
    )


def backoff(tries: int, soon: bool) -> timedelta:
    """How long after its `tries`-th failure a score is tried again."""
    first = FIRST_WAIT if soon else REFUSED_WAIT
    return min(first * 2 ** min(tries - 1, 20), LONGEST_WAIT)


def _forget_tokens(db: Session, platform_id: int) -> None:
    begin_write(db).execute(delete(AccessToken).where(AccessToken.platform_id == platform_id))
    db.commit()


def _update(db: Session, score: Score, **values) -> None:
    """Change a score still unsent (a resend or another pass may have sent it since)."""
    begin_write(db).execute(
        update(Score)
        .where(Score.id == score.id, Score.sent_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.commit()


def _sent(db: Session, score: Score, now: datetime) -> None:
    _update(db, score, sent_at=now, last_error=None)


def _failed(db: Session, score: Score, failure: Failure, now: datetime) -> datetime:
    tries = score.tries + 1
    wait = backoff(tries, failure.soon)
    if failure.retry_after:
        wait = min(max(wait, timedelta(seconds=failure.retry_after)), LONGEST_WAIT)
    _update(db, score, tries=tries, last_error=failure.message, next_try_at=now + wait)
    return now + wait


def _put_off(db: Session, score: Score, error: str | None, next_try: datetime) -> None:
    _update(db, score, last_error=error, next_try_at=next_try)
