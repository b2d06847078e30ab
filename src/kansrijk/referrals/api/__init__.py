"""The referrals REST API, mounted at /api/v1/referrals.

Thin: parse with serializers, call ``services`` / ``selectors``, render. Session
authentication; the second factor is enforced for every request by the global middleware.

- Errors are problem+json. Domain errors map as: not visible → 404 (the same for unknown
  ids and other organisations' referrals), wrong side → 403, not allowed now → 409, no
  consent → 409 (with ``missing_categories``), stale ``If-Match`` → 412, missing ``If-Match`` → 428,
  ``Idempotency-Key`` reused with another body → 422, bad input → 400.
- ``GET`` of a referral returns its version as ``ETag``; changes of status require
  ``If-Match``.
- Every ``POST`` accepts an ``Idempotency-Key``: a retry returns the first result (header
  ``Idempotent-Replayed: true``).

One job per module: ``serializers`` (the shapes that go in and out), ``errors`` (domain errors
as problem+json, the ``If-Match`` precondition), ``views`` (the endpoints and their OpenAPI
description). The URLs are in ``referrals/api_urls.py``.
"""
