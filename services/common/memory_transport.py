"""kombu's in-memory transport, made to carry what nameko reads.

nameko looks for `content_type` among a message's properties, where the
AMQP transport puts it and kombu's virtual transports do not. The embedded
mode (one process, no broker) registers this transport as `hotmem://`.
"""

from kombu.transport import TRANSPORT_ALIASES, memory


class Channel(memory.Channel):
    def prepare_message(
        self,
        body,
        priority=None,
        content_type=None,
        content_encoding=None,
        headers=None,
        properties=None,
    ):
        properties = dict(properties or {})
        properties.setdefault("content_type", content_type)
        properties.setdefault("content_encoding", content_encoding)
        return super().prepare_message(
            body, priority, content_type, content_encoding, headers, properties
        )


class Transport(memory.Transport):
    Channel = Channel
    # The default of one second would add a second to every RPC.
    polling_interval = 0.005


def register() -> None:
    TRANSPORT_ALIASES["hotmem"] = "services.common.memory_transport:Transport"
