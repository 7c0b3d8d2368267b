"""The registry's routes, one module per resource; `ROUTERS` is what the app mounts."""

from __future__ import annotations

from fastapi import APIRouter

from registry.routes import (
    dispensing,
    operator,
    participants,
    patients,
    pharmacies,
    session,
    workstations,
)
from registry.routes import sync as sync_routes

ROUTERS: tuple[APIRouter, ...] = (
    session.router,
    participants.router,
    pharmacies.router,
    patients.router,
    dispensing.router,
    operator.router,
    sync_routes.router,
    workstations.router,
)
