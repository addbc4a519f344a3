"""The 국민신문고 live complaint feed: a port, an HTTP adapter, and a bundled reference service.

The real feed is an external government system; the reference service speaks the same small protocol
from a file, so ingest can be developed and tested end to end. Protocol (JSON over HTTP):

    GET /api/v1/complaints?after=<cursor>&limit=<n>
    → {"items": [{"id", "received_at", "title", "body", "category"?, "agency"?, "region"?}, ...],
       "next": "<cursor>", "more": true|false}

The cursor is opaque to the client; items arrive oldest first and each id once.
"""
