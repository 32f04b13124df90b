"""A rep mentions a colleague in a comment on a customer; the colleague sees the notification and the
comment, then they talk in a direct conversation whose new messages arrive without a reload."""

from __future__ import annotations

import re

import pytest

from crm.accounts.models import Comment, Message, Notification
from crm.accounts.roles import Role
from tests.factories import CustomerFactory, TeamFactory, user_with_role

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "secret-pass-123"  # The factories' password.
CUSTOMER = "Ferretería El Tornillo Feliz S.A.S."


@pytest.fixture
def people():
    north = TeamFactory(name="North")
    rep = user_with_role(Role.SALES_REP, team=north, username="rep")
    colleague = user_with_role(Role.SALES_REP, team=north, username="lucia")
    colleague.first_name, colleague.last_name = "Lucía", "Restrepo"
    colleague.save()
    return {"rep": rep, "colleague": colleague}


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_a_rep_mentions_a_colleague_who_sees_it_and_answers(
    browser, live_server, page, page_problems, people
):
    customer = CustomerFactory(owner=people["rep"], legal_name=CUSTOMER)

    # The rep comments on the customer, picking the colleague from the @ suggestions.
    log_in(page, "rep")
    page.goto(customer.get_absolute_url())
    comments = page.locator("#comments")
    box = comments.get_by_label("Comment")
    page.evaluate("window.sameDocument = true")
    box.press_sequentially("¿Puedes visitarlos el jueves? @luc")
    comments.get_by_role("button", name=re.compile(r"@lucia")).click()
    expect(box).to_have_value("¿Puedes visitarlos el jueves? @lucia ")
    box.press_sequentially("gracias")
    comments.get_by_role("button", name="Add comment").click()
    expect(comments).to_contain_text("Notified: Lucía Restrepo")
    expect(comments.locator(".comment-body")).to_contain_text("¿Puedes visitarlos el jueves? @lucia gracias")
    expect(box).to_have_value("")
    assert page.evaluate("window.sameDocument") is True, "the page reloaded"
    assert Comment.objects.get().author == people["rep"]
    assert Notification.objects.get().recipient == people["colleague"]

    # The colleague logs in, sees the alert in the navbar, and follows it to the comment.
    log_in(page, "lucia")
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    page.get_by_role("link", name="Notifications").click()
    page.get_by_role("link", name=re.compile(r"mentioned you on Ferretería El Tornillo Feliz")).click()
    expect(page.get_by_role("heading", name=CUSTOMER)).to_be_visible()
    expect(page.locator("#comments .comment-body")).to_contain_text("¿Puedes visitarlos el jueves?")
    expect(page.locator("#comments strong.mention")).to_have_text("@lucia")

    # She writes to the rep, who has the conversation open and sees it arrive without a reload.
    rep_context = browser.new_context(base_url=live_server.url, locale="en-US")
    rep_context.set_default_timeout(15_000)
    rep_page = rep_context.new_page()
    rep_page.on("pageerror", lambda error: page_problems.page_errors.append(str(error)))
    rep_page.on("console", lambda message: page_problems.record_console(message))
    log_in(rep_page, "rep")
    rep_page.get_by_role("link", name="Messages").click()
    rep_page.get_by_label("Write to").select_option(label="Lucía Restrepo")
    rep_page.get_by_role("button", name="Open the conversation").click()
    expect(rep_page.get_by_role("heading", name="Lucía Restrepo")).to_be_visible()
    rep_page.evaluate("window.sameDocument = true")

    page.get_by_role("link", name="Messages").click()
    page.get_by_role("link", name=re.compile(str(people["rep"]))).click()
    page.get_by_role("textbox", name="Message").fill("Sí, el jueves a las 10 paso por allá.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#message-list")).to_contain_text("Sí, el jueves a las 10 paso por allá.")
    expect(page.get_by_role("textbox", name="Message")).to_have_value("")

    expect(rep_page.locator("#message-list")).to_contain_text("Sí, el jueves a las 10 paso por allá.")
    assert rep_page.evaluate("window.sameDocument") is True, "the rep's page reloaded"
    assert Message.objects.count() == 1
    rep_context.close()

    assert page_problems.page_errors == []
    assert page_problems.csp_violations() == []
    assert page_problems.console_errors == []
    assert page_problems.failed_requests == []
