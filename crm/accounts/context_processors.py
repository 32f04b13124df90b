from django.utils.functional import SimpleLazyObject

from crm.accounts.messaging import unread_message_count
from crm.accounts.roles import Role, has_role, is_supervisor, roles_of


def navigation(request):
    """What the navbar needs: the user's roles and unread notification count, computed lazily."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_roles": SimpleLazyObject(lambda: roles_of(user)),
        "user_is_supervisor": SimpleLazyObject(lambda: is_supervisor(user)),
        "user_can_import": SimpleLazyObject(
            lambda: has_role(user, Role.MARKETING, Role.MANAGER, Role.ADMIN, Role.SALES_REP)
        ),
        "user_can_call": SimpleLazyObject(
            lambda: has_role(user, Role.TELEMARKETER, Role.MANAGER, Role.ADMIN)
        ),
        "user_does_marketing": SimpleLazyObject(
            lambda: has_role(user, Role.MARKETING, Role.MANAGER, Role.ADMIN)
        ),
        "user_does_accounting": SimpleLazyObject(
            lambda: has_role(user, Role.ACCOUNTING, Role.MANAGER, Role.ADMIN)
        ),
        # What the main menu depends on, so that it is rendered once per process for each.
        "menu_key": SimpleLazyObject(
            lambda: "|".join([*sorted(roles_of(user)), f"staff={user.is_staff}", f"su={user.is_superuser}"])
        ),
        "unread_notifications": SimpleLazyObject(lambda: user.notifications.unread().count()),
        "unread_messages": SimpleLazyObject(lambda: unread_message_count(user)),
    }
