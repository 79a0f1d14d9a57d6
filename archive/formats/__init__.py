"""Date and number formats that replace Django's for a UI language (``FORMAT_MODULE_PATH``).

Only English is adjusted: Django's "en" is American (02/03/2025), ambiguous next to the other
languages' formats; the archive keeps the ISO dates it always showed. The other four UI
languages use Django's own formats (03.02.2025, 03/02/2025, 2025/02/03).
"""
