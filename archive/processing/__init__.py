"""Reading a document in the workers: one run per request, one task per page.

A *run* starts when ``document_process`` (the document task) takes a queued document: it bumps
``Document.run``, opens the file to count its pages, queues a ``page_process`` task for every
page not yet saved and reads the first of them itself (a one-page scan needs no second task).
Any worker then takes the other pages, so a long PDF is read by all workers at once. When the
last page is saved, ``finishing.finish_if_complete`` marks the document done and calls
``finishing.document_completed``: the one place where a document's pipeline ends.

Guarantees:

- **Each page is saved once.** A page is written together with its search vector and its share
  of the document's vector in one transaction that holds the document's row lock and checks
  that the page is not there yet and that the run is still current. A page task handed out
  twice (its worker died, the queue's retry came first) saves nothing the second time.
- **Nothing is lost when a worker dies.** The queue hands an unfinished task out again after
  ``OCR_RETRY_SECONDS``; a run whose document task died is restarted the same way, queueing
  only the pages still missing. A page that takes down its worker each time is given up after
  ``OCR_PAGE_ATTEMPTS`` starts, failing its document with the page named.
- **A failed page keeps the others.** A page that is damaged, times out (``OCR_PAGE_TIMEOUT``)
  or trips a bug fails the document with the page number and the reason; the other pages of
  the run are still saved. A re-run reads only the missing pages (``documents.document_rerun``).
- **Stale work is dropped.** A page task from an older run (the document was re-run or deleted
  meanwhile) saves nothing.

Modules: ``runs`` (the run's life cycle: the two task bodies), ``reading`` (opening the file,
the engine and its languages), ``images`` (WebP page images, encoded on a thread),
``saving`` (a page and its vectors, once), ``attempts`` (how often a page was started),
``failures`` (an error as a message for the owner), ``finishing`` (done, and what follows),
``exporting`` (the searchable PDF at the end), ``orphans`` (page files no page refers to),
``enqueue`` (putting the tasks in the queue) and ``stuck`` (documents no worker will finish).
"""

from __future__ import annotations

from archive.processing.reading import ocr_languages
from archive.processing.runs import document_process, page_process, run_next

__all__ = ["document_process", "ocr_languages", "page_process", "run_next"]
