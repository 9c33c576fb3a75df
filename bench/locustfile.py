"""Readers, commenters and API clients of Dateline, for locust (run by bench/load.py).

    locust -f bench/locustfile.py --headless --host http://127.0.0.1:8000 ...

Every user stands behind the TLS-terminating proxy production runs behind: each request
carries ``X-Forwarded-Proto: https`` and an ``X-Forwarded-For`` address of its own (the server
runs with COMMENT_TRUSTED_PROXIES=1), so rate limits and throttles see many readers, not one.

What to ask for comes from a JSON file bench/load.py writes from the archive and the corpus
(``LOAD_TARGETS``): article slugs, tags, outlets, places, dates and query words. What happened
goes to ``LOAD_REPORT`` at the end: status codes per request type, every 5xx, and each
comment the server accepted, by the unique token in its body, so that load.py can check each
one is in the database.
"""

import json
import os
import random
import re
import threading
import time
from collections import Counter, defaultdict
from html import unescape
from urllib.parse import quote, urlencode

from locust import FastHttpUser, between, constant, events, task

TARGETS = json.loads(open(os.environ["LOAD_TARGETS"], encoding="utf-8").read())  # noqa: SIM115
REPORT_PATH = os.environ["LOAD_REPORT"]
RUN = os.environ.get("LOAD_RUN", "run")
# Seconds a reader thinks between pages (0: as fast as the server answers).
THINK = float(os.environ.get("LOAD_THINK", "1.0"))
# The form refuses a post sooner than COMMENT_MIN_SECONDS after it was served (a bot's).
COMMENT_MIN_SECONDS = float(os.environ.get("COMMENT_MIN_SECONDS", "4"))

INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')
FORM_ERRORS = re.compile(r'<div class="form-errors"[^>]*>(.*?)</div>', re.DOTALL)
TAGS = re.compile(r"<[^>]+>")


