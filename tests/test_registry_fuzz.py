"""Schemathesis against the live registry over HTTP: every operation of its OpenAPI document,
with data that fits the schema and data that does not, signed in as a prescriber on
PostgreSQL (what production runs on) and as a pharmacy's Authorized Representative on SQLite.
No answer is a 5xx, and each status is one the operation documents.

Data that fits the schema now and then takes the world's real ids, a real form document with
fields dropped or replaced, or an odd character (NUL, a lone surrogate, ...) in a string, so
that requests go past "unknown patient" into the rules and the database. Bounded: EXAMPLES
per operation and mode, a time budget per account, hypothesis derandomized (the same cases
each run) with no deadline. Then what it found, each once as a plain request.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.result import Err, Ok
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import status_code_conformance

from app.clock import ManualClock
from registry.process import fresh_database
from tests.support.registry_server import (
    OPERATOR_PASSWORD,
    ServedRegistry,
    registry_settings,
    serve_in_thread,
)
from tests.support.registry_world import World, build_world, enrollment_body

# Per operation and generation mode; REGISTRY_FUZZ_EXAMPLES=200 looks further (and longer).
EXAMPLES = int(os.environ.get("REGISTRY_FUZZ_EXAMPLES", "12"))
BUDGET_SECONDS = 40.0 * max(1.0, EXAMPLES / 12)  # per account, all operations together
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
CHECKS = [not_a_server_error, status_code_conformance]
# The test clock's routes are not served in production. Sign-out goes last: it ends the
# token every other operation is sent with.
NOT_FUZZED = "^/v1/test/"
SIGN_OUT = "DELETE /v1/session"
Operation = APIOperation[Any, Any, Any, Any]  # one path and method of the served schema

# Any JSON a client could send in a free-form document (NaN and Infinity are not JSON).
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63 - 2, max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _mutated(value: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A real document with each field kept, dropped or replaced by any JSON."""
    fields = []
    for name, kept in value.items():
        choice = st.sampled_from(["keep"] * 6 + ["drop", "replace"])
        fields.append(st.tuples(st.just(name), st.just(kept), choice, JSON))

    def build(parts: list[tuple[str, Any, str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, kept, choice, other in parts:
            if choice == "keep":
                out[name] = kept
            elif choice == "replace":
                out[name] = other
        return out

    return st.tuples(*fields).map(list).map(build)


class RealValues:
    """Real ids and names of the world, which generated data may take in place of its own,
    so that the acts go past "unknown patient" into the rules."""

    def __init__(self, world: World) -> None:
        ids = world.ids
        self.values: dict[str, list[Any]] = {
            "patient_id": [ids["p1"]],
            "pharmacy_id": [ids["rx_x"], ids["rx_y"]],
            "prescriber_id": [ids["dr_a"], ids["dr_b"]],
            "signer_id": [ids["dr_a"]],
            "name": ["Rosa Test"],
            "dob": ["1980-01-01"],
            "npi": ["1234567893"],
            "drawn": ["2024-01-02"],
            "unit": ["/uL", "K/uL"],
        }
        self.p1 = ids["p1"]

    def documents(self) -> st.SearchStrategy[dict[str, Any]]:
        enrollment = enrollment_body(self.p1)["document"]
        new_patient = {**enrollment, "patient_id": "patient-fuzz-new", "name": "Fuzz New"}
        psf = {
            "format": "psf/1",
            "patient_id": self.p1,
            "monitoring": "weekly",
            "ancs": [{"value": "1800", "unit": "/uL", "drawn": "2024-01-02"}],
            "treatment_status": "enrolled",
            "treatment_rationale": None,
            "authorize_missing_labs": False,
            "ben": None,
            "hospice": None,
            "adverse_event": None,
        }
        return st.one_of(_mutated(enrollment), _mutated(new_patient), _mutated(psf))

    def swap(self, data: st.DataObject, container: dict[str, Any], in_url: bool = False) -> None:
        for name in list(container):
            if name in self.values and data.draw(st.booleans(), label=f"real {name}"):
                container[name] = data.draw(st.sampled_from(self.values[name]))
            elif name == "document" and data.draw(st.booleans(), label="real document"):
                container[name] = data.draw(self.documents(), label="document")
            elif isinstance(container[name], dict):
                self.swap(data, container[name])
        if data.draw(st.integers(0, 3), label="odd characters in this request?") == 0:
            odd_characters(data, container, URL_ODD if in_url else ODD)


# Characters a text column may not take (PostgreSQL's refuses NUL; UTF-8 has no lone
# surrogate) or that render oddly: one of them now and then in any string sent.
# (A URL cannot carry a lone surrogate at all.)
ODD = ("\x00", "\ud800", "\u202e", "\U0001f9ea")
URL_ODD = ("\x00", "\u202e", "\U0001f9ea")


def odd_characters(data: st.DataObject, value: Any, odd: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        if data.draw(st.integers(0, 2), label="odd character here?") == 0:
            at = data.draw(st.integers(0, len(value)))
            return value[:at] + data.draw(st.sampled_from(odd)) + value[at:]
        return value
    if isinstance(value, dict):
        for name in list(value):
            value[name] = odd_characters(data, value[name], odd)
    elif isinstance(value, list):
        value[:] = [odd_characters(data, item, odd) for item in value]
    return value


class Run:
    def __init__(self, world: World, who: str) -> None:
        self.session = requests.Session()
        self.headers = {"Authorization": f"Bearer {world.client(who).access_token}"}
        self.real = RealValues(world)
        self.keys: set[str] = set()
        self.counter = 0
        self.calls = 0
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.deadline = time.monotonic() + BUDGET_SECONDS
        self.out_of_time = False

    def fresh_key(self, case: Any, positive: bool) -> None:
        """Data that fits the schema keeps its generated Idempotency-Key the first time it
        is seen; a key already used (or none) becomes a new one, so the act runs. Data that
        does not fit keeps the key as generated (none, too long, ...)."""
        names = {p.name for p in case.operation.iter_parameters()}
        if not positive or "Idempotency-Key" not in names:
            return
        key = (case.headers or {}).get("Idempotency-Key")
        if key is None or key in self.keys:
            self.counter += 1
            key = f"fuzz-{self.counter:08d}"
            case.headers = {**(case.headers or {}), "Idempotency-Key": key}
        self.keys.add(key)

    def check(self, case: Any, data: st.DataObject) -> None:
        if time.monotonic() > self.deadline:
            self.out_of_time = True
            return
        positive = case.meta is None or case.meta.generation.mode.is_positive
        if positive:
            if case.path_parameters:
                self.real.swap(data, case.path_parameters, in_url=True)
            if isinstance(case.body, dict):
                self.real.swap(data, case.body)
        self.fresh_key(case, positive)
        response = case.call(session=self.session, headers=self.headers, timeout=30)
        self.calls += 1
        self.statuses[case.operation.label, response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=self.headers)


def _operations(served: ServedRegistry) -> list[Any]:
    schema = schemathesis.openapi.from_url(served.url + "/openapi.json").exclude(
        path_regex=NOT_FUZZED
    )
    ops = [_readable(result) for result in schema.get_all_operations()]
    return sorted(ops, key=lambda op: op.label == SIGN_OUT)


def _readable(result: Ok[Operation] | Err[InvalidSchema]) -> Operation:
    """An operation of the served schema; one schemathesis cannot read fails, saying why."""
    if isinstance(result, Err):
        raise result.err()
    return result.ok()


def _modes(operation: Any) -> tuple[GenerationMode, ...]:
    """Nothing to get wrong in a request with no parameters and no body: positive only."""
    if not operation.body and not list(operation.iter_parameters()):
        return MODES[:1]
    return MODES


@pytest.fixture
def pg_registry(postgres_url: str, tmp_path: Path) -> Iterator[ServedRegistry]:
    """As `served_registry`, on a fresh PostgreSQL database (what production runs on)."""
    wall = ManualClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    with (
        fresh_database(postgres_url, tmp_path) as url,
        serve_in_thread(registry_settings(url, now=wall.now), wall) as served,
    ):
        yield served


@pytest.mark.parametrize(
    ("database", "who"),
    [("sqlite", "ar_rx_x"), ("postgresql", "dr_a")],
)
def test_no_operation_answers_a_server_error(
    database: str, who: str, request: pytest.FixtureRequest
) -> None:
    if database == "sqlite":
        served: ServedRegistry = request.getfixturevalue("served_registry")
        world: World = request.getfixturevalue("world")
    else:
        served = request.getfixturevalue("pg_registry")
        world = build_world(served.url, OPERATOR_PASSWORD)
        request.addfinalizer(world.close)
    run = Run(world, who)
    failures: list[str] = []
    started = time.monotonic()
    operations = _operations(served)
    for operation in operations:
        for mode in _modes(operation):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck),
                print_blob=False,
            )
            @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
            def fuzz(case: Any, data: st.DataObject) -> None:
                run.check(case, data)

            try:
                fuzz()
            except (Exception, BaseExceptionGroup) as error:  # a FailureGroup is the latter
                failures.append(f"{operation.label} ({mode.value}): {error}")
    took = time.monotonic() - started
    statuses = Counter[int]()
    for (_, status), count in run.statuses.items():
        statuses[status] += count
    print(
        f"\n{database}, {who}: {len(operations)} operations, {run.calls} requests in {took:.1f} s, "
        f"statuses {dict(sorted(statuses.items()))}"
    )
    if os.environ.get("REGISTRY_FUZZ_VERBOSE"):
        for (label, status), count in sorted(run.statuses.items()):
            print(f"  {label}: {status} x{count}")
    assert not failures, "\n\n".join(failures)
    assert not run.out_of_time, f"the fuzzing took more than {BUDGET_SECONDS} s"


# What the fuzzing found, each once as a plain request.
def _send(
    served: ServedRegistry,
    method: str,
    path: str,
    body: str | None = None,
    token: str | None = None,
    key: str | None = "fresh",
) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key is not None:
        headers["Idempotency-Key"] = f"regression-{time.monotonic_ns()}" if key == "fresh" else key
    return requests.request(
        method, served.url + path, data=body.encode() if body else None, headers=headers, timeout=30
    )


def _nul_requests(world: World) -> dict[str, tuple[str, str, str | None, str | None]]:
    """Requests with a NUL character (JSON \\u0000, or %00 in a URL) in a string. Each was
    a 500 on PostgreSQL, whose text columns cannot hold one (the fuzzing above found them),
    but two: a draw date was refused as no date (422), and a NUL in a key deep in a document
    was kept. Now any string with one is refused alike, before any act; an ANC's value, unit
    and draw date excepted, which the rules read as any JSON (the test after these)."""
    dr, ar = world.client("dr_a").access_token, world.client("ar_rx_x").access_token
    p1, rx = world.ids["p1"], world.ids["rx_x"]
    anc = '"value": 1800, "unit": "/uL", "drawn": "2024-01-02"'
    psf = '"format": "psf/1", "monitoring": "weekly", "ancs": []'
    return {
        "sign-in email": (
            "POST",
            "/v1/session",
            '{"email": "a\\u0000@b.test", "password": "p"}',
            None,
        ),
        "enrolling prescriber's email": (
            "POST",
            "/v1/prescribers",
            '{"email": "a\\u0000@b.test", "password": "long enough", "npi": "1234567893"}',
            None,
        ),
        "ANC as entered": (
            "POST",
            f"/v1/patients/{p1}/ancs",
            f'{{{anc}, "as_entered": "1\\u0000"}}',
            dr,
        ),
        "patient id in the path": ("GET", "/v1/patients/%00", None, dr),
        "pharmacy id in the path": ("GET", "/v1/pharmacies/%000/certification", None, dr),
        "store id in the path": ("GET", "/v1/workstations/%000/audit-head", None, dr),
        "look-up name": (
            "POST",
            "/v1/patients/lookup",
            '{"name": "Ro\\u0000sa", "dob": "1980-01-01"}',
            ar,
        ),
        "RDA ids": (
            "POST",
            "/v1/rda",
            f'{{"pharmacy_id": "{rx}", "patient_id": "\\u0000", "prescriber_id": "x"}}',
            ar,
        ),
        "a PSF document's text": (
            "POST",
            "/v1/psfs",
            f'{{"document": {{{psf}, "patient_id": "{p1}", "adverse_event": "a\\u0000"}}}}',
            dr,
        ),
        "a key deep in a document": (
            "POST",
            "/v1/psfs",
            f'{{"document": {{{psf}, "patient_id": "{p1}", "x": [{{"\\u0000": 1}}]}}}}',
            dr,
        ),
        "an invitation's email": (
            "POST",
            "/v1/invitations",
            '{"role": "designee", "email": "x\\u0000@y.test"}',
            dr,
        ),
    }


def test_a_nul_character_in_any_string_is_a_clear_400_on_postgresql(
    pg_registry: ServedRegistry,
) -> None:
    world = build_world(pg_registry.url, OPERATOR_PASSWORD)
    try:
        wrong = []
        for name, (method, path, body, token) in _nul_requests(world).items():
            answer = _send(pg_registry, method, path, body, token)
            shown = answer.json() if "json" in answer.headers.get("content-type", "") else {}
            refused = (answer.status_code, shown.get("error")) == (400, "INVALID_REQUEST")
            if not refused or "NUL character" not in shown.get("message", ""):
                wrong.append(f"{name}: {answer.status_code} {answer.text[:200]}")
        assert not wrong, "\n".join(wrong)
    finally:
        world.close()


def test_the_openapi_document_says_the_idempotency_key_is_required(
    served_registry: ServedRegistry,
) -> None:
    """It said optional (any string up to 64, the empty one too), and the registry refused
    a POST without one: data that fit the schema was refused."""
    doc = requests.get(served_registry.url + "/openapi.json", timeout=30).json()
    (param,) = [
        p for p in doc["paths"]["/v1/psfs"]["post"]["parameters"] if p["name"] == "Idempotency-Key"
    ]
    assert param["required"] is True
    assert (param["schema"]["minLength"], param["schema"]["maxLength"]) == (1, 64)


@pytest.mark.parametrize("key", [None, ""])
def test_a_missing_or_empty_key_is_still_idempotency_key_required(
    key: str | None, world: World, served_registry: ServedRegistry
) -> None:
    token = world.client("dr_a").access_token
    path = f"/v1/patients/{world.ids['p1']}/ancs"
    for body in ('{"value": 1800, "drawn": "2024-01-02"}', '{"value": "not a number"}'):
        answer = _send(served_registry, "POST", path, body, token, key=key)
        assert (answer.status_code, answer.json()["error"]) == (400, "IDEMPOTENCY_KEY_REQUIRED")


def test_each_refusal_of_the_session_routes_is_documented(served_registry: ServedRegistry) -> None:
    """Sign-in, refresh, sign-out and /v1/me answered 401 (and more) but documented only 200."""
    paths = requests.get(served_registry.url + "/openapi.json", timeout=30).json()["paths"]
    documented = {
        ("post", "/v1/session"): {"400", "401", "413", "429", "503"},
        ("post", "/v1/session/refresh"): {"400", "401", "413"},
        ("delete", "/v1/session"): {"401", "403"},
        ("get", "/v1/me"): {"401", "403"},
        ("post", "/v1/invitations/accept"): {"403", "409"},
    }
    for (method, path), statuses in documented.items():
        assert statuses <= set(paths[path][method]["responses"]), (method, path)
    wrong_password = _send(
        served_registry, "POST", "/v1/session", '{"email": "no@one.test", "password": "wrong"}'
    )
    assert (wrong_password.status_code, wrong_password.json()["error"]) == (401, "SIGN_IN_REFUSED")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ('{"value": 1500, "drawn": "\\u0000"}', "INVALID_DATE"),
        ('{"value": 1500, "unit": "/u\\u0000L", "drawn": "2024-01-03"}', "INVALID_ANC"),
    ],
)
def test_a_nul_in_an_ancs_date_or_unit_is_the_rules_refusal_on_postgresql(
    pg_registry: ServedRegistry, body: str, code: str
) -> None:
    # An ANC's value, unit and draw date are read as any JSON and refused by app/ in the
    # order of refusals (rules.md §13 R13), as the engine refuses them: a NUL there is not
    # a unit or a date, and nothing reaches PostgreSQL, which cannot store one.
    world = build_world(pg_registry.url, OPERATOR_PASSWORD)
    try:
        p1, dr = world.ids["p1"], world.client("dr_a").access_token
        answer = _send(pg_registry, "POST", f"/v1/patients/{p1}/ancs", body, dr)
        assert (answer.status_code, answer.json()["error"]) == (422, code)
        assert "\\x00" in answer.json()["message"]  # names what was wrong, visibly
        assert _send(pg_registry, "GET", f"/v1/patients/{p1}", None, dr).status_code == 200
    finally:
        world.close()
