"""Reading a document in the workers: a fair queue of jobs, one run per request, one job per page.

Every step of a document's OCR is a job in the fair queue (``jobs``): the opening job starts a
*run* (bumps ``Document.run``), opens the file to count its pages, queues a job for every page
not yet saved and reads the first of them itself (a one-page scan needs no second task). The
task queue carries only tickets ("take the job that comes first now"), so interactive uploads
go before bulk imports and users take turns page by page, whatever order the tasks were queued
in. Any worker takes the other pages, so a long PDF is read by all workers at once. When the
last page is saved, ``finishing.finish_if_complete`` marks the document done and calls
``finishing.document_completed``: the one place where a document's pipeline ends.

Guarantees:

- **Each page is saved once, by one worker at a time.** A worker holds its job by a lease that
  its heartbeat renews (``leases``); a page is written together with its search vector, its
  share of the document's vector and the deletion of its job in one transaction that holds the
  document's row lock and checks that the lease still holds, the page is not there yet and the
  run is still current. A worker that cannot renew its lease stops before it runs out.
- **Nothing is lost when a worker dies.** Its lease runs out after ``OCR_LEASE_SECONDS`` and
  the job goes to another worker (``jobs.sweep``, run by ``serve``, by busy workers and by a
  schedule). A page that takes down its worker each time is given up after
  ``OCR_PAGE_ATTEMPTS`` starts, failing its document with the page named.
- **A failed page keeps the others.** A page that is damaged, times out (``OCR_PAGE_TIMEOUT``)
  or trips a bug fails the document with the page number and the reason; the other pages of
  the run are still saved. A re-run reads only the missing pages (``documents.document_rerun``).
- **Stale work is dropped.** A job of an older run (the document was re-run or deleted
  meanwhile) saves nothing.

Modules: ``runs`` (the run's life cycle: what a job does), ``jobs`` (the fair queue),
``leases`` (holding a job: heartbeat, giving up), ``reading`` (opening the file, the engine and
its languages), ``images`` (WebP page images, encoded on a thread), ``saving`` (a page and its
vectors, once), ``attempts`` (how often a page was started), ``failures`` (an error as a
message for the owner), ``finishing`` (done, and what follows), ``exporting`` (the searchable
PDF at the end), ``orphans`` (page files no page refers to), ``enqueue`` (tickets in the task
queue) and ``stuck`` (documents no worker will finish).
"""

from __future__ import annotations

from archive.processing.reading import ocr_languages
from archive.processing.runs import document_process, page_process, run_next

__all__ = ["document_process", "ocr_languages", "page_process", "run_next"]
