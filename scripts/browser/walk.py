"""The web app in a real browser: Debian's Chromium driven by its chromedriver through Selenium.

    walk.py PLAN.json OUT_DIR

PLAN.json (written by the Rust test that started the server and seeded it over the API):
    {"base": "http://127.0.0.1:PORT",
     "walker": {"username": ..., "password": ...},          # registered here, in the browser
     "holder": {"username": ..., "password": ...},          # has a credential (seeded)
     "request_token": ...,                                  # a pending proof request for it
     "unqualified_token": ...,                              # one asking at least 65 (declined)
     "redirect_token": ..., "redirect_url": ...,            # one sending on to another origin
     "declare_token": ...,                                  # a self-declared age request
     "verifier": {"username": ..., "password": ...},        # role verifier
     "issuer_id": ...,                                      # the holder's credential's issuer
     "issuer_name": ...,                                    # its name, as pages say it
     "issuer_member": {"username": ..., "password": ...},   # a member of that issuer
     "max_upload_bytes": ...,                               # the server's MAX_UPLOAD_BYTES
     "admin": {"username": ..., "password": ...},           # role admin (admin_walk.py)
     "member": {"username": ...}}                           # made an issuer's member there

One browser runs the journeys, by clicks and typing; a second one (never more than two at once)
stands for another person: the issuer's member approving, someone with no session opening a
share link, the holder answering while the verifier's page stays open. On every page it
reaches it checks, and records in OUT_DIR/report.json:
- axe-core (injected into the page): no violation of impact "serious" or "critical";
- the browser's log: no console message, script error or Content-Security-Policy violation;
- screenshots at 375 and 1280 pixels wide (OUT_DIR/<page>-375.png, -1280.png).
The report also holds what the walk saw ("seen": the credential request's id, the share URL,
the walker's account, document, credential and proof ids, the uploaded file's text and SHA-256)
for the test to check over the API, in the store and in the data directory afterwards.
Exit status 0 when every journey reached its end and every page passed; 1 otherwise, with the
failures printed. Nothing here downloads anything: Chromium, chromedriver and axe-core are
installed by scripts/install-test-deps.sh and scripts/browser/setup.sh.
"""

