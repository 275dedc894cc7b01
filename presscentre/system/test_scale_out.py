"""Scale-out on one machine: two gunicorn app servers sharing one PostgreSQL database and one Redis, two task
workers and the embargo sweep, with Varnish (deploy/varnish/presscentre.vcl) in front, all on loopback.

It proves what a second app server must not break: a lift is public everywhere at its instant and runs once,
an approval made on one server shows on the other and through Varnish, a distribution sent by two workers at
once reaches each journalist once, and Varnish takes purges only from the app servers.

Needs varnishd, PostgreSQL and Redis: with CI=true a missing one fails the run, elsewhere it skips. Runs in the
PostgreSQL suite (`make test-postgres`). The first run on a machine migrates a template database (about 30 s);
later runs copy it.
"""

import hashlib
import html
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from presscentre.system.processes import Browser, Stack, fetch, get, manage, wait_until_answering

pytestmark = pytest.mark.postgres

REPO = Path(__file__).resolve().parents[2]
VCL = REPO / "deploy" / "varnish" / "presscentre.vcl"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
TEMPLATE_DB = "presscentre_scaleout_template"
REDIS_URL = "redis://127.0.0.1:6379/9"
APP_PORTS = (8631, 8632)
VARNISH_PORT = 8640
LIFT_TARGET = 1.0  # seconds from the embargo instant to public everywhere (DESIGN.md "Exact-time lift")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _require(ok: bool, what: str) -> None:
    if ok:
        return
    if _in_ci():
        pytest.fail(f"The scale-out test needs {what}; CI must provide it.")
    pytest.skip(f"needs {what}")


# -- database -----------------------------------------------------------------------------------------------


def _migrations_fingerprint() -> str:
    digest = hashlib.sha256((REPO / "requirements.lock").read_bytes())
    for path in sorted(REPO.glob("presscentre/*/migrations/*.py")):
        digest.update(str(path.relative_to(REPO)).encode() + path.read_bytes())
    return digest.hexdigest()[:32]


def create_database(name: str, stack: Stack) -> None:
    """A fresh database copied from a migrated template, migrating the template first when migrations changed."""
    import psycopg

    fingerprint = _migrations_fingerprint()
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute("SELECT pg_advisory_lock(863100)")  # one builder of the template at a time
        try:
            row = admin.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [TEMPLATE_DB]
            ).fetchone()
            if row is None or row[0] != fingerprint:
                admin.execute(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)")
                admin.execute(f"CREATE DATABASE {TEMPLATE_DB}")
                try:
                    migrate_env = {**stack.env, "DATABASE_URL": f"{PG_SERVER}/{TEMPLATE_DB}"}
                    result = subprocess.run(  # noqa: S603 - fixed argv
                        manage("migrate", "--no-input", "-v0"),
                        cwd=REPO,
                        env=migrate_env,
                        capture_output=True,
                        text=True,
                    )
                    assert result.returncode == 0, f"migrate failed:\n{result.stdout}\n{result.stderr}"
                except BaseException:
                    admin.execute(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)")
                    raise
                admin.execute(f"COMMENT ON DATABASE {TEMPLATE_DB} IS '{fingerprint}'")
            admin.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}")
        finally:
            admin.execute("SELECT pg_advisory_unlock(863100)")


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def query(database: str, sql: str, params=()) -> list[tuple]:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{database}") as connection:
        return connection.execute(sql, params).fetchall()


# -- content ------------------------------------------------------------------------------------------------

SETUP_CONTENT = """
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page, Site
from presscentre.comments.models import Comment
from presscentre.newsroom.models import ArticlePage, PressCentrePage

marker = {marker!r}
index = Page.get_first_root_node().add_child(instance=PressCentrePage(title="Scale-out", slug="scale-out"))
site = Site.objects.get(is_default_site=True)
site.root_page = index
site.save()
article = index.add_child(
    instance=ArticlePage(title="Two servers, one newsroom", slug="two-servers", comments_open=True,
                         published_at=timezone.now() - timedelta(hours=1))
)
comment = Comment.objects.create(
    item=article, author_name="Scale Reader", author_email="scale.reader@example.com",
    body="Held comment " + marker, created_at=timezone.now(),
)
get_user_model().objects.create_superuser("scale-editor", "editor@example.org", {password!r})
print(json.dumps({{"article": article.url, "comment": comment.pk}}))
"""

