"""The Qt-free core: wire format, signed documents, rules, store, sync, scanning.

Nothing under this package may import PySide6 (an import-linter contract checks it).
"""