import hashlib
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import (NoSuchElementException, StaleElementReferenceException,
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from admin_walk import admin_console

HERE = Path(__file__).resolve().parent
AXE = (HERE / "node_modules" / "axe-core" / "axe.min.js").read_text()
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
WIDTHS = (375, 1280)
# Proving runs on the server inside a page load (a debug build on a busy machine is slow).
WAIT_SECONDS = 120
# What the browser's log may say without it being a fault: nothing.
BLOCKING_IMPACTS = {"serious", "critical"}


def gone(element):
    """Whether `element` left the page: stale, or (caught in the middle of the navigation)
    no longer in the document the browser's inspector knows."""
    try:
        element.is_enabled()
        return False
    except WebDriverException:
        return True


class Walk:
    """One browser, the pages it checked and what went wrong."""

    def __init__(self, base, out):
        self.base = base.rstrip("/")
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-extensions", f"--window-size={WIDTHS[-1]},900"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(WAIT_SECONDS)
        self.pages = []
        self.failures = []
        # What the walk saw that the test checks afterwards over the API (ids, the share URL).
        self.seen = {}
        self.plan = {}

    def close(self):
        self.driver.quit()

    def url(self, path):
        return self.base + path

    def open(self, path):
        self.driver.get(self.url(path))

    def wait_for(self, css):
        return WebDriverWait(self.driver, WAIT_SECONDS).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, css)))

    def wait_until(self, condition, seconds=None):
        """Waits until `condition(driver)` holds; an element read while the page is being
        replaced (gone or stale for a moment) counts as "not yet", not as a failure."""
        return WebDriverWait(self.driver, seconds or WAIT_SECONDS,
                             ignored_exceptions=(NoSuchElementException,
                                                 StaleElementReferenceException)).until(condition)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def has(self, css):
        return bool(self.driver.find_elements(By.CSS_SELECTOR, css))

    def type_into(self, css, text):
        field = self.find(css)
        field.clear()
        field.send_keys(text)

    def submit(self, form_css):
        """Clicks the form's submit button, as a person would, and waits for the next page."""
        old = self.find("html")
        self.find(f"{form_css} button[type=submit], {form_css} button:not([type])").click()
        WebDriverWait(self.driver, WAIT_SECONDS).until(lambda _: gone(old))

    def check_page(self, name, expected_log=()):
        """axe, the browser's log and two screenshots of the page now shown; a log line
        containing `expected_log` (a string, or a tuple of them: refusals the walk provoked on
        purpose, such as the status of an error page) is no fault."""
        driver = self.driver
        page = {"name": name, "url": driver.current_url, "title": driver.title}
        driver.execute_script(AXE + "\nreturn true;")
        result = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations))"
            ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));")
        page["axe"] = [{"id": v["id"], "impact": v.get("impact"), "help": v.get("help"),
                        "nodes": [n.get("target") for n in v.get("nodes", [])][:5]} for v in result]
        blocking = [v for v in page["axe"] if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            self.failures.append(f"{name}: axe found {json.dumps(blocking)}")
        shots = []
        for width in WIDTHS:
            driver.set_window_size(width, 900)
            png = self.out / f"{name}-{width}.png"
            driver.save_screenshot(str(png))
            shots.append(png.name)
        page["screenshots"] = shots
        log = [entry["message"] for entry in driver.get_log("browser")]
        page["console"] = log
        expected = (expected_log,) if isinstance(expected_log, str) else tuple(expected_log)
        faults = [line for line in log if not any(e in line for e in expected)]
        if faults:
            self.failures.append(f"{name}: the browser logged {faults}")
        self.pages.append(page)
        return page

    def open_to(self, path, css):
        """Opens `path` as a person typing the address would, and waits for `css`."""
        self.open(path)
        return self.wait_for(css)

    def said(self):
        return self.find("main").text

    def expect(self, condition, message):
        if not condition:
            self.failures.append(message)
        return condition


def sign_in(walk, user, page_name=None):
    walk.wait_for("#sign-in-form")
    if page_name:
        walk.check_page(page_name)
    walk.type_into("#sign-in-username", user["username"])
    walk.type_into("#sign-in-password", user["password"])
    walk.submit("#sign-in-form")


def signed_out_pages(walk, plan):
    """A newcomer opens the server's address: the sign-in page; then the registration page."""
    walk.driver.delete_all_cookies()
    walk.open("/")
    walk.wait_for("#sign-in-form")
    walk.expect(walk.driver.current_url.startswith(walk.url("/app")), f"/ led to {walk.driver.current_url}")
    walk.check_page("sign-in")
    walk.open("/app/register")
    walk.wait_for("#register-form")
    walk.check_page("register")
    locked_out(walk)


def locked_out(walk):
    """Wrong passwords for a name no account of the walk uses: after five failures the
    sixth attempt is a 429 page in words (the lockout holds for that name only)."""
    walk.open("/app/sign-in")
    for _ in range(6):
        walk.wait_for("#sign-in-form")
        walk.type_into("#sign-in-username", "nobody-of-the-walk")
        walk.type_into("#sign-in-password", "not the password, again")
        walk.submit("#sign-in-form")
        if "locked" in walk.said():
            break
    said = walk.said()
    walk.expect("Too many failed attempts" in said and "Error id" in said,
                f"six wrong passwords for one name lead to {said!r}, not the lockout in words")
    walk.check_page("sign-in-locked", expected_log=("401", "429"))


# Records, in the tab's sessionStorage (which outlives the navigation to the next page), whether
# the upload form's <progress> reached its maximum.
WATCH_PROGRESS = """
sessionStorage.removeItem('upload-progress-max');
new MutationObserver(function () {
  var bar = document.getElementById('upload-progress');
  if (bar && bar.max > 0 && bar.value >= bar.max) { sessionStorage.setItem('upload-progress-max', String(bar.value)); }
}).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
return true;
"""


def register(walk, user):
    walk.driver.delete_all_cookies()
    walk.open("/app/register")
    walk.wait_for("#register-form")
    walk.type_into("#register-username", user["username"])
    walk.type_into("#register-password", user["password"])
    walk.submit("#register-form")
    if walk.has("#sign-in-form"):
        sign_in(walk, user)


def plan_limit(walk):
    return walk.plan.get("max_upload_bytes", 0)


def too_large(walk, limit):
    """A file over the server's limit, sent through the progress path: the refusal is said in
    words in place of the form, and the browser's only complaint is that refused load."""
    if not limit:
        return
    with tempfile.NamedTemporaryFile(suffix=".bin", prefix="too-large-", delete=False) as f:
        f.write(os.urandom(2 * limit + 65536))
    walk.find("#upload-file").send_keys(f.name)
    walk.find("#upload-form button[type=submit]").click()
    try:
        walk.wait_until(
            lambda d: "larger than this server accepts" in d.find_element(By.CSS_SELECTOR, "main").text
            or "did not finish" in d.find_element(By.CSS_SELECTOR, "main").text)
    except WebDriverException:
        walk.failures.append(f"a file over the limit left the upload page saying {walk.find('main').text!r}")
    finally:
        os.unlink(f.name)
    said = walk.find("main").text
    walk.expect("larger than this server accepts" in said and "Error id" in said,
                f"a file over the limit is refused in words with its error id, not {said!r}")
    walk.check_page("upload-too-large", expected_log="413")


def upload(walk, user):
    """Uploads a document with the form, through the script's progress path; reads it back."""
    walk.wait_for("#upload-link, #no-documents, #document-list")
    walk.check_page("documents-empty")
    walk.find("#upload-link").click()
    walk.wait_for("#upload-form")
    walk.check_page("upload")
    too_large(walk, plan_limit(walk))
    walk.open("/app/documents/new")
    walk.wait_for("#upload-form")
    content = b"%PDF-1.4 passport of " + user["username"].encode() + b"\n" + os.urandom(64).hex().encode()
    with tempfile.NamedTemporaryFile(suffix=".pdf", prefix="passport-", delete=False) as f:
        f.write(content)
    select = walk.find("#upload-document-type")
    if select.tag_name == "select":
        Select(select).select_by_value("identity")
    else:
        walk.type_into("#upload-document-type", "identity")
    walk.find("#upload-file").send_keys(f.name)
    walk.driver.execute_script(WATCH_PROGRESS)
    walk.submit("#upload-form")
    walk.wait_for("#document-list, #document-sha256")
    os.unlink(f.name)
    reached = walk.driver.execute_script("return sessionStorage.getItem('upload-progress-max');")
    walk.expect(reached == "100", f"the upload's progress bar did not reach its maximum (it said {reached!r})")
    if walk.has("#document-list"):
        walk.find("#document-list a").click()
        walk.wait_for("#document-sha256")
    walk.check_page("document")
    document = walk.driver.current_url.rstrip("/").rsplit("/", 1)[1]
    walk.seen["document"] = document
    # What the test looks for in the data directory once the account is deleted.
    walk.seen["document_text"] = content.decode()
    walk.seen["document_sha256"] = hashlib.sha256(content).hexdigest()
    shown = walk.find("#document-sha256").text.strip()
    walk.expect(shown == hashlib.sha256(content).hexdigest(),
                f"the document page shows sha256 {shown!r}, not the uploaded file's")
    # The list with the document in it, by the navigation; back to it by its link.
    walk.find("nav a[href='/app/documents']").click()
    walk.wait_for("#document-list")
    walk.expect(walk.has(f"#document-list li[data-id='{document}']"), "the documents list misses the upload")
    walk.check_page("documents")
    walk.find(f"#document-list li[data-id='{document}'] a").click()
    walk.wait_for("#prove-age-link").click()
    walk.wait_for("#prove-age-form")
    walk.check_page("prove-age")
    # The document's authenticity: the form makes an authenticity proof, shown with its
    # "Share it" form.
    walk.open_to(f"/app/documents/{document}", "#prove-authenticity-link").click()
    walk.wait_for("#prove-authenticity-form")
    walk.check_page("prove-authenticity")
    walk.submit("#prove-authenticity-form")
    walk.wait_for("#share-form")
    walk.expect("in the registry" in walk.said(),
                "the proof page made from the authenticity form does not name the proof")
    walk.check_page("authenticity-proof")
    walk.open_to(f"/app/documents/{document}", "#delete-link").click()
    walk.wait_for("#delete-form")
    walk.check_page("document-delete")
    # Not deleted: the document answers a self-declared age request later.
    walk.find("main a[href='/app/documents/" + document + "']").click()
    walk.wait_for("#document-sha256")


def ask_issuer(walk, plan):
    """From the document's page, asks the plan's issuer to vouch for it."""
    walk.find("#ask-link").click()
    walk.wait_for("#ask-form")
    walk.check_page("ask-issuer")
    Select(walk.find("#ask-issuer")).select_by_value(plan["issuer_id"])
    # A date field's typed form depends on the browser's locale; its value does not.
    walk.driver.execute_script("arguments[0].value = '1990-04-12'", walk.find("#ask-birth-date"))
    walk.type_into("#ask-nationality", "DEU")
    walk.driver.execute_script("arguments[0].value = '2035-01-31'", walk.find("#ask-document-expiry"))
    walk.submit("#ask-form")
    walk.wait_for("#credential-request-list")
    walk.check_page("credentials-asked")


def issuer_approves(walk, plan):
    """A member of the issuer, in a second browser, reviews the request and approves it."""
    member = Walk(walk.base, walk.out)
    try:
        member.open("/app/sign-in")
        sign_in(member, plan["issuer_member"])
        member.wait_for("#issuer-link").click()
        member.wait_for("#issuer-queue")
        member.check_page("issuer-queue")
        member.find("#issuer-queue ul:first-of-type li a").click()
        member.wait_for("#approve-form")
        member.check_page("issuer-review")
        walk.seen["credential_request"] = member.driver.current_url.rstrip("/").rsplit("/", 1)[1]
        member.submit("#approve-form")
        member.wait_for("#credential-request-status")
        said = member.find("#credential-request-status").text.lower()
        member.expect("approved" in said, f"after approving, the request says {said!r}")
        member.check_page("issuer-approved")
        member.find("#issuer-link").click()
        member.wait_for("#issued-link").click()
        member.wait_for("#issued-list")
        member.check_page("issuer-issued")
        # The revocation's confirmation, not confirmed: the credentials stay in use.
        member.find("#issued-list a[id^='revoke-']").click()
        member.wait_for("#revoke-form")
        member.check_page("issuer-revoke")
    finally:
        walk.failures.extend(f"issuer's browser: {f}" for f in member.failures)
        walk.pages.extend(member.pages)
        member.close()


def prove_and_share(walk, plan):
    """The walker proves "at least 18" from the new credential and shares it for two views."""
    walk.open("/app/credentials")
    walk.wait_for("#credential-list")
    listed = walk.find("#credential-list").text
    walk.expect(plan["issuer_name"] in listed, f"the credentials page lists {listed!r}, not {plan['issuer_name']}")
    walk.check_page("credentials-held")
    walk.find("#import-link").click()
    walk.wait_for("#import-form")
    walk.check_page("credential-import")
    walk.open_to("/app/credentials", "#credential-list")
    walk.find("#credential-list a").click()
    walk.wait_for("#prove-link")
    walk.check_page("credential")
    credential_page = walk.driver.current_url
    walk.seen["credential"] = credential_page.rstrip("/").rsplit("/", 1)[1]
    # The deletion's confirmation, not confirmed: the credential is proven from next.
    walk.find("#delete-credential-link").click()
    walk.wait_for("#delete-credential-form")
    walk.check_page("credential-delete")
    walk.driver.get(credential_page)
    walk.wait_for("#prove-link").click()
    walk.wait_for("#prove-form")
    walk.check_page("prove")
    walk.type_into("#prove-min-age", "18")
    walk.submit("#prove-form")
    walk.wait_for("#share-form")
    walk.check_page("proof")
    proof_page = walk.driver.current_url
    walk.seen["proof"] = walk.find("#proof-id").text.strip()
    walk.type_into("#share-max", "2")
    walk.submit("#share-form")
    walk.wait_for("#share-url")
    url = walk.find("#share-url").get_attribute("value")
    walk.seen["share_url"] = url
    walk.expect("/vault/share/" in url, f"the share page shows {url!r}, not a share URL")
    walk.expect(walk.has("#share-qr svg"), "the share page has no QR code")
    copy = walk.wait_for("#share-url ~ .copy-button")
    copy.click()
    try:
        walk.wait_until(lambda d: copy.text.strip() == "Copied", seconds=10)
    except WebDriverException:
        walk.failures.append(f"the share link's copy button says {copy.text!r}, not 'Copied'")
    walk.check_page("share-link")
    walk.find("#link-page").click()
    walk.wait_for("#views-used")
    walk.check_page("link")
    # The same proof shared once more, behind a passphrase (its page is like the first's).
    walk.driver.get(proof_page)
    walk.wait_for("#share-form")
    walk.type_into("#share-passphrase", PASSPHRASE)
    walk.submit("#share-form")
    walk.wait_for("#share-url")
    walk.seen["passphrase_link"] = walk.find("#link-page").get_attribute("href")
    return url, walk.find("#share-url").get_attribute("value")


PASSPHRASE = "a walk in the park"


def open_shared(walk, plan, url, protected):
    """The link opened by someone with no session: verified twice, then not available; the
    passphrase link asks for its passphrase, then shows the proof."""
    viewer = Walk(walk.base, walk.out)
    try:
        for view in (1, 2, 3):
            viewer.driver.get(url)
            viewer.wait_for("h1")
            text = viewer.find("main").text
            if view < 3:
                viewer.expect("Verified" in text, f"view {view} of the shared proof says {text!r}")
                viewer.expect(f"Attested by {plan['issuer_name']}" in text,
                              f"view {view} of the shared proof does not name its issuer: {text!r}")
                if view == 1:
                    viewer.check_page("shared-proof")
            else:
                viewer.expect("not available" in text, f"the third view of a two-view link says {text!r}")
                viewer.check_page("shared-unavailable", expected_log="404")
        viewer.driver.get(protected)
        viewer.wait_for("#passphrase")
        viewer.check_page("shared-passphrase")
        viewer.type_into("#passphrase", PASSPHRASE)
        viewer.submit("main form")
        viewer.wait_for("h1")
        text = viewer.said()
        viewer.expect("Verified" in text, f"the passphrase link, opened with it, says {text!r}")
        viewer.check_page("shared-proof-passphrase")
    finally:
        walk.failures.extend(f"viewer's browser: {f}" for f in viewer.failures)
        walk.pages.extend(viewer.pages)
        viewer.close()


def request_unqualified(walk, plan, page):
    """The walker opens a request that asks for more than their credentials show (at least
    65): before they hold any, and (`page` "request-unqualified") with one that cannot answer,
    which they then decline."""
    walk.open_to(f"/r/{plan['unqualified_token']}", "#no-qualifying-credential")
    said = walk.said()
    if page == "request-no-credential":
        walk.expect("You have no credentials yet" in said, f"with no credential the request page says {said!r}")
        walk.check_page(page)
        return
    walk.wait_for("#unqualified-credentials")
    walk.expect("does not show the age asked for" in walk.find("#unqualified-credentials").text,
                f"the unqualified credential is listed as {walk.find('#unqualified-credentials').text!r}")
    walk.expect(not walk.has("#consent-form"), "a credential that cannot answer is offered")
    walk.check_page(page)
    walk.submit("#decline-form")
    walk.wait_for("#answer-result")
    said = walk.find("#answer-result").text
    walk.expect("You declined" in said, f"after declining the page says {said!r}")
    walk.check_page("request-declined")


def revoke_protected(walk):
    """The passphrase link's page, its revocation confirmed: the link reads revoked."""
    walk.driver.get(walk.seen["passphrase_link"])
    walk.wait_for("#revoke-link").click()
    walk.wait_for("#revoke-link-form")
    walk.check_page("link-revoke")
    walk.submit("#revoke-link-form")
    state = walk.wait_for("#link-state").text
    walk.expect(state == "Revoked", f"after revoking, the link's state reads {state!r}")


def agents(walk):
    """An AI agent made by its form, the form sent twice (the second a 409 page in words),
    the agent's secret page, then the agent deleted behind its confirmation."""
    walk.find("#agents-link").click()
    walk.wait_for("#agent-form")
    walk.check_page("agents")
    walk.type_into("#agent-name", "walk helper")
    # The first sending opens in a new tab (as a middle click would), the second, of the same
    # form, here.
    form = walk.find("#agent-form")
    mine = walk.driver.current_window_handle
    walk.driver.execute_script("arguments[0].target = '_blank'", form)
    walk.find("#agent-form button[type=submit]").click()
    walk.wait_until(lambda d: len(d.window_handles) == 2, seconds=30)
    walk.driver.switch_to.window(next(h for h in walk.driver.window_handles if h != mine))
    walk.wait_for("#agent-secret")
    walk.seen["agent"] = walk.find("#agent-id").text.strip()
    walk.expect(len(walk.find("#agent-secret").text.strip()) >= 32, "the agent's secret is not shown")
    walk.check_page("agent-created")
    walk.driver.close()
    walk.driver.switch_to.window(mine)
    walk.driver.execute_script("arguments[0].target = '_self'", walk.find("#agent-form"))
    walk.submit("#agent-form")
    said = walk.said()
    walk.expect("already sent" in said and "Error id" in said, f"the form sent twice led to {said!r}")
    walk.check_page("form-sent-twice", expected_log="409")
    agent = walk.seen["agent"]
    walk.open_to("/app/account/agents", f"#delete-agent-{agent}").click()
    walk.wait_for("#delete-agent-form")
    walk.check_page("agent-delete")
    walk.submit("#delete-agent-form")
    walk.wait_for("#agent-form")
    walk.expect(not walk.has(f"li[data-agent='{agent}']"), "the deleted agent is still listed")


def error_pages(walk):
    """A path that is nothing (404) and the admin console for a person who is no admin (403),
    both pages in words."""
    walk.open_to("/app/nothing-here", "main")
    walk.expect("Error id" in walk.said(), f"an unknown path says {walk.said()!r}")
    walk.check_page("not-found", expected_log="404")
    walk.open_to("/app/admin", "main")
    walk.expect("not allowed" in walk.said() and "Error id" in walk.said(),
                f"/app/admin for a user says {walk.said()!r}")
    walk.check_page("forbidden", expected_log="403")


def account_pages(walk):
    """The links, the account page and its password form, the AI agents, the delete
    confirmation, error pages; then signing out."""
    revoke_protected(walk)
    walk.open("/app/links")
    walk.wait_for("#link-list, #no-links")
    walk.check_page("links")
    walk.open("/app/account")
    walk.wait_for("#sign-out-form")
    walk.check_page("account")
    walk.find("#change-password-link").click()
    walk.wait_for("#change-password-form")
    walk.check_page("password")
    walk.open_to("/app/account", "#agents-link")
    agents(walk)
    error_pages(walk)
    walk.open("/app/account/delete")
    walk.wait_for("#delete-account-form")
    walk.check_page("delete-account")
    walk.open("/app/account")
    walk.wait_for("#sign-out-form")
    walk.submit("#sign-out-form")
    walk.wait_for("#sign-in-form")
    walk.open("/app/documents")
    walk.wait_for("#sign-in-form")
    walk.expect("next=" in walk.driver.current_url,
                f"signed out, /app/documents led to {walk.driver.current_url} (no way back after sign-in)")


def vouched_and_shared(walk, plan):
    """Journey 1: a newcomer registers, uploads a document, asks an issuer to vouch for it; a
    member of the issuer approves in another browser; the newcomer proves "at least 18" from
    the credential and shares it for two views; the link, opened with no session, is verified
    twice and then not available."""
    user = plan["walker"]
    register(walk, user)
    upload(walk, user)
    request_unqualified(walk, plan, "request-no-credential")
    walk.open_to(f"/app/documents/{walk.seen['document']}", "#ask-link")
    ask_issuer(walk, plan)
    issuer_approves(walk, plan)
    url, protected = prove_and_share(walk, plan)
    open_shared(walk, plan, url, protected)
    request_unqualified(walk, plan, "request-unqualified")
    account_pages(walk)


def consent(walk, plan):
    """A holder opens a proof request's link signed out, signs in from it, and answers."""
    holder = plan["holder"]
    walk.driver.delete_all_cookies()
    walk.open(f"/r/{plan['request_token']}")
    walk.wait_for("#sign-in-to-answer")
    walk.check_page("request-signed-out")
    walk.find("#sign-in-to-answer").click()
    sign_in(walk, holder)
    walk.wait_for("#consent-form")
    walk.expect(f"/r/{plan['request_token']}" in walk.driver.current_url,
                f"after sign-in the holder is at {walk.driver.current_url}, not back at the request")
    walk.check_page("request-consent")
    walk.submit("#consent-form")
    walk.wait_for("#answer-result")
    walk.check_page("request-answered")
    said = walk.find("#answer-result").text.lower()
    walk.expect("proof was sent" in said or "completed" in said, f"the answer page says {said!r}")
    redirected(walk, plan)


def redirected(walk, plan):
    """A request whose verifier gave a `redirect_url` on another origin (the same server by
    another name): declining it, the browser follows the answer's redirect there — the
    request's page allows that origin as a form's destination."""
    walk.open_to(f"/r/{plan['redirect_token']}", "#decline-form")
    old = walk.find("html")
    walk.find("#decline-form button[type=submit]").click()
    target = plan["redirect_url"]
    try:
        walk.wait_until(lambda d: gone(old) and d.current_url == target, seconds=30)
    except WebDriverException:
        # The server has answered by then; a browser that held the redirect logs the policy
        # it held it to (the check below reports that line).
        walk.failures.append(f"declining a request with a redirect_url left the browser at "
                             f"{walk.driver.current_url}, not at {target}")
    walk.wait_for("h1")
    walk.check_page("request-redirected")
    # Back on this server's own name, the holder's session ends here.
    walk.open("/app")
    walk.driver.delete_all_cookies()


def declare_age(walk, plan):
    """The walker answers a self-declared age request with their document and a birth date."""
    walker = plan["walker"]
    walk.driver.delete_all_cookies()
    walk.open(f"/r/{plan['declare_token']}")
    walk.wait_for("#sign-in-to-answer")
    walk.find("#sign-in-to-answer").click()
    sign_in(walk, walker)
    walk.wait_for("#declare-birth-date")
    walk.check_page("request-declare")
    # A date field's typed form depends on the browser's locale; its value does not.
    walk.driver.execute_script("arguments[0].value = '1980-02-01'", walk.find("#declare-birth-date"))
    walk.submit("#consent-form")
    walk.wait_for("#answer-result")
    said = walk.find("#answer-result").text.lower()
    walk.expect("proof was sent" in said, f"the answer page says {said!r}")


def verifier_console(walk, plan):
    """A verifier makes a request in the console and keeps its page open; the holder, in a
    second browser, opens the request's link, signs in and consents; the verifier's
    page turns completed without being reloaded (the live status)."""
    driver = walk.driver
    driver.delete_all_cookies()
    walk.open("/app/sign-in")
    sign_in(walk, plan["verifier"])
    walk.open("/app/verifier/new")
    walk.wait_for("#new-request-form")
    walk.check_page("verifier-new")
    walk.type_into("#purpose", "Entry by the console")
    walk.find(f"input[name=trusted_issuers][value='{plan['issuer_id']}']").click()
    walk.type_into("#min_age", "18")
    # The webhook goes to this server (loopback is allowed in development), to a path that
    # is nothing: the delivery is refused, and its attempts are listed.
    walk.type_into("#callback_url", walk.url("/app/walk-webhook"))
    walk.submit("#new-request-form")
    walk.wait_for("#request-link")
    status = walk.find("#request-status")
    walk.expect(status.get_attribute("data-status") == "pending", f"a new request is {status.text!r}")
    walk.check_page("verifier-created")
    token = walk.find("#request-link").get_attribute("value").rstrip("/").rsplit("/", 1)[1]
    # The holder, on another device: a second browser with its own cookies, while the
    # verifier's page stays open in the first.
    holder = Walk(walk.base, walk.out)
    try:
        holder.open(f"/r/{token}")
        holder.wait_for("#sign-in-to-answer").click()
        sign_in(holder, plan["holder"])
        holder.wait_for("#consent-form")
        holder.submit("#consent-form")
        holder.wait_for("#answer-result")
        holder.check_page("verifier-holder-answered")
    finally:
        walk.failures.extend(f"holder's browser: {f}" for f in holder.failures)
        walk.pages.extend(holder.pages)
        holder.close()
    try:
        walk.wait_until(
            lambda d: d.find_element(By.CSS_SELECTOR, "#request-status").get_attribute("data-status") == "completed")
    except WebDriverException:
        walk.failures.append(f"the verifier's page still says {walk.find('#request-status').text!r}")
        return
    walk.expect("completed" in walk.find("#request-status").text.lower(),
                f"the live status reads {walk.find('#request-status').text!r}")
    walk.check_page("verifier-completed")
    walk.find("#verifier-link").click()
    walk.wait_for("#request-list")
    listed = [li for li in walk.driver.find_elements(By.CSS_SELECTOR, "#request-list li")
              if "Entry by the console" in li.text]
    walk.expect(len(listed) == 1, f"the verifier's history lists {walk.find('#request-list').text!r}")
    walk.check_page("verifier-requests")
    listed[0].find_element(By.CSS_SELECTOR, "a").click()
    walk.wait_for("#request-result")
    # The delivery is made in the background: the page shows it once made.
    try:
        walk.wait_until(lambda d: d.find_element(By.CSS_SELECTOR, "#deliveries").tag_name == "table"
                        or d.refresh(), seconds=30)
    except WebDriverException:
        walk.failures.append(f"the request's page lists no webhook delivery: {walk.find('#deliveries').text!r}")
    walk.expect("Verified" in walk.find("#request-result").text,
                f"the request's result reads {walk.find('#request-result').text!r}")
    walk.check_page("verifier-request")


def delete_account(walk, plan):
    """Journey 3: the walker deletes their account with their password and lands on sign-in."""
    walker = plan["walker"]
    walk.driver.delete_all_cookies()
    walk.open("/app/account/delete")
    sign_in(walk, walker)
    walk.wait_for("#delete-account-form")
    walk.type_into("#delete-account-password", walker["password"])
    walk.submit("#delete-account-form")
    walk.wait_for("#account-deleted")
    walk.expect(walk.has("#sign-in-form"), f"after deleting the account the browser is at {walk.driver.current_url}")
    walk.check_page("account-deleted")


JOURNEYS = [signed_out_pages, vouched_and_shared, consent, declare_age, verifier_console, admin_console,
            delete_account]


def main():
    plan = json.load(open(sys.argv[1]))
    walk = Walk(plan["base"], sys.argv[2])
    walk.plan = plan
    try:
        for journey in JOURNEYS:
            try:
                journey(walk, plan)
            except (WebDriverException, AssertionError, KeyError) as e:
                shot = walk.out / f"failed-{journey.__name__}.png"
                try:
                    walk.driver.save_screenshot(str(shot))
                except WebDriverException:
                    pass
                walk.failures.append(f"{journey.__name__} stopped at {walk.driver.current_url}: "
                                     f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}")
    finally:
        walk.close()
    report = {"pages": walk.pages, "failures": walk.failures, "seen": walk.seen}
    (walk.out / "report.json").write_text(json.dumps(report, indent=2))
    print(f"{len(walk.pages)} pages checked: {', '.join(p['name'] for p in walk.pages)}")
    for failure in walk.failures:
        print("FAIL:", failure)
    sys.exit(1 if walk.failures else 0)


if __name__ == "__main__":
    main()
