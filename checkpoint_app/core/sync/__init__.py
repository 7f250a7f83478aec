"""The platform client (spec sections 4.3 and 5): documents, status pages, scan upload.

Qt-free. `client.sync_once` talks HTTP; `folder.apply_folder` reads the same signed
documents from a folder for sites with no network."""
