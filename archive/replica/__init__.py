"""Search, library and facet reads from a streaming replica, read-your-writes for the writer.

With ``DATABASE_REPLICA_URL`` set (``archive.settings``), the database alias ``replica`` is a
hot standby of the primary. The modules, in the order a request meets them:

- ``config``: the replica's database settings, from its URL (short connect timeout).
- ``routing``: the alias reads go to *now* (a context variable, the primary unless a view
  opened a replica block), the Django router that answers with it, and ``read_connection``
  for the search package's raw SQL. Writes always go to the primary.
- ``freshness``: whether the replica may answer a session: reachable (a failed connection
  keeps it out for ``REPLICA_RETRY_SECONDS``), replaying no further behind than
  ``REPLICA_MAX_LAG_SECONDS``, and replayed past the session's last write (its WAL position,
  ``pg_current_wal_lsn()`` on the primary after the write, against
  ``pg_last_wal_replay_lsn()`` on the replica).
- ``requests``: the middleware that records that position in the session after every request
  that may have written (any method but GET, HEAD, OPTIONS, TRACE), and ``replica_reads``,
  the view decorator that runs a read-only view on the replica when it may answer, and on the
  primary otherwise, or again on the primary when the replica fails under it.

Without ``DATABASE_REPLICA_URL`` every read is on the primary, and nothing here runs a query.

Import the submodules; this module imports nothing, so the settings can use ``config``.
"""