PUBLISH_EMBARGOED = """
import json
from datetime import timedelta
from django.utils import timezone
from presscentre.newsroom.models import PressCentrePage, PressReleasePage

index = PressCentrePage.objects.get(slug="scale-out")
instant = (timezone.now() + timedelta(seconds={lead})).replace(microsecond=0) + timedelta(seconds=1)
release = PressReleasePage(title="Embargoed " + {marker!r}, slug="embargoed-release", published_at=instant,
                           embargo_until=instant, lead="Public at the instant.")
release.live = False
index.add_child(instance=release)
release.save_revision().publish()
print(json.dumps({{"pk": release.pk, "url": release.url, "instant": instant.timestamp()}}), flush=True)
"""

PUBLISH_IN_TOPIC = """
import json, time
from django.utils import timezone
from presscentre.newsroom.models import Category, ItemCategory, PressCentrePage, PressReleasePage

index = PressCentrePage.objects.get(slug="scale-out")
topic, _ = Category.objects.get_or_create(slug="scale-topic", defaults={{"name": "Scale topic"}})
release = PressReleasePage(title={title!r}, slug={slug!r}, lead="Published on one server.", published_at=timezone.now())
release.live = False
index.add_child(instance=release)
release.category_links = [ItemCategory(category=topic)]
release.save_revision().publish()
print(json.dumps({{"pk": release.pk, "url": release.url, "committed": time.time()}}), flush=True)
"""

RETITLE = """
import json, time
from presscentre.newsroom.models import PressReleasePage

release = PressReleasePage.objects.get(slug={slug!r})
release.title = {title!r}
release.save_revision().publish()
print(json.dumps({{"committed": time.time()}}), flush=True)
"""

START_DISTRIBUTION = """
import json
from django.contrib.auth import get_user_model
from django.utils import timezone
from presscentre.distribution.models import Distribution, MediaContact, MediaList
from presscentre.distribution.services import queue_sending, schedule_distribution
from presscentre.newsroom.models import PressCentrePage, PressReleasePage

index = PressCentrePage.objects.get(slug="scale-out")
release = index.add_child(instance=PressReleasePage(title="Distributed release", slug="distributed-release",
                                                    lead="Sent once to each journalist."))
media_list = MediaList.objects.create(name="Scale-out list")
for number in range({contacts}):
    contact = MediaContact.objects.create(name=f"Journalist {{number}}", email=f"journalist{{number}}@example.org")
    contact.lists.add(media_list)
distribution = Distribution.objects.create(release=release)
distribution.lists.add(media_list)
schedule_distribution(distribution, by=get_user_model().objects.get(username="scale-editor"), at=timezone.now())
for _ in range(3):  # extra runs queued at once, so that both workers send the same distribution concurrently
    queue_sending(distribution.pk)
print(json.dumps({{"distribution": distribution.pk}}))
"""


PUBLISH_EMBARGOED_WITH_IMAGE = """
import io, json
from datetime import timedelta
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image
from wagtail.images import get_image_model
from wagtail.models import Collection
from presscentre.newsroom.models import ItemAsset, PressCentrePage, PressReleasePage

picture = io.BytesIO()
Image.new("RGB", (64, 48), (30, 90, 160)).save(picture, "PNG")
image = get_image_model().objects.create(
    title="Harbour", description="Boats in the harbour", collection=Collection.get_first_root_node(),
    file=ImageFile(picture, name="harbour.png"),
)
index = PressCentrePage.objects.get(slug="scale-out")
instant = (timezone.now() + timedelta(seconds={lead})).replace(microsecond=0) + timedelta(seconds=1)
release = PressReleasePage(title="Pictured release", slug="pictured-release", published_at=instant,
                           embargo_until=instant, lead="Its picture is public at the instant.")
release.live = False
index.add_child(instance=release)
release.media_assets = [ItemAsset(image=image)]
release.save_revision().publish()
urls = [image.file.url, image.get_rendition("fill-40x30").url]
print(json.dumps({{"pk": release.pk, "urls": urls, "instant": instant.timestamp()}}), flush=True)
"""

