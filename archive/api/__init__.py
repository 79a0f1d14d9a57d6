"""The REST API (Django REST framework, OpenAPI 3 schema by drf-spectacular) at ``/api/``.

``views`` (documents, pages, search), ``auth`` (tokens), ``serializers``, ``errors`` (JSON
errors), ``pagination``, ``schema`` (documented error responses), ``urls``.
"""
