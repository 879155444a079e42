"""gunicorn's access log with bearer secrets in paths masked (a manage link's token), as the
application's own request log masks them."""

from gunicorn.glogging import Logger

from .logs import path_masked


class MaskedAccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):
            if isinstance(atoms.get(key), str):
                atoms[key] = path_masked(atoms[key])
        return atoms