UNPUBLISH = """
from presscentre.newsroom.models import PressReleasePage

PressReleasePage.objects.get(slug={slug!r}).unpublish()
"""


@dataclass
class ScaleOut:
    stack: Stack
    database: str
    password: str
    marker: str
    article: str
    comment: int
    ports: tuple[int, ...] = (*APP_PORTS, VARNISH_PORT)


@pytest.fixture(scope="module")
def scale_out():
    _require(bool(shutil.which("varnishd") or Path("/usr/sbin/varnishd").exists()), "varnishd (Debian's varnish)")
    try:
        import psycopg

        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
        postgres_ok = True
    except Exception:  # noqa: BLE001 - any failure means PostgreSQL is not usable here
        postgres_ok = False
    _require(postgres_ok, "PostgreSQL at 127.0.0.1:5432")
    import redis

    try:
        redis_ok = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError:
        redis_ok = False
    _require(redis_ok, "Redis at 127.0.0.1:6379")

    folder = Path(tempfile.mkdtemp(prefix="presscentre-scaleout-"))
    database = f"presscentre_scaleout_{os.getpid()}"
    password, marker = secrets.token_urlsafe(16), f"marker-{secrets.token_hex(6)}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback; production redirects to HTTPS
        "DATABASE_URL": f"{PG_SERVER}/{database}",
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": REDIS_URL,
        "PRESSCENTRE_VARNISH_URL": f"http://127.0.0.1:{VARNISH_PORT}",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "4",
    }
    stack = Stack(folder, env)
    redis.Redis.from_url(REDIS_URL).flushdb()
    try:
        create_database(database, stack)
        stack.run("collectstatic", manage("collectstatic", "--no-input", "-v0"))
        (folder / "backends.vcl").write_text(
            "\n".join(f'backend app{n} {{ .host = "127.0.0.1"; .port = "{p}"; }}' for n, p in enumerate(APP_PORTS))
            + '\nacl purgers { "127.0.0.1"; }\n'
            + "sub vcl_init {\n    new app = directors.round_robin();\n"
            + "".join(f"    app.add_backend(app{n});\n" for n in range(len(APP_PORTS)))
            + "}\n"
        )
        for number, port in enumerate(APP_PORTS, start=1):
            gunicorn = [sys.executable, "-m", "gunicorn", "presscentre.wsgi", "-c", "deploy/gunicorn.conf.py"]
            stack.start(f"app{number}", [*gunicorn, "--bind", f"127.0.0.1:{port}"])
        for number in (1, 2):
            stack.start(f"worker{number}", manage("run_worker", "--interval", "0.2", "--no-startup-delay"))
        stack.start("sweep", manage("lift_due_embargoes", "--every", "1"))
        varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
        stack.start(
            "varnish",
            [
                varnishd,
                "-F",
                "-j",
                "none",
                "-a",
                f"127.0.0.1:{VARNISH_PORT}",
                "-f",
                str(VCL),
                "-p",
                f"vcl_path={folder}",
                "-n",
                str(folder / "varnish"),
                "-s",
                "malloc,64m",
            ],
        )
        for port in (*APP_PORTS, VARNISH_PORT):
            wait_until_answering(stack, port, "/healthz")
        created = json.loads(
            stack.run(
                "setup", manage("shell", "--no-imports", "-c", SETUP_CONTENT.format(marker=marker, password=password))
            )
            .strip()
            .splitlines()[-1]
        )
        yield ScaleOut(stack, database, password, marker, created["article"], created["comment"])
    finally:
        stack.stop()
        drop_database(database)
        redis.Redis.from_url(REDIS_URL).flushdb()
        shutil.rmtree(folder, ignore_errors=True)


