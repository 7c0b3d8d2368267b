"""The registry's routes, one module per resource; `ROUTERS` is what the app mounts."""

from __future__ import annotations

from fastapi import APIRouter

from registry.routes import (
    operator,
    participants,
    patients,
    pharmacies,
    queued,
    session,
    workstations,
)
from registry.routes import sync as sync_routes

ROUTERS: tuple[APIRouter, ...] = (
    session.router,
    participants.router,
    pharmacies.router,
    queued.router,  # enrollments, ANCs, PSFs, RDAs, Dispense Rationales: queued acts
    patients.router,
    operator.router,
    sync_routes.router,
    workstations.router,
)
