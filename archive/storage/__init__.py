"""Where the archive's files live: the local disk (``MEDIA_ROOT``) or an S3 bucket.

Every stored file (originals, imported OCR files, page images, thumbnails, searchable PDFs, OCR
service inputs) is reached only through Django's storage API under its storage name; no code
opens a path under ``MEDIA_ROOT``. This package holds what the API alone does not give:

- ``config``: reading ``STORAGE_BACKEND`` (imported by the settings, so it imports no models);
- ``errors``: the exceptions an unreachable or failing storage raises, for any backend;
- ``files``: a stored file copied to a local temporary file (workers), streamed or signed for a
  response (media views), and the S3 specifics behind both;
- ``moving``: copying an existing archive's files from a local folder to the configured
  storage, resumable and verified by sha256 (``manage.py move_files``).

Import the submodules; this module imports nothing, so the settings can use ``config``.
"""
