"""Sign-out: ends the session and the sign-in cookie, then shows the sign-in form again."""

from components.auth import logout_page

logout_page()
