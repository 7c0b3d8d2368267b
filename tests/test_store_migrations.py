"""Forward migrations, from a real encrypted store of every schema version."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from local_store import keys, schema
from local_store.audit import AuditLog
from local_store.database import Database
from local_store.errors import StoreDamaged
from local_store.ledger import StoreLedger
from local_store.roster import roster_page
from tests.fixtures.make_store_fixtures import FIXTURE_KEY, fixture_path

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def open_copy(version: int, tmp_path: Path) -> Database:
    path = tmp_path / "store.db"
    shutil.copy(fixture_path(version), path)
    return Database.open(path, FIXTURE_KEY)


def test_there_is_a_fixture_for_every_schema_version() -> None:
    for version in range(1, schema.LATEST + 1):
        assert fixture_path(version).exists(), "run python -m tests.fixtures.make_store_fixtures"


@pytest.mark.parametrize("version", range(1, schema.LATEST + 1))
def test_every_version_opens_and_migrates_to_the_latest_with_its_records(
    version: int, tmp_path: Path
) -> None:
    db = open_copy(version, tmp_path)
    assert schema.version(db) == version
    assert schema.migrate(db, lambda: NOW) == version
    assert schema.version(db) == schema.LATEST
    ledger = StoreLedger(db)
    ana = ledger.patient("p1")
    assert ana is not None and ana.name == "Ana Fixture" and str(ana.dob) == "1970-01-02"
    assert [r.anc.per_ul for r in ledger.anc_history("p1")] == [1800, 2100]
    # v2's roster column: p1's latest ANC is the later draw, though reported first.
    rows = {r.patient_id: r for r in roster_page(db)}
    assert rows["p1"].latest_anc_per_ul == 2100 and str(rows["p1"].latest_anc_drawn) == "2025-12-20"
    assert rows["p2"].latest_anc_per_ul == 2500
    assert AuditLog(db, keys.derive(FIXTURE_KEY, "audit")).verify().intact
    assert db.one("SELECT count(*) FROM outbox WHERE state = 'queued'")[0] == 1
    # v4 renamed the forms table: its guards came along.
    triggers = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'forms'")}
    assert {"signed_psf_is_immutable", "signed_psf_is_kept"} <= triggers
    backups = list((tmp_path / "backups").glob("*.db")) if (tmp_path / "backups").exists() else []
    if version < schema.LATEST:
        # The file was backed up, still encrypted, at its old version, before migrating.
        [backup] = backups
        assert f"schema{version}" in backup.name
        old = Database.open(backup, FIXTURE_KEY)
        assert schema.version(old) == version
        old.close()
    else:
        assert backups == []
    db.close()


def test_a_store_from_a_newer_app_is_refused_untouched(tmp_path: Path) -> None:
    db = open_copy(schema.LATEST, tmp_path)
    db.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    with pytest.raises(StoreDamaged, match="newer version of Clozapine REMS Desk"):
        schema.migrate(db, lambda: NOW)
    assert schema.version(db) == schema.LATEST + 1
    db.close()


def test_a_failing_migration_leaves_the_last_good_version_and_a_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = "ALTER TABLE patients ADD COLUMN nickname TEXT;\nSELECT no_such_function();"
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, broken))
    monkeypatch.setattr(schema, "LATEST", len(schema.MIGRATIONS))
    db = open_copy(schema.LATEST - 1, tmp_path)
    with pytest.raises(Exception, match="no_such_function"):
        schema.migrate(db, lambda: NOW)
    assert schema.version(db) == schema.LATEST - 1
    columns = [row[1] for row in db.execute("PRAGMA table_info(patients)")]
    assert "nickname" not in columns
    assert StoreLedger(db).patient("p1") is not None
    assert list((tmp_path / "backups").glob("*.db"))
    db.close()
