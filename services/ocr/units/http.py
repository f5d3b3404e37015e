"""A registry reached over HTTP: GET {url}?name=... → {"credit_code": ...}.

Any failure (timeout, refused connection, 5xx, a body that is not the
expected JSON, a code that fails GB 32100) means "not verified": the user
then sees a warning and types the code, which is the safe side.

A known shortcoming: answers are not cached, so each permit costs one call
and a slow service adds up to its timeout to each recognition event.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from services.common.codes import credit_code_problem
from services.common.logging import get_logger
from services.ocr.units import UnitMatch

log = get_logger(__name__)

DEFAULT_TIMEOUT = 2.0
_BODY_CAP = 64 * 1024
# The verification service sits inside the operator's network: reach it
# directly, whatever proxy the environment names for the outside world.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class HttpRegistry:
    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT):
        self.url = url
        self.timeout = timeout

    def lookup(self, name: str) -> UnitMatch | None:
        separator = "&" if "?" in self.url else "?"
        target = self.url + separator + urllib.parse.urlencode({"name": name})
        try:
            code = self._fetch(target)
        except urllib.error.HTTPError as error:
            if error.code != 404:
                log.warning("unit_registry_refused", status=error.code)
            return None
        except (OSError, ValueError) as error:
            log.warning("unit_registry_unavailable", error=type(error).__name__)
            return None
        if not isinstance(code, str) or credit_code_problem(code):
            return None
        return UnitMatch(code, "http")

    def learn(self, name: str, credit_code: str) -> None:
        """The remote registry is not ours to teach."""

    def _fetch(self, target: str) -> object:
        request = urllib.request.Request(target, headers={"Accept": "application/json"})
        with _OPENER.open(request, timeout=self.timeout) as response:
            body = json.loads(response.read(_BODY_CAP + 1)[:_BODY_CAP])
        return body.get("credit_code") if isinstance(body, dict) else None
