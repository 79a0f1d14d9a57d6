"""The official schemas the OCR format tests validate against (see README.md here).

``alto_schema()`` compiles the ALTO 4.4 XSD once; the XLink schema it imports by URL is mapped
to the local copy, so validation never touches the network.
"""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent


class _LocalSchemas(etree.Resolver):
    def resolve(self, url: str, pubid: str, context: object) -> object:
        if url.endswith("/xlink.xsd"):
            return self.resolve_filename(str(SCHEMAS / "xlink.xsd"), context)
        return None


@functools.cache
def alto_schema() -> etree.XMLSchema:
    """The official ALTO 4.4 schema."""
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "alto-4-4.xsd"), parser))
