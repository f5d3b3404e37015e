"""Routes of document recognition: a photo read at once, for a preview."""

from contracts.errors import Forbidden
from services.gateway.http import Endpoints, api
from services.gateway.responses import json_response


class RecognitionRoutes(Endpoints):
    """Needs `ocr` (ServiceRpc) on the service."""

    @api("POST", "/recognitions", slow=True)
    def recognise_photo(self, request):
        actor = self._actor(request)
        if actor["role"] != "enterprise":
            raise Forbidden("only an enterprise user files documents", field="role")
        photo = self._photo(request, "photo")
        answer = self.ocr.preview(photo["sha256"])
        return json_response({**answer, "photo": photo}, 200)
