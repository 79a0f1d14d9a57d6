"""The OpenAPI schema's error responses, added to every operation in one place.

drf-spectacular documents the success responses of each view; the errors every operation can
answer (401 without credentials, 404 for an id that is not the user's, 400 for bad input) would
otherwise go undocumented, and a client (or schemathesis) could not tell them from surprises.
"""

from __future__ import annotations

from typing import Any

_ERROR = {
    "type": "object",
    "description": "An error in plain words.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# Field errors: {"field": ["message", ...]}, nested for lists ({"files": {"0": [...]}}), or
# {"detail": "..."} for an error about the request as a whole.
_INVALID = {
    "type": "object",
    "description": "Invalid input: messages per field, or a detail in plain words.",
    "additionalProperties": True,
}
_METHODS = {"get", "post", "put", "patch", "delete"}


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def add_error_responses(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: document 400/401/403/404/405 where they occur."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", _ERROR)
    schemas.setdefault("InvalidInput", _INVALID)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            public = {} in operation.get("security", [{}])
            has_input = "requestBody" in operation or any(
                p.get("in") == "query" for p in operation.get("parameters", [])
            )
            if not public:
                responses.setdefault("401", _json("Error", "Not logged in (no or bad token)."))
                responses.setdefault("403", _json("Error", "Refused (a session without CSRF)."))
            if "{" in path or any(p.get("name") == "page" for p in operation.get("parameters", [])):
                responses.setdefault("404", _json("Error", "No such document or page."))
            if has_input:
                _add_invalid(responses)
    return result


def _add_invalid(responses: dict[str, Any]) -> None:
    """400 as field errors; where the view documents its own 400 (upload), either shape."""
    invalid = _json("InvalidInput", "Invalid input.")
    own = responses.get("400")
    if own is None:
        responses["400"] = invalid
        return
    for media in own.get("content", {}).values():
        media["schema"] = {
            "anyOf": [media["schema"], invalid["content"]["application/json"]["schema"]]
        }
