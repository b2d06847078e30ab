"""Searching the social map: one package, one module per job.

- ``text``: Dutch full-text search (the denormalised search columns, the stems, ``filter_text``).
- ``params``: the search page's parameters read and checked once (the form and the quick path).
- ``filters``: ``Filters``, the one specification of a search's filters, feeding the database
  (``Filters.queryset``) and this worker's search index.
- ``index``: the search index each worker keeps in memory (``SearchIndex``).
- ``ranking``: the order of the results (``search_services``, ``rank_page``, ``search_page``).
- ``cards``: the result cards, rendered and cached together.
- ``html``: the anonymous search page written out in Python (the quick path).

The text search is what the rest of the directory needs when it writes (every write path
refreshes the search columns), so it is importable from the package itself.
"""

from kansrijk.directory.search.text import (
    build_search_text,
    filter_text,
    query_terms,
    refresh_search_text,
    stem,
    words,
)

__all__ = [
    "build_search_text",
    "filter_text",
    "query_terms",
    "refresh_search_text",
    "stem",
    "words",
]
