"""The clinic database: consultation requests, their delivery to the clinic, hand-offs and erasure.

Rasa keeps conversations in its tracker store; this package keeps what the clinic acts on, in a
separate SQL database (DATABASE_URL, SQLite by default, PostgreSQL in production):

- `records.requests`: a client's consultation request and, in the same transaction, the outbox
  entries that tell the clinic about it (a signed webhook and a staff e-mail);
- `records.delivery`: the worker that sends outbox entries, with retries (`python -m records.delivery`);
- `records.handoffs`: conversations waiting for a person;
- `records.erasure`: deleting one conversation on request, and the retention purge;
- `records.tracker_store`: Rasa's SQL tracker store, erasing a conversation when the client asks;
- `records.cli`: `python -m records.cli migrate | erase SENDER | purge [--days N] | deliver-once`.

Datetimes are stored as UTC and always come back as timezone-aware UTC datetimes, on SQLite and
on PostgreSQL (`records.models.UTCDateTime`).
"""