def test_varnish_shares_pages_and_takes_purges_only_from_the_app_servers(scale_out):
    path = scale_out.article
    first, second = get(VARNISH_PORT, path), get(VARNISH_PORT, path)
    assert (first.status, second.status) == (200, 200), scale_out.stack.tails()
    assert second.headers.get("x-cache") == "hit", second.headers
    assert "<esi:" not in second.text  # Varnish assembled any fragment the page asked for
    assert "x-presscentre-path" not in second.headers

    # 127.0.0.2 is loopback too, but not an app server: the purge is refused and the page stays cached.
    refused = fetch(VARNISH_PORT, "PURGE", path, source="127.0.0.2")
    assert refused.status == 405
    assert get(VARNISH_PORT, path).headers.get("x-cache") == "hit"
    assert fetch(VARNISH_PORT, "PURGE", path).status == 200
    assert get(VARNISH_PORT, path).headers.get("x-cache") == "miss"

    # A signed-in reader, a POST and the admin always reach an app server.
    signed_in = get(VARNISH_PORT, path, headers={"Cookie": "sessionid=abc"})
    assert signed_in.headers.get("x-cache") == "miss"
    assert get(VARNISH_PORT, "/admin/login/").headers.get("x-cache") == "miss"


def test_a_comment_approved_on_one_server_shows_on_the_other_and_through_varnish(scale_out):
    path, marker = scale_out.article, scale_out.marker
    for port in scale_out.ports:  # every cache holds the page without the comment
        for _ in range(2):
            page = get(port, path)
            assert page.status == 200 and marker not in page.text, (port, page.status)

    editor = Browser(APP_PORTS[0])
    login_form = editor.request("GET", "/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_form.text).group(1)
    fields = {"username": "scale-editor", "password": scale_out.password, "csrfmiddlewaretoken": token}
    form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    signed_in = editor.request("POST", "/admin/login/", body=urlencode(fields), headers=form_headers)
    assert signed_in.status == 302, signed_in.text[:500]
    approve = f"/admin/bulk/comments/comment/approve/?{urlencode({'id': scale_out.comment})}"
    approved = editor.request(
        "POST", approve, body=urlencode({"csrfmiddlewaretoken": editor.cookies["csrftoken"]}), headers=form_headers
    )
    assert approved.status == 302, approved.text[:500]

    status = query(scale_out.database, "SELECT status FROM comments_comment WHERE id = %s", [scale_out.comment])
    assert status == [("approved",)]
    # Purges run when the approval commits; a moment's grace covers one handed to a worker instead.
    missing, deadline = set(scale_out.ports), time.monotonic() + 2
    while missing and time.monotonic() < deadline:
        missing = {port for port in missing if marker not in html.unescape(get(port, path).text)}
        time.sleep(0.05)
    assert not missing, f"the approved comment is missing on ports {sorted(missing)}"


def test_an_embargo_lift_is_public_everywhere_at_its_instant_and_runs_once(scale_out):
    script = PUBLISH_EMBARGOED.format(lead=5, marker=scale_out.marker)
    release = scale_out.stack.first_json_line("publish", manage("shell", "--no-imports", "-c", script))
    instant, path = release["instant"], release["url"]
    title = f"Embargoed {scale_out.marker}"
    assert time.time() < instant - 0.5, "publishing took too long to watch the instant"

    for _ in range(2):  # the index is cached everywhere before the instant, without the release
        for port in scale_out.ports:
            assert title not in get(port, "/").text

    first_public: dict[tuple[int, str], float] = {}
    leaks: list[tuple[int, str, float]] = []

    def watch(port: int, url: str) -> None:
        # One poller per server and URL, so that a slow answer elsewhere never delays noticing this one.
        while time.time() < instant + 5:
            response = get(port, url)
            received = time.time()
            if response.status == 200 and (url == path or title in html.unescape(response.text)):
                if received < instant:
                    leaks.append((port, url, round(received - instant, 3)))
                else:
                    first_public[(port, url)] = received - instant
                    return
            time.sleep(0.02)

    watchers = [threading.Thread(target=watch, args=(port, url)) for port in scale_out.ports for url in (path, "/")]
    for watcher in watchers:
        watcher.start()
    for watcher in watchers:
        watcher.join(timeout=30)

    assert not leaks, f"public before the instant: {leaks}"
    late = {key: round(delay, 3) for key, delay in first_public.items() if delay > LIFT_TARGET}
    missing = [(port, url) for port in scale_out.ports for url in (path, "/") if (port, url) not in first_public]
    assert not missing and not late, f"not public within {LIFT_TARGET} s: missing {missing}, late {late}"

    # Two app servers, two workers and the sweep all saw the instant; the lift ran exactly once.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        pending = query(
            scale_out.database,
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s AND finished_at IS NULL",
            ["%lift_embargo_task"],
        )[0][0]
        if not pending:
            break
        time.sleep(0.2)
    lifts = query(
        scale_out.database,
        "SELECT action FROM wagtailcore_pagelogentry WHERE page_id = %s AND action LIKE 'presscentre.embargo.%%'",
        [release["pk"]],
    )
    assert lifts == [("presscentre.embargo.lift",)]


