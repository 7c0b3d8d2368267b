"""Pushing the outbox: items leave in order, each state written before its request.

queued -> sending (committed) -> request -> acked | retry_wait | rejected. A crash between
"sending" and the answer leaves the item "sending"; at start-up it goes back to the queue and
is sent again with the same Idempotency-Key, which the registry answers from its record.
One item per patient per batch, so a patient's items take effect in the order they were made.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from local_store.database import Database
from local_store.mirror import held_forms
from local_store.outbox import Outbox, OutboxItem, OutboxKind, OutboxState
from sync.backoff import retry_delay
from sync.client import Answer, RegistryClient, RegistryUnreachable, SignInRequired

BATCH_SIZE = 100
# The registry path each kind of queued item goes to, alone or in a batch (the registry
# takes both from one table, registry/queued.py); {patient} is the item's patient.
PATHS: dict[OutboxKind, str] = {
    OutboxKind.SUBMIT_PSF: "/v1/psfs",
    OutboxKind.ENROLL_PATIENT: "/v1/enrollments",
    OutboxKind.REPORT_ANC: "/v1/patients/{patient}/ancs",
    OutboxKind.DEACTIVATE_PATIENT: "/v1/patients/{patient}/deactivate",
}
_NO_PATH = (
    "NO_PATH: this version of the app cannot send this kind of item ({kind}). It stays in "
    "the outbox; ask your IT contact."
)


def path_for(item: OutboxItem) -> str:
    """The item's registry path; ValueError for a kind this version does not know."""
    return PATHS[OutboxKind(item.kind)].format(patient=item.subject.removeprefix("patient:"))


def _known(item: OutboxItem) -> bool:
    return item.kind in PATHS


# Answers worth another try later: still in flight, too many requests, the server's trouble.
_RETRY = {408, 409, 425, 429, 500, 502, 503, 504}


@dataclass
class PushReport:
    acked: int = 0
    rejected: int = 0
    retrying: int = 0
    held: int = 0
    awaiting_signer: int = 0  # signed forms waiting for their signer's own sign-in
    sign_in_required: bool = False
    offline: bool = False
    messages: list[str] = field(default_factory=list)


def push(
    db: Database,
    client: RegistryClient,
    now: Callable[[], datetime],
    *,
    batch_size: int = BATCH_SIZE,
    rng: random.Random | None = None,
) -> PushReport:
    report = PushReport()
    outbox = Outbox(db)
    while True:
        conflicts = frozenset(held_forms(db))
        signers = _others_signatures(outbox, client)
        held = conflicts | signers
        report.held, report.awaiting_signer = len(conflicts), len(signers)
        batch = outbox.sendable(now(), batch_size, held)
        if not batch:
            return report
        if not all(_known(item) for item in batch):
            _refuse_unknown(outbox, [i for i in batch if not _known(i)], now(), report)
            continue
        outbox.mark_sending([item.id for item in batch], now())
        try:
            results = _send(client, batch)
        except SignInRequired as error:
            with db.transaction():
                for item in batch:  # not the item's fault: back in the queue as it was
                    outbox.set_state(item.id, OutboxState.QUEUED, now(), item.last_error)
            report.sign_in_required = True
            report.messages.append(str(error))
            return report
        except RegistryUnreachable as error:
            _retry_all(outbox, batch, now(), f"The registry could not be reached ({error}).", rng)
            report.retrying += len(batch)
            report.offline = True
            return report
        with db.transaction():
            for item in batch:
                answer = results.get(item.id)
                _settle(outbox, item, answer, now(), report, rng)
        if report.retrying:
            return report  # the registry is struggling: try again on the next round


def _refuse_unknown(
    outbox: Outbox, items: list[OutboxItem], at: datetime, report: PushReport
) -> None:
    """Items of a kind with no path (a newer app's) are refused here, in words, not sent."""
    for item in items:
        message = _NO_PATH.format(kind=item.kind)
        outbox.set_state(item.id, OutboxState.REJECTED, at, message)
        report.rejected += 1
        report.messages.append(message)


def _others_signatures(outbox: Outbox, client: RegistryClient) -> frozenset[str]:
    """Signed forms this sign-in must not send: the registry records a signature only from
    the signer's own session (a prescriber who signed, then signed out, sends them at her
    next sign-in here). A session resumed from its refresh token has not said whose it is
    yet: it asks, and until it knows, no signed form leaves."""
    signed = outbox.signed_waiting()  # one read of the waiting items
    if not signed:
        return frozenset()
    account = client.account
    if not account or not account.get("id"):
        try:
            me = client.get("/v1/me")  # refreshes the session if it must
        except (SignInRequired, RegistryUnreachable):
            return frozenset(signed)  # the send below meets the same trouble and says so
        account = me.body if me.ok and isinstance(me.body, dict) else None
    mine = str(account["id"]) if account else None
    return frozenset(item for item, signer in signed.items() if signer != mine)


def _send(client: RegistryClient, batch: list[OutboxItem]) -> dict[str, Answer]:
    if len(batch) == 1:
        item = batch[0]
        return {item.id: client.post(path_for(item), item.payload, key=item.id)}
    answer = client.batch([{"key": i.id, "path": path_for(i), "body": i.payload} for i in batch])
    if not answer.ok:
        return {i.id: answer for i in batch}
    return {r["key"]: Answer(int(r["status"]), r["body"]) for r in answer.body["results"]}


def _settle(
    outbox: Outbox,
    item: OutboxItem,
    answer: Answer | None,
    at: datetime,
    report: PushReport,
    rng: random.Random | None,
) -> None:
    if answer is not None and answer.ok:
        outbox.acknowledge(item.id, at, answer.body)
        report.acked += 1
    elif answer is None or answer.status in _RETRY:
        reason = answer.message if answer is not None else "no answer for this item"
        _retry_all(outbox, [item], at, f"The registry will be asked again ({reason}).", rng)
        report.retrying += 1
    else:
        message = answer.message or f"The registry refused this ({answer.status})."
        outbox.set_state(item.id, OutboxState.REJECTED, at, _rejection_text(answer, message))
        report.rejected += 1
        report.messages.append(message)


def _rejection_text(answer: Answer, message: str) -> str:
    code = answer.error or str(answer.status)
    return f"{code}: {message}"


def _retry_all(
    outbox: Outbox,
    items: list[OutboxItem],
    at: datetime,
    reason: str,
    rng: random.Random | None,
) -> None:
    for item in items:
        attempts = item.attempts + 1  # the "sending" just written counted one more
        outbox.set_state(
            item.id, OutboxState.RETRY_WAIT, at, reason, at + retry_delay(attempts, rng)
        )
