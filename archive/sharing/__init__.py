"""Sharing documents: groups, per-document permissions, default permissions, share links and
each document's history.

Models in ``archive.sharing.models`` (loaded by ``archive.models``); who may do what in
``archive.sharing.access`` (the one visibility selector); writes in
``archive.sharing.services``; share links in ``archive.sharing.links``; history in
``archive.sharing.history``.
"""