class Tally:
    """What the users saw, kept in this (single, gevent) process and written at the end."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.times: dict[str, list[float]] = defaultdict(list)  # ms, every request
        self.first = self.last = 0.0  # when the first and the last answer came
        self.server_errors: list[dict] = []
        self.unexpected: list[dict] = []
        self.comments_accepted: list[str] = []
        self.comments_refused: Counter = Counter()
        self.comments_unanswered: list[str] = []

    def as_dict(self) -> dict:
        return {
            "statuses": {name: dict(counts) for name, counts in self.statuses.items()},
            "times": self.times,
            "seconds": self.last - self.first,
            "server_errors": self.server_errors,
            "server_error_count": sum(
                n
                for counts in self.statuses.values()
                for status, n in counts.items()
                if str(status).startswith("5")
            ),
            "unexpected": self.unexpected[:50],
            "unexpected_count": len(self.unexpected),
            "comments_accepted": self.comments_accepted,
            "comments_refused": dict(self.comments_refused),
            "comments_unanswered": self.comments_unanswered,
        }


TALLY = Tally()


@events.request.add_listener
def _count(request_type, name, response_time, response, exception, **kwargs) -> None:
    status = getattr(response, "status_code", None) or 0
    key = str(status) if status else f"no answer: {type(exception).__name__}"
    with TALLY.lock:
        TALLY.statuses[name][key] += 1
        TALLY.times[name].append(round(response_time, 1))
        TALLY.last = time.time()
        TALLY.first = TALLY.first or TALLY.last - response_time / 1000
        if status >= 500 and len(TALLY.server_errors) < 100:
            TALLY.server_errors.append(
                {
                    "request": name,
                    "url": getattr(response, "url", ""),
                    "status": status,
                    "body": (getattr(response, "text", "") or "")[:500],
                }
            )


@events.quitting.add_listener
def _write_report(**kwargs) -> None:
    with open(REPORT_PATH, "w", encoding="utf-8") as report:
        json.dump(TALLY.as_dict(), report, indent=1)


class Reader(FastHttpUser):
    """Someone behind our proxy, with an address of their own."""

    abstract = True
    wait_time = between(0, THINK) if THINK > 0 else constant(0)
    _numbers = iter(range(1, 10**9))

    def on_start(self) -> None:
        self.number = next(Reader._numbers)
        self.rng = random.Random(f"{RUN}-{type(self).__name__}-{self.number}")
        self.address = self.new_address()

    def new_address(self) -> str:
        serial = next(Reader._numbers)
        return f"10.{serial >> 16 & 255}.{serial >> 8 & 255}.{serial & 255}"

    def headers(self, **extra: str) -> dict[str, str]:
        return {"X-Forwarded-Proto": "https", "X-Forwarded-For": self.address, **extra}

    def page(self, path: str, name: str, expect: tuple[int, ...] = (200,)):
        """GET a page; anything but the expected status is a failure locust counts."""
        with self.client.get(
            path,
            name=name,
            # Names the request in gunicorn's access log too: server-side times per kind.
            headers=self.headers(**{"X-Load-Kind": name}),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code not in expect:
                response.failure(f"{response.status_code} for {path}")
                with TALLY.lock:
                    TALLY.unexpected.append(
                        {"request": name, "path": path, "status": response.status_code}
                    )
            return response

    def pick(self, key: str):
        return self.rng.choice(TARGETS[key])

    def word(self) -> str:
        """A word most articles lack (found in 1-5% of them), now and then a common one."""
        return self.pick("common_words" if self.rng.random() < 0.2 else "medium_words")


class Searcher(Reader):
    """Reads /search/: words, phrases, OR, exclusions, field filters, sorts and later pages."""

    @task(6)
    def words(self) -> None:
        self.search(self.query(), "search: words")

    @task(2)
    def common_word(self) -> None:
        self.search(self.pick("common_words"), "search: common word")

    @task(2)
    def rare_word(self) -> None:
        self.search(self.pick("rare_words"), "search: rare word")

    @task(2)
    def phrase(self) -> None:
        self.search(f'"{self.pick("phrases")}"', "search: phrase")

    @task(3)
    def filtered(self) -> None:
        word = self.word()
        choice = self.rng.randrange(5)
        if choice == 0:
            params = {"q": word, "outlet": self.pick("outlets")["slug"]}
        elif choice == 1:
            params = {"q": f'{word} tag:"{self.pick("tags")["name"]}"'}
        elif choice == 2:
            params = {"q": f"{word} region:{self.pick('regions')['slug']}"}
        elif choice == 3:
            year = self.pick("years")
            params = {"q": word, "from": f"{year}-01-01", "to": f"{year}-06-30"}
        else:
            params = {"q": f"{word} date:{self.pick('years')}", "sort": "newest"}
        self.search(params, "search: filtered")

    @task(2)
    def later_page(self) -> None:
        params = {"q": self.pick("common_words"), "page": self.rng.randint(2, 6)}
        self.search(params, "search: page 2+")

    @task(1)
    def newest(self) -> None:
        self.search({"q": self.word(), "sort": "newest"}, "search: newest")

    @task(1)
    def misspelt(self) -> None:
        self.search(self.pick("misspellings"), "search: misspelt")

    def query(self) -> str:
        words = [self.word() for _ in range(self.rng.choice([1, 2, 2, 3]))]
        if self.rng.random() < 0.15:
            return f"{words[0]} OR {self.pick('rare_words')}"
        if len(words) > 1 and self.rng.random() < 0.15:
            return f"{' '.join(words[:-1])} -{words[-1]}"
        return " ".join(words)

    def search(self, params: dict | str, name: str) -> None:
        if isinstance(params, str):
            params = {"q": params}
        self.page(f"/search/?{urlencode(params)}", name)


class Browser(Reader):
    """Reads the archive: articles, tags, outlets, places, dates and their index pages."""

    @task(6)
    def article(self) -> None:
        self.page(f"/articles/{quote(self.pick('articles'))}/", "article")

    @task(3)
    def tag(self) -> None:
        self.page(f"/tags/{quote(self.pick('tags')['slug'])}/", "browse: tag")

    @task(2)
    def outlet(self) -> None:
        outlet = self.pick("outlets")
        pages = max(1, -(-outlet["count"] // 20))  # ARTICLES_PER_PAGE's default
        page = self.rng.choice([1, 1, 2, 3])
        query = f"?page={page}" if 1 < page <= pages else ""
        self.page(f"/outlets/{quote(outlet['slug'])}/{query}", "browse: outlet")

    @task(3)
    def region(self) -> None:
        self.page(f"/regions/{quote(self.pick('regions')['slug'])}/", "browse: region")

    @task(3)
    def date(self) -> None:
        year, month, day = self.pick("days")
        path = self.rng.choice(
            [f"/archive/{year}/", f"/archive/{year}/{month}/", f"/archive/{year}/{month}/{day}/"]
        )
        self.page(path, "browse: date")

    @task(1)
    def home(self) -> None:
        self.page(self.rng.choice(["/", "/?page=2"]), "browse: home")

    @task(1)
    def index_page(self) -> None:
        path = self.rng.choice(["/tags/", "/tags/?sort=count", "/outlets/", "/regions/"])
        self.page(path, "browse: index")

    @task(1)
    def date_index(self) -> None:
        self.page("/archive/", "browse: index")


class ApiClient(Reader):
    """A program reading the JSON API: search, article lists and articles."""

    @task(3)
    def search(self) -> None:
        query = urlencode({"q": self.word()})
        self.page(f"/api/search/?{query}", "api: search")

    @task(2)
    def articles(self) -> None:
        query = urlencode({"outlet": self.pick("outlets")["slug"]})
        self.page(f"/api/articles/?{query}", "api: articles")

    @task(2)
    def article(self) -> None:
        self.page(f"/api/articles/{self.pick('article_ids')}/", "api: article")


class Commenter(Reader):
    """Reads an article, writes for a while, posts through the article page's form."""

    wait_time = between(1, 3)
    fixed_count = int(os.environ.get("LOAD_COMMENTERS", "4"))

    @task
    def comment(self) -> None:
        # A new reader each time (address and e-mail), as many people comment on a busy
        # site: the per-address and per-e-mail limits are for one person, not for the load.
        self.address = self.new_address()
        self.client.cookiejar.clear()
        path = f"/articles/{quote(self.pick('articles'))}/"
        form = self.page(path, "comment: article page")
        if form.status_code != 200:
            return
        fields = form_fields(form.text)
        if "csrfmiddlewaretoken" not in fields or "stamp" not in fields:
            with TALLY.lock:
                TALLY.unexpected.append({"request": "comment: article page", "path": path})
            return
        time.sleep(COMMENT_MIN_SECONDS + self.rng.uniform(0.2, 1.5))
        token = f"load-{RUN}-{self.number}-{self.rng.getrandbits(40):010x}"
        words = " ".join(self.rng.sample(TARGETS["common_words"], 12))
        payload = {
            **fields,
            "author_name": f"Reader {self.number}",
            "author_email": f"reader-{token}@load.example",
            "body": f"{words.capitalize()}. {token}",
            "website": "",
        }
        headers = self.headers(
            # The origin check Django makes of a form posted over HTTPS: the page it came from.
            Referer=f"{self.host}{path}".replace("http://", "https://", 1),
            # The CSRF cookie is Secure: the reader's browser sends it over HTTPS to our proxy,
            # but geventhttpclient keeps it back from plain HTTP, so we send it ourselves.
            Cookie="; ".join(f"{c.name}={c.value}" for c in self.client.cookiejar),
            **{"X-Load-Kind": "comment: post"},
        )
        try:
            with self.client.post(
                f"{path}comments/",
                data=payload,
                headers=headers,
                name="comment: post",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                self._judge(response, token)
        except Exception:
            # No answer: the server may or may not have stored it. load.py reports these.
            with TALLY.lock:
                TALLY.comments_unanswered.append(token)
            raise

    def _judge(self, response, token: str) -> None:
        status = response.status_code
        if status == 302 and "#comments" in (response.headers.get("Location") or ""):
            with TALLY.lock:
                TALLY.comments_accepted.append(token)
        elif status in (400, 403, 429):
            # Refused with a reason shown to the reader (rate limit, closed, form): not an
            # error of the server, but nothing our readers should meet; counted and shown.
            errors = FORM_ERRORS.search(response.text or "")
            reason = " ".join(unescape(TAGS.sub(" ", errors.group(1))).split()) if errors else ""
            with TALLY.lock:
                TALLY.comments_refused[f"{status} {reason}".strip()] += 1
            response.failure(f"comment refused: {status} {reason}")
        elif status == 0:
            with TALLY.lock:
                TALLY.comments_unanswered.append(token)
            response.failure("no answer to the comment post")
        else:
            response.failure(f"comment post answered {status}")
            if status < 500:
                with TALLY.lock:
                    TALLY.unexpected.append({"request": "comment: post", "status": status})


def form_fields(html: str) -> dict[str, str]:
    """The comment form's hidden inputs (CSRF token and stamp), as a browser would send."""
    start = html.find('class="comment-form"')
    fields = {}
    for element in INPUT.findall(html[start:] if start >= 0 else ""):
        attributes = dict(ATTRIBUTE.findall(element))
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields[attributes["name"]] = unescape(attributes.get("value", ""))
    return fields
