"""Unexpected errors: the traceback goes to a log for whoever runs the tool, the user gets a short id.

A user never sees a traceback (CLI or app). ``log_incident`` writes the full traceback with a short
random id to the ``vertskommune`` logger (stderr of the app's server; for the CLI the file
``INCIDENT_LOG`` in the system's temporary folder) and returns the id to show, so a reported
problem can be traced.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
import traceback
from pathlib import Path

from optimizer.i18n import tr

INCIDENT_LOG = Path(tempfile.gettempdir()) / "vertskommune-incidents.log"
logger = logging.getLogger("vertskommune")


def log_incident(exc: BaseException, *, server: bool = False) -> str:
    """Log ``exc`` with its traceback under a new incident id; return the id (8 hex digits).

    ``server``: also to the ``vertskommune`` logger (the app's server log); the CLI writes the file
    only, so the user's terminal never shows the traceback.
    """
    incident = secrets.token_hex(4)
    text = "".join(traceback.format_exception(exc))
    if server:
        logger.error("incident %s: %s", incident, text)
    try:  # never through a link someone else put there; readable by this user only
        fd = os.open(INCIDENT_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as stream:
            stream.write(f"--- incident {incident}\n{text}\n")
    except OSError:
        pass  # the logger still has it
    return incident


def incident_message(incident: str) -> str:
    """What a user sees of an unexpected error: that it happened, and the incident id to quote."""
    return tr(f"Noe gikk galt her (hendelse {incident}). Feilen er logget; oppgi hendelsen hvis du melder fra.",
              f"Something went wrong here (incident {incident}). The error is logged; quote the incident if you "
              "report it.")