def _seen_through_varnish(urls: list[str], text: str, *, since: float, within: float = 5.0) -> dict[str, float]:
    """Poll each URL through Varnish every 50 ms (a fresh connection each time, like a reader) until `text` shows;
    the seconds from `since` to the first response showing it, per URL (missing: never within `within`)."""
    seen: dict[str, float] = {}

    def watch(url: str) -> None:
        while time.time() < since + within:
            if text in html.unescape(get(VARNISH_PORT, url).text):
                seen[url] = round(time.time() - since, 3)
                return
            time.sleep(0.05)

    watchers = [threading.Thread(target=watch, args=(url,)) for url in urls]
    for watcher in watchers:
        watcher.start()
    for watcher in watchers:
        watcher.join(timeout=within + 10)
    return seen


def test_a_release_published_and_retitled_shows_everywhere_through_varnish_within_a_second(scale_out):
    """Published by a process of its own (as an editor's save on one server is), with Varnish holding every listing:
    the tag purge reaches them all within 1 s, and an unrelated item's page stays a hit."""
    stack, tag = scale_out.stack, scale_out.marker
    first = stack.first_json_line(
        "publish-first",
        manage("shell", "--no-imports", "-c", PUBLISH_IN_TOPIC.format(title=f"First {tag}", slug="scale-first")),
    )
    # Every listing the release will join, cached in Varnish without it (the topic's archive exists now). The items'
    # sitemap page is the first: a test site's ids are all below 50,000.
    listings = ["/", "/category/scale-topic/", "/feed/", "/feed/atom/", "/sitemap-items-0.xml"]
    for url in (*listings, scale_out.article):
        assert get(VARNISH_PORT, url).status == 200, (url, stack.tails())
        cached = get(VARNISH_PORT, url)
        assert cached.headers.get("x-cache") == "hit", (url, cached.headers)
        assert "surrogate-key" not in cached.headers  # the tags stay between the app and Varnish
    assert first["url"] and "/scale-first/" in get(VARNISH_PORT, "/sitemap-items-0.xml").text

    new_title = f"Second {tag}"
    published = stack.first_json_line(
        "publish-second",
        manage("shell", "--no-imports", "-c", PUBLISH_IN_TOPIC.format(title=new_title, slug="scale-second")),
    )
    shows = {url: ("/scale-second/" if url == "/sitemap-items-0.xml" else new_title) for url in listings}
    seen = {}
    for text in set(shows.values()):
        seen |= _seen_through_varnish([u for u, t in shows.items() if t == text], text, since=published["committed"])
    late = {url: seen.get(url) for url in listings if seen.get(url) is None or seen[url] > LIFT_TARGET}
    assert not late, f"the new release is not on these within {LIFT_TARGET} s: {late}"

    retitled = f"Retitled {tag}"
    edit = stack.first_json_line(
        "retitle", manage("shell", "--no-imports", "-c", RETITLE.format(slug="scale-second", title=retitled))
    )
    # The sitemap names addresses, not titles: a retitle changes nothing there.
    everywhere = [url for url in listings if url != "/sitemap-items-0.xml"] + [published["url"]]
    seen = _seen_through_varnish(everywhere, retitled, since=edit["committed"])
    late = {url: seen.get(url) for url in everywhere if seen.get(url) is None or seen[url] > LIFT_TARGET}
    assert not late, f"the new title is not on these within {LIFT_TARGET} s: {late}"

    # Neither change touched the unrelated article: Varnish still answers it from its copy.
    assert get(VARNISH_PORT, scale_out.article).headers.get("x-cache") == "hit"


