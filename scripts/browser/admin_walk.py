"""The admin console and the timeline in a real browser, as one journey of the browser walk.

    admin_console(walk, plan)

`walk` is the walk's browser (walk.py's Walk: open, wait_for, find, has, type_into, submit,
check_page, expect, failures); `plan` is the walk's plan with, in addition:
    "admin":  {"username": ..., "password": ...}   # role admin (seeded)
    "member": {"username": ...}                    # an account to make an issuer's member;
                                                   # its sessions end, so seed one for this
The journey signs in as the administrator, creates an issuer by typing its name, adds the
member by username, and opens the issuer's page, the member's removal confirmation, the
accounts (noting the walker's account id in `walk.seen`), one account, its disable and erase
confirmations (none confirmed), the circuits and the timeline, checking each page (axe, the
browser's log, screenshots). It signs out at the end.
"""

import secrets

from selenium.webdriver.common.by import By


def _sign_in(walk, user):
    walk.driver.delete_all_cookies()
    walk.open("/app/sign-in")
    walk.wait_for("#sign-in-form")
    walk.type_into("#sign-in-username", user["username"])
    walk.type_into("#sign-in-password", user["password"])
    walk.submit("#sign-in-form")


def admin_console(walk, plan):
    """An administrator creates an issuer, adds a member and looks through the console."""
    admin = plan["admin"]
    member = plan["member"]["username"]
    _sign_in(walk, admin)
    walk.wait_for("#admin-link").click()
    walk.wait_for("#admin-issuers")
    walk.check_page("admin-issuers")

    name = f"Walk Registry {secrets.token_hex(3)}"
    walk.type_into("#issuer-name", name)
    walk.submit("#issuer-form")
    walk.wait_for("#member-form")
    walk.expect(name in walk.find("h1").text, f"the new issuer's page is titled {walk.find('h1').text!r}")
    walk.check_page("admin-issuer")
    walk.type_into("#member-username", member)
    walk.submit("#member-form")
    walk.wait_for("#issuer-members")
    members = walk.find("#issuer-members").text
    walk.expect(member in members, f"{member} is not among the members: {members!r}")
    walk.expect(not walk.has("#member-username-error"), "adding the member was refused")
    walk.check_page("admin-issuer-member")
    # The removal's confirmation, not confirmed.
    issuer_page = walk.driver.current_url
    walk.find("#issuer-members a[id^='remove-member-']").click()
    walk.wait_for("#remove-member-form")
    walk.expect(member in walk.find("h1").text, f"the removal asks {walk.find('h1').text!r}")
    walk.check_page("admin-remove-member")
    walk.find(f"main a[href='{issuer_page[len(walk.base):]}']").click()
    walk.wait_for("#member-form")

    walk.open("/app/admin/users")
    walk.wait_for("#admin-users")
    walk.check_page("admin-users")
    rows = walk.driver.find_elements(By.CSS_SELECTOR, "#admin-users li.user")
    # The walker's account id, for the test to look for what it owned once it is deleted.
    walker = next((row for row in rows if plan["walker"]["username"] in row.text), None)
    if walk.expect(walker is not None, "the walker is not in the accounts list"):
        walk.seen["walker_id"] = walker.get_attribute("data-user")
    target = next((row for row in rows if member in row.text), None)
    if walk.expect(target is not None, f"{member} is not in the accounts list"):
        target.find_element(By.CSS_SELECTOR, "a").click()
        walk.wait_for("#user-role-form")
        role = walk.find("#user-role").text
        walk.expect(role == "issuer", f"{member}'s role reads {role!r}")
        walk.check_page("admin-user")
        user_page = walk.driver.current_url
        walk.find("#user-disable-link").click()
        walk.wait_for("#user-disable-form")
        walk.check_page("admin-user-disable")
        # The erasure's confirmation (type the username), not confirmed.
        walk.driver.get(user_page)
        walk.wait_for("#user-delete-link").click()
        walk.wait_for("#user-delete-form")
        walk.check_page("admin-user-delete")

    walk.open("/app/admin/circuits")
    walk.wait_for("#admin-circuits")
    walk.expect(walk.has("#admin-circuits li.circuit"), "no circuit is listed")
    walk.check_page("admin-circuits")

    walk.find("#timeline-link").click()
    walk.wait_for("#timeline")
    walk.check_page("timeline")
    walk.submit("#sign-out-form")
    walk.wait_for("#sign-in-form")
