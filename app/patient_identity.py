"""How a name and a date of birth identify a patient: the name with case, accents and extra
spaces ignored (offices, pharmacies and labs spell it differently), the date of birth
exactly. A pharmacy's look-up and a request that names the patient both read it so."""

from __future__ import annotations

import unicodedata

from app.records import Patient


def match_name(name: str) -> str:
    """A look-up key for a name: case, accents and extra spaces ignored."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


def names_the_patient(patient: Patient, name: object, dob: object) -> bool:
    """Whether a name and a date of birth (as a request sends them: text, or nothing) are
    this patient's, as a look-up by them would find the patient."""
    if not isinstance(name, str) or not isinstance(dob, str) or not name or not dob:
        return False
    return match_name(patient.name) == match_name(name) and patient.dob.isoformat() == dob
