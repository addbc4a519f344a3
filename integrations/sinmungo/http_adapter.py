"""The HTTP adapter of the 신문고 feed port (stdlib urllib; timeouts; every protocol violation named)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from integrations.sinmungo.port import FeedPage, FeedUnavailable


class HttpComplaintFeed:
    def __init__(self, base_url: str, timeout: float = 15.0, token: str | None = None) -> None:
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.token = token

    def fetch(self, after: str, limit: int = 200) -> FeedPage:
        query = urllib.parse.urlencode({"after": after, "limit": limit})
        request = urllib.request.Request(f"{self.base}/api/v1/complaints?{query}")
        if self.token:
            request.add_header("authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise FeedUnavailable(f"the feed answered HTTP {error.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise FeedUnavailable(f"the feed did not answer: {error}") from None
        except ValueError:
            raise FeedUnavailable("the feed's answer is not JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise FeedUnavailable("the feed's answer has no 'items' list")
        cursor, more = body.get("next"), body.get("more")
        if not isinstance(cursor, str) or not isinstance(more, bool):
            raise FeedUnavailable("the feed's answer needs 'next' (string) and 'more' (boolean)")
        return FeedPage(tuple(i for i in body["items"]), cursor, more)
