"""Routes of the camera registry (guide section 4)."""

from werkzeug.wrappers import Response

from services.gateway.http import Endpoints, api
from services.gateway.responses import json_response


class DeviceRoutes(Endpoints):
    """Needs `devices` (ServiceRpc) on the service it is mixed into."""

    @api("POST", "/devices")
    def register_device(self, request):
        actor, body = self._actor(request), self._body(request)
        key = self._idempotency_key(request)
        answer = self.devices.register_device(actor, body, key=key)
        device = self.devices.device_details(actor, answer["id"])
        response = self._with_etag({**device, "replayed": answer["replayed"]}, 201)
        response.headers["Cache-Control"] = "no-store"
        return response

    @api("GET", "/devices")
    def search_devices(self, request):
        criteria = dict(request.args.items())
        page = self.devices.search_devices(self._actor(request), criteria)
        return json_response(page, headers={"Cache-Control": "no-store"})

    @api("GET", "/devices/<string:device_id>")
    def device_details(self, request, device_id):
        device = self.devices.device_details(self._actor(request), device_id)
        response = self._with_etag(device)
        # The owner's answer carries the registration password.
        response.headers["Cache-Control"] = "no-store"
        return response

    @api("PATCH", "/devices/<string:device_id>")
    def change_device(self, request, device_id):
        actor, body = self._actor(request), self._body(request)
        answer = self.devices.change_device(
            actor, device_id, body, **self._write_options(request)
        )
        return self._with_etag(answer)

    @api("DELETE", "/devices/<string:device_id>")
    def remove_device(self, request, device_id):
        actor = self._actor(request)
        self.devices.remove_device(actor, device_id, **self._write_options(request))
        return Response(status=204)
