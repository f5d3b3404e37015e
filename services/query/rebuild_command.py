"""`make rebuild`: ask the running query service to rebuild its model.

The model is dropped and replayed from the filing store; the service keeps
answering meanwhile and catches up on events that arrived during the replay.
"""

import json
import os
import sys

from nameko.standalone.rpc import ClusterRpcClient


def main() -> int:
    uri = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
    with ClusterRpcClient(uri=uri, timeout=600) as cluster:
        print(json.dumps(cluster.query.rebuild()))
        verdict = cluster.query.verify()
    print(json.dumps(verdict, ensure_ascii=False))
    return 0 if verdict["equal"] else 1


if __name__ == "__main__":
    sys.exit(main())
