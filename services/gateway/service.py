"""The HTTP gateway: /api/v1 for the mobile and web clients.

It owns nothing persistent. It checks the token, stores uploaded photos in
the blob store, and turns each request into one RPC to the service that owns
the answer. The routes live in one class per area, mixed in here.
"""

from nameko.rpc import ServiceRpc

from services.common.dependencies import Blobs, Logger
from services.gateway.devices_api import DeviceRoutes
from services.gateway.filing_api import FilingRoutes
from services.gateway.ocr_api import RecognitionRoutes
from services.gateway.signalling_api import SignallingRoutes


class GatewayService(FilingRoutes, DeviceRoutes, SignallingRoutes, RecognitionRoutes):
    name = "gateway"

    filing = ServiceRpc("filing")
    devices = ServiceRpc("devices")
    query = ServiceRpc("query")
    signalling = ServiceRpc("signalling")
    ocr = ServiceRpc("ocr")
    blobs = Blobs()
    log = Logger()
