"""The acts a desktop queues in its outbox, in one table: path pattern -> body -> act.

The single POST routes are made from this table (registry/routes/queued.py) and /v1/batch
finds an item's act in it (registry/service.py), so a path is known to both or to neither,
and a batched item is read, checked and decided exactly as the same request sent alone.
A pattern's {patient_id} is checked as the route checks it (`PatientId`).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ValidationError, create_model

from registry import acts, limits, schemas

# The values a pattern may name, as the routes declare them (and the batch checks them).
PatientId = Annotated[
    str,
    schemas.NoNul,
    Path(min_length=1, max_length=limits.ID, json_schema_extra=schemas.NO_NUL_SCHEMA),
]
PATH_VALUES: dict[str, Any] = {"patient_id": PatientId}

PathArgs = Mapping[str, str]
QueuedActFn = Callable[[acts.Context, PathArgs, dict[str, Any]], acts.Result]


class PathRefused(ValueError):
    """A batch item's path names no queued act, or a value in it the route would refuse."""


@dataclass(frozen=True)
class QueuedAct:
    pattern: str  # "/v1/patients/{patient_id}/ancs"
    body: type[schemas.Body]
    act: QueuedActFn
    name: str  # the route's name, which starts its OpenAPI operationId
    tag: str
    status_code: int = 200

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.pattern))

    @cached_property
    def _regex(self) -> re.Pattern[str]:
        # Each {name} is one path segment, as the router matches it.
        parts = re.split(r"({\w+})", self.pattern)
        return re.compile(
            "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
        )

    @cached_property
    def _values(self) -> type[BaseModel] | None:
        fields: dict[str, Any] = {name: (PATH_VALUES[name], ...) for name in self.params}
        return create_model(f"{self.name}_path", **fields) if fields else None

    def bound(self, args: PathArgs, body: dict[str, Any]) -> Callable[[acts.Context], acts.Result]:
        """The act on this request's path values and body, for `Registry` to run."""
        return lambda ctx: self.act(ctx, args, body)

    def path(self, args: PathArgs) -> str:
        return self.pattern.format(**args)

    def match(self, path: str) -> dict[str, str] | None:
        """The pattern's values in `path`, checked; None if `path` is not this pattern's.
        Raises PathRefused for a value the route would refuse."""
        found = self._regex.fullmatch(path)
        if found is None:
            return None
        args = found.groupdict()
        if self._values is not None:
            try:
                self._values.model_validate(args)
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(("path", *(str(p) for p in first.get("loc", ()))))
                raise PathRefused(f"{where}: {first.get('msg', 'invalid')}.") from None
        return args


@dataclass(frozen=True)
class QueuedRequest:
    """A batch item's path, resolved: its act and the values its path names."""

    act: QueuedAct
    args: dict[str, str]

    @property
    def path(self) -> str:
        return self.act.path(self.args)


def _enroll(ctx: acts.Context, _: PathArgs, body: dict[str, Any]) -> acts.Result:
    return acts.enroll_patient(ctx, body)


def _report_anc(ctx: acts.Context, args: PathArgs, body: dict[str, Any]) -> acts.Result:
    return acts.report_anc(ctx, args["patient_id"], body)


def _submit_psf(ctx: acts.Context, _: PathArgs, body: dict[str, Any]) -> acts.Result:
    return acts.submit_psf(ctx, body)


def _deactivate(ctx: acts.Context, args: PathArgs, _: dict[str, Any]) -> acts.Result:
    return acts.deactivate_patient(ctx, args["patient_id"])


def _request_rda(ctx: acts.Context, _: PathArgs, body: dict[str, Any]) -> acts.Result:
    return acts.request_rda(ctx, body)


def _dispense_rationale(ctx: acts.Context, _: PathArgs, body: dict[str, Any]) -> acts.Result:
    return acts.dispense_rationale(ctx, body)


QUEUED_ACTS: dict[str, QueuedAct] = {
    act.pattern: act
    for act in (
        QueuedAct("/v1/enrollments", schemas.FormIn, _enroll, "enroll_patient", "patients", 201),
        QueuedAct(
            "/v1/patients/{patient_id}/ancs",
            schemas.AncIn,
            _report_anc,
            "report_anc",
            "patients",
            201,
        ),
        QueuedAct("/v1/psfs", schemas.FormIn, _submit_psf, "submit_psf", "patients", 201),
        QueuedAct(
            "/v1/patients/{patient_id}/deactivate",
            schemas.NoBody,
            _deactivate,
            "deactivate_patient",
            "patients",
        ),
        QueuedAct("/v1/rda", schemas.RdaIn, _request_rda, "request_rda", "dispensing"),
        QueuedAct(
            "/v1/dispense-rationales",
            schemas.DispenseRationaleIn,
            _dispense_rationale,
            "dispense_rationale",
            "dispensing",
        ),
    )
}


def request_for(path: str) -> QueuedRequest:
    """The queued act a batch item's path names (percent-escapes read as the router reads
    them). Raises PathRefused when there is none, or a value in it is refused."""
    decoded = urllib.parse.unquote(path)
    for act in QUEUED_ACTS.values():
        args = act.match(decoded)
        if args is not None:
            return QueuedRequest(act, args)
    raise PathRefused(
        f"The registry takes no queued item at {path!r}. Queued items go to: "
        + ", ".join(QUEUED_ACTS)
        + "."
    )
