"""Organizing the archive: tags, correspondents, document types, custom fields, notes, saved
views, and the suggestions that fill them in from the OCR text.

Models live in ``archive.organize.models`` (loaded by ``archive.models``); writes go through
``archive.organize.services``; the pure suggestion logic (dates, matching rules, classifier,
amounts) knows nothing of Django.
"""
