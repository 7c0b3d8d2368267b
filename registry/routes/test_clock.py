"""The test clock: only when the registry was started with it, only on loopback."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from registry import schemas
from registry.deps import Reg
from registry.meta import put_meta
from registry.service import TEST_TODAY

router = APIRouter(tags=["test clock"])


@router.put("/v1/test/clock")
def set_clock(body: schemas.ClockIn, reg: Reg) -> dict[str, str]:
    day = body.today
    reg.write(lambda conn: put_meta(conn, TEST_TODAY, day.isoformat()))
    return {"today": day.isoformat()}


@router.delete("/v1/test/clock")
def clear_clock(reg: Reg) -> dict[str, str]:
    """Back to the real date (the desktop's demo registry, once its history is in)."""
    reg.write(lambda conn: put_meta(conn, TEST_TODAY, ""))
    return {"today": ""}


@router.post("/v1/test/echo", status_code=204)
def echo(_: dict[str, Any]) -> Response:
    """A trivial endpoint: the floor the sync benchmark compares pushes against."""
    return Response(status_code=204)
