"""Lab results imported from files, as the encrypted store keeps them (schema v8): each
recorded result's specimen number, patient, draw and the ANC it queued, and the lab MRNs a
person's import matched to a patient. The rows are PHI and live only in the store."""

from __future__ import annotations

from datetime import date, datetime

from app.use_cases.lab_import import EarlierImport
from local_store.database import Database


class LabImports:
    def __init__(self, db: Database) -> None:
        self._db = db

    def by_specimen(self) -> dict[tuple[str, str], EarlierImport]:
        """Every imported specimen, by (lab, accession), the latest import of each."""
        rows = self._db.execute(
            "SELECT id, lab, accession, patient_id, drawn, per_ul, source "
            "FROM lab_imports WHERE accession <> '' ORDER BY id"
        ).fetchall()
        return {
            (lab, accession): EarlierImport(
                import_id, patient_id, date.fromisoformat(drawn), per_ul, source
            )
            for import_id, lab, accession, patient_id, drawn, per_ul, source in rows
        }

    def lab_ids(self) -> dict[tuple[str, str], str]:
        """(lab, MRN) to the patient a person's import matched it to."""
        rows = self._db.execute("SELECT lab, mrn, patient_id FROM lab_patient_ids")
        return {(lab, mrn): patient_id for lab, mrn, patient_id in rows}

    def add(
        self,
        *,
        file_name: str,
        source: str,
        lab: str,
        accession: str,
        patient_id: str,
        drawn: date,
        per_ul: int,
        outbox_item: str,
        corrects: int | None,
        now: datetime,
    ) -> int:
        cursor = self._db.execute(
            "INSERT INTO lab_imports (file_name, source, lab, accession, patient_id, drawn, "
            "per_ul, outbox_item, corrects, imported_at, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                file_name,
                source,
                lab,
                accession,
                patient_id,
                drawn.isoformat(),
                per_ul,
                outbox_item,
                corrects or None,
                now.isoformat(),
                self._db.actor_id,
            ),
        )
        return int(cursor.lastrowid or 0)

    def remember_mrn(self, lab: str, mrn: str, patient_id: str, now: datetime) -> None:
        """The lab's MRN is this patient's from now on (a later result with it and the same
        date of birth is theirs even if the lab spells the name differently)."""
        self._db.execute(
            "INSERT INTO lab_patient_ids (lab, mrn, patient_id, matched_at, created_by) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (lab, mrn) DO UPDATE SET "
            "patient_id = excluded.patient_id, matched_at = excluded.matched_at, "
            "created_by = excluded.created_by",
            (lab, mrn, patient_id, now.isoformat(), self._db.actor_id),
        )

    # The watched folder: where it is, and the files in it a person has reviewed
    def inbox_folder(self) -> str:
        row = self._db.one("SELECT value FROM store_info WHERE key = 'lab_inbox_folder'")
        return str(row[0]) if row else ""

    def set_inbox_folder(self, folder: str) -> None:
        if folder:
            self._db.execute(
                "INSERT INTO store_info (key, value) VALUES ('lab_inbox_folder', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (folder,),
            )
        else:
            self._db.execute("DELETE FROM store_info WHERE key = 'lab_inbox_folder'")

    def reviewed(self, digests: list[str]) -> set[str]:
        """Which of these file contents were reviewed already."""
        if not digests:
            return set()
        marks = ", ".join("?" for _ in digests)
        rows = self._db.execute(
            f"SELECT sha256 FROM lab_files_reviewed WHERE sha256 IN ({marks})", digests
        )
        return {str(row[0]) for row in rows}

    def mark_reviewed(self, digest: str, file_name: str, now: datetime) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO lab_files_reviewed (sha256, file_name, reviewed_at, "
            "created_by) VALUES (?, ?, ?, ?)",
            (digest, file_name, now.isoformat(), self._db.actor_id),
        )
