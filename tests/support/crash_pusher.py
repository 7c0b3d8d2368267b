"""A workstation that dies: pushes its outbox and SIGKILLs itself at a chosen moment.

    python -m tests.support.crash_pusher STORE_FOLDER REGISTRY_URL EMAIL PASSWORD MOMENT

MOMENT: before_request (items marked "sending" and committed, nothing sent) or
after_answer (the registry answered, nothing written here yet).
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync import push as push_module
from sync.client import RegistryClient
from tests.support.desk_outbox import open_desk


def main() -> None:
    folder, url, email, password, moment = sys.argv[1:6]
    db = open_desk(Path(folder))
    client = RegistryClient(url)
    assert client.sign_in(email, password).ok
    real_send = push_module._send

    def dying_send(c: RegistryClient, batch: list[Any]) -> Any:
        if moment == "before_request":
            os.kill(os.getpid(), signal.SIGKILL)
        answers = real_send(c, batch)
        if moment == "after_answer":
            os.kill(os.getpid(), signal.SIGKILL)
        return answers

    push_module._send = dying_send  # type: ignore[assignment]
    push_module.push(db, client, lambda: datetime.now(UTC))
    sys.exit(3)  # not reached: the process dies inside the push


if __name__ == "__main__":
    main()
