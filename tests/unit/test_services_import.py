"""Every service the embedded mode runs can be imported and names itself."""

import importlib

from services.cluster import services


def test_every_service_class_imports():
    for name, target in services().items():
        module, cls = target.split(":")
        service = getattr(importlib.import_module(module), cls)

        assert service.name == name
