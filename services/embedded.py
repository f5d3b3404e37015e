"""Every service in one process: what `make run` starts.

Run with `nameko run --config config/embedded.yml services.embedded`.
"""

from services.common.memory_transport import register

register()

from services.devices.service import DevicesService  # noqa: E402
from services.filing.service import FilingService  # noqa: E402
from services.gateway.service import GatewayService  # noqa: E402
from services.ocr.service import RecognitionService  # noqa: E402
from services.query.service import QueryService  # noqa: E402
from services.signalling.service import SignallingService  # noqa: E402

__all__ = [
    "DevicesService",
    "FilingService",
    "GatewayService",
    "QueryService",
    "RecognitionService",
    "SignallingService",
]
