"""Makes the sample forms shown in the README: a filled PSF (a draft), the same PSF signed
by the prescriber, and a blank PSF, each page as a PNG at 100 dpi (what you see is what a
fax machine gets, at half its resolution).

    .venv/bin/python docs/forms/make_samples.py

Names are invented (the demo clinic). The signature is made as the store makes one: the
prescriber's name, the time with its zone, the meaning, and the hash of the exact content.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.psf_document import psf_to_document
from app.signatures import PRESCRIBER_MEANING, Signature, content_hash
from app.use_cases.psf_draft import draft_next_psf
from cli.print_forms import DEMO_CONTACT, demo_program_contact
from desk.demo.clinic import build_demo_clinic
from printing import fill, forms
from printing.page_images import page_pixels
from printing.render import render
from printing.spec import FormData
from tests.support.pdf_reading import picture

HERE = Path(__file__).parent
TODAY = date(2026, 11, 25)


def main() -> None:
    clinic = build_demo_clinic(TODAY)
    patient = clinic.ledger.patient("p-bello")
    prescriber = clinic.ledger.prescriber("dr-okafor")
    assert patient and prescriber
    draft = draft_next_psf(clinic.ledger, patient.id, TODAY)
    document = psf_to_document(draft.form)
    document["treatment_rationale"] = (
        "ANC 820/µL on 11/24 is BEN neutropenia; stable for 3 months with no infections. "
        "Benefit of continuing clozapine outweighs the risk. Recheck ANC in 3 days."
    )
    signed_at = datetime(2026, 11, 25, 14, 2, tzinfo=timezone(timedelta(hours=-5), "EST"))
    signature = Signature(
        "sample",
        "sample",
        prescriber.id,
        prescriber.name,
        signed_at,
        PRESCRIBER_MEANING,
        content_hash(document),
    )

    def psf(signature: Signature | None) -> FormData:
        return fill.psf(
            patient,
            prescriber,
            document,
            period=(draft.period_start, draft.period_end),
            submitted_by="designee",
            submitter_name="Sam Rivera",
            contact=DEMO_CONTACT,
            signature=signature,
        )

    demo = demo_program_contact()  # the training registry's numbers, as the demo prints them
    for name, pdf in (
        ("psf-filled", render(psf(None), demo)),
        ("psf-signed", render(psf(signature), demo)),
        ("psf-blank", render(fill.blank(forms.PSF))),  # no numbers: says which fax in words
    ):
        for old in HERE.glob(f"{name}-*.png"):
            old.unlink()
        # Grey, as a fax is: the forms are black on white, and the files are smaller.
        for n, page in enumerate(page_pixels(pdf, 100, grey=True), start=1):
            picture(page).save(HERE / f"{name}-{n}.png", optimize=True)
        print(*sorted(p.name for p in HERE.glob(f"{name}-*.png")))


if __name__ == "__main__":
    main()
