"""The signalling service: GB/T 28181 cameras register, keep alive, answer.

SIP runs on UDP and TCP at `SIP_ADDRESS` inside the `SipServer`
dependency; the RPCs here ask a registered camera something now.
"""

from nameko.rpc import rpc

from contracts.errors import DomainError, InvalidInput
from services.common.dependencies import Logger
from services.signalling.dependencies import SipServer
from services.signalling.registrar import is_device_id

command = rpc(expected_exceptions=DomainError)

MAX_TIMEOUT = 30.0


class SignallingService:
    name = "signalling"

    sip = SipServer()
    log = Logger()

    @command
    def test_connection(self, device_code, timeout=5):
        """Online state, last keepalive and a DeviceInfo round trip now."""
        code = _code(device_code)
        answer = self.sip.prober.test_connection(code, _timeout(timeout))
        self.log.info("connection_tested", device_id=code, result=answer["result"])
        return answer

    @command
    def query_catalog(self, device_code, timeout=10):
        """Ask the camera for its channels; wait for the pages to come."""
        code = _code(device_code)
        answer = self.sip.prober.sync_catalog(code, _timeout(timeout))
        self.log.info("catalog_queried", device_id=code, result=answer["result"])
        return answer

    @command
    def registration(self, device_code):
        """What the platform knows of the camera's binding, without asking it."""
        return self.sip.prober.state(_code(device_code))


def _code(value) -> str:
    code = str(value or "")
    if not is_device_id(code):
        raise InvalidInput("must be a 20-digit GB/T 28181 device code", "device_id")
    return code


def _timeout(value) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise InvalidInput("must be a number of seconds", "timeout") from None
    return min(max(seconds, 0.1), MAX_TIMEOUT)
