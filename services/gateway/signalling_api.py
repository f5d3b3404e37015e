"""Routes that ask a camera something through the signalling service."""

from services.gateway.http import Endpoints, api
from services.gateway.responses import json_response

TEST_TIMEOUT = 5


class SignallingRoutes(Endpoints):
    """Needs `devices` and `signalling` (ServiceRpc) on the service."""

    @api("POST", "/devices/<string:device_id>/test-connection")
    def test_connection(self, request, device_id):
        # Resolving the id through the registry checks the actor may see it.
        device = self.devices.get_device(self._actor(request), device_id)
        answer = self.signalling.test_connection(device["code"], timeout=TEST_TIMEOUT)
        body = {"id": device_id, "code": device["code"], **answer}
        return json_response(body, headers={"Cache-Control": "no-store"})
