"""The reference platform: keys, issuing codes, signing documents, the status log and its HTTP API.

Qt-free, like the core. The demo and the tests run against it so that the checkpoint
speaks the real protocol."""
