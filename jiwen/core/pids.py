"""Whether a process still exists: the one check behind stale runs, rebuild folders and export
temporaries that a killed jiwen process left behind."""

from __future__ import annotations

import os


def process_alive(pid: int | None) -> bool:
    """Whether a process with this pid exists here. A reused pid reads as alive: what it left
    then stays until that process is gone too, never wrongly removed."""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True