def test_a_distribution_sent_by_two_workers_reaches_each_journalist_once(scale_out):
    contacts = 40
    script = START_DISTRIBUTION.format(contacts=contacts)
    started = json.loads(
        scale_out.stack.run("distribute", manage("shell", "--no-imports", "-c", script)).splitlines()[-1]
    )

    deadline, status = time.monotonic() + 30, None
    while time.monotonic() < deadline:
        ((status,),) = query(
            scale_out.database, "SELECT status FROM distribution_distribution WHERE id = %s", [started["distribution"]]
        )
        if status == "sent":
            break
        time.sleep(0.2)
    assert status == "sent", scale_out.stack.tails()

    deliveries = query(
        scale_out.database,
        "SELECT email, status FROM distribution_delivery WHERE distribution_id = %s",
        [started["distribution"]],
    )
    assert sorted(deliveries) == sorted((f"journalist{n}@example.org", "sent") for n in range(contacts))
    # The console email backend prints each message in the worker that sent it: count them across both workers.
    printed = "\n".join(scale_out.stack.tail(name, lines=100_000) for name in ("worker1", "worker2", "sweep"))
    recipients = re.findall(r"^To: (journalist\d+@example\.org)$", printed, re.MULTILINE)
    assert sorted(recipients) == sorted(f"journalist{n}@example.org" for n in range(contacts))


def test_an_embargoed_items_images_are_404_through_varnish_until_the_lift_then_cached_and_purged_on_unpublish(
    scale_out,
):
    script = PUBLISH_EMBARGOED_WITH_IMAGE.format(lead=4)
    release = scale_out.stack.first_json_line("publish image", manage("shell", "--no-imports", "-c", script))
    urls, instant = release["urls"], release["instant"]
    assert time.time() < instant - 0.5, "publishing took too long to watch the instant"

    for _ in range(2):  # a refusal is never kept: the second asks the app again
        for url in urls:
            before = get(VARNISH_PORT, url)
            assert before.status == 404 and before.headers.get("x-cache") == "miss", (url, before.status)
            assert "surrogate-key" not in before.headers
    assert time.time() < instant, "the checks before the lift ran past it"

    time.sleep(max(0.0, instant - time.time()) + 0.05)
    for url in urls:
        first, second = get(VARNISH_PORT, url), get(VARNISH_PORT, url)
        assert first.status == second.status == 200, (url, first.status, scale_out.stack.tails())
        assert second.headers.get("x-cache") == "hit", (url, second.headers)
        assert second.headers.get("cache-control", "").startswith("public")
        assert "surrogate-key" not in second.headers  # Varnish keeps the tags to itself

    scale_out.stack.run("unpublish", manage("shell", "--no-imports", "-c", UNPUBLISH.format(slug="pictured-release")))
    deadline = time.monotonic() + 2
    gone = set()
    while len(gone) < len(urls) and time.monotonic() < deadline:
        gone |= {url for url in urls if get(VARNISH_PORT, url).status == 404}
        time.sleep(0.05)
    assert gone == set(urls), f"still served through Varnish after the unpublish: {set(urls) - gone}"
