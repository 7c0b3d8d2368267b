"""Who may add which workstation account."""

from __future__ import annotations

import pytest

from app.errors import AccessRefused
from app.records import Account
from app.roles import Role
from app.workstation_accounts import check_may_add_account

ADMIN = Account("it", Role.WORKSTATION_ADMIN)
DR = Account("dr", Role.PRESCRIBER, prescriber_id="dr")
AR = Account("ar", Role.PHARMACY_AR, pharmacy_id="rx")


@pytest.mark.parametrize(
    ("actor", "new"),
    [
        (ADMIN, Account("x", Role.PRESCRIBER, prescriber_id="x")),
        (DR, Account("d", Role.DESIGNEE, prescriber_id="dr")),
        (AR, Account("s", Role.PHARMACY_STAFF, pharmacy_id="rx")),
    ],
)
def test_allowed(actor: Account, new: Account) -> None:
    check_may_add_account(actor, new)


@pytest.mark.parametrize(
    ("actor", "new"),
    [
        (DR, Account("d", Role.DESIGNEE, prescriber_id="someone-else")),
        (DR, Account("p", Role.PRESCRIBER, prescriber_id="p")),
        (AR, Account("s", Role.PHARMACY_STAFF, pharmacy_id="other-rx")),
        (
            Account("d", Role.DESIGNEE, prescriber_id="dr"),
            Account("d2", Role.DESIGNEE, prescriber_id="dr"),
        ),
    ],
)
def test_refused_with_who_can(actor: Account, new: Account) -> None:
    with pytest.raises(AccessRefused, match="workstation administrator"):
        check_may_add_account(actor, new)
