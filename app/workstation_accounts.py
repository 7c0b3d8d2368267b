"""Who may add which account on a workstation.

The program's invitations, carried over to the workstation: a prescriber adds their own
designees, a pharmacy's Authorized Representative adds its own staff, and the workstation
administrator adds anyone. Refused: NOT_PERMITTED, with who can do it instead.
"""

from __future__ import annotations

from app.errors import AccessRefused, ErrorCode
from app.records import Account
from app.roles import Action, Role, may


def check_may_add_account(actor: Account, new: Account) -> None:
    allowed = (
        may(actor.role, Action.MANAGE_WORKSTATION_ACCOUNTS)
        or (
            actor.role is Role.PRESCRIBER
            and new.role is Role.DESIGNEE
            and new.prescriber_id == actor.prescriber_id
        )
        or (
            actor.role is Role.PHARMACY_AR
            and new.role is Role.PHARMACY_STAFF
            and new.pharmacy_id == actor.pharmacy_id
        )
    )
    if not allowed:
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED, "Only the workstation administrator can add this account."
        )
