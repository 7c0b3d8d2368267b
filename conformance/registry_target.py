"""Plays scenarios against the reference registry over HTTP, through the desktop's own sync
client (scenarios.md, The runner).

One registry process serves the whole run, in test-clock mode on a free loopback port, over
a fresh database. Each scenario's participants are real registry accounts: prescribers and
pharmacies enroll and pass the knowledge assessment, designees and staff accept
invitations, the Contact Center (the operator) does what the program does. What a desktop
queues (enrollments, PSFs) goes through a real encrypted outbox and `sync.push`, and the
office's workstation pulls the change feed after each of its acts.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import uuid
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.enrollment_document import enrollment_to_document
from app.entered_anc import EnteredAnc
from app.psf_document import psf_to_document
from app.roles import Role
from app.signatures import content_hash
from app.statuses import PharmacySetting
from conformance.local_target import LocalTarget
from conformance.scenario import Scenario, Step
from local_store import schema
from local_store.database import Database
from local_store.outbox import Outbox, OutboxState
from registry import assessment
from registry.process import OPERATOR_EMAIL, RegistryProcess, fresh_database
from sync.client import Answer, RegistryClient, SignInRequired
from sync.pull import pull
from sync.push import push

PASSWORD = "scenario password, long enough"


def _now() -> datetime:
    return datetime.now(UTC)


class RegistryTarget(LocalTarget):
    name = "registry"

    def __init__(self, db_url: str | None = None) -> None:
        self._stack = ExitStack()
        self._folder = Path(tempfile.mkdtemp(prefix="clozapine-registry-run-"))
        url = self._stack.enter_context(fresh_database(db_url, self._folder))
        self.registry = RegistryProcess(url, test_clock=True)
        self._stack.enter_context(self.registry)
        self.operator = RegistryClient(self.registry.url)
        self._check(self.operator.sign_in(OPERATOR_EMAIL, self.registry.operator_password))

    def shutdown(self) -> None:
        self._stack.close()
        shutil.rmtree(self._folder, ignore_errors=True)

    @staticmethod
    def _check(answer: Answer) -> Answer:
        if not answer.ok:
            raise RuntimeError(f"registry set-up failed: {answer.status} {answer.body}")
        return answer

    # Per scenario
    def start(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._ids: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self.clients: dict[str, RegistryClient] = {}
        self.pharmacy_ar: dict[str, str] = {}  # scenario pharmacy -> scenario AR id
        self._store_folder = Path(
            tempfile.mkdtemp(prefix="clozapine-scenario-desk-", dir=self._folder)
        )
        self.db = Database.open(self._store_folder / "desk.db", secrets.token_bytes(32))
        schema.migrate(self.db, _now)
        self.db.actor_id = "scenario-desk"

    def close(self) -> None:
        self.db.close()
        for client in self.clients.values():
            client.close()
        shutil.rmtree(self._store_folder, ignore_errors=True)

    def _bind(self, scenario_id: object, real_id: str) -> str:
        self._ids[str(scenario_id)] = real_id
        self._names[real_id] = str(scenario_id)
        return real_id

    def _email(self, scenario_id: object) -> str:
        return f"{scenario_id}-{uuid.uuid4().hex[:10]}@scenario.test"

    def _sign_in(self, scenario_id: object, email: str) -> RegistryClient:
        client = RegistryClient(self.registry.url)
        self._check(client.sign_in(email, PASSWORD))
        self.clients[str(scenario_id)] = client
        return client

    def _client(self, scenario_id: object) -> RegistryClient:
        client = self.clients.get(str(scenario_id))
        if client is None:
            # Someone the scenario never set up: an account the registry does not know.
            client = RegistryClient(self.registry.url)
            self.clients[str(scenario_id)] = client
        return client

    def _named(self, f: dict[str, Any]) -> dict[str, Any]:
        """The patient's name and date of birth, as a pharmacy sends them with a request
        (the registry's scope: a pharmacy acts on patients it found by them)."""
        found = self.operator.get(f"/v1/patients/{self._id(f['patient'])}")
        return {"name": found.body["name"], "dob": found.body["dob"]} if found.ok else {}

    def _signs_for(self, signer: object, sender: object) -> bool:
        """The signer is the prescriber of the sender's office (or the sender herself): the
        one case where the desktop sends the signed form from the signer's session."""
        a, b = self._client(signer).account, self._client(sender).account
        return bool(
            a
            and b
            and a.get("role") == Role.PRESCRIBER.value
            and a.get("prescriber_id")
            and a["prescriber_id"] == b.get("prescriber_id")
        )

    def play(self, step: Step) -> dict[str, Any]:
        self._check(self.operator.put("/v1/test/clock", {"today": step.on.isoformat()}))
        handler = getattr(self, f"_{step.act}")
        try:
            result: dict[str, Any] = handler(step, step.fields)
        except SignInRequired:
            # An actor the scenario never set up has no registry account; the engine calls
            # an unknown account NOT_PERMITTED too.
            result = {"ok": False, "error": "NOT_PERMITTED"}
            if step.act == "dispense_rationale":  # a refused one answers these too
                result.update(authorized=False, treatment_status=self._status(step.fields))
        return result

    def _status(self, f: dict[str, Any]) -> str | None:
        """The patient's treatment status as the registry has it (None: no such patient)."""
        found = self.operator.get(f"/v1/patients/{self._id(f['patient'])}")
        return str(found.body["treatment_status"]) if found.ok else None

    @staticmethod
    def _refused(answer: Answer) -> dict[str, Any]:
        return {"ok": False, "error": answer.error or f"HTTP_{answer.status}"}

    @classmethod
    def _answered(cls, answer: Answer, *keys: str) -> dict[str, Any]:
        """The result keys a step may check, as the registry answered them."""
        if not answer.ok:
            return cls._refused(answer)
        return {"ok": True, **{key: answer.body[key] for key in keys}}

    @staticmethod
    def _anc_body(raw: dict[str, Any]) -> dict[str, Any]:
        return EnteredAnc.from_json(raw).to_json()

    # Participants
    def _register_prescriber(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        email = self._email(f["id"])
        answer = self.operator.post_public(
            "/v1/prescribers",
            {"email": email, "password": PASSWORD, "name": f.get("name", ""), "npi": f["npi"]},
        )
        if not answer.ok:
            return self._refused(answer)
        self._bind(f["id"], answer.body["prescriber_id"])
        self._sign_in(f["id"], email)
        return {"ok": True}

    def _assessment(
        self, scenario_id: object, role: Role, pharmacy: object = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"answers": assessment.correct_answers(role)}
        if pharmacy is not None:
            body["pharmacy_id"] = self._id(pharmacy)
        answer = self._client(scenario_id).post("/v1/assessment", body)
        if not answer.ok:
            return self._refused(answer)
        return {"ok": bool(answer.body["certified"])}

    def _certify_prescriber(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        if str(f["id"]) not in self._ids:
            registered = self._register_prescriber(step, f)
            if not registered["ok"]:
                return registered
        return self._assessment(f["id"], Role.PRESCRIBER)

    def _invite(
        self, inviter: RegistryClient, role: str, scenario_id: object, **extra: Any
    ) -> Answer:
        email = self._email(scenario_id)
        invited = inviter.post("/v1/invitations", {"role": role, "email": email, **extra})
        if not invited.ok:
            return invited
        accepted = self.operator.post_public(
            "/v1/invitations/accept", {"code": invited.body["code"], "password": PASSWORD}
        )
        if accepted.ok:
            self._bind(scenario_id, accepted.body["account_id"])
            self._sign_in(scenario_id, email)
        return accepted

    def _add_designee(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        answer = self._invite(self._client(f["prescriber"]), "designee", f["id"])
        return self._answered(answer)

    def _register_pharmacy(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        setting = self._enum(step, PharmacySetting, f["setting"])
        email = self._email(f["ar"])
        answer = self.operator.post_public(
            "/v1/pharmacies",
            {
                "email": email,
                "password": PASSWORD,
                "name": "",
                "pharmacy_name": f.get("name", str(f["id"])),
                "setting": setting.value,
            },
        )
        if not answer.ok:
            return self._refused(answer)
        self._bind(f["id"], answer.body["pharmacy_id"])
        self._bind(f["ar"], answer.body["account_id"])
        self.pharmacy_ar[str(f["id"])] = str(f["ar"])
        self._sign_in(f["ar"], email)
        return {"ok": True}

    def _another_pharmacy(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        """An AR the scenario already set up enrolls one more pharmacy (a chain, R19)."""
        setting = self._enum(step, PharmacySetting, f["setting"])
        answer = self._client(f["ar"]).post(
            "/v1/pharmacies/represented",
            {"pharmacy_name": f.get("name", str(f["id"])), "setting": setting.value},
        )
        if not answer.ok:
            return self._refused(answer)
        self._bind(f["id"], answer.body["pharmacy_id"])
        self.pharmacy_ar[str(f["id"])] = str(f["ar"])
        return {"ok": True}

    def _certify_pharmacy(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        pharmacy = str(f["id"])
        if pharmacy not in self._ids:
            enroll = (
                self._another_pharmacy
                if str(f["ar"]) in self.pharmacy_ar.values()
                else self._register_pharmacy
            )
            registered = enroll(step, f)
            if not registered["ok"]:
                return registered
        elif self.pharmacy_ar.get(pharmacy) != str(f["ar"]):
            # A new Authorized Representative: the Contact Center invites them.
            answer = self._invite(
                self.operator, "pharmacy_ar", f["ar"], pharmacy_id=self._ids[pharmacy]
            )
            if not answer.ok:
                return self._refused(answer)
        result = self._assessment(f["ar"], Role.PHARMACY_AR, pharmacy)
        if result["ok"]:
            self.pharmacy_ar[pharmacy] = str(f["ar"])
        return result

    def _actor_or_ar(self, f: dict[str, Any]) -> str:
        return str(f["by"]) if "by" in f else self.pharmacy_ar.get(str(f["pharmacy"]), "")

    def _reconfirm_pharmacy(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        answer = self._client(self._actor_or_ar(f)).post(
            f"/v1/pharmacies/{self._id(f['pharmacy'])}/reconfirm"
        )
        return self._answered(answer)

    def _deactivate_pharmacy(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        answer = self.operator.post(f"/v1/pharmacies/{self._id(f['pharmacy'])}/deactivate")
        return self._answered(answer)

    def _add_pharmacy_staff(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        ar = self._client(self.pharmacy_ar.get(str(f["pharmacy"]), ""))
        answer = self._invite(ar, "pharmacy_staff", f["id"])
        return self._answered(answer)

    def _add_wholesaler(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        email = self._email(f["id"])
        answer = self.operator.post(
            "/v1/wholesalers", {"email": email, "password": PASSWORD, "name": f.get("name", "")}
        )
        if not answer.ok:
            return self._refused(answer)
        self._bind(f["id"], answer.body["account_id"])
        self._sign_in(f["id"], email)
        return {"ok": True}

    def _check_pharmacy(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        client = self._client(f["by"]) if "by" in f else self.operator
        answer = client.get(f"/v1/pharmacies/{self._id(f['pharmacy'])}/certification")
        return {"certified": answer.body["certified"]} if answer.ok else self._refused(answer)

    # What a desktop queues: through an encrypted outbox and sync.push, then a pull.
    def _through_outbox(self, actor: object, kind: str, body: dict[str, Any]) -> Answer:
        client = self._client(actor)
        if client.access_token is None:
            # Someone with no registry account: nothing of theirs is queued (it would wait
            # in the outbox and go later under the next sender's session).
            raise SignInRequired("no registry account")
        item_id = str(uuid.uuid4())
        outbox = Outbox(self.db)
        outbox.enqueue(item_id, kind, f"patient:{body['document']['patient_id']}", body, _now())
        report = push(self.db, client, _now)
        item = outbox.get(item_id)
        assert item is not None
        if item.state is OutboxState.ACKED:
            pull(self.db, client, _now)
            return Answer(201, outbox.response(item_id))
        if item.state is OutboxState.REJECTED:
            code, _, message = (item.last_error or "").partition(": ")
            return Answer(422, {"error": code, "message": message})
        problem = "; ".join(report.messages) or item.last_error or item.state.value
        raise RuntimeError(f"the outbox item was not settled: {problem}")

    def _enroll_patient(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        form = self._enrollment_form(step, f)
        answer = self._through_outbox(
            f["by"], "enroll_patient", {"document": enrollment_to_document(form)}
        )
        return self._answered(answer, "treatment_status", "notifications")

    def _report_anc(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        body = self._anc_body(f)
        answer = self._client(f["by"]).post(f"/v1/patients/{self._id(f['patient'])}/ancs", body)
        return self._answered(answer, "treatment_status", "notifications")

    def _submit_psf(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        form = replace(self._psf_form(step, f), signed_by=None)  # the signature travels apart
        document = psf_to_document(form)
        signature, sender = None, f["by"]
        if "signed_by" in f:
            # The registry takes a signature only from the signer's own session, as the
            # desktop sends it: a designee's draft, signed by the prescriber the designee
            # works for, goes as hers. Anyone else's signature (a designee's, a pharmacist's,
            # another office's prescriber's) the desktop would neither make nor send;
            # posted by the sender as a claim, the registry refuses it.
            signature = {
                "signer_id": self._id(f["signed_by"]),
                "meaning": "Approved and signed",
                "content_sha256": content_hash(document),
            }
            if not self._signs_for(f["signed_by"], f["by"]):
                claim = {"document": document, "signature": signature}
                answer = self._client(f["by"]).post("/v1/psfs", claim)
                return self._answered(answer, "treatment_status", "notifications", "labs_missing")
            sender = f["signed_by"]
        answer = self._through_outbox(
            sender, "submit_psf", {"document": document, "signature": signature}
        )
        return self._answered(answer, "treatment_status", "notifications", "labs_missing")

    def _deactivate_patient(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        answer = self._client(f["by"]).post(f"/v1/patients/{self._id(f['patient'])}/deactivate")
        return self._answered(answer)

    def _check_patient(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        answer = self.operator.get(f"/v1/patients/{self._id(f['patient'])}")
        if not answer.ok:
            return self._refused(answer)
        s = answer.body
        return {
            "treatment_status": s["treatment_status"],
            "population": s["population"],
            "prescriber": self._scenario_id(s["prescriber_id"]),
            "recommended_monitoring": s["recommended_monitoring"],
            "next_anc_due": s["next_anc_due"],
            "dispense_rationales_used": s["dispense_rationales_used"],
        }

    # Dispensing (online at the pharmacy)
    def _request_rda(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "pharmacy_id": self._id(f["pharmacy"]),
            "patient_id": self._id(f["patient"]),
            "prescriber_id": self._id(f["prescriber"]),
        }
        if "anc" in f:
            body["anc"] = self._anc_body(f["anc"])
        answer = self._client(self._actor_or_ar(f)).post("/v1/rda", body | self._named(f))
        return self._answered(answer, "authorized", "reasons", "first_dispense")

    def _dispense_rationale(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        body = {
            "pharmacy_id": self._id(f["pharmacy"]),
            "patient_id": self._id(f["patient"]),
            "npi": f["npi"],
            "anc": self._anc_body(f),
        }
        answer = self._client(self._actor_or_ar(f)).post(
            "/v1/dispense-rationales", body | self._named(f)
        )
        if answer.ok:
            r = answer.body
            return {
                "ok": r["authorized"],
                "error": r["refusal"],
                "authorized": r["authorized"],
                "treatment_status": r["treatment_status"],
            }
        return {
            **self._refused(answer),
            "authorized": False,
            "treatment_status": self._status(f),
        }
